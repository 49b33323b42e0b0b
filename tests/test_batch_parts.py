"""`levyrules batch --workers N` on Parquet tables (population/runner.py,
batch/tablefiles.py): the parts planned from the files' footers alone, each part's last
household id before it read by its worker, the households table's order checked by the
workers as one reader checks it."""

from __future__ import annotations

import pytest

from levyrules.errors import InputError
from levyrules.population import runner
from tablecity import parquet_city, regroup as _regroup

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from levyrules.batch.tablefiles import parts, resolve  # noqa: E402

TARIFF = "iwaki/2025"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """A synthetic city as Parquet tables in row groups of 32 rows."""
    return parquet_city(tmp_path_factory.mktemp("city"), 200, 11, 32)


def _ids(table, at: dict):
    """The households table with the household_id of some rows replaced (None: null)."""
    ids = table.column("household_id").to_pylist()
    for i, v in at.items():
        ids[i] = v
    return table.set_column(table.schema.get_field_index("household_id"), "household_id",
                            pa.array(ids, pa.string()))


@pytest.mark.parametrize("rows", [1, 40, 100, 1000])
def test_parts_planned_from_the_footers_resolve_to_the_checked_parts(city, tmp_path, rows):
    """Empty and null ids before a part edge (the last named id further back), and an id
    repeated across an edge: the worker's prev is the one the whole-table plan gives."""
    folder = _regroup(city, tmp_path / "t", 32, lambda t: _ids(
        t, {31: None, 63: "", 64: t.column("household_id")[62].as_py(), 95: None, 94: None}))
    checked = parts(folder, rows)
    planned = parts(folder, rows, check=False)
    assert [p._replace(prev=None, unread=False) for p in planned] == \
        [p._replace(prev=None) for p in checked]
    assert all(p.unread == (p.first > 0) for p in planned)
    assert [resolve(folder, p) for p in planned] == checked
    tailed = parts(folder, rows, check=False, tail=3)
    assert [g for p in tailed for g in p.groups] == list(range(7))     # 200 rows by 32
    assert [len(p.groups) for p in tailed[-3:]] == [1, 1, 1] and tailed[-1].last
    assert [p.first for p in tailed] == [32 * p.groups[0] for p in tailed]
    split = parts(folder, 1, check=False, tail=1, split=2)    # 6 row groups in 2, then 1
    assert [p.groups for p in split] == [(0, 1, 2), (3, 4, 5), (6,)]


@pytest.mark.parametrize("where", [70, 64, 150])
def test_an_unsorted_households_table_stops_the_run_at_its_first_row_out_of_order(
        city, tmp_path, where):
    """Inside a part, at a part's first row, in a later part: the error names the row the
    whole-table check names, and nothing is written."""
    def swap(t):
        ids = t.column("household_id").to_pylist()
        return _ids(t, {where - 1: ids[where], where: ids[where - 1]})
    folder = _regroup(city, tmp_path / "t", 32, swap)
    with pytest.raises(InputError) as whole:
        parts(folder, 1)
    out = tmp_path / "out"
    out.mkdir()
    for chunk in (32, 64):
        with pytest.raises(InputError) as run:
            runner.run(folder, TARIFF, out / "r.parquet", workers=2, chunk_size=chunk)
        assert str(run.value) == str(whole.value)
        assert f"row {where + 1})" in str(run.value)
    assert list(out.iterdir()) == []


def _read_parts(folder, plan):
    """Each part's households read (ids and persons counted) as a worker reads them."""
    from levyrules.batch.tables import read_population
    out = []
    for p in plan:
        for r in read_population(folder, 2025, chunk=32, part=resolve(folder, p)):
            pop = r.population
            out.append((list(pop.ids()), len(pop.person_ids)))
    return out


