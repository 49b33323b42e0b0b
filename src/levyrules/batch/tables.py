"""Reading a population's flat tables (population/layout.py, docs/population.md: households,
persons, insured_periods and the optional tables, as Parquet or CSV) straight into
:class:`Population` chunks, as columns: no dict and no Household per row.

The tables are sorted by household_id (as text) and joined by a streaming merge, a chunk
of households rows at a time with the rows of the other tables up to its last key. The
semantics are the household reader's (population.sources, layout.assemble,
Household.from_json), which stays their one definition: the columns are checked as columns
(tablebuild, tablecells), and a household that may be bad, or that has 条例減免 rows (which
the columns do not check), is read by that reader from its rows at once, which words the
reject; one with 世帯主変更 rows (checked as columns) is evaluated per household and read by
that reader when the evaluator asks for it (Households). So the households, the rejects
(household id, ``file:row``, field, message, no personal value) and their order are those
of ``levyrules batch`` on the household reader. A file whose column types the columns do
not take (an unsigned 64-bit money column, say) is read by the household reader throughout.
Problems with a whole file (missing table or column, a table out of order, undecodable
text) raise InputError.
"""

from __future__ import annotations

import bisect
from itertools import islice
from pathlib import Path
from typing import Iterator, NamedTuple

from ..population import layout, sources
from ..population.rejects import Reject
from . import tablebuild, tablecells as cells
from .tablecursor import Cursor, same_keys
from .tablefiles import Part, _check_order, _empty, _keys, _Table, parts
from .population import Population, from_households
from .tablerows import ChunkRows, Households

__all__ = ["Read", "Part", "read_population", "parts", "Households", "ChunkRows"]

CHUNK = 65_536
CHILDREN = tuple(t for t in layout.TABLES if t != "households")
# a household with rows in these tables is evaluated per household (Population.scalar);
# the columns check 世帯主変更 rows (its Household is read when the evaluator asks for it),
# not 条例減免 facts (the household reader reads such a household at once, to word a reject)
PER_HOUSEHOLD = ("relief", "head_changes")
UNCHECKED = ("relief",)


class Read(NamedTuple):
    """A chunk: the population, its rejects as (order, Reject) in input order, the order
    of each household (its households row; a reject at (row, 1) stands for that row, one at
    (row, 0, …) comes before it), the source (``file:row``) of each household, and the
    number of items the household reader counts (households rows and orphan groups)."""
    population: Population
    rejects: list
    order: object
    sources: object
    items: int


def read_population(directory, fiscal_year: int | None = None, *,
                    encoding: str | None = None, chunk: int = CHUNK,
                    part: Part | None = None) -> Iterator[Read]:
    """The population of a tables folder in chunks of at most `chunk` households rows
    (of `part` only, when given: see :func:`parts`). `fiscal_year`: the population's year
    (by default that of the first household); a household of another year is flagged
    `scalar`, as from_households flags it (the engine refuses it, by name)."""
    paths = sources.table_paths(Path(directory))
    opened = {t: _Table(p, t, encoding) for t, p in paths.items() if p is not None}
    if not all(t.canonical for t in opened.values()):
        if part is None or part.first == 0:
            yield from _compat(Path(directory), fiscal_year, encoding, chunk)
        return
    reader = _Reader(opened, fiscal_year, part)
    batches = opened["households"].batches(chunk, None if part is None else part.groups)
    if part is not None:
        batches = _rows(batches, part.first, part.end)
    current = next(batches, None)
    last = part is None or part.last
    if current is None:
        if last:
            yield reader.chunk(_empty(opened["households"]), _np().zeros(0, _np().int64), True)
        return
    while current is not None:
        following = next(batches, None)
        yield reader.chunk(*current, last and following is None)
        current = following


def _np():
    return cells._libs()[0]


def _rows(batches, first: int, end: int | None) -> Iterator[tuple]:
    """The batches cut to rows first..end−1 (0-based; end None: to the last)."""
    for table, numbers in batches:
        a = int(_np().searchsorted(numbers, first + 1))
        b = len(numbers) if end is None else int(_np().searchsorted(numbers, end + 1))
        if b > a:
            yield table.slice(a, b - a), numbers[a:b]
        if b < len(numbers):
            return


