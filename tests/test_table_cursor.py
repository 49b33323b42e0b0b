"""The columnar tables reader's child tables (batch/tablecursor.py) and what it leaves
undecoded (batch/tableopen.py): the same households, rejects and errors whatever the size
of the batches a child table is loaded in, a table out of order named at its first row out
of order, the columns no row fills read as empty ones, the small tables kept decoded in a
worker."""

from __future__ import annotations

import pytest

from levyrules.errors import InputError
from tablecity import parquet_city, regroup

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
np = pytest.importorskip("numpy")

from levyrules.batch import tablecells, tablecursor, tableopen  # noqa: E402
from levyrules.batch.tablefiles import parts, resolve  # noqa: E402
from levyrules.batch.tables import read_population  # noqa: E402


# household ids of other lengths (the order kept): compared as two integers each (all of
# one length, up to 16 bytes) or as text (longer, of several lengths)
IDS = {"same": lambda i: i, "short": lambda i: i[-6:], "wide": lambda i: "H-" + i,
       "sixteen": lambda i: ("x" * 16 + i)[-16:], "long": lambda i: i * 3,
       "mixed": lambda i: i + "a" * (int(i[-1]) % 3)}


@pytest.fixture(scope="module", params=list(IDS))
def city(tmp_path_factory, request):
    """A synthetic city as Parquet tables in row groups of 16 rows, its household ids
    rewritten by IDS."""
    base = tmp_path_factory.mktemp("city")
    src = parquet_city(base, 150, 5, 16)
    folder = base / "ids"
    folder.mkdir()
    for f in src.iterdir():
        t = pq.read_table(f)
        ids = [IDS[request.param](i) for i in t.column("household_id").to_pylist()]
        pq.write_table(_set(t, "household_id", pa.array(ids, pa.string())), folder / f.name,
                       row_group_size=16)
    return folder


def _plain(x):
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return list(x)


def _read(folder, chunk: int = 40, plan=None) -> list:
    """Everything a read gives, chunk by chunk, as plain values."""
    out = []
    for p in plan or [None]:
        p = None if p is None else resolve(folder, p)
        for r in read_population(folder, 2025, chunk=chunk, part=p):
            pop = r.population
            out.append((
                [_plain(getattr(pop, f)) for f in (
                    "household_ids", "start", "head", "scalar", "person_ids", "birth",
                    "late_since", "fixed_asset_tax", "income", "separate", "periods",
                    "statuses", "care_exempt", "municipality", "head_changes")],
                [(o, x) for o, x in r.rejects], _plain(r.order),
                [r.sources[i] for i in range(len(r.sources))], r.items))
    return out


def _edit(city, folder, table: str, edit, group: int = 16):
    """`city` rewritten to `folder` with `edit` applied to `table`."""
    regroup(city, folder, group)
    t = edit(pq.read_table(folder / f"{table}.parquet"))
    pq.write_table(t, folder / f"{table}.parquet", row_group_size=group)
    return folder


def _set(t, name: str, values):
    return t.set_column(t.schema.get_field_index(name), name, values)


def _orphans_and_duplicates(t):
    """Persons rows naming no household (between two households, after the last), and a
    person id twice in one household."""
    ids, pids = t.column("household_id").to_pylist(), t.column("person_id").to_pylist()
    alone = next(i for i in range(5, len(ids) - 1)
                 if ids[i - 1] != ids[i] != ids[i + 1] and ids[i + 1] > ids[i] + "x")
    ids[alone] = ids[alone] + "x"                     # between two households
    ids[-1] = ids[-1] + "z"                           # after the last household
    pids[21] = pids[20] if ids[21] == ids[20] else pids[21]
    return _set(_set(t, "household_id", pa.array(ids, pa.string())), "person_id",
                pa.array(pids, pa.string()))


@pytest.mark.parametrize("batch", [1, 7, 64])
def test_a_child_table_loaded_in_batches_of_any_size_reads_the_same(city, tmp_path,
                                                                    monkeypatch, batch):
    """Orphans, a duplicate person, whole and in parts: batches of 1 to 64 rows (a key
    range taken from many batches, runs of equal ids cut by batch edges) read as one
    batch of the whole table does."""
    folder = _edit(city, tmp_path / "t", "persons", _orphans_and_duplicates)
    plan = parts(folder, 40, check=False, tail=2, split=2)
    monkeypatch.setattr(tablecursor, "BATCH", 1 << 20)
    whole, parted = _read(folder), _read(folder, plan=plan)
    assert any(r[1] for r in whole)                  # (rejects there are)
    monkeypatch.setattr(tablecursor, "BATCH", batch)
    assert _read(folder) == whole
    assert _read(folder, plan=plan) == parted


