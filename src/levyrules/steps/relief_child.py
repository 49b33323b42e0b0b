"""条例減免 of children's 均等割 (`kind: child_per_capita`): a share of each qualifying
child's 均等割 by birth order, combined with the 未就学児 half by `max` or `stack`
(地方税法717条・the tariff's 条例 article; the rule: rules/relief.py)."""

from __future__ import annotations

from datetime import date

from ..rules import relief
from .relief_household import RELIEF
from . import CHILD_RELIEF, Step
from .ledger import Component, Ledger

KIND = 0      # the place of this 減免 among those of one person-month (key order)


def cuts(c: Component, ledger: Ledger) -> None:
    """Per child, per rule: the yen a year the 減免 takes (before the month runs)."""
    ranks = {}
    for rule in c.child_rules:
        born_after = date(c.fiscal_year - rule.age_limit, 4, 2)
        kids = [(r.member.person.birth_date, r.member.person.id) for r in ledger.rows
                if r.member.person.birth_date >= born_after]
        ranks[rule.id] = relief.child_order(kids)
    for r in ledger.rows:
        pay = r.pc_net
        found = []
        for rule in c.child_rules:
            rank = ranks[rule.id].get(r.member.person.id)
            if rank is None or not pay:
                continue
            rate = rule.rates_by_order[min(rank, len(rule.rates_by_order) - 1)]
            stack = rule.with_preschool != "max"
            base = pay if stack else pay + r.red_pre
            keep = base - base * rate.numerator // rate.denominator
            cut = base - keep if stack else pay - keep
            if cut > 0:
                found.append((rule, cut))
        r.child_cuts = tuple(found)


def apply(c: Component, ledger: Ledger) -> None:
    """Each month run: the cut, never more than what is left of the 均等割."""
    D = c.rates.denominator
    index = {rule.id: i for i, rule in enumerate(c.child_rules)}
    for r in ledger.rows:
        for rule, cut in r.child_cuts:
            cut = min(cut, r.pc_net)
            order = (r.pos, r.months & -r.months, KIND, index[rule.id])
            ledger.relieve(rule, cut * D * r.n, order)
            if not rule.after_cap:
                r.pc_net -= cut


CUTS = Step(RELIEF, cuts, ("relief[].child",), CHILD_RELIEF)
APPLY = Step(RELIEF, apply, ("relief[].timing",), CHILD_RELIEF)
