"""levyrules.dask on a LocalCluster of two worker processes equals the single-process batch,
for both layouts: JSON Lines, and the Parquet tables partitioned by household (rows of the
other tables read by household_id range, rejects at partition boundaries as `batch` has
them)."""

from __future__ import annotations

import pytest

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from levyrules import dask as lrdask  # noqa: E402
from levyrules.errors import InputError  # noqa: E402
from levyrules.population import runner, synth  # noqa: E402

TARIFF = "iwaki/2025"


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=None) as c, Client(c) as client:
        yield client


def _results(folder):
    parts = sorted((folder / "results").glob("*.parquet"),
                   key=lambda p: int(p.stem.split(".")[-1]))
    return pa.concat_tables([pq.read_table(p) for p in parts])


def _rejects(folder) -> str:
    """The rejects of every partition, in partition order, without their headers."""
    return "".join(p.read_text(encoding="utf-8").split("\n", 1)[1]
                   for p in sorted((folder / "rejects").glob("*.csv")))


@pytest.mark.slow
def test_dask_on_a_local_cluster_equals_the_single_process_run(tmp_path, cluster):
    src = synth.write(tmp_path / "city", 300, 2025, 17, "jsonl")
    lines = src.read_text().splitlines()
    lines.insert(100, '{"id": "BAD-1", "fiscal_year": 2025}')
    src.write_text("\n".join(lines) + "\n")
    single = runner.run(src, TARIFF, tmp_path / "single.parquet")
    meta = lrdask.run(src, TARIFF, tmp_path / "dask", partition_size=70)
    assert meta["partitions"] == 5
    assert meta["counts"] == {"read": 301, "assessed": 300, "rejected": 1}
    distributed = _results(tmp_path / "dask")
    expected = pq.read_table(tmp_path / "single.parquet")
    assert distributed.schema.equals(expected.schema)
    assert distributed.to_pylist() == expected.to_pylist()
    rejects = list((tmp_path / "dask" / "rejects").glob("*.csv"))
    assert len(rejects) == 1 and "BAD-1,population.jsonl:101,head,is required" in rejects[0].read_text()
    assert single.rejected == 1


def _repeated_id(tmp_path, n: int):
    """A synthetic city in JSON Lines with line 10's household again as the last line."""
    src = synth.write(tmp_path / "city", n, 2025, 17, "jsonl")
    lines = src.read_text(encoding="utf-8").splitlines()
    src.write_text("\n".join(lines + [lines[9]]) + "\n", encoding="utf-8")
    return src, lines[9]


