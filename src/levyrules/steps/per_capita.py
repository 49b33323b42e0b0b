"""被保険者均等割額, and for the 子ども・子育て支援納付金課税額 (FY2026+) the 18歳以上
被保険者均等割額 added for each insured person 18 or over (地方税法703条の4第4項;
子ども分: 703条の4, 令和8年度以降). Per person, for the months levied."""

from __future__ import annotations

from ..rules import PER_CAPITA
from . import Form, Step
from .ledger import Component, Ledger


def levy(c: Component, ledger: Ledger) -> None:
    """The gross 均等割 and the parts each reduction works on: (均等割, 18歳以上均等割)."""
    pc, adult = c.pc, c.adult
    total = 0
    alone = (pc, 0)
    if adult:
        both = (pc, adult)
        for r in ledger.rows:
            if r.member.under18:
                r.parts = alone
                r.pc_net = pc
                total += pc * r.n
            else:
                r.parts = both
                r.pc_net = pc + adult
                total += (pc + adult) * r.n
    else:
        for r in ledger.rows:
            r.parts = alone
            r.pc_net = pc
            total += r.n
        total *= pc
    ledger.per_capita += total * c.D


def levy_columns(c: Component, L) -> None:
    """The column form: parts (pc_a, pc_b) per row, the 18歳以上 part where it applies."""
    np = L.np
    pc = c.rates.per_capita or 0
    adult = (c.rates.per_capita_adult or 0) if c.is_child else 0
    rows = (len(L.hh),)                 # a constant column: a read-only view of one value
    L.pc_a = np.broadcast_to(np.int64(pc), rows)    # (the steps make new arrays)
    if adult:
        L.pc_b = (~L.is_under18) * np.int64(adult)
        L.pc_net = L.pc_a + L.pc_b
        L.per_capita += L.sum(L.pc_net * L.n) * c.rates.denominator
        return
    L.pc_b = np.broadcast_to(np.int64(0), rows)
    L.pc_net = L.pc_a
    L.pc_household = pc                     # every row pays pc: Σ pc × n = pc × Σ n
    L.per_capita += L.sum_once("n", lambda: L.n) * (pc * c.rates.denominator)


# the household form (steps/compiled.py): the parts of a person under 18 (parts_y) and of
# one 18 or over (parts_a), what each pays so far (pay_y, pay_a), the 均等割 × months
HOUSEHOLD = Form(consts="""
pc, adult = c.pc, c.adult
parts_y, parts_a = (pc, 0), (pc, adult)
pay_y, pay_a = pc, pc + adult""", household="""
per_capita += (pc * N + adult * (N - N18)) * D""", sums=("N", "N18"))

STEP = Step(PER_CAPITA, levy, columns=levy_columns, household=HOUSEHOLD)
