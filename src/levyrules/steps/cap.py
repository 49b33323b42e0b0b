"""課税限度額: the component's levy is cut to its cap, prorated by the months anyone is
levied in it (`options.cap_policy: A`), or each month's annual-equivalent amount capped
(`B`) (地方税法703条の4第10項, 施行令56条の88の2)."""

from __future__ import annotations

from ..engine.calendar import MONTH_COUNT
from ..rules import CAP
from . import NETS, Form, Step
from .ledger import Component, Ledger
from .levy import INSIDE, before_cap


def cap(c: Component, ledger: Ledger) -> None:
    U = ledger.unit
    yearly = c.yearly_cap
    ledger.cap = limit = yearly * MONTH_COUNT[ledger.months] // U
    if not c.cap_b:
        levy = ledger.levy
        ledger.capped = ledger.net = levy if levy < limit else limit
        return
    capped_u = 0
    for i in range(12):
        bit = 1 << i
        a = sum(net for net, months in ledger.person_net if months & bit)
        a += sum(net for net, months in ledger.household_net if months & bit)
        capped_u += a if a < yearly else yearly
    capped_u = max(0, capped_u - ledger.outside)
    gross = ledger.income + ledger.asset + ledger.per_capita + ledger.per_household
    exact_u = gross - sum(getattr(ledger, k) for k in INSIDE)
    no_cut = capped_u >= exact_u - sum(before_cap(c, ledger).values())
    ledger.capped = ledger.net = ledger.levy if no_cut else min(ledger.levy, capped_u // U)


def cap_columns(c: Component, L) -> None:
    """The column form (方式 A only: 方式 B households are not in columns)."""
    L.cap = c.rates.cap * c.rates.denominator * L.n_months // L.unit
    L.capped = L.net = L.np.minimum(L.levy, L.cap)


# the household form (steps/compiled.py): 方式 A (方式 B works on the persons' nets)
HOUSEHOLD = Form(consts="yearly = c.yearly_cap", household="""
cap = yearly * M // U
capped = levy if levy < cap else cap""", unless=NETS)

STEP = Step(CAP, cap, ("options.cap_policy",), columns=cap_columns, household=HOUSEHOLD)
