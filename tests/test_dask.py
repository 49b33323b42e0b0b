"""levyrules.dask on a LocalCluster of two worker processes equals the single-process batch."""

from __future__ import annotations

import pytest

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")
pq = pytest.importorskip("pyarrow.parquet")

from levyrules import dask as lrdask  # noqa: E402
from levyrules.population import runner, synth  # noqa: E402

TARIFF = "iwaki/2025"


@pytest.mark.slow
def test_dask_on_a_local_cluster_equals_the_single_process_run(tmp_path):
    from distributed import Client, LocalCluster
    src = synth.write(tmp_path / "city", 300, 2025, 17, "jsonl")
    lines = src.read_text().splitlines()
    lines.insert(100, '{"id": "BAD-1", "fiscal_year": 2025}')
    src.write_text("\n".join(lines) + "\n")
    single = runner.run(src, TARIFF, tmp_path / "single.parquet")
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=None) as cluster, Client(cluster):
        meta = lrdask.run(src, TARIFF, tmp_path / "dask", partition_size=70)
    assert meta["partitions"] == 5
    assert meta["counts"] == {"read": 301, "assessed": 300, "rejected": 1}
    parts = sorted((tmp_path / "dask" / "results").glob("*.parquet"),
                   key=lambda p: int(p.stem.split(".")[-1]))
    import pyarrow as pa
    distributed = pa.concat_tables([pq.read_table(p) for p in parts])
    expected = pq.read_table(tmp_path / "single.parquet")
    assert distributed.schema.equals(expected.schema)
    assert distributed.to_pylist() == expected.to_pylist()
    rejects = list((tmp_path / "dask" / "rejects").glob("*.csv"))
    assert len(rejects) == 1 and "BAD-1,population.jsonl:101,head,is required" in rejects[0].read_text()
    assert single.rejected == 1