def _refusal(run, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as e:
        run(*args, **kwargs)
    return e.value


def test_a_household_id_in_two_partitions_stops_the_run_as_batch_does(tmp_path):
    """Two lines with one household id in different partitions (the same error as
    `levyrules batch`, naming the lines, never the id); nothing is written."""
    src, line = _repeated_id(tmp_path, 60)
    single = _refusal(runner.run, src, TARIFF, tmp_path / "single.parquet")
    dask = _refusal(lrdask.run, src, TARIFF, tmp_path / "dask", partition_size=25)
    assert (dask.field, dask.message) == (single.field, single.message)
    assert dask.message == ("population.jsonl:61: the household id is used by the "
                            "household of line 10 (ids must be unique)")
    hid = __import__("json").loads(line)["id"]
    assert hid not in str(dask)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["city"]


def test_unique_ids_across_partitions_with_a_hash_collision_run(tmp_path, monkeypatch):
    """Equal hashes of different ids do not stop the run: the file is read again (as
    population.unique does for `batch`) and the ids compared."""
    src = synth.write(tmp_path / "city", 40, 2025, 17, "jsonl")
    from levyrules.population import unique
    monkeypatch.setattr(unique, "id_hash", lambda hid: 7)
    import dask
    with dask.config.set(scheduler="synchronous"):      # in this process, patched
        meta = lrdask.run(src, TARIFF, tmp_path / "dask", partition_size=15)
    assert meta["counts"]["assessed"] == 40


def test_the_id_hash_is_the_same_in_another_process():
    """Python's str hash is seeded per process; the cluster's workers are processes."""
    import subprocess
    import sys
    from levyrules.population import unique
    code = "from levyrules.population import unique; print(unique.id_hash('H-00001'))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert int(other) == unique.id_hash("H-00001")
    assert unique.id_hash("H-00001") != unique.id_hash("H-00002")


@pytest.mark.slow
def test_a_household_id_in_two_partitions_stops_the_cluster_run(tmp_path, cluster):
    src, _ = _repeated_id(tmp_path, 120)
    single = _refusal(runner.run, src, TARIFF, tmp_path / "single.parquet")
    dask = _refusal(lrdask.run, src, TARIFF, tmp_path / "dask", partition_size=50)
    assert (dask.field, dask.message) == (single.field, single.message)
    assert "population.jsonl:121" in dask.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["city"]


def _tables(tmp_path):
    """A synthetic city as Parquet tables cut into small row groups that partitions of 70
    households cut through, with a rejected row at each kind of partition edge."""
    city = synth.write(tmp_path / "city", 300, 2025, 17, "parquet")
    h = pq.read_table(city / "households.parquet")
    rows = h.to_pylist()
    ids = [r["household_id"] for r in rows]
    rows.insert(70, dict(rows[69]))                        # the first of partition 1 repeats
    rows.insert(150, {**rows[150], "household_id": ""})    # the last household of partition 2
    pq.write_table(pa.Table.from_pylist(rows, schema=h.schema), city / "households.parquet",
                   row_group_size=40)
    p = pq.read_table(city / "persons.parquet")
    persons = p.to_pylist()
    k = next(i for i, r in enumerate(persons) if r["household_id"] > ids[69])
    persons.insert(k, {**persons[k], "household_id": ids[69] + "Z"})   # between 0 and 1
    persons.append({**persons[-1], "household_id": "ZZZ"})             # after the last
    pq.write_table(pa.Table.from_pylist(persons, schema=p.schema), city / "persons.parquet",
                   row_group_size=50)
    pq.write_table(pq.read_table(city / "insured_periods.parquet"),
                   city / "insured_periods.parquet", row_group_size=33)
    return city, ids


@pytest.mark.slow
def test_dask_reads_the_parquet_tables_by_household_range(tmp_path, cluster):
    city, ids = _tables(tmp_path)
    single = runner.run(city, TARIFF, tmp_path / "single.parquet")
    expected = pq.read_table(tmp_path / "single.parquet")
    # 302 households rows in row groups of 40: partitions of whole row groups (80, 80,
    # 80, 62), never a row group decoded by two partitions
    meta = lrdask.run(city, TARIFF, tmp_path / "dask-groups", partition_size=70)
    assert meta["partitions"] == 4
    assert _results(tmp_path / "dask-groups").to_pylist() == expected.to_pylist()
    # one row group of 302 rows, more than twice the partition size: cut every 70 rows
    # (70, 70, 70, 70, 22), the duplicate id at rows 70 and 71 on a partition's edge
    households = pq.read_table(city / "households.parquet")
    pq.write_table(households, city / "households.parquet", row_group_size=400)
    meta = lrdask.run(city, TARIFF, tmp_path / "dask", partition_size=70)
    assert meta["partitions"] == 5
    assert meta["counts"] == {"read": 304, "assessed": 300, "rejected": 4} == \
        {"read": single.read, "assessed": single.assessed, "rejected": single.rejected}
    distributed = _results(tmp_path / "dask")
    assert distributed.schema.equals(expected.schema)
    assert distributed.to_pylist() == expected.to_pylist()
    rejects = _rejects(tmp_path / "dask")
    assert _rejects(tmp_path / "dask-groups") == rejects
    assert rejects == (tmp_path / "single.rejects.csv").read_text(encoding="utf-8").split("\n", 1)[1]
    assert rejects.splitlines() == [
        f"{ids[69]},households.parquet:row 71,households.household_id,"
        "is used by another household",
        f"{ids[69]}Z,{_source(city, 'persons', ids[69] + 'Z')},persons.household_id,"
        "names no household of the households table",
        ",households.parquet:row 151,households.household_id,is required",
        f"ZZZ,{_source(city, 'persons', 'ZZZ')},persons.household_id,"
        "names no household of the households table"]


def _source(city, table: str, hid: str) -> str:
    keys = pq.read_table(city / f"{table}.parquet", columns=["household_id"]).column(0)
    return f"{table}.parquet:row {keys.to_pylist().index(hid) + 1}"


@pytest.mark.slow
def test_a_table_out_of_order_within_a_row_group_stops_the_cluster_run(tmp_path, cluster):
    """Found by the worker that reads the row group; the client gets the InputError naming
    the table (not a pickling error), and nothing is written."""
    city = synth.write(tmp_path / "city", 120, 2025, 17, "parquet")
    p = pq.read_table(city / "persons.parquet")
    rows = p.to_pylist()
    rows[60], rows[61] = rows[61], rows[60]
    if rows[60]["household_id"] == rows[61]["household_id"]:
        rows[60], rows[90] = rows[90], rows[60]
    pq.write_table(pa.Table.from_pylist(rows, schema=p.schema), city / "persons.parquet")
    with pytest.raises(InputError) as e:
        lrdask.run(city, TARIFF, tmp_path / "dask", partition_size=50)
    assert e.value.field == "persons.household_id"
    assert "not sorted" in e.value.message
    assert not (tmp_path / "dask").exists()
    assert not list(tmp_path.glob(".dask*"))


def test_row_groups_out_of_order_are_refused_before_any_task(tmp_path):
    city = synth.write(tmp_path / "city", 60, 2025, 17, "parquet")
    t = pq.read_table(city / "insured_periods.parquet")
    t = pa.concat_tables([t.slice(40), t.slice(0, 40)])
    pq.write_table(t, city / "insured_periods.parquet", row_group_size=40)
    with pytest.raises(InputError) as e:
        lrdask.tables_parts(city, 20)
    assert e.value.field == "insured_periods.household_id"
    assert "insured_periods.parquet:row 41" in e.value.message


def _parts_of(tmp_path, row_group_size: int):
    """A 50-household city whose households table has row groups of `row_group_size`,
    its ids, and its partitions of 20 rows (levyrules.dask.tables_parts)."""
    city = synth.write(tmp_path / "city", 50, 2025, 17, "parquet")
    t = pq.read_table(city / "households.parquet")
    pq.write_table(t, city / "households.parquet", row_group_size=row_group_size)
    return city, t.column("household_id").to_pylist(), lrdask.tables_parts(city, 20)


def _read_part(city, part) -> tuple[list, list]:
    """(household ids, sources) of what read_population(part=…) reads."""
    from levyrules.batch.tables import read_population
    read = list(read_population(city, 2025, chunk=6, part=part))
    return ([r.population.household_ids[i] for r in read for i in range(r.population.size)],
            [r.sources[i] for r in read for i in range(len(r.sources))])


def test_partitions_are_whole_row_groups_of_the_households_table(tmp_path):
    """A partition holds whole row groups of the households table, as many as make 20
    rows or more (row groups of 7: rows 0..20, 21..41, 42..49), with the last household
    id before it: no row group is decoded by two partitions. read_population(part=…)
    reads just those rows."""
    city, ids, parts = _parts_of(tmp_path, 7)
    assert [(p.first, p.end, p.prev, p.last) for p in parts] == [
        (0, 21, None, False), (21, 42, ids[20], False), (42, 50, ids[41], True)]
    assert [p.groups for p in parts] == [(0, 1, 2), (3, 4, 5), (6, 7)]
    assert _read_part(city, parts[1]) == (
        ids[21:42], [f"households.parquet:row {n}" for n in range(22, 43)])


def test_partitions_cut_a_large_row_group_by_rows(tmp_path):
    """A row group of more than twice the partition size (one of 50 rows, partitions of
    20) is cut every 20 rows: partition k holds rows 20k..20k+19 of it, with the last
    household id before it; read_population(part=…) reads just those rows."""
    city, ids, parts = _parts_of(tmp_path, 64)
    assert [(p.first, p.end, p.prev, p.last) for p in parts] == [
        (0, 20, None, False), (20, 40, ids[19], False), (40, 50, ids[39], True)]
    assert [p.groups for p in parts] == [(0,), (0,), (0,)]
    assert _read_part(city, parts[1]) == (
        ids[20:40], [f"households.parquet:row {n}" for n in range(21, 41)])


def test_the_households_table_out_of_order_is_refused_before_any_task(tmp_path):
    city = synth.write(tmp_path / "city", 30, 2025, 17, "parquet")
    t = pq.read_table(city / "households.parquet")
    pq.write_table(pa.concat_tables([t.slice(20), t.slice(0, 20)]),
                   city / "households.parquet", row_group_size=8)
    with pytest.raises(InputError) as e:
        lrdask.tables_parts(city, 10)
    assert e.value.field == "households.household_id"
    assert "households.parquet:row 11" in e.value.message


def test_the_dask_path_refuses_csv_tables(tmp_path):
    city = synth.write(tmp_path / "city", 10, 2025, 17, "csv")
    with pytest.raises(InputError) as e:
        lrdask.run(city, TARIFF, tmp_path / "dask")
    assert "Parquet" in e.value.message
    assert not (tmp_path / "dask").exists()


def test_the_household_id_must_be_text(tmp_path):
    city = synth.write(tmp_path / "city", 10, 2025, 17, "parquet")
    p = pq.read_table(city / "persons.parquet")
    p = p.set_column(0, "household_id", pa.array(range(p.num_rows), pa.int64()))
    pq.write_table(p, city / "persons.parquet")
    with pytest.raises(InputError) as e:
        lrdask.tables_parts(city, 5)
    assert e.value.field == "persons.household_id"
    assert "text column" in e.value.message


def test_json_lines_are_read_as_batch_reads_them(tmp_path):
    """A BOM on line 1 is allowed and a line that is not UTF-8 is rejected, as in `batch`
    (local threaded scheduler: no cluster needed for the reading)."""
    src = synth.write(tmp_path / "city", 30, 2025, 17, "jsonl")
    lines = src.read_bytes().split(b"\n")
    lines[0] = b"\xef\xbb\xbf" + lines[0]
    lines.insert(12, b'{"id": "\xff"}')
    src.write_bytes(b"\n".join(lines))
    single = runner.run(src, TARIFF, tmp_path / "single.parquet")
    meta = lrdask.run(src, TARIFF, tmp_path / "dask", partition_size=8)
    assert meta["counts"] == {"read": 31, "assessed": 30, "rejected": 1} == \
        {"read": single.read, "assessed": single.assessed, "rejected": single.rejected}
    assert _results(tmp_path / "dask").to_pylist() == \
        pq.read_table(tmp_path / "single.parquet").to_pylist()
    assert _rejects(tmp_path / "dask") == ",population.jsonl:13,,the line is not valid UTF-8\n" \
        == (tmp_path / "single.rejects.csv").read_text(encoding="utf-8").split("\n", 1)[1]


def test_a_dask_dataframe_of_lines_through_map_partitions_gives_the_rows_of_run(tmp_path):
    """The DataFrame form (households_frame, map_partitions onto _evaluate) for other
    sources of (source, payload) gives the rows and rejects `run`'s plain tasks give
    (local threaded scheduler)."""
    import levyrules
    from levyrules.population.rows import schema
    src = synth.write(tmp_path / "city", 40, 2025, 17, "jsonl")
    lines = src.read_text().splitlines()
    lines.insert(7, '{"id": "BAD-1", "fiscal_year": 2025}')
    src.write_text("\n".join(lines) + "\n")
    meta = lrdask.run(src, TARIFF, tmp_path / "dask", partition_size=9)
    tariff = levyrules.load_tariff(TARIFF)
    (tmp_path / "frame").mkdir()
    frame = lrdask.households_frame(src, 9).map_partitions(
        lrdask._evaluate, TARIFF, (), tariff.sha256, str(tmp_path / "frame"),
        meta=lrdask._result_meta(schema(tariff)))
    got = pa.Table.from_pandas(frame.compute(), preserve_index=False)
    assert meta["partitions"] == frame.npartitions == 5
    assert got.to_pylist() == _results(tmp_path / "dask").to_pylist()
    assert [p.read_text() for p in sorted((tmp_path / "frame").glob("*.csv"))] == \
        [p.read_text() for p in sorted((tmp_path / "dask" / "rejects").glob("*.csv"))]


def test_tables_without_statistics_and_a_missing_id(tmp_path):
    """Row groups written without statistics (their range read from the column) and a
    periods row with no household_id (read as "", first in text order, rejected as in
    `batch`); the local threaded scheduler, no cluster."""
    city = synth.write(tmp_path / "city", 40, 2025, 17, "parquet")
    p = pq.read_table(city / "persons.parquet")
    pq.write_table(p, city / "persons.parquet", row_group_size=9, write_statistics=False)
    ip = pq.read_table(city / "insured_periods.parquet").to_pylist()
    ip.insert(0, {**ip[0], "household_id": None})
    pq.write_table(pa.Table.from_pylist(ip, schema=pq.read_schema(city / "insured_periods.parquet")),
                   city / "insured_periods.parquet", row_group_size=11)
    single = runner.run(city, TARIFF, tmp_path / "single.parquet")
    meta = lrdask.run(city, TARIFF, tmp_path / "dask", partition_size=15)
    assert meta["counts"] == {"read": 41, "assessed": 40, "rejected": 1} == \
        {"read": single.read, "assessed": single.assessed, "rejected": single.rejected}
    assert _results(tmp_path / "dask").to_pylist() == \
        pq.read_table(tmp_path / "single.parquet").to_pylist()
    assert _rejects(tmp_path / "dask") == \
        (tmp_path / "single.rejects.csv").read_text(encoding="utf-8").split("\n", 1)[1] == \
        ",insured_periods.parquet:row 1,insured_periods.household_id," \
        "names no household of the households table\n"


def test_tables_the_columns_do_not_take_are_one_partition_read_as_batch_reads_them(tmp_path):
    """fixed_asset_tax as an unsigned 64-bit column: `batch` reads such tables with the
    household reader, and so does the one partition the Dask path makes of them (local
    threaded scheduler, no cluster)."""
    city = synth.write(tmp_path / "city", 40, 2025, 17, "parquet")
    p = pq.read_table(city / "persons.parquet")
    i = p.schema.get_field_index("fixed_asset_tax")
    pq.write_table(p.set_column(i, "fixed_asset_tax", p.column(i).cast(pa.uint64())),
                   city / "persons.parquet", row_group_size=9)
    parts = lrdask.tables_parts(city, 15)
    assert len(parts) == 1 and parts[0].first == 0 and parts[0].last
    single = runner.run(city, TARIFF, tmp_path / "single.parquet")
    meta = lrdask.run(city, TARIFF, tmp_path / "dask", partition_size=15)
    assert meta["partitions"] == 1
    assert meta["counts"] == {"read": 40, "assessed": 40, "rejected": 0} == \
        {"read": single.read, "assessed": single.assessed, "rejected": single.rejected}
    assert _results(tmp_path / "dask").to_pylist() == \
        pq.read_table(tmp_path / "single.parquet").to_pylist()


def test_compatible_results_have_pyarrows_default_encodings(tmp_path):
    """`run(compatible=True)`, as `batch --compatible-parquet`: each partition's file in
    Snappy pages with no BYTE_STREAM_SPLIT or DELTA encoding (which old readers lack), the
    same rows as the default settings; the sidecar says which (local threaded
    scheduler)."""
    city = synth.write(tmp_path / "city", 60, 2025, 5, "parquet")
    fast = lrdask.run(city, TARIFF, tmp_path / "fast", partition_size=25)
    meta = lrdask.run(city, TARIFF, tmp_path / "compat", partition_size=25, compatible=True)
    assert (fast["parquet_compatible"], meta["parquet_compatible"]) == (False, True)
    assert _results(tmp_path / "compat").equals(_results(tmp_path / "fast"))
    for part in (tmp_path / "compat" / "results").glob("*.parquet"):
        md = pq.ParquetFile(part).metadata
        for g in range(md.num_row_groups):
            for i in range(md.num_columns):
                c = md.row_group(g).column(i)
                assert c.compression == "SNAPPY" and not {
                    "BYTE_STREAM_SPLIT", "DELTA_BINARY_PACKED", "DELTA_BYTE_ARRAY"} & set(
                    c.encodings), c.path_in_schema
