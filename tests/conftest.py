"""Shared builders for synthetic test households (no personal data)."""

from __future__ import annotations

import textwrap

import pytest

import levyrules


def person(pid: str, birth: str, *, insured=("FY", None), income=None, **extra) -> dict:
    """A person dict per the contract. insured=("FY", None) means the whole fiscal year;
    a list of (from, until) pairs is taken as given; [] = not insured."""
    p = {"id": pid, "birth_date": birth, "income": income or {}}
    p["insured"] = insured if isinstance(insured, list) else "FY"
    p.update(extra)
    return p


def household(fy: int, persons: list[dict], head: str = "p1", hid: str = "T-0001") -> dict:
    out = []
    for p in persons:
        p = dict(p)
        if p["insured"] == "FY":
            p["insured"] = [{"from": f"{fy}-04-01", "until": None}]
        else:
            p["insured"] = [{"from": a, "until": b} for a, b in p["insured"]]
        out.append(p)
    return {"id": hid, "fiscal_year": fy, "head": head, "persons": out}


def assess_json(data: dict, tariff: str, **kw):
    return levyrules.assess(levyrules.Household.from_json(data), levyrules.load_tariff(tariff), **kw)


@pytest.fixture
def run():
    return assess_json


@pytest.fixture(scope="session")
def relief_tariff(tmp_path_factory):
    """koriyama/2025 with one 条例減免 rule of each kind that takes facts (test figures)."""
    p = tmp_path_factory.mktemp("relief") / "t.yaml"
    p.write_text("extends: koriyama/2025\nrelief:\n" + textwrap.indent(textwrap.dedent("""\
        - id: disaster
          title: 災害（テスト）
          kind: grade
          grades: {全壊: "100%", 半壊: "50%"}
        - id: drop
          title: 所得減少（テスト）
          kind: income_drop
          table: [{drop_at_least: "30%", rate: "50%"}]
        - id: detention
          title: 拘禁（テスト）
          kind: detention
        """), "  "), encoding="utf-8")
    return levyrules.load_tariff(p)
