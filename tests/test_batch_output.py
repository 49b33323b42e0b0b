"""The assessment file as `levyrules batch` writes it (population/sink.py, runner.py):
plain Parquet with the settings chosen for writing speed, the same bytes from rows,
columns and the Arrow files of worker processes, and nothing left behind when a worker
stops the run."""

from __future__ import annotations

import pytest

import levyrules
from levyrules.errors import InputError
from levyrules.population import pool, rows as rowmod, runner, sink, synth
from tablecity import parquet_city

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

TARIFF = "iwaki/2025"


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """A synthetic city as Parquet tables in row groups of 64 rows (parts for workers)."""
    return parquet_city(tmp_path_factory.mktemp("city"), 300, 5, 64)


def test_the_assessment_file_is_plain_parquet_read_back_equal(tables, tmp_path):
    """BYTE_STREAM_SPLIT integers (PLAIN those 0 for almost every household), the id
    DELTA_BYTE_ARRAY, dictionary text, LZ4 pages, statistics on household_id alone, row groups of ROW_GROUP rows; read back by
    pyarrow, the values of the CSV file of the same run."""
    s = runner.run(tables, TARIFF, tmp_path / "r.parquet", chunk_size=50)
    runner.run(tables, TARIFF, tmp_path / "r.csv", chunk_size=50)
    meta = pq.ParquetFile(s.outputs.result).metadata
    schema = rowmod.schema(levyrules.load_tariff(TARIFF))
    assert meta.num_rows == s.assessed == 300 and meta.num_row_groups == 1
    col = {meta.schema.column(i).name: meta.row_group(0).column(i)
           for i in range(meta.num_columns)}
    for name, kind in schema:
        c = col[name]
        assert c.compression == "LZ4"          # (LZ4_RAW: pyarrow's name for both)
        assert (c.statistics is not None and c.statistics.has_min_max) == \
            (name == "household_id"), name
        if kind == "int":
            want = "PLAIN" if rowmod.rare(name) else "BYTE_STREAM_SPLIT"
            assert want in c.encodings and c.dictionary_page_offset is None, name
        if kind == "str" and name != "household_id":
            assert c.dictionary_page_offset is not None
        if name == "household_id":
            assert "DELTA_BYTE_ARRAY" in c.encodings and c.dictionary_page_offset is None
    table = pq.read_table(s.outputs.result)
    csv_text = (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()
    assert csv_text[0].split(",") == table.column_names
    first = dict(zip(csv_text[0].split(","), csv_text[1].split(",")))
    row = table.slice(0, 1).to_pylist()[0]
    for name, kind in schema:
        want = {"int": lambda v: int(v) if v else None, "bool": lambda v: v == "true",
                "str": lambda v: v}[kind](first[name])
        assert row[name] == want, name


def _rows_written(tmp_path, monkeypatch, seed: int) -> tuple:
    """(schema, rows, their ResultWriter closed) of 250 synthetic households, in row
    groups of 100 rows."""
    monkeypatch.setattr(sink, "ROW_GROUP", 100)
    tariff = levyrules.load_tariff(TARIFF)
    schema = rowmod.schema(tariff)
    households = [("x", levyrules.Household.from_json(h))
                  for h in synth.generate(250, 2025, seed, city=True)]
    from levyrules.population import evaluate
    rows = evaluate.evaluate(households, tariff).rows
    a = sink.ResultWriter(tmp_path / "a.parquet", "parquet", schema)
    a.write(rows)
    a.close()
    return schema, rows, a


def test_rows_and_spool_files_write_the_same_bytes(tmp_path, monkeypatch):
    """Spool files (a worker's part, several tables each) cut across row-group edges."""
    schema, rows, a = _rows_written(tmp_path, monkeypatch, 3)
    arrow = sink.arrow_schema(schema)
    b = sink.ResultWriter(tmp_path / "b.parquet", "parquet", schema)
    spools = []
    for k, lo in enumerate(range(0, 250, 70)):
        spool = sink.Spool(str(tmp_path / f"part-{k}.arrow"), arrow)
        spool.write(sink.rows_table(rows[lo:lo + 40], arrow))
        spool.write(sink.rows_table(rows[lo + 40:lo + 70], arrow))
        spool.close()
        spools.append(tmp_path / f"part-{k}.arrow")
        b.write_spool(spools[-1])
    b.close()
    assert a.tmp.read_bytes() == b.tmp.read_bytes()
    assert not any(p.exists() for p in spools)
    assert pq.ParquetFile(a.tmp).metadata.num_row_groups == 3


def test_a_table_out_of_order_found_by_a_worker_leaves_nothing_behind(tables, tmp_path):
    """The persons table unsorted in a later row group: found by the worker reading that
    part, named, and neither the result, the rejects, the sidecar nor the workers' Arrow
    files are left."""
    folder = tmp_path / "bad"
    folder.mkdir()
    for f in tables.iterdir():
        t = pq.read_table(f)
        if f.stem == "persons":
            n = t.num_rows
            order = list(range(n - 40)) + list(range(n - 20, n)) + list(range(n - 40, n - 20))
            t = t.take(pa.array(order))
        pq.write_table(t, folder / f.name, row_group_size=64)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InputError, match="persons.household_id: the persons table is not "
                                         "sorted by household_id"):
        runner.run(folder, TARIFF, out / "r.parquet", workers=2, chunk_size=64)
    assert list(out.iterdir()) == []


