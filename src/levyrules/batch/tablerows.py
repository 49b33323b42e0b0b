"""The rows of a chunk of households read from the flat tables, as the household reader
(population.sources.parse) takes them: for the households the columns find suspect, and
for those the evaluator asks for one by one (:class:`Households`). Only these rows become
Python values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Iterator

from ..errors import InputError
from ..population import layout, sources, tables as files
from ..population.rejects import Reject
from . import tablecells as cells
from .tablefiles import Where


def _np():
    return cells._libs()[0]


class ChunkRows:
    """The rows of a chunk's households (arrow tables, picklable): the households rows,
    and per other table (rows, their numbers, the household of each, Where)."""

    def __init__(self, hh, numbers, where: Where, children: dict):
        self.hh, self.numbers, self.where, self.children = hh, numbers, where, children

    def groups(self, vs) -> Iterator[tuple[int, dict]]:
        """The rows of each household v of `vs` as the household reader takes them
        ({table: [(source, row dict)]}); each table converted once for all of them."""
        np = _np()
        vs = np.asarray(vs, np.int64)
        rows = {"households": (_dicts(self.hh.take(vs)), self.numbers[vs], self.where, None)}
        for name, (table, numbers, of, where) in self.children.items():
            a, b = np.searchsorted(of, vs), np.searchsorted(of, vs + 1)
            b = np.minimum(b, a + layout.MAX_ROWS + 1)     # as sources._Groups takes them
            bounds = np.zeros(len(vs) + 1, np.int64)
            np.cumsum(b - a, out=bounds[1:])
            idx = np.arange(bounds[-1]) + np.repeat(a - bounds[:-1], b - a)
            rows[name] = (_dicts(table.take(idx)), numbers[idx], where, bounds)
        for j, v in enumerate(vs):
            groups = {}
            for name, (dicts, numbers, where, bounds) in rows.items():
                lo, hi = (j, j + 1) if bounds is None else (bounds[j], bounds[j + 1])
                if hi > lo:
                    groups[name] = [(where(numbers[i]), dicts[i]) for i in range(lo, hi)]
            yield int(v), groups


def _dicts(table) -> list[dict]:
    """The rows of an arrow table as dicts, a column empty in every row left out (the
    household reader reads an absent cell and an empty one alike: population.tables)."""
    cols = [(name, files.pylist(c)) for name, c in zip(table.column_names, table.columns)
            if c.null_count < len(c)]
    if not cols:
        return [{} for _ in range(table.num_rows)]
    names = [name for name, _ in cols]
    return [dict(zip(names, values)) for values in zip(*(c for _, c in cols))]


class Households(Sequence):
    """Population.households of a chunk read from tables: the Household of a household,
    read by the household reader from its rows when the evaluator asks for it (it asks
    only for those it evaluates one by one, in order). A household flagged `scalar` is
    read with the next AHEAD flagged ones (the evaluator asks for them all), but one
    flagged only for its 世帯主変更 (`changed`: the columns evaluate it, the evaluator asks
    for it only when the engine refuses its changes) is read alone; another household is
    read with the next AHEAD households."""

    AHEAD = 256

    def __init__(self, rows: ChunkRows, v, known: dict, scalar=None, changed=None):
        self.rows, self.v, self.known, self.changed = rows, v, known, changed
        self.scalar = scalar if changed is None or scalar is None else scalar & ~changed

    def __len__(self) -> int:
        return len(self.v)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        v = int(self.v[i])
        if v not in self.known:             # read it and the next ones asked for, together
            np = _np()
            i = int(np.arange(len(self))[i])
            at = np.arange(i, min(i + self.AHEAD, len(self)))
            if self.changed is not None and self.changed[i]:
                at = at[:1]
            elif self.scalar is not None and self.scalar[i]:
                at = i + np.flatnonzero(self.scalar[i:])[:self.AHEAD]
            ahead = [int(w) for w in self.v[at] if int(w) not in self.known]
            for w, groups in self.rows.groups(_np().array(ahead, _np().int64)):
                h = sources.parse(groups["households"][0][0], groups)
                if isinstance(h, Reject):   # the columns took what the reader refuses: a bug
                    raise InputError(h.field, h.message)
                self.known[w] = h
        return self.known[v]
