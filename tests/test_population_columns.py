"""The columnar reader of the flat tables (levyrules.batch.tables.read_population) gives
exactly what the household reader gives (population.sources + Household.from_json, then
batch.population.from_households): the same population, column by column, the same
households, the same rejects in the same order, the same errors for a bad file.
docs/population.md describes the tables."""

from __future__ import annotations

import csv
import io
import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from levyrules.errors import InputError
from levyrules.population import convert, sources, synth
from levyrules.population.rejects import Reject
from tablecity import both_formats

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from levyrules.batch import tablebuild, tablecells  # noqa: E402
from levyrules.batch.population import from_households  # noqa: E402
from levyrules.batch.tables import read_population  # noqa: E402

FIELDS = ("household_ids", "start", "head", "scalar", "person_ids", "household", "birth",
          "late_since", "fixed_asset_tax", "income", "separate", "periods", "statuses",
          "care_exempt", "municipality")


def household_reader(folder, encoding=None):
    """(households, rejects) as the household reader reads the tables."""
    households, rejects = [], []
    for src, payload in sources.items(Path(folder), encoding):
        parsed = sources.parse(src, payload)
        (rejects if isinstance(parsed, Reject) else households).append(parsed)
    return households, rejects


def same(a, b, path: str) -> None:
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) or isinstance(b, list):
        assert list(a) == list(b), path
    else:
        assert a.dtype == b.dtype and a.shape == b.shape, path
        assert (a == b).all(), path


def assert_reads_alike(folder, encoding=None, chunk=97):
    """The columnar reader equals the household reader on `folder`; returns the rejects."""
    households, rejects = household_reader(folder, encoding)
    reads = list(read_population(folder, 2025, encoding=encoding, chunk=chunk))
    got = [r for read in reads for _, r in read.rejects]
    assert got == rejects
    ref = from_households(households, 2025)
    pops = [read.population for read in reads if read.population.size]
    if not pops:
        assert ref.size == 0
        return rejects
    pop = pops[0]
    for p in pops[1:]:
        pop = tablebuild._concat(pop, p)
    assert pop.fiscal_year == ref.fiscal_year
    for f in FIELDS:
        same(getattr(pop, f), getattr(ref, f), f)
    assert _changes(pop) == _changes(ref)
    assert list(pop.households) == households
    for read in reads:          # sources name the households rows, orders ascend
        assert [read.population.households[i].id for i in range(read.population.size)] == \
            read.population.household_ids
        assert list(read.order) == sorted(read.order)
    return rejects


def _changes(pop) -> list:
    """Population.head_changes as sorted (household, person row, date) (in any order)."""
    c = pop.head_changes
    assert c["person"].dtype == c["date"].dtype == np.int64
    return sorted(zip(pop.household[c["person"]].tolist(), c["person"].tolist(),
                      c["date"].tolist()))


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """A synthetic city (statuses, 分離課税, 世帯主変更) as Parquet and as CSV."""
    return both_formats(tmp_path_factory.mktemp("city"), 700, 11)


@pytest.mark.parametrize("chunk", [1, 97, 65_536])
def test_parquet_city_reads_as_the_household_reader(city, chunk):
    assert assert_reads_alike(city / "pq", chunk=chunk) == []
    assert {p.name for p in (city / "pq").iterdir()} >= {
        "statuses.parquet", "separate_incomes.parquet", "head_changes.parquet"}


def test_csv_city_reads_as_the_household_reader_utf8_bom_and_shift_jis(city, tmp_path):
    assert assert_reads_alike(city / "csv") == []
    bom = tmp_path / "bom"
    shutil.copytree(city / "csv", bom)
    for f in bom.iterdir():
        f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    assert assert_reads_alike(bom, chunk=50) == []
    assert convert.convert(city / "pq", tmp_path / "sjis", "csv",
                           out_encoding="shift_jis") == (700, 0)
    assert assert_reads_alike(tmp_path / "sjis", encoding="shift_jis", chunk=300) == []


def test_scalar_households_carry_their_household(city):
    """A 世帯主変更 household (flagged scalar, evaluated in columns: the evaluator asks for
    it only when the engine refuses its changes) is read alone when asked for, not with
    the next flagged ones nor with every household between."""
    pop = next(read_population(city / "pq")).population
    at = np.flatnonzero(pop.scalar)
    assert len(at) > 1 and pop.households[int(at[0])].head_changes
    assert list(pop.households.known) == [int(at[0])]
    assert all(pop.households[i].head_changes for i in at)


