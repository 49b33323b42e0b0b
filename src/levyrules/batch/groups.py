"""Rows grouped by household, and their sums: the one grouping the columnar evaluator uses.

Rows are sorted by group; a group may have no row (a household with nobody in a
component: its sums are 0, its month mask 0). A sum is a difference of
running sums (np.cumsum, int64): the running sum may wrap past 2**63 over a large
population, but int64 arithmetic is exact modulo 2**64, so the difference of two running
sums is exact whenever the group's own sum fits in int64 (the evaluator's headroom check
guarantees that: batch/evaluate.py `_too_large`)."""

from __future__ import annotations


def ranges(np, starts, lengths):
    """The positions starts[k] .. starts[k]+lengths[k]-1, concatenated."""
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))


class Groups:
    __slots__ = ("np", "hh", "starts", "ends", "size", "before", "nonempty", "largest")

    def __init__(self, np, hh, size: int):
        self.np = np
        self.hh = hh                    # int64[R]: the group of each row, non-decreasing
        self.size = size
        counts = np.bincount(hh, minlength=size)
        self.ends = np.cumsum(counts) - 1       # the last row of each group (or before it)
        self.starts = self.ends - counts + 1    # the first row of each group
        # the empty groups before the first row (their `ends` are -1), and the groups
        # with a row when some have none (else None)
        self.before = int(np.searchsorted(self.ends, 0))
        self.nonempty = None if len(hh) == 0 or counts.all() else np.flatnonzero(counts)
        self.largest = int(counts.max()) if size else 0     # the most rows of a group

    def sum(self, values):
        """int64[G]: the sum of each group's rows (exact; bool counts as 0/1: a running
        count in int32, which holds any count of fewer than 2**31 rows)."""
        np = self.np
        if not len(values):
            return np.zeros(self.size, np.int64)
        if values.dtype == bool and len(values) < 2 ** 31:
            running = np.cumsum(values.view(np.int8), dtype=np.int32).take(self.ends)
        else:
            running = np.cumsum(values, dtype=np.int64).take(self.ends)
        running[:self.before] = 0
        running[1:] -= running[:-1].copy()
        return running.astype(np.int64, copy=False)

    def counts(self, columns: list, most: int = 1) -> list:
        """[int64[G]]: the sum of each group's rows of each of `columns` (bool, or ints
        from 0 to `most`), several columns to one running sum: each column is a field of
        bits of an unsigned 64-bit word, wide enough for a group's sum (at most `most` ×
        the largest group), so a group's sum of words is its sums side by side with no
        carry from one field into the next, exact modulo 2**64 as `sum`."""
        np = self.np
        width = max(1, (most * self.largest).bit_length())
        per = 64 // width
        if per < 2:
            return [self.sum(c) for c in columns]
        out = []
        mask = np.uint64((1 << width) - 1)
        for at in range(0, len(columns), per):
            batch = columns[at:at + per]
            word = batch[0].astype(np.uint64)
            for i, c in enumerate(batch[1:], 1):
                word |= c.astype(np.uint64) << np.uint64(i * width)
            total = self.sum(word.view(np.int64)).view(np.uint64)
            out += [((total >> np.uint64(i * width)) & mask).view(np.int64)
                    for i in range(len(batch))]
        return out

    def any(self, flags):
        """bool[G]: whether any row of the group is set (the groups of the rows set,
        marked: no running sum over every row)."""
        out = self.np.zeros(self.size, bool)
        out[self.hh.take(self.np.flatnonzero(flags))] = True
        return out

    def rows(self, groups):
        """The rows of the groups at `groups` (sorted), in order."""
        starts = self.starts.take(groups)
        return ranges(self.np, starts, self.ends.take(groups) - starts + 1)

    def bit_or(self, masks):
        """The OR of each group's month masks (0 for a group without a row)."""
        np = self.np
        if self.nonempty is None:
            return np.bitwise_or.reduceat(masks, self.starts) if len(masks) else \
                np.zeros(self.size, masks.dtype)
        out = np.zeros(self.size, masks.dtype)
        out[self.nonempty] = np.bitwise_or.reduceat(masks, self.starts.take(self.nonempty))
        return out

    def max_of(self, rows, values, initial: int):
        """int64[G]: the largest of `values` given for the rows at `rows` alone (few),
        `initial` for a group with none of them."""
        np = self.np
        out = np.full(self.size, initial, np.int64)
        np.maximum.at(out, self.hh.take(rows), values)
        return out
