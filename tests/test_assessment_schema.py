"""The assessment JSON matches schemas/assessment.schema.json (contract §4), closed
(additionalProperties false) wherever the output is: every key the engine writes is
described there, including ComponentLevy.fraction / after_cap, Assessment.notes and
tariff.overrides, and a key the schema does not describe is refused."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

import levyrules
from conftest import household, person

ROOT = Path(__file__).parents[1]
CONTRACT = Path(__file__).parent / "contract"
SCHEMA = json.loads((ROOT / "schemas" / "assessment.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
T = "koriyama/2025"


def check(result) -> dict:
    """Validate the JSON as written to a file (json round trip), return it."""
    out = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    errors = sorted(VALIDATOR.iter_errors(out), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    for part in [out, *out.get("parts", ())]:
        for c in part["components"].values():
            if c["amount"] is not None:     # the identities the schema describes (docs/engine.md)
                before = sum(v for k, v in c["reductions"].items() if k not in c["after_cap"])
                after = sum(c["reductions"][k] for k in c["after_cap"])
                assert (c["income_levy"] + c["asset_levy"] + c["per_capita"] + c["per_household"]
                        - before + c["fraction"]) == c["levy"]
                assert c["levy"] - c["over_cap"] - after - c["rounding"] == c["amount"]
    return out


def run(data, tariff=T, **kw):
    t = tariff if isinstance(tariff, levyrules.Tariff) else levyrules.load_tariff(tariff)
    return levyrules.assess(levyrules.Household.from_json(data), t, **kw)


CASES = yaml.safe_load((CONTRACT / "expected.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
@pytest.mark.parametrize("trace", [False, True])
def test_contract_households(case, trace):
    data = json.loads((CONTRACT / case["file"]).read_text(encoding="utf-8"))
    out = check(run(data, case["tariff"], partial=True, trace=trace))
    assert ("trace" in out) == trace


def test_statuses_and_a_child_component():
    kids = [person("p1", "1975-06-06", income={"salary_revenue": 3000000},
                   statuses={"involuntary_unemployment": {"separation_date": "2025-08-20",
                                                          "reason_code": "11"},
                             "care_exempt_facility": [{"from": "2025-07-10", "until": None}]}),
            person("p2", "2021-05-05"), person("p3", "2012-05-05")]
    out = check(run(household(2025, kids), trace=True))
    assert {"preschool", "involuntary_unemployment"} <= set(out["components"]["medical"]["reductions"])
    fd = person("p1", "1955-03-01", income={"pension_revenue": 1600000},
                statuses={"former_dependent": {"since": "2025-04-01"}})
    check(run(household(2025, [fd]), trace=True))


def test_relief_after_the_cap_is_listed(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text(textwrap.dedent("""\
        extends: koriyama/2025
        relief:
          - id: disaster
            title: 災害による減免（テスト）
            kind: grade
            grades: {全壊: "100%", 半壊: "50%"}
            from_month: "2025-09"
          - id: children
            title: 子どもの均等割減免（テスト）
            kind: child_per_capita
            timing: before_cap
            child: {age_limit: 18, rates_by_order: ["100%"], with_preschool: max}
        """), encoding="utf-8")
    data = household(2025, [person("p1", "1975-06-06", income={"business_income": 2430000}),
                            person("p2", "2012-05-05")])
    data["relief"] = {"disaster": {"grade": "半壊"}}
    out = check(run(data, levyrules.load_tariff(p), trace=True))
    med = out["components"]["medical"]
    assert med["after_cap"] == ["relief.disaster"] and "relief.children" in med["reductions"]


def test_overrides_a_head_change_and_no_insured_month():
    t = levyrules.load_tariff(T, [("components.medical.per_capita", 30000)])
    out = check(run(household(2025, [person("p1", "1975-06-06")]), t))
    assert out["tariff"]["overrides"] == {"components.medical.per_capita": 30000}
    data = household(2025, [person("p1", "1975-06-06", insured=[("2025-04-01", "2025-10-01")],
                                   income={"business_income": 3000000}),
                            person("p2", "1977-06-06")])
    data["head_changes"] = [{"date": "2025-10-01", "head": "p2"}]
    assert len(check(run(data, trace=True))["parts"]) == 2
    none = check(run(household(2025, [person("p1", "1975-06-06", insured=[])]), t))
    assert none["total"] == 0 and none["notes"] and none["tariff"]["overrides"]


def test_unknown_component_under_partial():
    out = check(run(household(2025, [person("p1", "1975-06-06")]), "narita/2025", partial=True))
    assert out["total"] is None and out["complete"] is False
    assert any(c.get("missing") for c in out["components"].values())


@pytest.mark.parametrize("where", [(), ("components", "medical"), ("reduction",), ("tariff",),
                                   ("persons", 0), ("installments", 0)])
def test_the_schema_is_closed(where):
    data = json.loads((ROOT / "docs" / "examples" / "iwaki-2025-household.json").read_text(encoding="utf-8"))
    out = check(run(data, "iwaki/2025"))
    node = out
    for k in where:
        node = node[k]
    node["surprise"] = 1
    assert not VALIDATOR.is_valid(out)


def test_the_new_fields_are_described():
    comp = SCHEMA["$defs"]["component"]["properties"]
    for key in ("fraction", "after_cap"):
        assert comp[key]["description"]
    assert SCHEMA["properties"]["notes"]["description"]
    assert SCHEMA["properties"]["tariff"]["properties"]["overrides"]["description"]