def test_dates_as_columns_match_the_date_type():
    from datetime import date
    days = [date(1850, 1, 1), date(1900, 2, 28), date(2000, 2, 29), date(2024, 12, 31),
            date(2200, 12, 31)]
    values, bad = tablecells.dates(pa.array([d.isoformat() for d in days]), len(days))
    assert list(values) == [d.toordinal() for d in days] and not bad.any()
    text = ["2025-02-29", "1900-02-29", "1849-12-31", "2201-01-01", "2025-1-01", "2025/01/01",
            "２０２５-01-01", "2025-00-10", "2025-04-31", "20250401"]
    assert tablecells.dates(pa.array(text), len(text))[1].all()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.dates(), st.text("0123456789-", min_size=10, max_size=10),
                 st.text(min_size=0, max_size=12)))
def test_a_date_cell_reads_as_the_household_reader_reads_it(value):
    """tablecells.dates (calendar tables over the bytes) against fields.a_date, the
    household reader's one date rule: the same day, and bad exactly where it refuses."""
    from levyrules.engine.fields import a_date
    text = value.isoformat() if hasattr(value, "isoformat") else value
    try:
        want = a_date(text, "date").toordinal()
    except InputError:
        want = None
    values, bad = tablecells.dates(pa.array(["2025-04-01", text]).slice(1), 1)
    if hasattr(value, "isoformat"):         # and as a Parquet DATE cell
        days, bad_days = tablecells.dates(pa.array([None, value], pa.date32()).slice(1), 1)
        assert bad_days[0] == (want is None) and (want is None or days[0] == want)
    if text == "":
        assert not bad[0] and values[0] == tablecells.NONE      # empty: absent
    elif want is None:
        assert bad[0]
    else:
        assert not bad[0] and values[0] == want


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=70),
                          st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,70}", fullmatch=True)),
                max_size=8))
def test_ids_checked_on_their_bytes_as_the_id_pattern(ids):
    """tablecells.opaque (a table of the id alphabet) gives what the ID pattern gives."""
    arr = pa.array(["x"] + ids, pa.string()).slice(1)
    assert tablecells.opaque(arr, len(ids)).tolist() == \
        tablecells.matches(arr, tablecells.ID, len(ids)).tolist()


YEN_TEXT = st.one_of(st.none(), st.integers(0, 10 ** 17).map(str),
                     st.text("0123456789", max_size=17), st.text(max_size=6),
                     st.sampled_from(["", "007", "1,000", "1000.0", "-5", "+5", " 5", "5\n",
                                      "１２", "٣", "9" * 15, "1" + "0" * 15, "0" * 16]))


@settings(max_examples=300, deadline=None)
@given(st.lists(YEN_TEXT, max_size=12), st.sampled_from([0, tablecells.NONE]))
def test_text_yen_cells_read_from_their_bytes_as_the_digits_pattern(texts, empty):
    """tablecells.ints of a text column (its cells' bytes read as digits) gives what the
    DIGITS pattern (layout's whole-yen rule) gives: the number where 1 to 15 digits 0-9,
    `empty` where empty, bad (and 0) anywhere else."""
    arr = pa.array(["1"] + texts, pa.string()).slice(1)
    values, bad = tablecells.ints(arr, len(texts), empty)
    ok = tablecells.matches(arr, tablecells.DIGITS, len(texts))
    for t, v, b, o in zip(texts, values.tolist(), bad.tolist(), ok.tolist()):
        assert (b, v) == ((False, empty) if not t else (False, int(t)) if o else (True, 0))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-2 ** 63, 2 ** 63 - 1),
                          st.integers(0, 10 ** 15 + 1)), max_size=12),
       st.sampled_from([0, tablecells.NONE]))
def test_integer_yen_cells_mostly_empty_or_not(values, empty):
    """An integer column, read by all its cells or (mostly empty) by those with a value:
    the value, `empty` where null, bad where negative or 10^15 yen or more."""
    arr = pa.array([7] + values, pa.int64()).slice(1)
    got, bad = tablecells.ints(arr, len(values), empty)
    assert got.tolist() == [empty if v is None else v for v in values]
    assert bad.tolist() == [v is not None and not 0 <= v <= 10 ** 15 - 1 for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(
    ["", "true", "false", "1", "0", "TRUE", "FALSE", "True", "False", "tRUE", "yes", "2",
     " true", "true\n"])), max_size=12), st.booleans())
def test_text_flag_cells_read_as_the_household_reader(texts, default):
    """tablecells.bools of a text column (its cells with a value only): layout's
    true/false words, `default` where empty, bad anywhere else."""
    from levyrules.population.layout import _BOOLS
    arr = pa.array(["true"] + texts, pa.string()).slice(1)
    values, bad = tablecells.bools(arr, len(texts), default)
    assert values.tolist() == [_BOOLS.get(t, False) if t else default for t in texts]
    assert bad.tolist() == [bool(t) and t not in _BOOLS for t in texts]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-800_000, 200_000)), max_size=12))
