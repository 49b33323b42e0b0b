"""条例減免 of a person's levies for the months in a 刑事施設 (`kind: detention`; 給付制限,
国民健康保険法59条): the rate × the person's net amount of the named levies in those
months (地方税法717条・the tariff's 条例 article; the claims: rules/relief.py)."""

from __future__ import annotations

from ..engine.calendar import MONTH_COUNT
from . import DETENTION, Step
from .ledger import Component, Ledger
from .relief_household import RELIEF, selected

KIND = 1


def reduce(c: Component, ledger: Ledger) -> None:
    D = c.rates.denominator
    for r in ledger.rows:
        pid = r.member.person.id
        for i, claim in enumerate(c.detention):
            if claim.person != pid:
                continue
            k = MONTH_COUNT[r.months & claim.months]
            if not k:
                continue
            part = selected(claim.rule, r.inc_net, r.ast_net, r.pc_net * D)
            cut = part * k * claim.rate.numerator // claim.rate.denominator
            ledger.relieve(claim.rule, cut, (r.pos, r.months & -r.months, KIND, i))
            if not claim.rule.after_cap:
                ledger.outside += cut


STEP = Step(RELIEF, reduce, ("relief[].levies", "relief[].timing"), DETENTION)
