"""未就学児の均等割額の5割軽減: for an insured child before 小学校就学, half of the 均等割
that remains after the 7割・5割・2割軽減, floored (医療分・支援分; 地方税法703条の5第2項,
施行令56条の89の2). Not with an undeclared income in the household (no 軽減 at all)."""

from __future__ import annotations

from ..rules import preschool
from . import PRESCHOOL, PRESCHOOL_MEMBER, Form, Step
from .ledger import Component, Ledger


def reduce(c: Component, ledger: Ledger) -> None:
    share = c.preschool_share
    total = 0
    for r in ledger.rows:
        if r.member.preschool:
            after = preschool.payable(r.pc_net, share)
            r.red_pre = red = r.pc_net - after
            r.pc_net = after
            total += red * r.n
    ledger.preschool += total * c.D


def reduce_columns(c: Component, L) -> None:
    """Only for households whose incomes are all declared (`L.declared`)."""
    keep = 1 - c.preschool_share
    pc = L.pc_household
    L.pc_household = None
    if pc is not None and hasattr(pc, "take"):  # the same 均等割 on every row of a household
        red = pc - pc * keep.numerator // keep.denominator
        rows, months = _rows(L)         # the rows of the 未就学児 alone (few)
        if L.rows_later:
            hh = L.hh.take(rows)
            L.with_rows("pc_net", rows, L.pc_net.take(rows) - red.take(hh) * L.declared.take(hh))
        L.preschool += red * L.declared * months * c.rates.denominator
        return
    on = L.is_preschool & L.of_household(L.declared)
    after = L.pc_net * keep.numerator // keep.denominator
    red = (L.pc_net - after) * on
    L.pc_net = L.pc_net - red
    L.preschool += L.sum(red * L.n) * c.rates.denominator


def _rows(L) -> tuple:
    """The rows of the 未就学児 and each household's Σ of their months (worked out once
    for the components over the same rows, before the rows split by status)."""
    got = L.shared.get("preschool")
    if got is None:
        rows = L.np.flatnonzero(L.is_preschool)
        got = L.shared["preschool"] = (rows, L.sum_rows(rows, L.n.take(rows)))
    return got


# the household form (steps/compiled.py): a 未就学児 is under 18 (engine/calendar.py:
# born on or after (N−6)-04-02, so after (N−18)-04-02) and pays pay_y before the half
HOUSEHOLD = Form(consts="pre_cut = (pay_y - payable(pay_y, c.preschool_share)) * D",
                 household="preschool += pre_cut * NPRE", sums=("NPRE",),
                 names=(("payable", preschool.payable),))

STEP = Step(preschool.PRESCHOOL, reduce, needs=PRESCHOOL, columns=reduce_columns,
            only=PRESCHOOL_MEMBER, household=HOUSEHOLD)