def test_a_date_column_mostly_empty_or_not(days):
    """A Parquet DATE column (days since 1970), read by all its cells or (mostly empty)
    by those with a value: the ordinal, NONE where null, bad outside 1850–2200."""
    arr = pa.array([0] + days, pa.date32()).slice(1)
    values, bad = tablecells.dates(arr, len(days))
    ordinal = [None if d is None else d + date(1970, 1, 1).toordinal() for d in days]
    ok = [o is not None and tablecells.FIRST_DAY <= o <= tablecells.LAST_DAY for o in ordinal]
    assert values.tolist() == [o if g else tablecells.NONE for o, g in zip(ordinal, ok)]
    assert bad.tolist() == [o is not None and not g for o, g in zip(ordinal, ok)]


# ---------------------------------------------------------------- hostile tables

BASE = {
    "households": """\
        household_id,fiscal_year,head
        H-1,2025,p1
        H-2,2025,p1
        H-3,2025,p1
        """,
    "persons": """\
        household_id,person_id,birth_date,business_income,salary_revenue
        H-1,p1,1975-06-06,2430000,
        H-2,p1,1975-06-06,,1800000
        H-2,p2,1977-03-03,,
        H-3,p1,1975-06-06,1200000,
        """,
    "insured_periods": """\
        household_id,person_id,from,until
        H-1,p1,2020-04-01,
        H-2,p1,2020-04-01,
        H-2,p2,2020-04-01,2025-09-01
        H-3,p1,2020-04-01,
        """,
}


