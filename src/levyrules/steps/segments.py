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


# the status flags of a run, in the order of the keys `split` groups by
FLAGS = ("unemployed", "birth", "fd_exempt", "fd_half")


def split_columns(c: Component, L) -> None:
    """The column form: a row (a person) with a status becomes one row per combination
    of statuses its months have (at most 16), in the order of the combinations; every
    row column is copied; the flags become bools. Rows stay sorted by household."""
    np = L.np
    on = (L.unemployed | L.birth | L.fd_exempt) != 0
    if not c.statuses:
        on = on & False
    L.status_household = L.groups.any(on)
    if not on.any():
        for f in FLAGS:
            setattr(L, f, np.zeros(len(L.hh), bool))
        return
    rows = np.nonzero(on)[0]
    masks = [getattr(L, f)[rows] for f in FLAGS]
    runs = np.empty((len(rows), 16), np.int64)
    for key in range(16):
        m = L.months[rows]
        for i, mask in enumerate(masks):
            m &= mask if key >> i & 1 else ~mask
        runs[:, key] = m
    nonzero = runs != 0
    counts = np.ones(len(L.hh), np.int64)
    counts[rows] = nonzero.sum(axis=1)
    index = np.repeat(np.arange(len(L.hh)), counts)      # sorted: rows keep their order
    split = on[index]
    keys = np.zeros(len(index), np.int64)
    keys[split] = np.nonzero(nonzero)[1]
    months = L.months[index]
    months[split] = runs[nonzero]
    for f in L.ROW_FIELDS:
        setattr(L, f, getattr(L, f)[index])
    L.months = months
    L.n = L.month_count(months)
    for i, f in enumerate(FLAGS):
        setattr(L, f, (keys >> i & 1).astype(bool))
    L.groups = type(L.groups)(np, L.hh, len(L.tier))


STEP = Step(MONTHS, split, ("options.statuses_on_child",), STATUS, columns=split_columns)
