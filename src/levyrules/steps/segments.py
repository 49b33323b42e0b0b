"""月割 by runs of months: a person's months split where a special status begins or
ends (非自発的失業, 産前産後, 旧被扶養者), so each later step sees whole runs with one set
of statuses (地方税法703条の4・条例の月割; the statuses: 703条の5の2, 703条の5の3, 717条)."""

from __future__ import annotations

from ..engine.calendar import MONTH_COUNT
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
    of statuses its months have (at most 16): the first combination (in key order) in
    the row's place, the others appended after the last row (every row column copied:
    a copy, not a gather; `Groups.with_tail` sums them into their households); the
    flags become bools."""
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
    which, keys = np.nonzero(runs)                  # each run: its row (of rows), its key
    lead = np.ones(len(which), bool)
    lead[1:] = which[1:] != which[:-1]              # the row's first run stays in place
    R = len(L.hh)
    more = np.flatnonzero(~lead)
    src = rows[which[more]]
    for f in L.ROW_FIELDS:
        col = getattr(L, f)
        setattr(L, f, np.concatenate([col, col[src]]) if len(src) else col.copy())
    at = np.concatenate([rows, np.arange(R, R + len(src))])
    run = np.concatenate([np.flatnonzero(lead), more])
    L.months[at] = runs[which[run], keys[run]]
    L.n[at] = L.month_count(L.months[at])
    for i, f in enumerate(FLAGS):
        flag = np.zeros(len(L.hh), bool)
        flag[at] = keys[run] >> i & 1
        setattr(L, f, flag)
    if len(src):
        L.groups = L.groups.with_tail(L.hh[R:])


STEP = Step(MONTHS, split, ("options.statuses_on_child",), STATUS, columns=split_columns)
