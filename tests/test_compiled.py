"""The plans compiled from the steps' household forms (steps/compiled.py) give the same
results as the steps run one by one over a Row per person in a Ledger: the sums of a
household's members are enough for those steps (地方税法703条の4・703条の5: 所得割,
資産割, 均等割, 平等割, 7割・5割・2割軽減, 未就学児, 子ども分 18歳未満, 特定世帯, the cap
and the 100円 cut)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

import levyrules
from levyrules import steps as S
from levyrules.engine import assess as assess_module
from levyrules.steps import compiled, pipeline
from conftest import household, person
from strategies import TARIFF_IDS, households

_TARIFFS = {tid: levyrules.load_tariff(tid) for tid in TARIFF_IDS}


def _both(h, t):
    """(assess with the compiled plans, assess with every plan over the ledger), as JSON."""
    def one():
        try:
            return levyrules.assess(h, t, trace=True).to_json()
        except levyrules.LevyError as e:
            return repr(e)
    fast = one()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(pipeline, "compiled_run", lambda c, f: None)
        m.setattr(pipeline, "_COMPILED", {})
        m.setattr(assess_module, "_COMPONENTS", {})     # its runners by household facts
        slow = one()
    return fast, slow


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households(statuses=True))
def test_a_compiled_plan_equals_its_steps_over_the_ledger(case):
    tid, data = case
    h = levyrules.Household.from_json(data)
    fast, slow = _both(h, _TARIFFS[tid])
    assert fast == slow


def test_the_compiled_plans_are_the_ones_the_households_use():
    """The plain households of a tariff run compiled: 7割軽減 with a 未就学児, a 資産割."""
    t = levyrules.load_tariff("kuzumaki/2025")
    p = person("p1", "1985-05-05", income={"salary_revenue": 900_000})
    p["fixed_asset_tax"] = 40_000
    h = levyrules.Household.from_json(household(2025, [p, person("p2", "2022-06-01")]))
    calls = []
    real = pipeline.run_ledger
    with pytest.MonkeyPatch.context() as m:
        m.setattr(pipeline, "run_ledger", lambda *a: calls.append(a) or real(*a))
        a = levyrules.assess(h, t)
    assert not calls
    fast, slow = _both(h, t)
    assert fast == slow
    med = a.components["medical"]
    assert med.asset_levy > 0 and med.reductions["statutory"] > 0
    assert med.reductions["preschool"] > 0


def test_a_plan_with_a_step_without_household_form_is_not_compiled():
    """A special status month (the 月割 split by run of months), a 条例減免, the
    persons' monthly nets (課税限度額 方式B, 100円 per person): the ledger, not sums."""
    for f in (S.STATUS, S.CHILD_RELIEF, S.DETENTION, S.HOUSEHOLD_RELIEF | S.HOUSEHOLD, S.NETS):
        assert compiled.compile_plan(pipeline.steps(f), f) is None
    assert compiled.compile_plan(pipeline.steps(S.HOUSEHOLD), S.HOUSEHOLD) is not None


def test_the_source_of_a_plan_keeps_the_order_of_the_pipeline():
    f = S.HOUSEHOLD | S.REDUCED | S.SPECIFIED | S.PRESCHOOL | S.PRESCHOOL_MEMBER
    text = compiled.source(pipeline.steps(f))
    run = text.index("def run")
    order = [text.index(s, run) for s in ("income +=", "per_capita +=", "statutory += (cut_y",
                                          "preschool +=", "per_household = hh",
                                          "specified_household +=", "statutory += stat_cut",
                                          "computed =", "capped =", "amount =")]
    assert order == sorted(order)
    consts = [text.index(s) for s in ("pay_y, pay_a = pc", "pay_y = reduced", "pre_cut =",
                                      "spec_cut =", "stat_cut =")]
    assert consts == sorted(consts) and consts[-1] < run