def test_a_worker_keeps_its_tables_open_and_opens_a_replaced_file_anew(city, tmp_path,
                                                                       monkeypatch):
    """batch/tableopen.keep_open (a worker's process): the parts read the same with the
    tables kept open as opened each time, each file opened once; a file replaced between
    two parts is read anew (its identity changed), never from the kept one."""
    from levyrules.batch import tableopen
    folder = _regroup(city, tmp_path / "t", 32)
    plan = parts(folder, 40, check=False, tail=2, split=2)
    monkeypatch.setattr(tableopen, "_KEPT", None)
    fresh = _read_parts(folder, plan)
    tableopen.keep_open()
    assert _read_parts(folder, plan) == fresh
    assert len(tableopen._KEPT) == len(list(folder.iterdir()))    # each opened once
    persons = pq.read_table(folder / "persons.parquet")
    first = persons.column("household_id")[0].as_py()
    keep = pa.compute.not_equal(persons.column("household_id"), first)
    pq.write_table(persons.filter(keep), folder / "persons.parquet", row_group_size=32)
    again = _read_parts(folder, plan)
    assert again != fresh
    monkeypatch.setattr(tableopen, "_KEPT", None)
    assert _read_parts(folder, plan) == again


def _run_files(folder, out):
    """The result table, rejects and counts of `levyrules batch` on `folder` (1 worker)."""
    summary = runner.run(folder, TARIFF, out, chunk_size=64)
    rejects = out.with_name(out.stem + ".rejects.csv").read_text(encoding="utf-8")
    return pq.read_table(out), rejects, (summary.assessed, summary.rejected)


def _rewrite(folder, table: str, column: str, values, **options):
    t = pq.read_table(folder / f"{table}.parquet")
    if values is not None:
        t = t.set_column(t.schema.get_field_index(column), column, values)
    pq.write_table(t, folder / f"{table}.parquet", row_group_size=512, **options)


def test_person_ids_read_as_dictionaries_give_the_results_of_text(tmp_path):
    """batch/tableopen.PERSON_IDS: a person id column stored with a small dictionary
    (ids such as p1, p2) is read as an Arrow dictionary and mapped through its values;
    the results, rejects and counts are those of the same tables with the ids stored as
    plain text, with a person id repeated in a household (written as a dictionary whose
    indices point at two copies of it, which pyarrow's writer folds into one; the reader
    makes a dictionary's values distinct whatever wrote it): the household a duplicate,
    rejected as the text reader rejects it; and ids unique to each person are read as
    text."""
    from levyrules.batch import tableopen
    city = parquet_city(tmp_path, 1500, 12, 512)
    folder = _regroup(city, tmp_path / "d", 512)
    assert tableopen._repeating("persons")(pq.ParquetFile(folder / "persons.parquet")) \
        == ("person_id",)
    plain = _regroup(city, tmp_path / "p", 512)
    for table in tableopen.PERSON_IDS:
        _rewrite(plain, table, None, None, use_dictionary=False)
    assert tableopen._repeating("persons")(pq.ParquetFile(plain / "persons.parquet")) == ()
    out = tmp_path / "o"
    out.mkdir()
    assert _run_files(folder, out / "d.parquet") == _run_files(plain, out / "p.parquet")
    # a dictionary repeating 'p1': its indices point at both copies
    persons = pq.read_table(folder / "persons.parquet")
    ids = persons.column("person_id").to_pylist()
    hh = persons.column("household_id").to_pylist()
    second = next(i for i in range(1, len(ids)) if hh[i] == hh[i - 1])
    ids[second] = ids[second - 1]
    dictionary = sorted(set(ids)) + [ids[second]]
    index = [dictionary.index(v) for v in ids]
    index[second] = len(dictionary) - 1
    twice = pa.DictionaryArray.from_arrays(pa.array(index, pa.int32()),
                                           pa.array(dictionary))
    _rewrite(folder, "persons", "person_id", twice)
    _rewrite(plain, "persons", "person_id", pa.array(ids), use_dictionary=False)
    dup, dup_plain = _run_files(folder, out / "d2.parquet"), _run_files(plain, out / "p2.parquet")
    assert dup == dup_plain and dup[2][1] == 1
    # ids unique to each person: a dictionary as large as the column, read as text
    unique = pa.array([f"{h}-{p}" for h, p in zip(hh, ids)])
    _rewrite(folder, "persons", "person_id", unique)
    assert tableopen._repeating("persons")(pq.ParquetFile(folder / "persons.parquet")) == ()
