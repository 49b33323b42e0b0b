"""特定世帯 (平等割額の2分の1) and 特定継続世帯 (4分の3): a household of one 被保険者 and a
特定同一世帯所属者, in the 医療分・支援分 (and the 子ども分 by
`options.specified_household_child`) (地方税法703条の4第4項・条例; the status is decided
in rules/specified_household.py)."""

from __future__ import annotations

from ..engine.calendar import MONTH_COUNT
from ..rules import specified_household as spec
from . import HOUSEHOLD, SPECIFIED, Form, Step
from .ledger import Component, Ledger


def applies(c: Component) -> bool:
    """The component has a 特定世帯 reduction: 医療分・支援分, the 子ども分 by option."""
    return bool(c.specified) and (c.name in ("medical", "support") or
                                  (c.is_child and c.options.specified_household_child))


def reduce(c: Component, ledger: Ledger) -> None:
    hh = ledger.household_pay
    if hh is None or not applies(c):
        return
    rates = c.rates
    amount = spec.amount(hh, c.specified, rates.per_household_specified,
                         rates.per_household_specified_continuing)
    ledger.specified_household += (hh - amount) * rates.denominator * MONTH_COUNT[ledger.months]
    ledger.household_pay = amount


def reduce_columns(c: Component, L) -> None:
    """L.specified: 1 特定世帯, 2 特定継続世帯, 0 neither (per household)."""
    if not (c.name in ("medical", "support") or
            (c.is_child and c.options.specified_household_child)):
        return
    np, rates, hh = L.np, c.rates, L.household_pay
    if not L.specified.any():
        return
    half = spec.amount(rates.per_household, "specified", rates.per_household_specified,
                       rates.per_household_specified_continuing)
    three = spec.amount(rates.per_household, "continuing", rates.per_household_specified,
                        rates.per_household_specified_continuing)
    amount = np.where(L.specified == 1, half, np.where(L.specified == 2, three, hh))
    L.specified_household += (hh - amount) * rates.denominator * L.n_months
    L.household_pay = amount


# the household form (steps/compiled.py): as `reduce`
HOUSEHOLD_FORM = Form(
    consts="""
spec_on = hh_pay is not None and applies(c)
spec_cut = hh_pay - spec_amount(hh_pay, c.specified, c.rates.per_household_specified,
                                c.rates.per_household_specified_continuing) if spec_on else 0
if spec_on:
    hh_pay -= spec_cut""",
    household="""
if household_pay is not None and spec_on:
    specified_household += spec_cut * D * M
    household_pay -= spec_cut""", names=(("applies", applies), ("spec_amount", spec.amount)))

STEP = Step(spec.SPECIFIED, reduce, ("options.specified_household_child",), HOUSEHOLD | SPECIFIED,
            columns=reduce_columns, household=HOUSEHOLD_FORM)
