"""旧被扶養者に係る減免: for a person 65 or over on the day they joined as a former
dependant, the 所得割 and 資産割 are exempt, and the 均等割 (and, when every member is
such a person and the household is not a 特定世帯, the 平等割) is halved for 24 months —
as the larger of it and the 7割・5割・2割軽減 (地方税法717条・条例; the months:
rules/former_dependent.py). Taken after the cap by `options.former_dependent_timing`."""

from __future__ import annotations

from ..engine.calendar import FULL_YEAR, MONTH_COUNT
from ..rules.former_dependent import FORMER_DEPENDENT
from ..rules.reductions import reduced
from . import HOUSEHOLD, STATUS, Step
from .ledger import Component, Ledger

OPTIONS = ("options.former_dependent_timing",)


def per_person(c: Component, ledger: Ledger) -> None:
    D = c.rates.denominator
    pc = c.rates.per_capita or 0
    target = reduced(pc, 50)
    if c.is_child:
        target += reduced(c.rates.per_capita_adult or 0, 50)
    total = 0
    for r in ledger.rows:
        here = 0
        if r.fd_exempt:        # 所得割・資産割 免除
            here = r.inc_net + r.ast_net
            r.inc_net = r.ast_net = 0
        if r.fd_half and r.pc_net > target:    # 均等割 5割: the larger reduction wins
            here += (r.pc_net - target) * D
            r.pc_net = target
        r.fd_here = here
        total += here * r.n
    ledger.former_dependent += total


def per_household(c: Component, ledger: Ledger) -> None:
    """平等割 5割 in the months every member is a 旧被扶養者 (not with a 特定世帯)."""
    after = ledger.household_pay
    if after is None or c.specified:
        return
    every = FULL_YEAR
    for r in ledger.rows:
        every &= (r.member.fd_half | ~r.months)
    half = every & ledger.months
    hh = c.rates.per_household
    target = reduced(hh, 50)
    if not half or after <= target:
        return
    D = c.rates.denominator
    ledger.former_dependent += (after - target) * D * MONTH_COUNT[half]
    after_cap = c.fd_after_cap
    ledger.household_net += (((after if after_cap else target) * D, half),)
    if ledger.months & ~half:
        ledger.household_net += ((after * D, ledger.months & ~half),)


def per_person_columns(c: Component, L) -> None:
    D = c.rates.denominator
    target = reduced(c.rates.per_capita or 0, 50)
    if c.is_child:
        target += reduced(c.rates.per_capita_adult or 0, 50)
    r = L.np.flatnonzero(L.fd_exempt | L.fd_half)     # the rows in its months alone
    if not len(r):
        return
    ex = L.fd_exempt[r]
    inc, ast, pc = L.inc_net[r], L.ast_net[r], L.pc_net[r]
    here = (inc + ast) * ex
    L.with_rows("inc_net", r, inc * ~ex)
    L.with_rows("ast_net", r, ast * ~ex)
    half = L.fd_half[r] & (pc > target)
    here += (pc - target) * D * half
    L.with_rows("pc_net", r, L.np.where(half, target, pc))
    L.former_dependent += L.sum_rows(r, here * L.n[r])


def per_household_columns(c: Component, L) -> None:
    """平等割 5割 for the households with a status and no 特定世帯 (`per_household`)."""
    np = L.np
    hs = np.flatnonzero(L.status_household)             # the households with a status (few)
    r = np.flatnonzero(L.status_household[L.hh])      # the rows of households with a status
    every = np.full(len(L.tier), FULL_YEAR, np.int64)
    np.bitwise_and.at(every, L.hh[r], L.member_fd_half[r] | (~L.months[r] & FULL_YEAR))
    half = every.take(hs) & L.household_months.take(hs)
    target = reduced(c.rates.per_household, 50)
    after = L.household_pay.take(hs)
    on = (L.specified.take(hs) == 0) & (half != 0) & (after > target)
    cut = np.zeros(len(L.tier), np.int64)
    cut[hs] = (after - target) * c.rates.denominator * L.month_count(half) * on
    L.former_dependent += cut


PER_PERSON = Step(FORMER_DEPENDENT, per_person, OPTIONS, STATUS, columns=per_person_columns)
PER_HOUSEHOLD = Step(FORMER_DEPENDENT, per_household, OPTIONS, STATUS | HOUSEHOLD,
                     columns=per_household_columns)