def write_tables(folder: Path, tables: dict, encoding="utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_bytes(textwrap.dedent(text).encode(encoding))
    return folder


def with_cell(table: str, line: int, column: str, value: str) -> dict:
    """BASE with one cell replaced (line 1 is the header)."""
    rows = list(csv.reader(io.StringIO(textwrap.dedent(BASE[table]))))
    rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return {**BASE, table: out.getvalue()}


def only_reject(folder, field: str, hidden: str):
    """The one reject of `folder`, naming `field` and not `hidden`; the others are read."""
    rejects = assert_reads_alike(folder)
    (r,) = rejects
    assert r.field == field, r
    assert hidden not in r.message and hidden not in r.field
    pop = next(read_population(folder)).population
    assert pop.size == 2 and r.household_id not in pop.household_ids
    return r


@pytest.mark.parametrize("table,line,column,value,field", [
    ("persons", 2, "birth_date", "1975-02-30", "persons[0].birth_date"),
    ("insured_periods", 3, "until", "2025-13-01", "persons[0].insured[0].until"),
    ("persons", 3, "salary_revenue", "-1800000", "persons.salary_revenue"),
    ("persons", 3, "salary_revenue", "1800000.0", "persons.salary_revenue"),
    ("persons", 3, "salary_revenue", "1,800,000", "persons.salary_revenue"),
    ("persons", 4, "person_id", "p1", "persons.person_id"),
    ("insured_periods", 4, "person_id", "p9", "insured_periods.person_id"),
    ("households", 3, "head", "123456789018", "head"),
    ("households", 3, "head", "p7", "head"),
])
def test_a_bad_cell_rejects_its_household_only(tmp_path, table, line, column, value, field):
    folder = write_tables(tmp_path / "t", with_cell(table, line, column, value))
    only_reject(folder, field, value)


def test_negative_yen_and_a_float_column_in_parquet(tmp_path):
    folder = write_tables(tmp_path / "t", {k: v for k, v in BASE.items() if k != "persons"})
    persons = {"household_id": ["H-1", "H-2", "H-2", "H-3"], "person_id": ["p1", "p1", "p2", "p1"],
               "birth_date": ["1975-06-06", "1975-06-06", "1977-03-03", "1975-06-06"],
               "business_income": pa.array([2430000, -5, None, 1200000], pa.int64())}
    pq.write_table(pa.table(persons), folder / "persons.parquet")
    r = only_reject(folder, "persons[0].income.business_income", "-5")
    assert r.source == "households.csv:3"
    persons["business_income"] = pa.array([2430000, 10 ** 15, None, 1200000], pa.int64())
    pq.write_table(pa.table(persons), folder / "persons.parquet")
    only_reject(folder, "persons[0].income.business_income", str(10 ** 15))
    persons["business_income"] = pa.array([2430000.0, 5.0, None, 1.5], pa.float64())
    pq.write_table(pa.table(persons), folder / "persons.parquet")
    for read in (household_reader, lambda f: list(read_population(f))):
        with pytest.raises(InputError, match="persons.business_income: .*integer column"):
            read(folder)


def test_unsorted_and_missing_column_stop_the_run_naming_the_field(tmp_path):
    lines = textwrap.dedent(BASE["insured_periods"]).splitlines()
    unsorted = {**BASE, "insured_periods": "\n".join([lines[0], lines[2], lines[1]] + lines[3:])}
    folder = write_tables(tmp_path / "u", unsorted)
    message = "insured_periods.household_id: the insured_periods table is not sorted by " \
              "household_id (at insured_periods.csv:3)"
    for read in (household_reader, lambda f: list(read_population(f))):
        with pytest.raises(InputError) as e:
            read(folder)
        assert str(e.value) == message
    missing = write_tables(tmp_path / "m", {**BASE, "persons": "household_id,person_id\n"})
    for read in (household_reader, lambda f: list(read_population(f))):
        with pytest.raises(InputError, match="persons.birth_date: persons.csv has no column"):
            read(missing)


def test_tables_with_rows_for_few_households_and_their_orphans(tmp_path):
    """statuses, separate incomes and 世帯主変更 with rows for few of a chunk's households
    (looked up among their runs together, tables._households_of), some naming no
    household (H-05, and H-41 after the last), one household in two of them: read as the
    household reader reads them, whatever the chunk."""
    ids = [f"H-{i:02d}" for i in range(1, 41) if i != 5]
    persons = "".join(f"{h},p1,1975-06-06\n" + (f"{h},p2,1977-03-03\n" if h == "H-07" else "")
                      for h in ids)
    tables = {
        "households": "household_id,fiscal_year,head\n" + "".join(f"{h},2025,p1\n" for h in ids),
        "persons": "household_id,person_id,birth_date\n" + persons,
        "insured_periods": "household_id,person_id,from\n" + "".join(
            f"{h},p1,2020-04-01\n" for h in ids),
        "statuses": "household_id,person_id,status,since\nH-03,p1,former_dependent,"
                    "2021-04-01\nH-05,p1,former_dependent,2021-04-01\n",
        "separate_incomes": "household_id,person_id,kind,income\nH-03,p1,stocks,200000\n"
                            "H-05,p1,stocks,1\nH-05,p1,stocks,2\nH-11,p1,stocks,300000\n",
        "head_changes": "household_id,date,head\nH-07,2025-10-01,p2\nH-41,2025-10-01,p1\n",
    }
    folder = write_tables(tmp_path / "t", tables)
    for chunk in (3, 16, 97):
        rejects = assert_reads_alike(folder, chunk=chunk)
        assert [(r.household_id, r.field) for r in rejects] == [
            ("H-05", "separate_incomes.household_id"), ("H-05", "statuses.household_id"),
            ("H-41", "head_changes.household_id")]


def test_orphans_duplicates_and_empty_ids_keep_their_place(tmp_path):
    tables = {
        "households": "household_id,fiscal_year,head\nH-1,2025,p1\n,2025,p1\nH-1,2025,p1\n"
                      "H-4,2025,p1\nH-6,2025,p1\n",
        "persons": "household_id,person_id,birth_date\nH-0,p1,1975-06-06\nH-1,p1,1975-06-06\n"
                   "H-3,p1,1975-06-06\nH-3,p2,1975-06-06\nH-4,p1,1975-06-06\nH-6,p1,1975-06-06\n"
                   "H-7,p1,1975-06-06\n",
        "insured_periods": "household_id,person_id,from\nH-1,p1,2020-04-01\nH-2,p1,2020-04-01\n"
                           "H-9,p1,2020-04-01\n",
    }
    folder = write_tables(tmp_path / "t", tables)
    for chunk in (1, 2, 10):
        rejects = [(r.household_id, r.source, r.field) for r in
                   [r for read in read_population(folder, chunk=chunk) for _, r in read.rejects]]
        assert rejects == [
            ("H-0", "persons.csv:2", "persons.household_id"),
            ("", "households.csv:3", "households.household_id"),
            ("H-1", "households.csv:4", "households.household_id"),
            ("H-3", "persons.csv:4", "persons.household_id"),
            ("H-2", "insured_periods.csv:3", "insured_periods.household_id"),
            ("H-7", "persons.csv:8", "persons.household_id"),
            ("H-9", "insured_periods.csv:4", "insured_periods.household_id")]
    assert_reads_alike(folder, chunk=2)


def test_periods_out_of_order_in_a_household_read_alike(tmp_path):
    """Periods listed by neither person nor date (sorted as columns by one key), one pair
    overlapping only once sorted: the same households and the same reject."""
    periods = """\
        household_id,person_id,from,until
        H-1,p1,2020-04-01,
        H-2,p2,2024-04-01,2025-09-01
        H-2,p1,2022-04-01,
        H-2,p2,2020-04-01,2021-04-01
        H-3,p1,2024-04-01,
        H-3,p1,2020-04-01,2024-05-01
        """
    folder = write_tables(tmp_path / "t", {**BASE, "insured_periods": periods})
    (r,) = assert_reads_alike(folder)
    assert r.household_id == "H-3" and "insured" in r.field


@pytest.mark.parametrize("changes,field", [
    ("H-2,2025-10-01,p2\n", None),
    ("H-2,2025-10-01,p9\n", "head_changes[0].head"),
    ("H-2,2025-02-30,p2\n", "head_changes[0].date"),
    ("H-2,2025-10-01,p2\nH-2,2025-10-01,p1\n", "head_changes[1].date"),
    ("H-2,2025-10-01,\n", "head_changes[0].head"),
])
def test_head_changes_checked_as_columns_read_alike(tmp_path, changes, field):
    """世帯主変更 rows are checked as columns: a good one leaves its household to be read
    when the evaluator asks for it, a bad one has it read at once and rejected."""
    folder = write_tables(tmp_path / "t", {**BASE, "head_changes": "household_id,date,head\n"
                                                                    + changes})
    rejects = assert_reads_alike(folder)
    assert [r.field for r in rejects] == ([field] if field else [])
    pop = next(read_population(folder)).population
    if field is None:
        (at,) = np.flatnonzero(pop.scalar)
        assert _changes(pop) == [(1, 2, date(2025, 10, 1).toordinal())]
        assert pop.households.known == {}           # not read until asked for
        assert pop.households[at].head_changes


def test_head_change_households_are_evaluated_without_the_household_reader(city):
    """A valid 世帯主変更 household read from tables is evaluated in columns from
    Population.head_changes: its Household is never read, and the rows equal those of
    the Household path (from_households)."""
    import levyrules
    from levyrules.batch.evaluate import assess_columns
    tariff = levyrules.load_tariff("koriyama/2025")
    households, _ = household_reader(city / "pq")
    ref = assess_columns(from_households(households, 2025), tariff)
    row_of = {h: i for i, h in enumerate(ref.arrays["household_id"].tolist())}
    taken = 0
    for read in read_population(city / "pq", chunk=300):
        pop = read.population
        cols = assess_columns(pop, tariff)
        taken += len(np.unique(pop.household[pop.head_changes["person"]]))
        assert pop.households.known == {}           # no Household read, none refused
        at = [row_of[h] for h in cols.arrays["household_id"].tolist()]
        for name in cols.names:
            assert cols.arrays[name].tolist() == ref.arrays[name][at].tolist(), name
        assert cols.rejects == []
    assert taken >= 2


def test_head_change_rows_of_households_the_columns_do_not_take(tmp_path):
    """The 世帯主変更 rows are columns only for a household with no other fact the
    columns do not take, as from_households gives them: not with 条例減免 rows, not of
    another fiscal year; rows listed out of date order are sorted by the evaluator; a
    change the engine refuses is refused as `assess` words it."""
    def more(table: str, rows: str) -> str:
        return textwrap.dedent(BASE[table]) + rows
    households = more("households", "H-4,2024,p1\nH-5,2025,p1\n")
    persons = more("persons", "H-4,p1,1975-06-06,1,\nH-4,p2,1977-03-03,,\n"
                              "H-5,p1,1975-06-06,1,\nH-5,p2,1977-03-03,,\n")
    periods = more("insured_periods", "H-4,p1,2020-04-01,\nH-5,p1,2020-04-01,\n")
    folder = write_tables(tmp_path / "t", {
        **BASE, "households": households, "persons": persons, "insured_periods": periods,
        "head_changes": "household_id,date,head\nH-2,2025-12-01,p1\nH-2,2025-10-01,p2\n"
                        "H-3,2025-10-01,p1\nH-4,2024-10-01,p2\nH-5,2025-10-01,p2\n",
        "relief": "household_id,rule,grade\nH-5,disaster,半壊\n"})
    assert assert_reads_alike(folder) == []
    pop = next(read_population(folder, 2025)).population
    assert [pop.household_ids[h] for h, _, _ in _changes(pop)] == ["H-2", "H-2", "H-3"]
    import levyrules
    from levyrules.batch.evaluate import assess_columns
    tariff = levyrules.load_tariff("koriyama/2025")
    cols = assess_columns(pop, tariff)
    # H-3's change (to its 世帯主) is refused by the engine, as `assess` words it; H-4
    # (another year) and H-5 (条例減免) are read for `assess`, H-2 never is
    rejects = [(pop.household_ids[i], e.field, str(e)) for i, e in cols.rejects]
    assert [r[:2] for r in rejects] == [("H-3", "head_changes[0].head"),
                                        ("H-4", "fiscal_year"), ("H-5", "relief.disaster")]
    assert sorted(pop.households.known) == [2, 3, 4]
    assert cols.arrays["household_id"].tolist() == ["H-1", "H-2"]
    hs = household_reader(folder)[0]
    ref = assess_columns(from_households(hs, 2025), tariff)
    assert [(hs[i].id, e.field, str(e)) for i, e in ref.rejects] == rejects
    assert cols.rows() == ref.rows()


def test_a_parquet_date_column_is_read_as_columns_a_timestamp_by_the_household_reader(
        tmp_path):
    """A Parquet DATE column (days) is read as a column of day numbers, a date out of range
    rejected as the household reader rejects it; a column of another type (a timestamp)
    stops the run with one error naming the column, as a float money column does (it was
    a reject per row; a timestamp past the year 9999 was an OverflowError)."""
    from datetime import date
    folder = write_tables(tmp_path / "t", {k: v for k, v in BASE.items() if k != "persons"})
    births = [date(1849, 12, 31), date(1975, 6, 6), date(1977, 3, 3)]
    pq.write_table(pa.table({"household_id": ["H-1", "H-2", "H-3"], "person_id": ["p1"] * 3,
                             "birth_date": pa.array(births, pa.date32())}),
                   folder / "persons.parquet")
    rejects = assert_reads_alike(folder)
    assert [(r.household_id, r.field) for r in rejects] == [
        ("H-1", "persons[0].birth_date"), ("H-2", "insured_periods.person_id")]
    assert type(next(read_population(folder)).population.households) is not list  # columns
    pq.write_table(pa.table({"household_id": ["H-1", "H-2", "H-3"], "person_id": ["p1"] * 3,
                             "birth_date": pa.array(births, pa.date32()).cast(pa.timestamp("s"))}),
                   folder / "persons.parquet")
    for read in (lambda: list(read_population(folder)),
                 lambda: list(sources.items(folder))):
        with pytest.raises(InputError) as e:
            read()
        assert e.value.field == "persons.birth_date" and "timestamp" in e.value.message


# ---------------------------------------------------------------- any cell, either reader

NASTY = ("", "0", "1", "-1", "1.0", "1,000", " 7", "true", "false", "TRUE", "yes", "2025-04-01",
         "1975-02-29", "2024-02-29", "2025-4-1", "1849-12-31", "p1", "p2", "H-2", "H-9",
         "123456789018", "1234-5678-9018", "x" * 70, "iwaki", "２０２５", "99999999999999999",
         "999999999999999", "11", "land_short", "stocks", "childbirth", "former_dependent",
         "involuntary_unemployment", "care_exempt_facility")
STATUSES = """\
    household_id,person_id,status,separation_date,reason_code,expected_date,since,from,until
    H-1,p1,care_exempt_facility,,,,,2025-05-01,2025-08-01
    H-2,p2,childbirth,,,2025-10-01,,,
    H-2,p1,involuntary_unemployment,2024-12-01,11,,,,
    H-3,p1,former_dependent,,,,2021-04-01,,
    """
SEPARATE = """\
    household_id,person_id,kind,income,special_deduction
    H-2,p1,land_long,5000000,1000000
    H-3,p1,stocks,200000,
    """
FULL = {**BASE, "statuses": STATUSES, "separate_incomes": SEPARATE,
        "head_changes": "household_id,date,head\nH-2,2025-10-01,p2\n"}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(sorted(FULL)), st.integers(0, 20),
                          st.integers(0, 20), st.sampled_from(NASTY)), min_size=1, max_size=3))
