"""A child table of the flat tables (persons, insured_periods …) read alongside the
households table: its rows taken a household_id range at a time (:class:`Cursor`), the
order of its household_id checked batch by batch as the household reader checks it.

The batches loaded are kept as they are until a range is taken, then joined once (not
each time a batch is loaded), and each row is marked where its household_id differs from
the row before it: those marks give the runs of equal ids that tables._households_of looks
up, and the order check with them (a household_id below the one before it can only be at
the first row of a run, so as text only the runs' first ids are compared; ids of one
width of 8 to 16 bytes, compared as two integers each (tablecells.words), every row:
tablecells.mark_runs, which the households table's order check shares).
"""

from __future__ import annotations

from ..errors import InputError
from ..population import layout
from . import tablecells as cells
from .tablefiles import _empty, _keys

BATCH = 65_536


def _libs():
    return cells._libs()


def unsorted(t, number) -> InputError:
    return InputError(f"{t.table}.household_id", f"the {t.table} table is not sorted by "
                                                 f"household_id (at {t.source(number)})")


class Cursor:
    """The rows of a child table not yet taken, loaded batch by batch; checks the order."""

    def __init__(self, t, after: str | None = None):
        """`after`: skip the rows at or below this household_id (another part's)."""
        self.t, self.after = t, after
        if after is not None and t.where.fmt != "{}:{}":
            self.it = t.batches(BATCH, t.groups_after(after))
        else:
            self.it = t.batches(BATCH)
        self.pieces: list = []          # (arrow table, numbers, keys, first of a run)
        self.tail: str | None = None    # last key loaded
        self.open = 0                   # rows kept of the household of `tail`
        self.done = False

    def _load(self) -> None:
        np, pa, pc = _libs()
        got = next(self.it, None)
        if got is None:
            self.done = True
            return
        table, numbers = got
        keys = _keys(table)
        n = len(keys)
        if not n:
            return
        first = np.empty(n, bool)
        first[0] = self.tail is None or keys[0].as_py() != self.tail
        if first[0] and self.tail is not None and keys[0].as_py() < self.tail:
            raise unsorted(self.t, numbers[0])
        if n > 1:
            down = cells.mark_runs(keys, first)
            if down is not None:
                raise unsorted(self.t, numbers[down])
        self.tail = keys[-1].as_py()
        if self.after is not None:
            skip = int(pc.sum(pc.less_equal(keys, self.after)).as_py() or 0)
            if skip == n:
                return
            table, numbers, keys = table.slice(skip), numbers[skip:], keys.slice(skip)
            first = first[skip:]
            self.after = None
        piece = self._capped(table, numbers, keys, first)
        if len(piece[1]):               # (nothing: the rest of a household past the cap)
            self.pieces.append(piece)

    def _capped(self, table, numbers, keys, first) -> tuple:
        """The batch with at most MAX_ROWS + 1 rows of a household, counting those kept
        from the batches before (as tablerows takes them: the household is refused, and
        the rows past those are never looked at), so that the memory for one household
        of very many rows is that of a batch, not of all its rows."""
        np, pa, _ = _libs()
        cap, n, before = layout.MAX_ROWS + 1, len(first), self.open
        starts = np.flatnonzero(first)
        lead = int(starts[0]) if len(starts) else n     # rows that go on the open run
        longest = before + lead
        if len(starts):
            longest = max(longest, int(np.diff(np.append(starts, n)).max()))
        self.open = min(n - int(starts[-1]) if len(starts) else before + n, cap)
        if longest <= cap:
            return table, numbers, keys, first
        at = np.arange(n)
        pos = at - np.maximum.accumulate(np.where(first, at, 0))
        pos[:lead] += before
        keep = np.flatnonzero(pos < cap)
        return table.take(pa.array(keep)), numbers[keep], keys.take(pa.array(keep)), first[keep]

    def take(self, upto: str | None) -> tuple:
        """(arrow table, row numbers, household_id of each row, the index of the first row
        of each run of equal household_ids) of the rows with household_id <= `upto` (all:
        None)."""
        while not self.done and (not self.pieces or upto is None
                                 or self.tail is None or self.tail <= upto):
            self._load()
        np, pa, _ = _libs()
        got, rest = [], []
        for k, (table, numbers, keys, first) in enumerate(self.pieces):
            n = len(keys) if upto is None else _after(keys, upto)
            if n:
                got.append((table.slice(0, n), numbers[:n], keys.slice(0, n), first[:n]))
            if n < len(keys):
                rest = [(table.slice(n), numbers[n:], keys.slice(n), first[n:])] \
                    + self.pieces[k + 1:]
                break
        self.pieces = rest
        if not got:
            empty = _empty(self.t)
            return empty, np.zeros(0, np.int64), _keys(empty), np.zeros(0, np.int64)
        if len(got) == 1:
            table, numbers, keys, first = got[0]
        else:
            table = pa.concat_tables([g[0] for g in got])
            numbers = np.concatenate([g[1] for g in got])
            keys = pa.concat_arrays([g[2] for g in got])
            first = np.concatenate([g[3] for g in got])
        first = first.copy()
        first[0] = True
        return table, numbers, keys, np.flatnonzero(first)


def same_keys(keys, at, other) -> bool:
    """True when the `keys` at the rows `at` are `other`, one by one."""
    np, pa, pc = _libs()
    if len(at) != len(other):
        return False
    if not len(at):
        return True
    a, b = cells.words(keys, len(keys)), cells.words(other, len(other))
    if a is None or b is None or a[2] != b[2]:
        return pc.all(pc.equal(keys.take(pa.array(at)), other)).as_py()
    return bool((a[0][at] == b[0]).all() and (a[1][at] == b[1]).all())


def _after(keys, key: str) -> int:
    """The number of the sorted `keys` at or below `key` (a binary search)."""
    if keys[len(keys) - 1].as_py() <= key:
        return len(keys)
    lo, hi = 0, len(keys)
    while lo < hi:
        mid = (lo + hi) // 2
        if keys[mid].as_py() <= key:
            lo = mid + 1
        else:
            hi = mid
    return lo
