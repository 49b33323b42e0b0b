"""Parquet files joined without re-encoding (population/parquet_join.py): the workers of
`levyrules batch` write the rows of their parts as Parquet files, the main process appends
their column chunks as they are and writes one footer with the offsets shifted. Read back
by pyarrow, the joined file has every value, row group, encoding and statistic of the
files joined, in order."""

from __future__ import annotations

import pytest

from levyrules.population import rows as rowmod, runner, sink
from tablecity import parquet_city, regroup

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from levyrules.population import parquet_join as pj  # noqa: E402

SCHEMA = pa.schema([("n", pa.int64()), ("s", pa.string()), ("b", pa.bool_())])
OFFSETS = ("data_page_offset", "dictionary_page_offset")


def _table(n: int, seed: int):
    rng = np.random.default_rng(seed)
    return pa.table({"n": pa.array(rng.integers(-10**14, 10**14, n)),
                     "s": pa.array([None if v % 11 == 0 else f"t{v % 7}"
                                    for v in rng.integers(0, 100, n)], pa.string()),
                     "b": pa.array(rng.integers(0, 2, n).astype(bool))}, schema=SCHEMA)


def _write(path, table, group: int, **options):
    w = pq.ParquetWriter(path, SCHEMA, **{**sink.parquet_options(SCHEMA), **options})
    for lo in range(0, table.num_rows, group):
        w.write_table(table.slice(lo, group))
    w.close()


def _groups(path):
    meta = pq.ParquetFile(path).metadata
    return [meta.row_group(g).to_dict() for g in range(meta.num_row_groups)]


def _without_offsets(group: dict, shift: int) -> dict:
    """A row group's metadata with its offsets moved back by `shift`."""
    out = dict(group)
    out["columns"] = []
    for c in group["columns"]:
        c = dict(c)
        for k in OFFSETS + ("file_offset",):
            if c[k] is not None:
                c[k] -= shift
        out["columns"].append(c)
    return out


@pytest.mark.parametrize("sizes", [[100, 0, 37, 250], [1], [3000, 17] * 9])
def test_joined_files_read_back_as_the_files_in_order(tmp_path, sizes):
    """Empty files skipped; more than 15 row groups (the long list header); every row
    group's metadata (statistics, encodings, sizes) that of its file, its offsets shifted
    by where its file's chunks landed, and the pages there readable."""
    tables = [_table(n, k) for k, n in enumerate(sizes)]
    joiner = pj.Joiner(tmp_path / "all.parquet")
    landed = []
    for k, t in enumerate(tables):
        path = tmp_path / f"p{k}.parquet"
        _write(path, t, 64)
        footer = pj.relocatable(path)
        assert footer.rows == t.num_rows
        landed.append((path, joiner._f.tell() - 4 if t.num_rows else None))
        joiner.append(path, footer)
    joiner.close()
    joined = pq.ParquetFile(tmp_path / "all.parquet")
    assert joined.read().equals(pa.concat_tables(tables), check_metadata=True)
    assert joined.metadata.num_rows == sum(sizes)
    got = _groups(tmp_path / "all.parquet")
    want = [_without_offsets(g, -shift) for path, shift in landed if shift is not None
            for g in _groups(path)]
    assert got == want
    for g in range(joined.metadata.num_row_groups):
        assert joined.read_row_group(g).num_rows == got[g]["num_rows"]


def test_a_page_index_or_another_schema_is_refused(tmp_path):
    _write(tmp_path / "i.parquet", _table(10, 1), 4, write_page_index=True)
    with pytest.raises(ValueError, match="page index"):
        pj.relocatable(tmp_path / "i.parquet")
    pq.write_table(_table(10, 2), tmp_path / "a.parquet")
    pq.write_table(_table(10, 2).rename_columns(["m", "s", "b"]), tmp_path / "b.parquet")
    joiner = pj.Joiner(tmp_path / "j.parquet")
    joiner.append(tmp_path / "a.parquet", pj.relocatable(tmp_path / "a.parquet"))
    with pytest.raises(ValueError, match="different schemas"):
        joiner.append(tmp_path / "b.parquet", pj.relocatable(tmp_path / "b.parquet"))
    (tmp_path / "n.parquet").write_bytes(b"PAR1not parquet")
    with pytest.raises(ValueError, match="not a Parquet file"):
        pj.relocatable(tmp_path / "n.parquet")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return parquet_city(tmp_path_factory.mktemp("city"), 400, 7, 50)


