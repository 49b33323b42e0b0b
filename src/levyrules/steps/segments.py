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
    """The column form. The steps after the split read only the rows of the households
    with a status month (every other row's amounts are already summed per household),
    so the ledger keeps only those: each of their rows (a person) becomes one row per
    combination of statuses its months have (at most 16; a row without a status, one
    row with every flag off, as `split` does), gathered in one pass per row column; the
    flags become bools. No household sum over every row follows (`L.groups` is dropped:
    the later steps add their few rows into the households, `ColumnLedger.sum_rows`).
    Which rows and runs depends on the rows alone: worked out once for the components
    over the same rows (`L.shared`)."""
    np = L.np
    if c.statuses:
        plan = L.shared.get("segments")
        if plan is None:
            plan = L.shared["segments"] = _runs(L)
        L.status_household, src, months, n, flags = plan
    else:
        L.status_household = np.zeros(len(L.tier), bool)
        src = np.zeros(0, np.int64)
        months = n = src
        flags = [np.zeros(0, bool)] * len(FLAGS)
    L.groups = None
    for f in L.ROW_FIELDS:
        setattr(L, f, getattr(L, f).take(src))
    L.months, L.n = months, n
    for f, flag in zip(FLAGS, flags):
        setattr(L, f, flag)


def _runs(L) -> tuple:
    """(bool[H] households with a status, and for each run of months of their rows: its
    row, months, number of months and status flags) — read only."""
    np = L.np
    on = ((L.unemployed | L.birth | L.fd_exempt) != 0) & (L.n != 0)   # a row with months
    status_household = L.groups.any(on)
    keep = L.groups.rows(np.flatnonzero(status_household))
    st = on.take(keep)
    masks = [getattr(L, f).take(keep) * st for f in FLAGS]   # a row without a status: no flag
    months = L.months.take(keep)
    runs = np.empty((len(keep), 16), months.dtype)
    for key in range(16):
        m = months.copy()
        for i, mask in enumerate(masks):
            m &= mask if key >> i & 1 else ~mask
        runs[:, key] = m
    which, keys = np.nonzero(runs)                  # each run: its row (of keep), its key
    months = runs[which, keys]
    return (status_household, keep.take(which), months, L.month_count(months),
            [(keys >> i & 1).astype(bool) for i in range(len(FLAGS))])


STEP = Step(MONTHS, split, ("options.statuses_on_child",), STATUS, columns=split_columns)
