"""均等割・平等割の7割・5割・2割軽減 (法定軽減): each reduced amount is floor(amount ×
(1 − r)), per person and per household, the 子ども分's 均等割 and 18歳以上均等割 each on
its own (地方税法703条の5第1項, 施行令56条の89; the tier is judged in rules/reductions.py)."""

from __future__ import annotations

from ..engine.calendar import MONTH_COUNT
from ..rules.reductions import STATUTORY, reduced, reduced_columns
from . import HOUSEHOLD, REDUCED, Form, Step
from .ledger import Component, Ledger


def per_capita(c: Component, ledger: Ledger) -> None:
    tier = c.tier
    total = 0
    parts = None
    for r in ledger.rows:
        if r.parts is not parts:     # rows share their parts (steps/per_capita.py)
            parts = r.parts
            a, b = parts
            pay = reduced(a, tier) + reduced(b, tier) if b else reduced(a, tier)
            cut = a + b - pay
        total += cut * r.n
        r.pc_net = pay
    ledger.statutory += total * c.D


def per_household(c: Component, ledger: Ledger) -> None:
    pay = ledger.household_pay
    if pay is None:
        return
    after = reduced(pay, c.tier)
    ledger.statutory += (pay - after) * c.D * MONTH_COUNT[ledger.months]
    ledger.household_pay = after


def per_capita_columns(c: Component, L) -> None:
    pc = L.pc_household
    if pc is not None:                  # the same 均等割 on every row of a household
        pay = reduced_columns(pc, L.tier)
        L.statutory += (pc - pay) * L.sum_once("n", lambda: L.n) * c.rates.denominator
        L.pc_household = pay
        if L.rows_later:                # at the rows read after the month split alone
            hh = L.hh
            L.pc_net = L.derived(lambda rows: pay.take(hh.take(rows)))
        return
    tier = L.of_household(L.tier)
    pay = reduced_columns(L.pc_a, tier) + reduced_columns(L.pc_b, tier)
    L.statutory += L.sum((L.pc_a + L.pc_b - pay) * L.n) * c.rates.denominator
    L.pc_net = pay


def per_household_columns(c: Component, L) -> None:
    pay = L.household_pay
    after = reduced_columns(pay, L.tier)
    L.statutory += (pay - after) * c.rates.denominator * L.n_months
    L.household_pay = after



# the household forms (steps/compiled.py): each part of a class of persons (under 18,
# 18 or over) reduced on its own, the cut × the class's months; the 平等割 as above
PER_CAPITA_HOUSEHOLD = Form(consts="""
pay_y = reduced(parts_y[0], tier) + reduced(parts_y[1], tier)
pay_a = reduced(parts_a[0], tier) + reduced(parts_a[1], tier)
cut_y, cut_a = sum(parts_y) - pay_y, sum(parts_a) - pay_a""", household="""
statutory += (cut_y * N18 + cut_a * (N - N18)) * D""", sums=("N", "N18"),
                            names=(("reduced", reduced),))
PER_HOUSEHOLD_HOUSEHOLD = Form(consts="""
stat_cut = hh_pay - reduced(hh_pay, tier) if hh_pay is not None else 0
if hh_pay is not None:
    hh_pay -= stat_cut""", household="""
if household_pay is not None:
    statutory += stat_cut * D * M
    household_pay -= stat_cut""", names=(("reduced", reduced),))

PER_CAPITA = Step(STATUTORY, per_capita, columns=per_capita_columns, only=REDUCED,
                  household=PER_CAPITA_HOUSEHOLD)
PER_HOUSEHOLD = Step(STATUTORY, per_household, needs=HOUSEHOLD,
                     columns=per_household_columns, only=REDUCED,
                     household=PER_HOUSEHOLD_HOUSEHOLD)
