"""The law as steps (src/levyrules/steps/): the pipeline names every step module once,
each step cites its rule, and single steps compute what their article says on the
ledger's integers."""

from __future__ import annotations

import pkgutil
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings

import levyrules
import levyrules.steps as steps_pkg
from levyrules.rules import REGISTRY
from levyrules.rules import preschool as preschool_rule
from levyrules.steps import (MEMBER_FLAGS, PRESCHOOL, PRESCHOOL_MEMBER, REDUCED, STATUS, pipeline,
                             preschool, statutory)
from levyrules.steps.ledger import Component, Ledger, ReductionKey, Row
from levyrules.steps.levy import take
from levyrules.tariff.model import ComponentRates, Options, Rounding
from conftest import household, person
from strategies import TARIFF_IDS, households

ENGINE = {"ledger", "pipeline", "compiled"}


def test_every_step_module_is_in_the_pipeline_and_every_step_cites_its_rule():
    modules = {m.name for m in pkgutil.iter_modules(steps_pkg.__path__)} - ENGINE
    used = {s.run.__module__.rsplit(".", 1)[1] for s in pipeline.PIPELINE}
    assert used == modules
    assert len({(s.run.__module__, s.run.__name__) for s in pipeline.PIPELINE}) == \
        len(pipeline.PIPELINE)                      # the order of the law is written once
    for s in pipeline.PIPELINE:
        assert REGISTRY[s.rule.id] is s.rule and s.rule.article and s.rule.title


def test_a_plan_keeps_the_order_of_the_pipeline():
    full = pipeline.plan(-1)
    assert full == tuple(s.run for s in pipeline.PIPELINE)
    plain = pipeline.plan(0)
    assert list(plain) == [f for f in full if f in plain]
    assert all(s.run not in plain for s in pipeline.PIPELINE if s.needs & STATUS)


def _component(per_capita: int, per_household: int, tier: int) -> Component:
    rates = ComponentRates.make("medical", income_rate=Fraction(73, 1000),
                                per_capita=per_capita, per_household=per_household,
                                cap=1_000_000)
    return Component("medical", rates, tier, True, None, Options(), Rounding(), 2025,
                     Fraction(1, 2), True, 0)


class _Member:
    under18 = preschool = False


def test_statutory_reduction_floors_each_payable_amount():
    """地方税法703条の5, 施行令56条の89; rulebook §3.6: payable = floor(amount × (1 − r)),
    per person and per household (瀬戸内市: 26,663 × 0.3 → 7,998)."""
    c = _component(26_663, 26_663, 70)
    D = c.rates.denominator
    row = Row(_Member(), 0, 0b111111111111, 12)
    row.parts = (26_663, 0)
    ledger = Ledger(12 * D, [row], 0b111111111111, household_pay=26_663)
    statutory.per_capita(c, ledger)
    assert row.pc_net == 7_998
    statutory.per_household(c, ledger)
    assert ledger.household_pay == 7_998
    assert ledger.statutory == 2 * (26_663 - 7_998) * D * 12
    assert getattr(ledger, ReductionKey.STATUTORY.value) == ledger.statutory


def test_take_floors_each_reduction_and_never_takes_more_than_is_left():
    """Rulebook defaults §5: levy = floor(computed) − Σ floor(reduction), never below 0."""
    assert take({"a": 25_049 * 12 + 8, "b": 7 * 12}, 93_549, 12) == \
        ({"a": 25_049, "b": 7}, 93_549 - 25_049 - 7)
    assert take({"a": 60 * 12, "b": 60 * 12}, 100, 12) == ({"a": 60, "b": 40}, 0)


# ---- the per-household plan: a step left out for want of its `only` facts did nothing

_TARIFFS = {tid: levyrules.load_tariff(tid) for tid in TARIFF_IDS}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households(statuses=True))
def test_steps_left_out_by_the_household_facts_would_have_changed_nothing(case):
    """Every step runs when the plan is told each household fact (a tier, a 未就学児, a
    member under 18, a 固定資産税額): the result is the same, field by field."""
    tid, data = case
    h, t = levyrules.Household.from_json(data), _TARIFFS[tid]
    try:
        planned = levyrules.assess(h, t, trace=True).to_json()
    except levyrules.LevyError as e:
        planned = repr(e)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(pipeline, "member_facts", lambda members: MEMBER_FLAGS | STATUS)
        try:
            everything = levyrules.assess(h, t, trace=True).to_json()
        except levyrules.LevyError as e:
            everything = repr(e)
    assert planned == everything


def test_a_plan_without_a_household_fact_leaves_out_the_steps_that_need_it():
    plain = pipeline.plan(pipeline.HOUSEHOLD)
    assert statutory.per_capita not in plain and statutory.per_household not in plain
    reduced = pipeline.plan(pipeline.HOUSEHOLD | REDUCED)
    assert statutory.per_capita in reduced and statutory.per_household in reduced
    assert preschool.reduce not in pipeline.plan(PRESCHOOL)
    assert preschool.reduce in pipeline.plan(PRESCHOOL | PRESCHOOL_MEMBER)


def test_preschool_payable_is_the_floor_of_what_the_share_leaves():
    """地方税法703条の5第2項: the child pays floor(amount × (1 − share)); ½ by law."""
    assert preschool_rule.payable(101, Fraction(1, 2)) == 50
    assert preschool_rule.payable(101, Fraction(1, 3)) == 67     # floor(101 × 2/3)
    assert preschool_rule.payable(101, Fraction(1, 2)) == 50     # the share's cache


def test_a_component_nobody_is_levied_in_is_a_value_of_each_result():
    """Results are not frozen (for speed): a 0 component must not be shared between them."""
    t = _TARIFFS["koriyama/2025"]
    h = levyrules.Household.from_json(household(2025, [person("p1", "1990-05-05")]))
    first, second = levyrules.assess(h, t), levyrules.assess(h, t)
    assert first.components["care"].amount == 0 and first.components["care"].reductions == {}
    first.components["care"].reductions["statutory"] = 1
    assert second.components["care"].reductions == {}
    assert first.components["care"] is not second.components["care"]
