"""Hostile and careless input to `levyrules batch` and its readers (issue 9, the second
attack: docs/research/hostile-2026-11-30.md). Each test is the reproducer of one problem
found against main dc7af8a: the run either refuses the input with one LevyError naming
the field (never its value) or rejects the household, and never ends in another
exception, a silent choice or a wrong number. All data is synthetic.
"""

from __future__ import annotations

import shutil

import pytest

from levyrules import cli
from levyrules.errors import InputError
from levyrules.population import runner, sources
from tablecity import both_formats

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from levyrules.batch.tables import read_population  # noqa: E402

NAME = "山田太郎"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """40 synthetic households (fiscal year 2025) as Parquet and as CSV tables."""
    return both_formats(tmp_path_factory.mktemp("city"), 40, 3)


def copy(city, kind: str, tmp_path):
    return shutil.copytree(city / kind, tmp_path / kind)


def edit(folder, table: str, column: str, values):
    """The Parquet table with `column` replaced by the arrow array `values(table)`."""
    path = folder / f"{table}.parquet"
    t = pq.read_table(path)
    i = t.schema.get_field_index(column)
    pq.write_table(t.set_column(i, column, values(t)), path)


def both_readers(folder):
    """The rejects of the household reader and of the columnar reader (the same)."""
    slow = [p for src, item in sources.items(folder)
            if not hasattr(p := sources.parse(src, item), "persons")]
    fast = [r for read in read_population(folder, 2025) for _, r in read.rejects]
    assert fast == slow
    return fast


def batch(folder, tmp_path, capsys, *extra):
    out = tmp_path / "result.parquet"
    code = cli.main(["batch", str(folder), "--tariff", "iwaki/2025", "--out", str(out),
                     *extra])
    return code, capsys.readouterr(), out


# ---------------------------------------------------------------- Parquet DATE columns

@pytest.mark.parametrize("days", [2 ** 31 - 1, -2 ** 31, 3_000_000, -800_000])
def test_a_date_column_beyond_pythons_years_is_a_reject_not_an_overflow(city, tmp_path, days):
    """A DATE cell holds ±5.8 million years; past 9999-12-31 (or before year 1) converting
    it to a Python date raised OverflowError (exit 70) in both readers. Now the household
    is rejected as any date outside 1850-2200 is, naming the field."""
    folder = copy(city, "pq", tmp_path)
    edit(folder, "persons", "birth_date",
         lambda t: pa.array([days] + [7000] * (t.num_rows - 1), pa.int32()).cast(pa.date32()))
    rejects = both_readers(folder)
    assert [(r.field, r.message) for r in rejects] == [
        ("persons[0].birth_date", "must be a date between 1850 and 2200")]
    edit(folder, "insured_periods", "from",
         lambda t: pa.array([days] * t.num_rows, pa.int32()).cast(pa.date32()))
    assert {r.field for r in both_readers(folder)} >= {"persons[0].insured[0].from"}


def test_a_date64_column_past_the_year_9999_is_a_reject(city, tmp_path):
    folder = copy(city, "pq", tmp_path)
    edit(folder, "persons", "birth_date",
         lambda t: pa.array([2 ** 62] + [86_400_000 * 7000] * (t.num_rows - 1), pa.date64()))
    rejects = both_readers(folder)
    assert [(r.field, r.message) for r in rejects] == [
        ("persons[0].birth_date", "must be a date between 1850 and 2200")]