@pytest.mark.parametrize("batch", [3, 16, 1 << 20])
@pytest.mark.parametrize("where", [1, 15, 16, 17, 200])
def test_a_child_table_out_of_order_is_named_at_its_first_row_out_of_order(
        city, tmp_path, monkeypatch, batch, where):
    """Two persons rows of different households swapped (inside a batch, at a batch's
    first row, across a run of equal ids): the error names the first row whose
    household_id is below the one before it, as a check of every row does."""
    def swap(t):
        ids = t.column("household_id").to_pylist()
        j = next(j for j in range(where, len(ids)) if ids[j] != ids[where - 1])
        ids[where - 1], ids[j] = ids[j], ids[where - 1]
        return _set(t, "household_id", pa.array(ids, pa.string()))
    folder = _edit(city, tmp_path / "t", "persons", swap)
    ids = pq.read_table(folder / "persons.parquet").column("household_id").to_pylist()
    first = next(i for i in range(1, len(ids)) if ids[i] < ids[i - 1])
    monkeypatch.setattr(tablecursor, "BATCH", batch)
    with pytest.raises(InputError) as e:
        _read(folder)
    assert e.value.field == "persons.household_id"
    assert e.value.message.endswith(f"(at persons.parquet:row {first + 1})")


def _emptied(t):
    """A persons table with an integer, a flag and a date column null in every row."""
    for name, kind in (("business_income", pa.int64()), ("declared", pa.bool_()),
                       ("late_elderly_since", pa.date32())):
        t = _set(t, name, pa.nulls(t.num_rows, kind))
    return t


@pytest.mark.parametrize("statistics", [True, False])
def test_columns_no_row_fills_are_not_decoded_and_read_as_empty_ones(city, tmp_path,
                                                                     monkeypatch, statistics):
    folder = _edit(city, tmp_path / "t", "persons", _emptied)
    if not statistics:
        t = pq.read_table(folder / "persons.parquet")
        pq.write_table(t, folder / "persons.parquet", row_group_size=16,
                       write_statistics=False)
    read = _read(folder)
    opened = tableopen.open_table(folder / "persons.parquet", "persons")
    left = set(pq.read_schema(folder / "persons.parquet").names) - set(
        tableopen.read_columns(opened, "persons"))
    emptied = {"business_income", "declared", "late_elderly_since"}
    assert left >= emptied if statistics else left == set()
    t = pq.read_table(folder / "persons.parquet")
    assert all(t.column(c).null_count == t.num_rows for c in left)
    monkeypatch.setattr(tableopen, "read_columns", lambda o, t: o.pq.schema_arrow.names)
    monkeypatch.setattr("levyrules.batch.tablefiles.read_columns",
                        lambda o, t: o.pq.schema_arrow.names)
    assert _read(folder) == read


def test_a_worker_decodes_a_small_table_once_for_its_parts(city, tmp_path, monkeypatch):
    """keep_open: a small table's batches are decoded once for the parts that start at
    the same row group, and read as decoded each time."""
    folder = regroup(city, tmp_path / "t", 16)
    plan = parts(folder, 16, check=False)
    fresh = _read(folder, plan=plan)
    monkeypatch.setattr(tableopen, "_KEPT", None)
    tableopen.keep_open()
    decoded = []
    real = pq.ParquetFile.iter_batches

    def counted(self, *a, **k):
        decoded.append(self)
        return real(self, *a, **k)
    monkeypatch.setattr(pq.ParquetFile, "iter_batches", counted)
    assert _read(folder, plan=plan) == fresh
    once = len(decoded)
    assert _read(folder, plan=plan) == fresh
    assert len(decoded) < 2 * once


def _random_keys(rng, n: int) -> list:
    """Sorted-ish keys of one width (8 to 16 bytes: compared as integers) or of several,
    with runs, some rows out of order, and ids that differ only in length."""
    width = int(rng.integers(5, 19))
    alphabet = "AB9-"
    heads = ["".join(rng.choice(list(alphabet), 8)) for _ in range(2)]    # (often one)
    keys = [(heads[int(rng.integers(0, 2))] + "".join(rng.choice(list(alphabet), width)))
            [-width:] if width <= 8 else heads[int(rng.integers(0, 2))]
            + "".join(rng.choice(list(alphabet), width - 8)) for _ in range(n)]
    if rng.random() < 0.3:
        keys = [k + "A" * int(rng.integers(0, 2)) for k in keys]
    keys.sort()
    for _ in range(int(rng.integers(0, 3))):
        i, j = rng.integers(0, n, 2)
        keys[i], keys[j] = keys[j], keys[i]
    return keys