def test_a_run_in_this_process_gives_back_the_callers_arrow_pool():
    before = pa.default_memory_pool().backend_name
    with pool.system_pool(True):
        assert pa.default_memory_pool().backend_name == "system"
    assert pa.default_memory_pool().backend_name == before


def test_columns_in_chunks_of_any_size_write_the_bytes_of_the_rows(tmp_path, monkeypatch):
    """Row groups written as slices across the chunks they straddle (not combined first),
    the rows after the last whole row group kept as they are: the same bytes as the rows
    written at once, whatever the chunks."""
    schema, rows, a = _rows_written(tmp_path, monkeypatch, 5)
    for size in (1, 37, 100, 130, 250):
        b = sink.ResultWriter(tmp_path / f"b{size}.parquet", "parquet", schema)
        for lo in range(0, 250, size):
            part = list(zip(*rows[lo:lo + size]))
            b.write_columns({n: np.array(v, dtype={"int": np.int64, "bool": bool,
                                                   "str": object}[k])
                             for (n, k), v in zip(schema, part)})
        b.close()
        assert b.tmp.read_bytes() == a.tmp.read_bytes(), size
    assert pq.ParquetFile(a.tmp).metadata.num_row_groups == 3


def test_integers_are_delta_packed_by_a_pyarrow_without_int_byte_stream_split(monkeypatch):
    """pyarrow writes integers BYTE_STREAM_SPLIT from version 17 on; the columns 0 for
    almost every household PLAIN."""
    arrow = sink.arrow_schema((("household_id", "str"), ("total", "int"),
                               ("care_over_cap", "int")))
    assert sink.parquet_options(arrow)["column_encoding"] == {
        "total": "BYTE_STREAM_SPLIT", "care_over_cap": "PLAIN",
        "household_id": "DELTA_BYTE_ARRAY"}
    monkeypatch.setattr(pa, "__version__", "16.1.0")
    assert sink.parquet_options(arrow)["column_encoding"] == {
        "total": "DELTA_BINARY_PACKED", "care_over_cap": "DELTA_BINARY_PACKED",
        "household_id": "DELTA_BYTE_ARRAY"}


def test_the_rare_columns_are_reductions_relief_and_what_few_households_have():
    tariff = levyrules.load_tariff(TARIFF)
    rare = {n for n, _ in rowmod.schema(tariff) if rowmod.rare(n)}
    assert {"medical_childbirth", "care_preschool", "support_over_cap", "care_asset_levy",
            "head_changes", "installment_at_once", "total_rounding"} <= rare
    assert not rare & {"medical_statutory_per_capita", "medical_levy", "care_months",
                       "specified_household", "preschool_children", "total", "tier"}
    assert rowmod.rare("medical_relief_disaster") and rowmod.rare("child_child_under18")


@pytest.mark.slow
def test_a_compatible_result_has_pyarrows_default_encodings_and_the_same_values(
        tables, tmp_path):
    """`batch --compatible-parquet` (runner.run(compatible=True)), in this process and
    joined from 2 workers' files: Snappy pages, dictionary or PLAIN integers (no
    BYTE_STREAM_SPLIT, no DELTA, which old readers lack), statistics on household_id alone;
    the same table as the default file; the sidecar says which."""
    import json
    from levyrules.cli import main
    fast = pq.read_table(runner.run(tables, TARIFF, tmp_path / "fast.parquet").outputs.result)
    for workers in ("1", "2"):
        out = tmp_path / f"compat{workers}.parquet"
        assert main(["batch", str(tables), "--tariff", TARIFF, "--out", str(out),
                     "--workers", workers, "--compatible-parquet"]) == 0
        assert pq.read_table(out).equals(fast)
        meta = pq.ParquetFile(out).metadata
        for g in range(meta.num_row_groups):
            for i in range(meta.num_columns):
                c = meta.row_group(g).column(i)
                assert c.compression == "SNAPPY"
                assert not {"BYTE_STREAM_SPLIT", "DELTA_BINARY_PACKED",
                            "DELTA_BYTE_ARRAY"} & set(c.encodings), c.path_in_schema
                assert (c.statistics is not None and c.statistics.has_min_max) == \
                    (c.path_in_schema == "household_id")
        sidecar = json.loads(out.with_name(f"compat{workers}.meta.json").read_text("utf-8"))
        assert sidecar["parquet_compatible"] is True
    sidecar = json.loads((tmp_path / "fast.meta.json").read_text("utf-8"))
    assert sidecar["parquet_compatible"] is False
