"""月割 by runs of months: a person's months split where a special status begins or
ends (非自発的失業, 産前産後, 旧被扶養者), so each later step sees whole runs with one set
of statuses (地方税法703条の4・条例の月割; the statuses: 703条の5の2, 703条の5の3, 717条)."""

from __future__ import annotations

from ..calendar import MONTH_COUNT
from ..rules import MONTHS
from . import STATUS, Step
from .ledger import Component, Ledger


def split(c: Component, ledger: Ledger) -> None:
    rows = []
    for r in ledger.rows:
        m = r.member
        if not (m.unemployed or m.birth or m.fd_exempt) or not c.statuses:
            r.unemployed = r.birth = r.fd_exempt = r.fd_half = False
            rows.append(r)
            continue
        groups: dict = {}
        mask = r.months
        for i in range(12):
            bit = 1 << i
            if mask & bit:
                key = (bool(m.unemployed & bit), bool(m.birth & bit), bool(m.fd_exempt & bit),
                       bool(m.fd_half & bit))
                groups[key] = groups.get(key, 0) | bit
        rows.extend(r.split(months, MONTH_COUNT[months], key) for key, months in groups.items())
    ledger.rows = rows


STEP = Step(MONTHS, split, ("options.statuses_on_child",), STATUS)