class _Reader:
    def __init__(self, opened: dict, fiscal_year: int | None, part: Part | None):
        self.prev = None if part is None else part.prev     # the last household_id read
        self.hh = opened["households"]
        self.children = {t: Cursor(opened[t], self.prev) for t in CHILDREN if t in opened}
        self.fiscal_year = fiscal_year
        self.r0 = 0 if part is None else part.first        # households rows before

    def chunk(self, table, numbers, last: bool) -> Read:
        keys = _keys(table)
        rejects: list = []
        valid = self._order(table, keys, numbers, rejects)
        whole = len(valid) == table.num_rows        # (the common case: no copy)
        vkeys = keys if whole else keys.take(valid)
        upto = vkeys[-1].as_py() if len(valid) else None
        taken = {}
        for name, cursor in self.children.items():
            if upto is not None:
                taken[name] = cursor.take(upto)
            if last:
                self._trailing(cursor, table.num_rows, rejects)
        of = _households_of({name: t[2:] for name, t in taken.items()}, vkeys)
        rows = {name: self._match(self.children[name].t, *t[:3], of[name], vkeys, valid,
                                  rejects)
                for name, t in taken.items()}
        part = _Chunk(self, table if whole else table.take(valid), numbers[valid], rows,
                      self.r0 + valid)
        pop, order, srcs = part.population(rejects)
        orphans = sum(len(r[0]) > 2 for r in rejects)
        self.r0 += table.num_rows
        rejects.sort(key=lambda r: r[0])
        return Read(pop, rejects, order, srcs, table.num_rows + orphans)

    def _order(self, table, keys, numbers, rejects: list):
        """The rows with a household id seen for the first time; the others rejected. An id
        below the one before stops the run (the households table is not sorted)."""
        np, pa, pc = cells._libs()
        n = table.num_rows
        has = cells.present(keys, n)
        named = np.flatnonzero(has)
        for i in np.flatnonzero(~has):
            rejects.append(((self.r0 + int(i), 1), Reject.of(
                "", self.hh.source(numbers[i]), "households.household_id", "is required")))
        k = keys if len(named) == n else keys.take(named)
        if not len(k):
            return named
        same = _check_order(self.hh, k, numbers[named], self.prev)
        for i in named[same]:
            rejects.append(((self.r0 + int(i), 1), Reject.of(
                keys[int(i)].as_py(), self.hh.source(numbers[i]), "households.household_id",
                "is used by another household")))
        self.prev = k[-1].as_py()
        return named[~same]

    def _match(self, t: _Table, table, numbers, keys, v, vkeys, valid, rejects: list):
        """(rows, their numbers, the household (index in `valid`) of each: `v`) of a child
        table's rows taken; rows naming no household are rejected before the next
        household."""
        np = _np()
        orphan = np.flatnonzero(v < 0)
        if len(orphan):
            names = vkeys.to_pylist()
            prev = None
            for i in orphan:
                key = keys[int(i)].as_py()
                if prev is not None and i == prev[0] + 1 and key == prev[1]:
                    prev = (i, key)
                    continue
                prev = (i, key)
                at = self.r0 + int(valid[bisect.bisect_right(names, key)])
                rejects.append(((at, 0, t.index, int(numbers[i])), _orphan(t, key, numbers[i])))
            keep = v >= 0
            table, numbers, v = table.filter(keep), numbers[keep], v[keep]
        return table, numbers, v

    def _trailing(self, cursor: Cursor, n: int, rejects: list) -> None:
        table, numbers, keys, _ = cursor.take(None)
        prev = None
        for i, key in enumerate(keys.to_pylist()):
            if key != prev:
                rejects.append(((self.r0 + n, 0, cursor.t.index, int(numbers[i])),
                                _orphan(cursor.t, key, numbers[i])))
            prev = key


def _households_of(keys_of: dict, vkeys) -> dict:
    """{table: the index in `vkeys` of each of its sorted keys (-1: none)} of {table: (its
    keys, the first row of each run of equal keys)}, one look-up per run: none when a
    table's runs are exactly `vkeys` (every household has rows); the runs of the tables
    with rows for few households looked up together."""
    np, pa, pc = cells._libs()
    out, few = {}, {}
    for name, (keys, starts) in keys_of.items():
        lengths = np.diff(np.append(starts, len(keys)))
        if same_keys(keys, starts, vkeys):
            out[name] = np.repeat(np.arange(len(starts), dtype=np.int64), lengths)
            continue
        runs = keys.take(pa.array(starts)) if len(keys) else keys
        if len(runs) < len(vkeys) // 4:
            few[name] = runs, lengths
        else:
            at = cells.codes(pc.index_in(runs, value_set=vkeys), len(runs))
            out[name] = np.repeat(at, lengths)
    if few:                             # the households among their runs, at once
        union = pc.unique(pa.concat_arrays([runs for runs, _ in few.values()]))
        of = cells.codes(pc.index_in(vkeys, value_set=union), len(vkeys))
        at = np.full(len(union) + 1, -1, np.int64)
        at[of[of >= 0]] = np.flatnonzero(of >= 0)
        for name, (runs, lengths) in few.items():
            out[name] = np.repeat(at[cells.codes(pc.index_in(runs, value_set=union),
                                                 len(runs))], lengths)
    return out