def test_any_cell_changed_reads_alike(tmp_path_factory, edits):
    """A property that must hold: whatever cells are changed, both readers agree on the
    population, the households and the rejects, or both stop the run (with two faults in
    the files, each may name the one it meets first: a table out of order, say)."""
    tables = {}
    for name, text in FULL.items():
        tables[name] = list(csv.reader(io.StringIO(textwrap.dedent(text))))
    for name, row, column, value in edits:
        rows = tables[name]
        rows[1 + row % (len(rows) - 1)][column % len(rows[0])] = value
    texts = {}
    for name, rows in tables.items():
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        texts[name] = out.getvalue()
    folder = write_tables(tmp_path_factory.mktemp("fuzz"), texts)
    try:
        household_reader(folder)
    except InputError as e:
        with pytest.raises(InputError) as mine:
            list(read_population(folder))
        assert mine.value.field.split(".")[0] in FULL and "sorted" in str(e) + str(mine.value)
        return
    assert_reads_alike(folder, chunk=2)


# ---------------------------------------------------------------- parts for workers

def _reads(reads):
    pops = [r.population for r in reads if r.population.size]
    pop = pops[0]
    for p in pops[1:]:
        pop = tablebuild._concat(pop, p)
    return pop, [x for r in reads for x in r.rejects], sum(r.items for r in reads)