@pytest.mark.parametrize("table,column,make,kind", [
    ("persons", "birth_date", lambda n: pa.array([2 ** 40] * n, pa.timestamp("s")),
     "a date column"),
    ("persons", "declared", lambda n: pa.array([1] * n, pa.int64()), "a flag column"),
    ("persons", "person_id", lambda n: pa.array([b"p1"] * n, pa.binary()), "an id or code"),
    ("persons", "salary_revenue", lambda n: pa.array([float("nan")] * n), "a money"),
])
def test_a_column_of_the_wrong_type_stops_the_run_naming_it(city, tmp_path, capsys, table,
                                                             column, make, kind):
    """A timestamp for a date (past 9999 it was an OverflowError), an integer flag, binary
    ids: one error naming the column and its type, nothing written (as for a float money
    column)."""
    folder = copy(city, "pq", tmp_path)
    edit(folder, table, column, lambda t: make(t.num_rows))
    code, out, result = batch(folder, tmp_path, capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert f"{table}.{column}" in out.err and kind in out.err
    assert not result.exists()


# ---------------------------------------------------------------- headers

def test_a_column_given_twice_is_refused_not_one_of_them_chosen(city, tmp_path, capsys):
    """persons.csv with two salary_revenue columns (a careless export renaming
    salary_income): one of the two was read and the other ignored, exit 0."""
    folder = copy(city, "csv", tmp_path)
    path = folder / "persons.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("salary_income", "salary_revenue", 1), encoding="utf-8")
    code, out, result = batch(folder, tmp_path, capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert "persons.salary_revenue" in out.err and "twice" in out.err
    assert not result.exists()
    pq_folder = copy(city, "pq", tmp_path)
    t = pq.read_table(pq_folder / "persons.parquet")
    pq.write_table(t.append_column("business_income", pa.array([0] * t.num_rows)),
                   pq_folder / "persons.parquet")
    with pytest.raises(InputError) as e:
        list(read_population(pq_folder, 2025))
    assert e.value.field == "persons.business_income"


def test_an_unknown_column_is_named_by_its_place_not_its_text(city, tmp_path, capsys):
    """A header cell may be anything (a data row taken for the header, a name): it was
    echoed (`persons.山田太郎: persons.csv: unknown column`)."""
    folder = copy(city, "csv", tmp_path)
    path = folder / "persons.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + f",{NAME} 090-1234-5678"] + [line + ",x" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = batch(folder, tmp_path, capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert NAME not in out.err and "090" not in out.err
    assert "unknown column (the 26th of the header)" in out.err


# ---------------------------------------------------------------- JSON Lines: one id, one row

def _jsonl(tmp_path, ids) -> object:
    import json
    path = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": i, "fiscal_year": 2025, "head": "p1", "persons": [
        {"id": "p1", "birth_date": "1980-01-01", "insured": [{"from": "2025-04-01"}],
         "income": {"salary_revenue": 3_000_000}}]}) for i in ids]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_household_id_twice_in_json_lines_stops_the_run(tmp_path, capsys, fmt):
    """Two lines with one household id were both assessed (two 賦課 rows, two bills, under
    one 世帯), while the tables reject the second; now the run stops naming the two lines,
    never the id, and nothing is written."""
    path = _jsonl(tmp_path, ["H-1", "H-2", "H-3", "H-2"])
    out = tmp_path / f"result.{fmt}"
    code = cli.main(["batch", str(path), "--tariff", "iwaki/2025", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_BAD_INPUT
    assert "id: in.jsonl:4: the household id is used by the household of line 2" in err
    assert "H-2" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_unique_ids_in_json_lines_run_as_before(tmp_path):
    path = _jsonl(tmp_path, ["H-1", "H-2", "H-3"])
    summary = runner.run(path, "iwaki/2025", tmp_path / "result.parquet")
    assert (summary.read, summary.assessed, summary.rejected) == (3, 3, 0)


@pytest.mark.slow
def test_a_household_id_twice_in_json_lines_stops_the_run_with_workers(tmp_path):
    path = _jsonl(tmp_path, [f"H-{i}" for i in range(50)] + ["H-7"])
    with pytest.raises(InputError) as e:
        runner.run(path, "iwaki/2025", tmp_path / "result.parquet", workers=2,
                   chunk_size=7)
    assert e.value.field == "id" and "in.jsonl:51" in e.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_two_ids_of_one_hash_are_told_apart_by_reading_the_lines_again(tmp_path):
    """The ids are kept as 64-bit hashes; equal hashes of different ids (a collision) do
    not stop the run: the lines are read again and their ids compared."""
    from levyrules.population import unique
    path = _jsonl(tmp_path, ["H-1", "H-2"])
    ids = unique.Ids()
    ids.hashes.extend([5, 5])               # as if H-1 and H-2 had one hash
    ids.check(path)
    ids = unique.Ids()
    ids.add([["H-1"], ["H-2"]])
    ids.check(path)


# ---------------------------------------------------------------- rows of one household

@pytest.mark.parametrize("table", ["persons", "insured_periods"])
def test_a_million_rows_of_one_household_are_not_all_made_python_values(city, tmp_path,
                                                                       table):
    """A Parquet table with 1,000,000 rows for one household (12 KB of insured_periods)
    took 1 GB and 5 s to be refused (2.4 KB a persons row, all made dicts for the
    household reader). A household with more than layout.MAX_ROWS rows of a table is
    refused whatever they hold (the most the household reader accepts), so both readers
    take MAX_ROWS + 1 of them: the same reject, the memory of a real household."""
    from levyrules.population import layout
    folder = copy(city, "pq", tmp_path)
    path = folder / f"{table}.parquet"
    t = pq.read_table(path)
    first = t.slice(0, 1)
    many = first.take(pa.array([0] * (layout.MAX_ROWS + 500)))
    if table == "persons":
        many = many.set_column(1, "person_id",
                               pa.array([f"p{i}" for i in range(many.num_rows)]))
    pq.write_table(pa.concat_tables([many, t.slice(1)]), path)
    taken = next(payload[table] for _, payload in sources.items(folder)
                 if isinstance(payload, dict))
    assert len(taken) == layout.MAX_ROWS + 1
    rejects = both_readers(folder)
    assert rejects[0].field == ("persons" if table == "persons" else "persons[0].insured")
    assert "(the limit)" in rejects[0].message


def test_max_rows_of_a_table_are_a_household_the_reader_accepts():
    """The bound is reached by a valid household: 100 persons, each with 100 介護適用除外
    periods and the three other statuses, is MAX_ROWS statuses rows, all of them taken
    (so the cut at MAX_ROWS + 1 never changes a household the reader accepts)."""
    from levyrules.engine.household import Household
    from levyrules.population import layout
    from datetime import date, timedelta
    day = date(2025, 4, 1)
    care = [{"from": (day + timedelta(2 * k)).isoformat(),
             "until": (day + timedelta(2 * k + 1)).isoformat()} for k in range(100)]
    person = {"birth_date": "1960-01-01", "insured": [{"from": "2025-04-01"}],
              "statuses": {"involuntary_unemployment": {"separation_date": "2025-03-31",
                                                        "reason_code": "11"},
                           "childbirth": {"expected_date": "2025-09-01"},
                           "former_dependent": {"since": "2025-04-01"},
                           "care_exempt_facility": care}}
    h = {"id": "H-1", "fiscal_year": 2025, "head": "p0",
         "persons": [{"id": f"p{i}", **person} for i in range(100)]}
    Household.from_json(h)
    rows = layout.flatten(h)
    assert len(rows["statuses"]) == layout.MAX_ROWS
    groups = {t: [(f"{t}:{n}", r) for n, r in enumerate(rs, 1)] for t, rs in rows.items() if rs}
    Household.from_json(layout.assemble(groups))


# ---------------------------------------------------------------- CSV a city opens in Excel

def test_a_rejects_cell_never_starts_a_spreadsheet_formula(tmp_path, capsys):
    """The `source` of a reject is the input's file name, which whoever made the file
    chooses: `=cmd|x.jsonl:1` in rejects.csv is a formula (DDE) when the city opens it in
    a spreadsheet. Such a cell now starts with an apostrophe."""
    import csv
    path = tmp_path / "=cmd|x.jsonl"
    path.write_text("{bad\n", encoding="utf-8")
    code = cli.main(["batch", str(path), "--tariff", "iwaki/2025",
                     "--out", str(tmp_path / "r.csv")])
    assert code == 0, capsys.readouterr().err
    with open(tmp_path / "r.rejects.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1][1] == "'=cmd|x.jsonl:1"
    assert not any(c.startswith(("=", "+", "-", "@")) for row in rows for c in row)


@pytest.mark.parametrize("grade", ["=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)"])
def test_a_relief_grade_that_starts_a_formula_is_refused(grade):
    """The 減免 grade is the household's one free text; `convert` wrote it into relief.csv
    as it was. A grade (全壊, 半壊 …) never starts with = + - @: refused, not echoed."""
    from levyrules.engine.household import Household
    h = {"id": "H-1", "fiscal_year": 2025, "head": "p1",
         "persons": [{"id": "p1", "birth_date": "1980-01-01",
                      "insured": [{"from": "2025-04-01"}]}],
         "relief": {"disaster": {"grade": grade}}}
    with pytest.raises(InputError) as e:
        Household.from_json(h)
    assert e.value.field == "relief.disaster.grade" and grade not in str(e.value)


# ---------------------------------------------------------------- stats of a crafted result

@pytest.fixture(scope="module")
def result(city, tmp_path_factory):
    out = tmp_path_factory.mktemp("result") / "result.parquet"
    runner.run(city / "pq", "iwaki/2025", out)
    return pq.read_table(out)


@pytest.mark.parametrize("column,values,field,says", [
    ("total", lambda n: pa.array([float("nan")] * n), "total", "not double"),
    ("total", lambda n: pa.array(["1"] * n), "total", "not string"),
    ("tier", lambda n: pa.array([99] * n, pa.int64()), "tier", "70, 50, 20 or 0"),
    ("tier", lambda n: pa.array([None] * n, pa.int64()), "tier", "70, 50, 20 or 0"),
    ("household_type", lambda n: pa.array(["=1+1"] * n), "household_type", "adults"),
    ("insured_persons", lambda n: pa.array([None] * n, pa.int64()), "", "row 1 has an empty"),
])
def test_stats_of_a_file_batch_did_not_write_is_one_error(result, tmp_path, column, values,
                                                          field, says):
    """`levyrules stats` trusted its file: a string total was a TypeError, a tier of 99 or
    empty a ValueError (exit 70), a float total summed NaN into stats.csv, a household
    type written into stats.csv as it was (`=1+1`)."""
    from levyrules.population import stats
    path = tmp_path / "crafted.parquet"
    i = result.schema.get_field_index(column)
    pq.write_table(result.set_column(i, column, values(result.num_rows)), path)
    with pytest.raises(InputError) as e:
        stats.compute(path)
    assert e.value.field == field and says in e.value.message
    path.write_bytes(b"PAR1 not a Parquet file")
    with pytest.raises(InputError):
        stats.compute(path)


# ---------------------------------------------------------------- int64 in the columns

@pytest.mark.parametrize("value", [10 ** 15 - 1, 2 ** 63 - 1, 10 ** 20])
def test_a_tariff_amount_that_would_wrap_the_columns_is_refused(city, tmp_path, capsys, value):
    """`--set components.medical.per_capita=999999999999999` wrapped the 64-bit columns to
    a negative total (ValueError: a negative amount cannot be spread, exit 70); 2**63 and
    more were an OverflowError. A tariff's 均等割・平等割 above 10**9 yen is refused by name."""
    code, out, result = batch(city / "pq", tmp_path, capsys,
                              "--set", f"components.medical.per_capita={value}")
    assert code == cli.EXIT_BAD_INPUT
    assert "components.medical.per_capita" in out.err and "1,000,000,000" in out.err
    assert not result.exists()


def test_the_largest_tariff_amount_gives_the_columns_the_scalar_totals(city, tmp_path):
    """At the bound, 10**9 yen per person and per household in every component, the
    columns still equal levyrules.assess household by household (no wrap)."""
    import levyrules
    from levyrules.tariff.loader import load_tariff
    overrides = tuple((f"components.{c}.{k}", 10 ** 9) for c in ("medical", "support", "care")
                      for k in ("per_capita", "per_household"))
    out = tmp_path / "result.parquet"
    runner.run(city / "pq", "iwaki/2025", out, overrides=overrides)
    got = dict(zip(*pq.read_table(out, columns=["household_id", "total"]).to_pydict().values()))
    tariff = load_tariff("iwaki/2025", list(overrides))
    households = [sources.parse(s, p) for s, p in sources.items(city / "pq")]
    assert len(households) == len(got) == 40
    for h in households:
        assert got[h.id] == levyrules.assess(h, tariff).total


def test_a_tariff_file_named_in_other_digits_is_read(tmp_path, capsys):
    """A tariff file named ²⁰²⁵.yaml passed str.isdigit() in the check of the year in the
    name, and int() refused it (ValueError, exit 70). It is not named for a year."""
    folder = tmp_path / "x"
    folder.mkdir()
    from pathlib import Path
    src = Path(__file__).parents[1] / "tariffs" / "iwaki" / "2025.yaml"
    (folder / "²⁰²⁵.yaml").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    household = tmp_path / "h.json"
    household.write_text('{"id": "H", "fiscal_year": 2025, "head": "p1", "persons": [{"id": '
                         '"p1", "birth_date": "1980-01-01", "insured": [{"from": '
                         '"2025-04-01"}]}]}', encoding="utf-8")
    code = cli.main(["assess", str(household), "--tariff", str(folder / "²⁰²⁵.yaml")])
    assert code == 0, capsys.readouterr().err


# ---------------------------------------------------------------- outputs over the input

def test_an_output_that_would_replace_the_input_is_refused(city, tmp_path, capsys):
    """`batch city --out city/persons.csv` renamed the result over the city's persons
    table, `batch in.jsonl --out in.jsonl --format csv` over the input, and `convert
    in.jsonl --out in.jsonl` dropped its rejected lines from it: the input is lost. Each
    is refused before anything is read or written."""
    folder = copy(city, "csv", tmp_path)
    before = (folder / "persons.csv").read_bytes()
    for out in ("persons.csv", "households.parquet"):
        code = cli.main(["batch", str(folder), "--tariff", "iwaki/2025",
                         "--out", str(folder / out)])
        assert code == cli.EXIT_BAD_INPUT
        assert "would replace the input" in capsys.readouterr().err
    assert (folder / "persons.csv").read_bytes() == before
    assert not (folder / "households.parquet").exists()
    path = _jsonl(tmp_path, ["H-1"])
    text = path.read_text(encoding="utf-8")
    for argv in (["batch", str(path), "--tariff", "iwaki/2025", "--format", "csv",
                  "--out", str(tmp_path / "." / "in.jsonl")],
                 ["convert", str(path), "--format", "jsonl", "--out", str(path)]):
        assert cli.main(argv) == cli.EXIT_BAD_INPUT
        assert "would replace the input" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == text
    code = cli.main(["batch", str(folder), "--tariff", "iwaki/2025",
                     "--out", str(folder / "result.csv")])      # beside the tables: fine
    assert code == 0


# ---------------------------------------------------------------- unreadable mid-way

def _corrupt(folder, table: str) -> None:
    """Scrambles 200 bytes of the data pages of the last row group of `table`."""
    path = folder / f"{table}.parquet"
    meta = pq.ParquetFile(path).metadata
    at = meta.row_group(meta.num_row_groups - 1).column(0).data_page_offset
    raw = bytearray(path.read_bytes())
    raw[at + 20:at + 220] = bytes((b * 7 + 13) % 256 for b in raw[at + 20:at + 220])
    path.write_bytes(bytes(raw))


def _regrouped(city, tmp_path):
    folder = tmp_path / "rg"
    folder.mkdir(parents=True)
    for f in (city / "pq").iterdir():
        pq.write_table(pq.read_table(f), folder / f.name, row_group_size=8)
    return folder


@pytest.mark.parametrize("table", ["households", "persons", "insured_periods"])
def test_a_page_that_cannot_be_decoded_is_one_error_and_nothing_is_written(city, tmp_path,
                                                                          capsys, table):
    """A Parquet file corrupt in its last row group (a truncated copy, a disk error) read
    fine up to there, then pyarrow's OSError ended the run as an internal error (exit 70).
    Now one error names the file; no result, rejects or sidecar is left."""
    folder = _regrouped(city, tmp_path)
    _corrupt(folder, table)
    code, out, result = batch(folder, tmp_path, capsys)
    assert code == cli.EXIT_BAD_INPUT, out.err
    assert f"{table}: {table}.parquet: a page cannot be read" in out.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rg"]


@pytest.mark.slow
def test_a_page_that_cannot_be_decoded_in_a_worker_is_the_same_error(city, tmp_path, capsys):
    folder = _regrouped(city, tmp_path)
    _corrupt(folder, "persons")
    code, out, result = batch(folder, tmp_path, capsys, "--workers", "2", "--chunk-size", "8")
    assert code == cli.EXIT_BAD_INPUT, out.err
    assert "persons.parquet: a page cannot be read" in out.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rg"]


def test_the_dask_partitions_of_unreadable_tables_are_one_error(city, tmp_path):
    """levyrules.dask planned its partitions with pq.ParquetFile before any check: a child
    table that is not Parquet was ArrowInvalid, a corrupt households page OSError."""
    pytest.importorskip("dask")
    from levyrules.dask.tables import tables_parts
    folder = _regrouped(city, tmp_path)
    (folder / "insured_periods.parquet").write_bytes(b"PAR1 not Parquet")
    with pytest.raises(InputError) as e:
        tables_parts(folder)
    assert e.value.field == "insured_periods"
    folder = _regrouped(city, tmp_path / "b")
    _corrupt(folder, "households")
    with pytest.raises(InputError) as e:
        tables_parts(folder)
    assert "households.parquet: a page cannot be read" in e.value.message


# ---------------------------------------------------------------- encodings

@pytest.mark.parametrize("name", ["rot13", "no-such-encoding", "utf-16"])
def test_an_encoding_python_does_not_read_text_with_is_one_error(city, tmp_path, capsys,
                                                                 name):
    """--encoding rot13 or a misspelt name was LookupError, utf-16 (a file without its BOM)
    UnicodeError: internal errors (exit 70)."""
    code, out, result = batch(city / "csv", tmp_path, capsys, "--encoding", name)
    assert code == cli.EXIT_BAD_INPUT
    assert ("--encoding: is not a text encoding" in out.err if name != "utf-16"
            else "households.csv: not valid utf-16" in out.err)
    assert not result.exists()


def test_an_output_encoding_that_cannot_write_a_cell_is_one_error(tmp_path, capsys):
    """--out-encoding rot13 was LookupError; ascii for a 減免 grade 全壊 UnicodeEncodeError.
    Now one error names the option or the table (never the text) and no table is left."""
    import json
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({
        "id": "H-1", "fiscal_year": 2025, "head": "p1",
        "persons": [{"id": "p1", "birth_date": "1980-01-01", "insured": [{"from": "2025-04-01"}]}],
        "relief": {"disaster": {"grade": "全壊"}}}, ensure_ascii=False) + "\n", encoding="utf-8")
    for enc, says in (("rot13", "--out-encoding: is not a text encoding"),
                      ("ascii", "relief: relief.csv: a cell has a character ascii cannot write")):
        out = tmp_path / f"t-{enc}"
        code = cli.main(["convert", str(path), "--out", str(out), "--format", "csv",
                         "--out-encoding", enc])
        err = capsys.readouterr().err
        assert code == cli.EXIT_BAD_INPUT and says in err and "全壊" not in err
        assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("sidecar,says", [("{bad", "meta: is not valid JSON"),
                                          ('{"tariff": [1], "counts": {}}', "not the sidecar")])
def test_stats_beside_a_broken_sidecar_is_one_error_and_writes_nothing(result, tmp_path,
                                                                     capsys, sidecar, says):
    """A meta.json that is not JSON was a JSONDecodeError (exit 70), one of another shape
    an AttributeError in the summary; and the statistics folder was made before the file
    was read, so an error left it empty."""
    path = tmp_path / "r.parquet"
    pq.write_table(result, path)
    (tmp_path / "r.meta.json").write_text(sidecar, encoding="utf-8")
    assert cli.main(["stats", str(path)]) == cli.EXIT_BAD_INPUT
    assert says in capsys.readouterr().err
    assert not (tmp_path / "r.stats").exists()


@pytest.mark.parametrize("argv,says", [
    (["--fiscal-year", "1"], "--fiscal-year: must be a year such as 2025 (2000–2100)"),
    (["--fiscal-year", "99999"], "--fiscal-year: must be a year such as 2025"),
    (["--fiscal-year", "1849"], "--fiscal-year: must be a year such as 2025"),
])
def test_synth_of_a_year_the_reader_refuses_is_one_error(tmp_path, capsys, argv, says):
    """synth --fiscal-year 1 or 99999 was ValueError (exit 70); 1849 wrote a city whose
    every household the reader refuses."""
    code = cli.main(["synth", "--households", "3", "--out", str(tmp_path / "c"), *argv])
    assert code == cli.EXIT_BAD_INPUT and says in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_synth_into_a_file_is_one_error(tmp_path, capsys):
    """synth --out FILE was FileExistsError (exit 70)."""
    (tmp_path / "f").write_text("x", encoding="utf-8")
    code = cli.main(["synth", "--households", "3", "--fiscal-year", "2025",
                     "--out", str(tmp_path / "f")])
    assert code == cli.EXIT_BAD_INPUT and "--out: f is a file" in capsys.readouterr().err


def test_an_output_that_is_a_pipe_or_device_is_refused(tmp_path, capsys):
    """`batch … --out /dev/null` (to try a run) renamed the result over /dev/null when run
    as root; the rejects and sidecar went into /dev. A pipe stands in for the device."""
    import os
    path = _jsonl(tmp_path, ["H-1"])
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for argv in (["batch", str(path), "--tariff", "iwaki/2025", "--out", str(fifo)],
                 ["convert", str(path), "--format", "jsonl", "--out", str(fifo)]):
        assert cli.main(argv) == cli.EXIT_BAD_INPUT
        assert "pipe is a device or a pipe" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "pipe"]


def test_a_file_the_system_refuses_is_one_line_naming_it(tmp_path, capsys):
    """A file name of 300 characters (OSError: File name too long) as --out, as the input
    or to stats, and convert into an existing file taken as a folder (FileExistsError),
    were internal errors (exit 70)."""
    path = _jsonl(tmp_path, ["H-1"])
    long = str(tmp_path / ("a" * 300))
    for argv in (["batch", str(path), "--tariff", "iwaki/2025", "--out", long + ".parquet"],
                 ["batch", long, "--tariff", "iwaki/2025", "--out", str(tmp_path / "r.csv")],
                 ["stats", long + ".parquet"],
                 ["convert", str(path), "--format", "csv", "--out", str(path.with_name("x"))]):
        if argv[0] == "convert":
            path.with_name("x").write_text("", encoding="utf-8")
        assert cli.main(argv) == cli.EXIT_BAD_INPUT, argv
        err = capsys.readouterr().err
        assert err.startswith("levyrules: error: ") and err.count("\n") == 1
        assert ("File name too long" in err and "a" * 101 not in err) or "File exists" in err


# ---------------------------------------------------------------- simulate's population

@pytest.mark.parametrize("line,field,says", [
    ('{"id": "H-1", "fiscal_year": 2025, "head": "p1", "persons": [{"id": "p1", "birth_date": '
     '"1980-01-01", "insured": [{"from": "2025-04-01"}], "income": {"salary_revenue": '
     '3000000, "salary_revenue": 0}}]}', "line 1: persons[0].income", "same key twice"),
    ('{"id": "H-1", "fiscal_year": ' + "9" * 5000 + "}", "line 1: fiscal_year",
     "more than 18 digits"),
    ("[" * 100_000, "line 1", "nested more than 32 deep"),
])
def test_simulate_reads_its_population_with_the_one_json_reader(tmp_path, line, field, says):
    """simulate's population reader used json.loads: a key twice was taken silently (the
    last one: a salary of 0 instead of 3,000,000 in every base of the plan, finding 15 of
    the first attack, back here), 5,000 digits were ValueError, deep nesting RecursionError
    (exit 70)."""
    from levyrules.simulate.recheck import read_population
    path = tmp_path / "pop.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_population(path)
    assert e.value.field == field and says in e.value.message


def test_simulate_refuses_a_household_id_twice(tmp_path):
    """The same household twice weighed twice in every base the plan's rates divide."""
    from levyrules.simulate.recheck import read_population
    path = _jsonl(tmp_path, ["H-1", "H-2", "H-1"])
    with pytest.raises(InputError) as e:
        read_population(path)
    assert e.value.field == "line 3: id" and "line 1" in e.value.message
    assert "H-1" not in str(e.value)
