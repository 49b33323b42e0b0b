"""所得割額: the person's 基礎控除後の総所得金額等 (旧ただし書き所得) × the 所得割率, for
the months levied (地方税法703条の4第4項・第6項, 314条の2第2項; 条例の月割)."""

from __future__ import annotations

from ..engine.money import floor_unit
from ..rules import INCOME_LEVY
from . import Form, Step
from .ledger import Component, Ledger


def levy(c: Component, ledger: Ledger) -> None:
    """The base (floored to 1,000円 per person when the tariff says so), the gross
    所得割 of the months, and the person's net 所得割 per year (1/D yen)."""
    k = c.rates.k_income
    floor_base = c.floor_base
    total = 0
    for r in ledger.rows:
        m = r.member
        base_n = m.income.levy_base
        base_x = m.income_u.levy_base if m.income_u is not None else base_n
        if floor_base:
            base_n = floor_unit(base_n, 1000)
            base_x = floor_unit(base_x, 1000)
        r.base_n = base_n
        r.base_x = base_x
        r.inc_net = net = base_n * k
        total += net * r.n
    ledger.income += total


def levy_columns(c: Component, L) -> None:
    """The column form of `levy`: every row at once (base_n, base_x set by the evaluator)."""
    k = c.rates.k_income
    floor = c.rounding.income_base == "floor_1000_per_person"
    base_n, base_x = L.base_n, L.base_x
    L.income += L.sum_once(("base_n·n", floor), lambda: (
        base_n // 1000 * 1000 if floor else base_n) * L.n) * k
    if L.rows_later:                    # at the rows read after the month split alone
        def base(col, rows):
            got = col.take(rows)
            return got // 1000 * 1000 if floor else got
        L.base_n = L.derived(lambda rows: base(base_n, rows))
        L.base_x = L.derived(lambda rows: base(base_x, rows))
        L.inc_net = L.derived(lambda rows: base(base_n, rows) * k)


# the household form (steps/compiled.py): Σ base × months, times the rate
HOUSEHOLD = Form(
    consts="k_income, floor_base = c.rates.k_income, c.floor_base",
    member="""
base = m.income.levy_base
if floor_base:
    base -= base % 1000
B += base * n""",
    household="income += B * k_income",
    sums=("B",))

STEP = Step(INCOME_LEVY, levy, ("rounding.income_base",), columns=levy_columns,
            household=HOUSEHOLD)