@pytest.mark.parametrize("group", [1, 2, 3])
def test_parts_read_apart_give_the_whole(tmp_path, group):
    """Workers each reading a part of the households table (and the key range of the other
    tables it needs) give what one reader gives: orphans, duplicates and empty ids at the
    edges of the parts included."""
    from levyrules.batch.tables import parts
    csvs = write_tables(tmp_path / "csv", {
        "households": "household_id,fiscal_year,head\nH-1,2025,p1\n,2025,p1\nH-1,2025,p1\n"
                      "H-4,2025,p1\nH-5,2025,p1\nH-6,2025,p1\n,2025,p1\nH-8,2025,p1\n",
        "persons": "household_id,person_id,birth_date\nH-0,p1,1975-06-06\nH-1,p1,1975-06-06\n"
                   "H-3,p1,1975-06-06\nH-4,p1,1975-06-06\nH-5,p1,1975-13-06\nH-6,p1,1975-06-06\n"
                   "H-7,p1,1975-06-06\nH-8,p1,1975-06-06\nH-9,p1,1975-06-06\n",
        "insured_periods": "household_id,person_id,from\nH-1,p1,2020-04-01\nH-2,p1,2020-04-01\n"
                           "H-6,p1,2020-04-01\nH-8,p1,2020-04-01\nH-9,p1,2020-04-01\n"})
    folder = tmp_path / "pq"
    folder.mkdir()
    from pyarrow import csv as pacsv
    for f in csvs.iterdir():
        t = pacsv.read_csv(f, convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in ("household_id", "person_id", "head",
                                                   "birth_date", "from")}))
        pq.write_table(t, folder / f"{f.stem}.parquet", row_group_size=group)
    whole = _reads(list(read_population(folder, chunk=3)))
    plan = parts(folder, 2)
    assert len(plan) > 2 and plan[-1].last and not any(p.last for p in plan[:-1])
    split = _reads([r for p in plan for r in read_population(folder, chunk=1, part=p)])
    for f in FIELDS:
        same(getattr(split[0], f), getattr(whole[0], f), f)
    assert split[1:] == whole[1:]
    assert [r.source for _, r in whole[1]] == [
        "persons.parquet:row 1", "households.parquet:row 2", "households.parquet:row 3",
        "persons.parquet:row 3", "insured_periods.parquet:row 2", "households.parquet:row 5",
        "households.parquet:row 7", "persons.parquet:row 7", "persons.parquet:row 9",
        "insured_periods.parquet:row 5"]
    assert_reads_alike(folder, chunk=2)


