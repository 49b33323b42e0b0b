"""Population pieces: the schemas match the code, rejects carry no personal values, the
chunk evaluator's interface, and the household types of the statistics."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

import levyrules
from levyrules.population import evaluate, layout, rows, synth
from levyrules.population.rejects import Reject, safe_id, scrub

ROOT = Path(__file__).resolve().parents[1]


def test_tables_schema_matches_the_layout():
    schema = json.loads((ROOT / "schemas" / "population.tables.schema.json").read_text())
    assert list(schema["$defs"]) == list(layout.TABLES)
    for table, cols in layout.TABLES.items():
        d = schema["$defs"][table]
        assert list(d["properties"]) == [c for c, _, _ in cols]
        assert d["required"] == [c for c, _, r in cols if r]
        assert d["x-table-required"] == (table in layout.REQUIRED_TABLES)


def test_result_rows_follow_the_result_schema():
    schema = json.loads((ROOT / "schemas" / "population.result.schema.json").read_text())
    tariff = levyrules.load_tariff("iwaki/2025")
    households = [("x", levyrules.Household.from_json(h)) for h in synth.generate(60, 2025, 4, city=True)]
    chunk = evaluate.evaluate(households, tariff)
    names = [n for n, _ in rows.schema(tariff)]
    assert schema["x-component-fields"] == list(rows.component_fields(
        type("T", (), {"relief": ()})()))
    for values in chunk.rows:
        jsonschema.validate(dict(zip(names, values)), schema)


def test_rejects_mask_dates_and_numbers_and_bad_ids():
    """Privacy (functions.md §8): no personal value in a reject."""
    assert scrub("1960-02-30 is not a date") == "YYYY-MM-DD is not a date"
    assert scrub("amount 1234567 too large") == "amount … too large"
    assert scrub("fiscal year 2025") == "fiscal year 2025"
    assert safe_id("123456789018") == ""           # a valid 個人番号 check digit
    assert safe_id("B-000001") == "B-000001"
    assert safe_id("has space") == ""
    r = Reject.from_error("H-1", "f:1", levyrules.InputError("persons[0].birth_date",
                                                              "2025-02-30 is not a date"))
    assert r.values() == ["H-1", "f:1", "persons[0].birth_date", "YYYY-MM-DD is not a date"]


def test_the_chunk_evaluator_keeps_order_and_rejects_what_the_engine_refuses():
    tariff = levyrules.load_tariff("iwaki/2025")
    data = synth.generate(5, 2025, 8)
    other_year = dict(data[2], fiscal_year=2024)
    items = [(f"s{i}", levyrules.Household.from_json(h))
             for i, h in enumerate(data[:2] + [other_year] + data[3:])]
    chunk = evaluate.evaluate(items, tariff)
    assert [r[0] for r in chunk.rows] == [data[i]["id"] for i in (0, 1, 3, 4)]
    assert [(r.household_id, r.source, r.field) for r in chunk.rejects] == [
        (data[2]["id"], "s2", "fiscal_year")]


def _type(persons, head="p1"):
    h = levyrules.Household.from_json({"id": "T-1", "fiscal_year": 2025, "head": head,
                                       "persons": persons})
    return rows.household_type(h, levyrules.assess(h, levyrules.load_tariff("iwaki/2025")))


def test_household_types():
    ins = [{"from": "2020-04-01"}]
    assert _type([{"id": "p1", "birth_date": "1955-06-01", "insured": ins}]) == "single_65plus"
    assert _type([{"id": "p1", "birth_date": "1985-06-01", "insured": ins}]) == "single_under65"
    assert _type([{"id": "p1", "birth_date": "1985-06-01", "insured": ins},
                  {"id": "p2", "birth_date": "2015-06-01", "insured": ins}]) == "with_children"
    assert _type([{"id": "p1", "birth_date": "1985-06-01", "insured": []},
                  {"id": "p2", "birth_date": "1955-06-01", "insured": ins}]) == "fictitious_head"
    assert _type([{"id": "p1", "birth_date": "1985-06-01", "insured": ins},
                  {"id": "p2", "birth_date": "1955-06-01", "insured": ins}]) == "adults"
