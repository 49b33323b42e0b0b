"""Rows grouped by household, and their sums: the one grouping the columnar evaluator uses.

Rows are sorted by group and every group has at least one row; after them may come a
few *tail* rows in any order (`with_tail`: the runs of months steps/segments.py splits
off), added into their groups one by one (ufunc.at, exact). A sum is a difference of
running sums (np.cumsum, int64): the running sum may wrap past 2**63 over a large
population, but int64 arithmetic is exact modulo 2**64, so the difference of two running
sums is exact whenever the group's own sum fits in int64 (the evaluator's headroom check
guarantees that: batch/evaluate.py `_too_large`)."""

from __future__ import annotations


class Groups:
    __slots__ = ("np", "hh", "starts", "ends", "size", "n", "tail")

    def __init__(self, np, hh, size: int):
        self.np = np
        self.hh = hh                    # int64[R]: the group of each row, non-decreasing
        self.size = size
        counts = np.bincount(hh, minlength=size)
        self.ends = np.cumsum(counts) - 1       # the last row of each group
        self.starts = self.ends - counts + 1    # the first row of each group
        self.n = len(hh)                # the sorted rows
        self.tail = None                # int64: the group of each row after them

    def with_tail(self, tail) -> "Groups":
        """These groups with rows of groups `tail` (int64, any order) after the sorted ones."""
        g = Groups.__new__(Groups)
        g.np, g.hh, g.size, g.starts, g.ends, g.n = \
            self.np, self.hh, self.size, self.starts, self.ends, self.n
        g.tail = tail if self.tail is None else self.np.concatenate([self.tail, tail])
        return g

    def _at(self, ufunc, out, values):
        if self.tail is not None:
            ufunc.at(out, self.tail, values[self.n:].astype(out.dtype))
        return out

    def sum(self, values):
        """int64[G]: the sum of each group's rows (exact; bool counts as 0/1)."""
        np = self.np
        if values.dtype == bool:
            values = values.view(np.int8)
        running = np.cumsum(values[:self.n], dtype=np.int64)[self.ends]
        running[1:] -= running[:-1].copy()
        return self._at(np.add, running, values)

    def count(self, flags):
        return self.sum(flags)

    def any(self, flags):
        return self.sum(flags) > 0

    def bit_or(self, masks):
        np = self.np
        return self._at(np.bitwise_or, np.bitwise_or.reduceat(masks[:self.n], self.starts), masks)

    def bit_and(self, masks):
        np = self.np
        return self._at(np.bitwise_and, np.bitwise_and.reduceat(masks[:self.n], self.starts),
                        masks)

    def max(self, values):
        np = self.np
        return self._at(np.maximum, np.maximum.reduceat(values[:self.n], self.starts), values)