def test_parts_refuse_an_unsorted_households_table_as_a_whole(tmp_path):
    from levyrules.batch.tables import parts
    folder = tmp_path / "pq"
    folder.mkdir()
    for name, text in BASE.items():
        rows = list(csv.reader(io.StringIO(textwrap.dedent(text))))
        if name == "households":
            rows[1:] = [rows[2], rows[1], rows[3]]
        pq.write_table(pa.table({c: [r[i] or None for r in rows[1:]]
                                 for i, c in enumerate(rows[0])}), folder / f"{name}.parquet")
    with pytest.raises(InputError, match=r"households.household_id: .*not sorted .*row 2\)"):
        parts(folder, 1)


# ---------------------------------------------------------------- levyrules batch on tables

def test_columns_write_the_same_file_as_rows(tmp_path):
    import levyrules
    from levyrules.population import evaluate, rows as rowmod, sink
    tariff = levyrules.load_tariff("iwaki/2025")
    households = [("x", levyrules.Household.from_json(h))
                  for h in synth.generate(40, 2025, 3, city=True)]
    rows = evaluate.evaluate(households, tariff).rows
    schema = rowmod.schema(tariff)
    arrays = {}
    for j, (name, kind) in enumerate(schema):
        values = [r[j] for r in rows]
        dtype = object if kind == "str" or None in values else \
            (np.int64 if kind == "int" else bool)
        arrays[name] = np.array(values, dtype)
    for fmt in ("parquet", "csv"):
        a = sink.ResultWriter(tmp_path / f"a.{fmt}", fmt, schema)
        a.write(rows)
        a.close()
        b = sink.ResultWriter(tmp_path / f"b.{fmt}", fmt, schema)
        for lo in range(0, 40, 15):
            b.write_columns({k: v[lo:lo + 15] for k, v in arrays.items()})
        b.close()
        assert a.tmp.read_bytes() == b.tmp.read_bytes()


