"""世帯別平等割額: one per household for the months anyone is levied in the component
(地方税法703条の4第4項; 条例の月割)."""

from __future__ import annotations

from ..engine.calendar import MONTH_COUNT
from ..rules import PER_HOUSEHOLD
from . import HOUSEHOLD, HOUSEHOLD_RELIEF, NETS, Form, Step
from .ledger import Component, Ledger


def levy(c: Component, ledger: Ledger) -> None:
    hh = c.rates.per_household
    n_h = MONTH_COUNT[ledger.months]
    if hh is None or not n_h:
        return
    ledger.per_household = hh * c.D * n_h
    ledger.household_pay = hh


def net(c: Component, ledger: Ledger) -> None:
    """The household's net 平等割 by run of months (one run unless a 減免 split it)."""
    if ledger.household_pay is not None and not ledger.household_net:
        ledger.household_net += ((ledger.household_pay * c.rates.denominator,
                                  ledger.months),)


def levy_columns(c: Component, L) -> None:
    hh = c.rates.per_household
    L.per_household += hh * c.rates.denominator * L.n_months
    L.household_pay = L.np.full(len(L.tier), hh, L.np.int64)



# the household form (steps/compiled.py): as `levy`; hh_pay: the 平等割 payable per year
# after the steps so far (household_pay of a household with months in the component)
LEVY_HOUSEHOLD = Form(consts="hh_pay = hh = c.rates.per_household", household="""
if hh is not None and M:
    per_household = hh * D * M
    household_pay = hh""")

LEVY = Step(PER_HOUSEHOLD, levy, needs=HOUSEHOLD, columns=levy_columns,
            household=LEVY_HOUSEHOLD)
NET = Step(PER_HOUSEHOLD, net, needs=HOUSEHOLD, when=NETS | HOUSEHOLD_RELIEF)
