"""条例減免 as a share of the household's levies (`kind: grade`, 災害 by damage grade;
`kind: income_drop`, 所得減少): the rate × the net amount of the named levies in the
rule's months, before or after the cap (地方税法717条・the tariff's 条例 article; the
claims: rules/relief.py)."""

from __future__ import annotations

from ..engine.calendar import MONTH_COUNT
from ..rules import rule
from . import HOUSEHOLD_RELIEF, Step
from .ledger import Component, Ledger, stage_of

RELIEF = rule("relief", "条例減免", "地方税法717条・各市町村国民健康保険税条例（減免）")
KIND = 2
HOUSEHOLD = 1 << 30       # key order: after every person's 減免


def selected(rule, inc_net: int, ast_net: int, pc_net: int) -> int:
    """The part of a person-month's net amount (1/D yen) a relief rule applies to."""
    lv = rule.levies
    return ((inc_net if "income" in lv else 0) + (ast_net if "asset" in lv else 0)
            + (pc_net if "per_capita" in lv else 0))


def person_base(c: Component, ledger: Ledger) -> None:
    """The persons' net levies in each rule's months."""
    D = c.rates.denominator
    base = ledger.relief_base = {}
    for r in ledger.rows:
        for claim in c.household_claims:
            k = MONTH_COUNT[r.months & claim.rule.window(c.fiscal_year)]
            if k:
                rid = claim.rule.id
                base[rid] = base.get(rid, 0) + \
                    selected(claim.rule, r.inc_net, r.ast_net, r.pc_net * D) * k


def household_base(c: Component, ledger: Ledger) -> None:
    """The household's net 平等割 in each rule's months, when the rule names it."""
    base = ledger.relief_base
    for net, months in ledger.household_net:
        for claim in c.household_claims:
            if "per_household" in claim.rule.levies:
                k = MONTH_COUNT[months & claim.rule.window(c.fiscal_year)]
                rid = claim.rule.id
                base[rid] = base.get(rid, 0) + net * k


def share(c: Component, ledger: Ledger) -> None:
    if ledger.relief is None:
        ledger.relief = {}
    for i, claim in enumerate(c.household_claims):
        rid = claim.rule.id
        cut = ledger.relief_base.get(rid, 0) * claim.rate.numerator // claim.rate.denominator
        ledger.relief[rid] = [cut, stage_of(claim.rule), (HOUSEHOLD, 0, KIND, i)]
        if not claim.rule.after_cap:
            ledger.outside += cut


PERSON_BASE = Step(RELIEF, person_base, ("relief[].levies", "relief[].from_month"),
                   HOUSEHOLD_RELIEF)
HOUSEHOLD_BASE = Step(RELIEF, household_base, ("relief[].levies",), HOUSEHOLD_RELIEF)
SHARE = Step(RELIEF, share, ("relief[].timing",), HOUSEHOLD_RELIEF)