def _columnar():
    from levyrules.population import evaluate
    if evaluate.columns_evaluator() is None:
        pytest.skip("tables are read as columns with pyarrow only")


def test_batch_on_tables_as_columns_writes_what_it_writes_from_json_lines(tmp_path, city):
    """Parquet tables in small row groups (parts for the workers), any chunk size and
    worker count: the assessment file and the rejects are the bytes of the JSON Lines run
    (with workers, the values, their order and the schema: the workers' Parquet files are
    joined, whose row groups end with each part)."""
    _columnar()
    from levyrules.population import runner
    folder = tmp_path / "pq"
    folder.mkdir()
    for f in (city / "pq").iterdir():
        pq.write_table(pq.read_table(f), folder / f.name, row_group_size=128)
    assert convert.convert(folder, tmp_path / "city.jsonl", "jsonl") == (700, 0)
    ref = runner.run(tmp_path / "city.jsonl", "iwaki/2025", tmp_path / "ref.parquet")
    for workers, chunk in ((1, None), (1, 100), (2, 200)):
        out = tmp_path / f"r-{workers}-{chunk}.parquet"
        s = runner.run(folder, "iwaki/2025", out, workers=workers, chunk_size=chunk)
        assert s.sidecar["evaluator"] == runner.EVALUATOR
        assert (s.read, s.assessed, s.rejected) == (ref.read, ref.assessed, ref.rejected)
        if workers == 1:
            assert out.read_bytes() == (tmp_path / "ref.parquet").read_bytes()
        assert pq.read_table(out).equals(pq.read_table(tmp_path / "ref.parquet"),
                                         check_metadata=True)
        assert s.outputs.rejects.read_bytes() == ref.outputs.rejects.read_bytes()


def test_batch_on_hostile_tables_rejects_as_the_household_reader(tmp_path, monkeypatch):
    _columnar()
    from levyrules.population import evaluate, runner
    tables = with_cell("persons", 3, "salary_revenue", "-1800000")
    tables["households"] = textwrap.dedent(tables["households"]) + "H-4,2024,p1\nH-5,2025,p1\n"
    tables["persons"] = textwrap.dedent(tables["persons"]) + "H-4,p1,1960-01-01,,\n" \
        "H-5,p1,1960-01-01,,\nH-6,p1,1960-01-01,,\n"
    tables["insured_periods"] = textwrap.dedent(tables["insured_periods"]) + \
        "H-4,p1,2020-04-01,\nH-5,p1,2020-04-01,\n"
    folder = write_tables(tmp_path / "t", tables)
    columns = runner.run(folder, "iwaki/2025", tmp_path / "c.csv")
    monkeypatch.setattr(evaluate, "columns_evaluator", lambda: None)
    rows = runner.run(folder, "iwaki/2025", tmp_path / "r.csv")
    assert (columns.read, columns.assessed, columns.rejected) == (6, 3, 3)
    assert (tmp_path / "c.csv").read_bytes() == (tmp_path / "r.csv").read_bytes()
    assert (tmp_path / "c.rejects.csv").read_bytes() == (tmp_path / "r.rejects.csv").read_bytes()
    fields = [r["field"] for r in csv.DictReader(open(tmp_path / "c.rejects.csv"))]
    assert fields == ["persons.salary_revenue", "fiscal_year", "persons.household_id"]


def test_large_text_and_narrow_integer_parquet_columns_read_as_columns(tmp_path, city):
    folder = tmp_path / "pq"
    folder.mkdir()
    for f in (city / "pq").iterdir():
        t = pq.read_table(f)
        t = t.cast(pa.schema([pa.field(x.name, pa.large_string() if pa.types.is_string(x.type)
                                       else pa.int32() if x.name == "fiscal_year" else x.type)
                              for x in t.schema]))
        pq.write_table(t, folder / f.name)
    assert assert_reads_alike(folder, chunk=300) == []
    from levyrules.batch.tables import Households
    assert isinstance(next(read_population(folder)).population.households, Households)
