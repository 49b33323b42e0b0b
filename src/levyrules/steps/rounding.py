"""端数処理: the component's tax cut to 100円 (地方税法20条の4の2第3項: 100円未満切捨て),
per component by default, per person first by `rounding.hundred: per_person` (西東京市
保険料 style), not at all by `none`, or on the year's total by `total` (then the cut is
made once on the sum, in the engine)."""

from __future__ import annotations

from ..engine.calendar import MONTH_COUNT
from ..engine.money import floor_unit
from ..rules import ROUNDING
from . import NETS, Form, Step
from .ledger import Component, Ledger


def hundred(c: Component, ledger: Ledger) -> None:
    mode = c.rounding.hundred
    net = ledger.net
    if mode == "per_component":
        ledger.amount = net - net % 100       # floor_unit(net, 100), the common case
        return
    if mode == "per_person":
        U = ledger.unit
        pp = sum(floor_unit(n * MONTH_COUNT[m] // U, 100) for n, m in ledger.person_net)
        pp += sum(floor_unit(n * MONTH_COUNT[m] // U, 100) for n, m in ledger.household_net)
        pp = max(0, pp - ledger.outside // U)
        after = sum(ledger.shown[k] for k in ledger.after_cap)
        net = min(net, max(0, min(pp, ledger.capped) - after))
    ledger.amount = floor_unit(net, 100) if mode in ("per_component", "per_person") else net


def hundred_columns(c: Component, L) -> None:
    """The column form (not `per_person`: those households are not in columns)."""
    L.amount = L.net // 100 * 100 if c.rounding.hundred == "per_component" else L.net


# the household form (steps/compiled.py): not `per_person` (that works on the nets)
HOUSEHOLD = Form(consts="per_component = c.rounding.hundred == 'per_component'",
                 household="amount = capped - capped % 100 if per_component else capped",
                 unless=NETS)

STEP = Step(ROUNDING, hundred, ("rounding.hundred",), columns=hundred_columns,
            household=HOUSEHOLD)