def test_runs_and_order_of_keys_as_integers_are_those_of_the_text():
    """tablecells.mark_runs (keys of one width of 8 to 16 bytes compared as two integers, any
    others as text) and same_keys: the marks, the first row out of order and the
    equality a comparison of the strings gives."""
    rng = np.random.default_rng(7)
    for _ in range(300):
        n = int(rng.integers(2, 40))
        keys = _random_keys(rng, n)
        arr = pa.array(keys, pa.string()).slice(1)      # (an offset into the buffers)
        keys = keys[1:]
        first = np.zeros(len(keys), bool)
        down = tablecells.mark_runs(arr, first)
        assert first[1:].tolist() == [a != b for a, b in zip(keys[1:], keys)]
        below = [i for i in range(1, len(keys)) if keys[i] < keys[i - 1]]
        assert down == (below[0] if below else None)
        at = np.flatnonzero(rng.random(len(keys)) < 0.5)
        other = [keys[i] for i in at]
        if len(at) and rng.random() < 0.5:
            k = int(rng.integers(0, len(at)))
            other[k] = other[k] + "A" if rng.random() < 0.5 else other[k][:-1] + "B"
        assert tablecursor.same_keys(arr, at, pa.array(other, pa.string())) == \
            ([keys[i] for i in at] == other)
    nine, ten = pa.array(["AAAAAAAAA"] * 2), pa.array(["AAAAAAAAAA"] * 2)
    assert not tablecursor.same_keys(nine, np.arange(2), ten)   # the same two integers


@pytest.mark.parametrize("where", [1, 40, 41, 149])
def test_the_households_order_and_a_repeated_id_are_those_of_the_text(city, tmp_path,
                                                                      where):
    """tablefiles._check_order (ids compared as integers or as text, by their width): a
    household id repeated is rejected at its row, one below the one before stops the run
    naming its row, within a chunk and at a chunk's first row."""
    t = pq.read_table(city / "households.parquet")
    ids = t.column("household_id").to_pylist()
    repeated = _edit(city, tmp_path / "r", "households", lambda t: _set(
        t, "household_id", pa.array(ids[:where] + [ids[where - 1]] + ids[where + 1:])))
    got = [(x.household_id, x.source, x.message) for r in _read(repeated) for _, x in r[1]
           if x.field == "households.household_id"]
    assert got == [(ids[where - 1], f"households.parquet:row {where + 1}",
                    "is used by another household")]
    swapped = ids[:where - 1] + [ids[where], ids[where - 1]] + ids[where + 1:]
    unsorted = _edit(city, tmp_path / "u", "households", lambda t: _set(
        t, "household_id", pa.array(swapped)))
    with pytest.raises(InputError) as e:
        _read(unsorted)
    assert e.value.message.endswith(f"(at households.parquet:row {where + 1})")


@pytest.mark.parametrize("batch", [1, 3, 16, 1 << 20])
def test_a_household_past_the_row_cap_reads_the_same_from_batches_cut_at_the_cap(
        city, tmp_path, monkeypatch, batch):
    """A household with more rows of insured_periods than layout.MAX_ROWS (set to 4 here):
    the cursor keeps MAX_ROWS + 1 of them across batches (tablecursor.Cursor._capped, the
    hostile review's reader memory), which tablerows takes as before: the household is
    refused naming the same field, every other household reads the same, whatever the
    batches and whole or in parts."""
    from levyrules.population import layout

    def many(t):        # the first household's first period 11 times more
        return pa.concat_tables([t.slice(0, 1).take(pa.array([0] * 11)), t])
    folder = _edit(city, tmp_path / "t", "insured_periods", many)
    plan = parts(folder, 40, check=False, tail=2, split=2)
    monkeypatch.setattr(layout, "MAX_ROWS", 4)
    monkeypatch.setattr(tablecursor, "BATCH", 1 << 20)
    whole, parted = _read(folder), _read(folder, plan=plan)
    assert [x.field for r in whole for _, x in r[1]][:1] == ["persons[0].insured"]
    monkeypatch.setattr(tablecursor, "BATCH", batch)
    assert _read(folder) == whole
    assert _read(folder, plan=plan) == parted
    monkeypatch.setattr(tablecursor.Cursor, "_capped", lambda self, *piece: piece)
    assert _read(folder) == whole         # as without the cut