def _orphan(t: _Table, key: str, number) -> Reject:
    return Reject.of(key, t.source(number), f"{t.table}.household_id",
                     "names no household of the households table")


class _Chunk:
    """The valid households rows of a chunk with their rows of the other tables."""

    def __init__(self, reader: _Reader, hh, numbers, rows: dict, order):
        self.reader, self.numbers, self.order = reader, numbers, order
        self.rows = ChunkRows(hh, numbers, reader.hh.where, {
            name: (t, nums, v, reader.children[name].t.where)
            for name, (t, nums, v) in rows.items()})

    def population(self, rejects: list) -> tuple:
        np = _np()
        r, rows = self.reader, self.rows
        n = rows.hh.num_rows
        if not n:
            return (from_households([], r.fiscal_year), np.zeros(0, np.int64),
                    _Sources(r.hh, []))
        built = tablebuild.build(rows.hh, {k: v[:3] for k, v in rows.children.items()})
        bad = built.bad
        if r.fiscal_year is None and (~bad).any():
            r.fiscal_year = int(built.fiscal_year[np.argmax(~bad)])
        scalar = built.fiscal_year != r.fiscal_year     # another year: the engine refuses
        unchecked = np.zeros(n, bool)                   # it, by name
        for name, (_, _, v, _) in rows.children.items():
            if name in PER_HOUSEHOLD:
                has = np.bincount(v, minlength=n) > 0
                scalar |= has
                if name in UNCHECKED:
                    unchecked |= has
        scalar &= ~bad
        keep = ~bad & ~unchecked
        _only_head_changes(built, unchecked | (built.fiscal_year != r.fiscal_year))
        known, households, at = {}, [], []
        suspect = np.flatnonzero(bad | unchecked)
        for v, groups in rows.groups(suspect) if len(suspect) else ():
            h = self._household(v, groups, rejects)
            if h is not None:
                known[v] = h
                if bad[v]:              # bad by the columns, good by the household reader
                    households.append(h)
                    at.append(v)
                else:
                    keep[v] = True
        pop = built.population(keep, r.fiscal_year or 0, scalar)
        fast, at = np.flatnonzero(keep), np.array(at, np.int64)
        pop, perm = tablebuild.combine(pop, fast, from_households(households, r.fiscal_year),
                                       at)
        kept = np.concatenate([fast, at])[perm]
        changed = np.zeros(pop.size, bool)
        changed[pop.household[pop.head_changes["person"]]] = True
        pop.households = Households(rows, kept, known, pop.scalar, changed)
        return pop, self.order[kept], _Sources(r.hh, self.numbers[kept])

    def _household(self, v: int, groups: dict, rejects: list):
        """The household of row `v` read by the household reader, or None (rejected)."""
        r = self.reader
        src = groups["households"][0][0]
        parsed = sources.parse(src, groups)
        if isinstance(parsed, Reject):
            rejects.append(((int(self.order[v]), 1), parsed))
            return None
        if r.fiscal_year is None:
            r.fiscal_year = parsed.fiscal_year
        return parsed


def _only_head_changes(built, other) -> None:
    """The 世帯主変更 rows of the households with no other fact the columns do not take
    (bool[V] `other`: 条例減免 rows, another fiscal year) alone, as from_households keeps
    them."""
    rows = built.rows["head_changes"]
    keep = ~other[built.household[rows["person"]]]
    if not keep.all():
        built.rows["head_changes"] = {k: c[keep] for k, c in rows.items()}


class _Sources:
    """The ``file:row`` of each household of a chunk, made when asked for."""

    def __init__(self, t: _Table, numbers):
        self.t, self.numbers = t, numbers

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, i: int) -> str:
        return self.t.source(self.numbers[i])


def _compat(directory: Path, fiscal_year, encoding, chunk: int) -> Iterator[Read]:
    """The household reader's items, chunk by chunk, as Populations (files whose column
    types the columns do not take)."""
    np = _np()
    items = sources.items(directory, encoding)
    n = 0
    while True:
        part = list(islice(items, chunk))
        if not part:
            return
        households, order, srcs, rejects = [], [], [], []
        for i, (src, payload) in enumerate(part, n):
            parsed = sources.parse(src, payload)
            if isinstance(parsed, Reject):
                rejects.append(((i, 1), parsed))
                continue
            fiscal_year = fiscal_year or parsed.fiscal_year
            households.append(parsed)
            order.append(i)
            srcs.append(src)
        n += len(part)
        yield Read(from_households(households, fiscal_year), rejects,
                   np.array(order, np.int64), srcs, len(part))
