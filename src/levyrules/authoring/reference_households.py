"""Reference households (参考世帯) of `levyrules diff`: a few synthetic households, dated
to a tariff's fiscal year and assessed under it, so that a change of tariff shows what it
does to typical households. Synthetic data only: no real person."""

from __future__ import annotations

from typing import Callable

from ..errors import LevyError
from ..render.labels import COMPONENT_SHORT as COMPONENT_LABELS
from ..rules.reductions import tier_label
from ..tariff.model import Tariff


def _person(pid: str, fy: int, age: int, income: dict, **extra) -> dict:
    """A person aged `age` on 1 April of `fy`, insured all year (birthday in October)."""
    return {"id": pid, "birth_date": f"{fy - age - 1}-10-01",
            "insured": [{"from": f"{fy}-04-01", "until": None}], "income": income, **extra}


def _household(hid: str, fy: int, persons: list[dict]) -> dict:
    return {"id": hid, "fiscal_year": fy, "head": "p1", "persons": persons}


# (id, description, builder for a fiscal year): synthetic, no personal data. Ages avoid
# 40, 65 and 75 within the year, so every household is the same in any year.
REFERENCE_HOUSEHOLDS: tuple[tuple[str, str, Callable[[int], dict]], ...] = (
    ("REF-single-pensioner", "単身 70歳 年金収入180万円",
     lambda fy: _household("REF-single-pensioner", fy, [
         _person("p1", fy, 70, {"pension_revenue": 1_800_000})])),
    ("REF-pensioner-couple", "夫婦 72歳 年金収入250万円・68歳 年金収入80万円",
     lambda fy: _household("REF-pensioner-couple", fy, [
         _person("p1", fy, 72, {"pension_revenue": 2_500_000}),
         _person("p2", fy, 68, {"pension_revenue": 800_000})])),
    ("REF-salary-family", "42歳 給与収入450万円・40歳 給与収入100万円・子10歳",
     lambda fy: _household("REF-salary-family", fy, [
         _person("p1", fy, 42, {"salary_revenue": 4_500_000}),
         _person("p2", fy, 40, {"salary_revenue": 1_000_000}),
         _person("p3", fy, 10, {})])),
    ("REF-self-employed-40s", "単身 45歳 営業所得350万円・固定資産税額5万円",
     lambda fy: _household("REF-self-employed-40s", fy, [
         _person("p1", fy, 45, {"business_income": 3_500_000}, fixed_asset_tax=50_000)])),
)


def reference_totals(t: Tariff) -> list[tuple[str, str, int | None, str]]:
    """(id, description, total or None, note) of each reference household under `t`,
    dated to the tariff's fiscal year."""
    from ..engine.assess import assess
    from ..engine.household import Household
    out = []
    for hid, desc, build in REFERENCE_HOUSEHOLDS:
        try:
            r = assess(Household.from_json(build(t.fiscal_year)), t, partial=True)
        except LevyError as e:      # e.g. a rule this engine version refuses
            out.append((hid, desc, None, str(e)))
            continue
        if r.total is None:
            known = "; ".join(f"{COMPONENT_LABELS[k]} {c.amount:,}"
                              for k, c in r.components.items() if not c.missing)
            unknown = ", ".join(COMPONENT_LABELS[k] for k, c in r.components.items() if c.missing)
            note = (f"{known}; " if known else "") + f"不明: {unknown}"
        else:
            note = tier_label(r.reduction.tier) if r.reduction.tier else ""
        out.append((hid, desc, r.total, note))
    return out
