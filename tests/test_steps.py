"""The law as steps (src/levyrules/steps/): the pipeline names every step module once,
each step cites its rule, and single steps compute what their article says on the
ledger's integers."""

from __future__ import annotations

import pkgutil
from fractions import Fraction

import levyrules.steps as steps_pkg
from levyrules.rules import REGISTRY
from levyrules.steps import STATUS, pipeline, statutory
from levyrules.steps.ledger import Component, Ledger, ReductionKey, Row
from levyrules.steps.levy import take
from levyrules.tariff.model import ComponentRates, Options, Rounding

ENGINE = {"ledger", "pipeline"}


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
