"""子ども・子育て支援納付金課税額の均等割額の10割軽減: an insured person under 18 (18歳に
達する日以後の最初の3月31日まで) pays no 子ども分 均等割 (地方税法703条の5第3項, 令和8年度以降)."""

from __future__ import annotations

from ..rules.child_support import UNDER18
from . import CHILD, UNDER18_MEMBER, Form, Step
from .ledger import Component, Ledger


def reduce(c: Component, ledger: Ledger) -> None:
    D = c.rates.denominator
    total = 0
    for r in ledger.rows:
        if r.member.under18:
            total += r.parts[0] * D * r.n
            r.parts = (0, 0)
            r.pc_net = 0
    ledger.child_under18 += total


def reduce_columns(c: Component, L) -> None:
    u = L.is_under18
    L.child_under18 += L.sum(L.pc_a * L.n * u) * c.rates.denominator
    L.pc_a = L.pc_a * ~u
    L.pc_b = L.pc_b * ~u
    L.pc_net = L.pc_net * ~u
    L.pc_household = None


# the household form (steps/compiled.py): the 均等割 of the months of those under 18
HOUSEHOLD = Form(consts="""
u18_cut = parts_y[0] * D
parts_y, pay_y = (0, 0), 0""", household="child_under18 += u18_cut * N18", sums=("N18",))

STEP = Step(UNDER18, reduce, needs=CHILD, columns=reduce_columns, only=UNDER18_MEMBER,
            household=HOUSEHOLD)
