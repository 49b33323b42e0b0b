"""Population input: JSON Lines and the columnar tables (CSV, UTF-8 with or without BOM or
Shift_JIS, and Parquet), the converter between them, and the rejects of unreadable cells."""

from __future__ import annotations

import csv
import json
import textwrap

import pytest

import levyrules
from levyrules.errors import InputError
from levyrules.population import convert, layout, runner, synth

TARIFF = "iwaki/2025"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return synth.write(tmp_path_factory.mktemp("city"), 250, 2025, 5, "jsonl")


def rows_of(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_round_trip_through_every_format_gives_identical_results(city, tmp_path):
    assert convert.convert(city, tmp_path / "pq", "parquet") == (250, 0)
    assert convert.convert(tmp_path / "pq", tmp_path / "csv", "csv") == (250, 0)
    assert convert.convert(tmp_path / "csv", tmp_path / "sjis", "csv",
                           out_encoding="shift_jis") == (250, 0)
    assert convert.convert(tmp_path / "sjis", tmp_path / "back.jsonl", "jsonl",
                           encoding="shift_jis") == (250, 0)
    # every optional table the city needs was written
    assert {p.name for p in (tmp_path / "pq").iterdir()} >= {
        "households.parquet", "persons.parquet", "insured_periods.parquet",
        "statuses.parquet", "head_changes.parquet"}
    results = []
    for src, enc in ((city, None), (tmp_path / "pq", None), (tmp_path / "csv", None),
                     (tmp_path / "sjis", "shift_jis"), (tmp_path / "back.jsonl", None)):
        out = tmp_path / f"r-{src.name}.csv"
        s = runner.run(src, TARIFF, out, encoding=enc)
        assert (s.assessed, s.rejected) == (250, 0)
        results.append(out.read_bytes())
    assert all(r == results[0] for r in results)
    # JSON → tables → JSON gives the checked households back
    original = [levyrules.Household.from_json(json.loads(line))
                for line in city.read_text().splitlines()]
    back = [levyrules.Household.from_json(json.loads(line))
            for line in (tmp_path / "back.jsonl").read_text().splitlines()]
    assert back == original


def write_tables(folder, tables: dict[str, str], encoding="utf-8"):
    folder.mkdir(exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_bytes(textwrap.dedent(text).encode(encoding))


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
        H-2,p1,1975-06-06,"1,000",
        H-3,p1,1975-06-06,,1200000.0
        """,
    "insured_periods": """\
        household_id,person_id,from,until
        H-1,p1,2020-04-01,
        H-2,p1,2020-04-01,
        H-3,p1,2020-04-01,
        H-9,p1,2020-04-01,
        """,
}


def test_unreadable_cells_are_rejected_with_table_and_column(tmp_path):
    write_tables(tmp_path / "t", BASE)
    s = runner.run(tmp_path / "t", TARIFF, tmp_path / "r.csv")
    assert (s.assessed, s.rejected) == (1, 3)
    rejects = rows_of(tmp_path / "r.rejects.csv")
    assert [(r["household_id"], r["source"], r["field"]) for r in rejects] == [
        ("H-2", "persons.csv:3", "persons.business_income"),
        ("H-3", "persons.csv:4", "persons.salary_revenue"),
        ("H-9", "insured_periods.csv:5", "insured_periods.household_id")]
    assert "whole number of yen" in rejects[0]["message"]
    assert "1200000" not in (tmp_path / "r.rejects.csv").read_text()


def test_csv_with_a_byte_order_mark_is_read(tmp_path):
    tables = dict(BASE)
    tables["persons"] = "\ufeff" + textwrap.dedent(BASE["persons"]).replace('"1,000"', "1000") \
        .replace("1200000.0", "1200000")
    write_tables(tmp_path / "t", tables)
    s = runner.run(tmp_path / "t", TARIFF, tmp_path / "r.csv")
    assert (s.assessed, s.rejected) == (3, 1)


def test_shift_jis_csv_with_japanese_relief_grades(tmp_path):
    """A Shift_JIS export whose relief table names the damage grade in Japanese (半壊);
    the fixture tariff's 50% relief from September gives 54,687円 (as test_relief.py)."""
    t = tmp_path / "t.yaml"
    t.write_text(textwrap.dedent("""\
        extends: koriyama/2025
        relief:
          - id: disaster
            title: 災害による減免（テスト）
            article: テスト条例 第1条
            kind: grade
            grades: {全壊: "100%", 半壊: "50%"}
            from_month: "2025-09"
            insured_on: "2025-09-30"
        """), encoding="utf-8")
    tables = {k: v for k, v in BASE.items()}
    tables["households"] = "household_id,fiscal_year,head\nH-1,2025,p1\n"
    tables["persons"] = "household_id,person_id,birth_date,business_income\nH-1,p1,1975-06-06,2430000\n"
    tables["insured_periods"] = "household_id,person_id,from\nH-1,p1,2020-04-01\n"
    tables["relief"] = "household_id,rule,grade\nH-1,disaster,半壊\n"
    write_tables(tmp_path / "sj", tables, encoding="shift_jis")
    out = tmp_path / "r.csv"
    s = runner.run(tmp_path / "sj", str(t), out, encoding="shift_jis")
    assert (s.assessed, s.rejected) == (1, 0)
    row = rows_of(out)[0]
    assert row["medical_relief_disaster"] == "54687" and row["medical_amount"] == "132800"
    with pytest.raises(InputError, match="relief: relief.csv: not valid utf-8-sig"):
        runner.run(tmp_path / "sj", str(t), tmp_path / "r2.csv")


def test_a_float_money_column_in_parquet_is_refused(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder = tmp_path / "t"
    write_tables(folder, {k: v for k, v in BASE.items() if k != "persons"})
    pq.write_table(pa.table({"household_id": ["H-1"], "person_id": ["p1"],
                             "birth_date": ["1975-06-06"], "business_income": [2430000.0]}),
                   folder / "persons.parquet")
    with pytest.raises(InputError, match="persons.business_income: .*integer column, not double"):
        runner.run(folder, TARIFF, tmp_path / "r.parquet")
    assert not (tmp_path / "r.parquet").exists()


def test_parquet_rows_without_household_id_are_each_rejected(tmp_path):
    # the Parquet reader leaves columns empty over a whole batch out of its rows; the
    # household_id column must stay, or households without one would vanish unreported
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder = tmp_path / "t"
    write_tables(folder, {k: v for k, v in BASE.items() if k != "households"})
    pq.write_table(pa.table({"household_id": pa.array([None, None], pa.string()),
                             "fiscal_year": pa.array([None, None], pa.int64()),
                             "head": pa.array([None, None], pa.string())}),
                   folder / "households.parquet")
    s = runner.run(folder, TARIFF, tmp_path / "r.csv")
    rejects = rows_of(tmp_path / "r.rejects.csv")
    assert [(r["source"], r["field"]) for r in rejects[:2]] == [
        ("households.parquet:row 1", "households.household_id"),
        ("households.parquet:row 2", "households.household_id")]
    assert s.assessed == 0


def test_missing_table_and_column_are_named(tmp_path):
    write_tables(tmp_path / "t", {"households": BASE["households"], "persons": BASE["persons"]})
    with pytest.raises(InputError, match="insured_periods: .* has no insured_periods.parquet"):
        runner.run(tmp_path / "t", TARIFF, tmp_path / "r.csv")
    write_tables(tmp_path / "u", {**BASE, "persons": "household_id,birth_date\n"})
    with pytest.raises(InputError, match="persons.person_id: persons.csv has no column"):
        runner.run(tmp_path / "u", TARIFF, tmp_path / "r.csv")


def test_flatten_and_assemble_are_inverse_on_the_city(city):
    for line in city.read_text().splitlines()[:200]:
        h = levyrules.Household.from_json(json.loads(line))
        flat = layout.flatten(h.to_json())
        groups = {t: [("x", {k: v for k, v in r.items()}) for r in rows]
                  for t, rows in flat.items() if rows}
        assert levyrules.Household.from_json(layout.assemble(groups)) == h


def test_converter_refuses_unsorted_households_for_tables(tmp_path, city):
    lines = city.read_text().splitlines()[:3]
    src = tmp_path / "u.jsonl"
    src.write_text("\n".join([lines[1], lines[0], lines[2]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="sorted by id"):
        convert.convert(src, tmp_path / "out", "csv")
    assert not any((tmp_path / "out").glob("*.csv"))


def test_synth_is_deterministic(tmp_path):
    a = synth.write(tmp_path / "a", 120, 2025, 9, "jsonl").read_bytes()
    b = synth.write(tmp_path / "b", 120, 2025, 9, "jsonl").read_bytes()
    c = synth.write(tmp_path / "c", 120, 2025, 10, "jsonl").read_bytes()
    assert a == b and a != c


def test_relief_row_without_a_rule_is_a_reject_not_a_crash(tmp_path):
    """Reproducer (coltables report): an empty `rule` cell in the relief table raised
    KeyError; it is a reject naming relief.rule, and the other households go on."""
    tables = dict(BASE)
    tables["persons"] = textwrap.dedent(BASE["persons"]).replace('"1,000"', "1000") \
        .replace("1200000.0", "1200000")
    tables["relief"] = "household_id,rule,grade\nH-1,,半壊\n"
    write_tables(tmp_path / "t", tables)
    s = runner.run(tmp_path / "t", TARIFF, tmp_path / "r.csv")
    assert (s.assessed, s.rejected) == (2, 2)
    rejects = {r["household_id"]: r for r in rows_of(tmp_path / "r.rejects.csv")}
    assert rejects["H-1"]["field"] == "relief.rule"
    assert "半壊" not in (tmp_path / "r.rejects.csv").read_text()