@pytest.mark.parametrize("empty", [False, True])
def test_batch_with_workers_joins_their_files_into_the_one_result(city, tmp_path, empty):
    """Whatever the chunk size and worker count, the joined file reads back equal to the
    one-process file (values, order, schema and its metadata), row groups of at most
    ROW_GROUP rows, and no worker file is left; `empty`: the households of the second
    and the last part all rejected (no id), their parts write no file."""
    def no_ids(t):
        ids = t.column("household_id").to_pylist()
        ids[50:100] = ids[350:] = [None] * 50
        return t.set_column(0, "household_id", pa.array(ids, pa.string()))
    if empty:
        city = regroup(city, tmp_path / "city", 50, no_ids)
    ref = runner.run(city, "iwaki/2025", tmp_path / "ref.parquet")
    assert ref.rejected >= (100 if empty else 0)
    want = pq.read_table(ref.outputs.result)
    tariff = __import__("levyrules").load_tariff("iwaki/2025")
    assert want.schema.equals(sink.arrow_schema(rowmod.schema(tariff)))
    for workers, chunk in ((2, 50), (2, 120), (3, 1000)):
        out = tmp_path / f"w{workers}-{chunk}" / "r.parquet"
        out.parent.mkdir()
        s = runner.run(city, "iwaki/2025", out, workers=workers, chunk_size=chunk)
        assert (s.read, s.assessed, s.rejected) == (ref.read, ref.assessed, ref.rejected)
        assert pq.read_table(out).equals(want, check_metadata=True)
        assert s.outputs.rejects.read_bytes() == ref.outputs.rejects.read_bytes()
        meta = pq.ParquetFile(out).metadata
        assert max(meta.row_group(g).num_rows for g in range(meta.num_row_groups)) <= \
            sink.ROW_GROUP
        assert sorted(p.name for p in out.parent.iterdir()) == \
            ["r.meta.json", "r.parquet", "r.rejects.csv"]


def test_a_worker_that_dies_stops_the_run_and_leaves_nothing(city, tmp_path, monkeypatch):
    """A worker killed while it writes its part (after other parts were joined): the run
    stops with BrokenProcessPool, and neither the result, the rejects, the sidecar nor a
    worker's file is left. (The workers are forked from this process here, so that they
    run the patched reader.)"""
    import multiprocessing
    import os
    from concurrent.futures.process import BrokenProcessPool
    real = runner._column_chunks

    def dying(directory, part, chunk, encoding, tariff, *clock):
        for c in real(directory, part, chunk, encoding, tariff, *clock):
            if part is not None and part.first >= 200:
                os._exit(3)
            yield c
    monkeypatch.setattr(runner, "_column_chunks", dying)
    from levyrules.population import forking
    monkeypatch.setattr(forking, "context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(forking, "start", lambda workers: None)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(BrokenProcessPool):
        runner.run(city, "iwaki/2025", out / "r.parquet", workers=2, chunk_size=50)
    assert list(out.iterdir()) == []


def test_a_csv_result_from_workers_is_the_bytes_of_one_process(city, tmp_path):
    """With a CSV result the workers hand back Arrow files (sink.Spool), not Parquet."""
    one = runner.run(city, "iwaki/2025", tmp_path / "one.csv")
    two = runner.run(city, "iwaki/2025", tmp_path / "two.csv", workers=2, chunk_size=50)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert one.outputs.rejects.read_bytes() == two.outputs.rejects.read_bytes()
    assert one.sidecar["counts"] == two.sidecar["counts"]
