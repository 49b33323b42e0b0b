"""The files of a population's flat tables as the columnar reader reads them: arrow
batches with the number of each row (the line of a CSV file, the row of a Parquet file,
as the household reader counts them), the household_id order of each table checked as
the household reader checks it (the other tables' as they are taken a key range at a time:
batch/tablecursor.py), and the parts of the households table the workers read."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, NamedTuple

from ..errors import InputError
from ..population import layout, sources, tables as files
from . import tablecells as cells, tablecsv
from .tableopen import PERSON_IDS, open_table, read_columns
from .tablebuild import col

def _np():
    return cells._libs()[0]


class Where:
    """How the rows of a table file are named: ``file:line`` (CSV), ``file:row N``."""

    def __init__(self, name: str, fmt: str):
        self.name, self.fmt = name, fmt

    def __call__(self, number) -> str:
        return self.fmt.format(self.name, int(number))


def _canonical(schema, table: str) -> bool:
    """True when every column has a type the columns read (text, or an integer, boolean or
    date (Parquet DATE) column of its kind); any other type is left to the household
    reader."""
    _, pa, _ = cells._libs()
    kinds = layout.kinds(table)
    for f in schema:
        t = f.type
        if pa.types.is_dictionary(t) and f.name == PERSON_IDS.get(table):
            t = t.value_type        # (read so by _repeating; tablebuild maps it)
        text = pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t)
        if not (text or (kinds[f.name] == layout.INT and pa.types.is_integer(t)
                         and t != pa.uint64())
                or (kinds[f.name] == layout.BOOL and pa.types.is_boolean(t))
                or (kinds[f.name] == layout.DATE and pa.types.is_date32(t))):
            return False
    return len(set(schema.names)) == len(schema.names)


class _Table:
    """One table file, read in arrow batches with the number of each row (the line of a
    CSV file, the row of a Parquet file, as the household reader counts them)."""

    def __init__(self, path: Path, table: str, encoding: str | None):
        self.table, self.name, self.index = table, path.name, list(layout.TABLES).index(table)
        self.path = path
        _, pa, _ = cells._libs()
        if path.suffix == ".csv":
            self.names, self._blocks = tablecsv.csv_batches(path, table, encoding)
            self.where = Where(path.name, "{}:{}")
            self.schema = pa.schema([(c, pa.string()) for c in self.names])
            self.canonical = len(set(self.names)) == len(self.names)
        else:
            self._opened = open_table(path, table)
            self._pq = self._opened.pq
            self.where = Where(path.name, "{}:row {}")
            self.schema = self._pq.schema_arrow
            self.canonical = _canonical(self.schema, table)

    def source(self, number) -> str:
        return self.where(number)

    def batches(self, size: int, groups=None) -> Iterator[tuple]:
        """(arrow table, row numbers) of each batch; of Parquet row `groups` only."""
        if self.where.fmt == "{}:{}":
            yield from _sized(self._blocks, size)
            return
        if groups is not None and not len(groups):
            return
        yield from self._opened.batches(size, groups, lambda: self._batches(size, groups))

    def _batches(self, size: int, groups) -> Iterator[tuple]:
        np, pa, _ = cells._libs()
        meta = self._pq.metadata
        n = sum(meta.row_group(g).num_rows for g in range(groups[0])) if groups else 0
        for b in files.parquet_batches(self._pq.iter_batches(
                batch_size=size, row_groups=groups, columns=read_columns(
                    self._opened, self.table), use_threads=False), self.path, self.table):
            yield pa.Table.from_batches([b]), np.arange(n + 1, n + 1 + b.num_rows)
            n += b.num_rows

    def groups_after(self, key: str) -> list:
        """The Parquet row groups from the first whose largest household_id (by its
        statistics) is above `key`: the rows at or below `key` come before them."""
        maxima = self._maxima()
        for g, most in enumerate(maxima):
            if most is None or most > key:
                return list(range(g, len(maxima)))
        return []

    def _maxima(self) -> list:
        """The largest household_id of each row group by its statistics (None: not
        given as text), read from the footer once per opened file."""
        if self._opened.maxima is None:
            meta = self._pq.metadata
            j = self.schema.names.index("household_id")
            maxima = []
            for g in range(meta.num_row_groups):
                stats = meta.row_group(g).column(j).statistics
                ok = stats is not None and stats.has_min_max and isinstance(stats.max, str)
                maxima.append(stats.max if ok else None)
            self._opened.maxima = maxima
        return self._opened.maxima

    @property
    def row_groups(self) -> list:
        """The number of rows of each Parquet row group."""
        meta = self._pq.metadata
        return [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]


def _sized(blocks, size: int) -> Iterator[tuple]:
    """(table, numbers) of `size` rows each (the last: what remains) from blocks of any
    number of rows; every column one array."""
    held, n = [], 0
    for table, numbers in blocks:
        held.append((table, numbers))
        n += len(numbers)
        while n >= size:
            table, numbers = _join(held)
            yield _one_chunk(table.slice(0, size)), numbers[:size]
            held, n = [(table.slice(size), numbers[size:])], n - size
    if n:
        table, numbers = _join(held)
        yield _one_chunk(table), numbers


def _join(held: list) -> tuple:
    np, pa, _ = cells._libs()
    if len(held) == 1:
        return held[0]
    return pa.concat_tables([h[0] for h in held]), np.concatenate([h[1] for h in held])


def _one_chunk(table):
    return table.combine_chunks() if any(c.num_chunks > 1 for c in table.columns) else table


def _empty(t: _Table):
    return t.schema.empty_table()


def _keys(table):
    """The household_id of each row as text ('' when empty)."""
    _, pa, pc = cells._libs()
    c = col(table, "household_id")
    if c is None or pa.types.is_null(c.type):
        return pa.array([""] * table.num_rows, pa.string())
    if c.null_count:
        c = pc.fill_null(c, "")
    return c if pa.types.is_string(c.type) else c.cast(pa.string())


# ---------------------------------------------------------------- parts for workers

class Part(NamedTuple):
    """A part of the households table, read by one worker: its Parquet row groups, its
    first row, the last household_id before it (None: none), whether it ends the input,
    and the row after its last (None: the end of its row groups; `first` and `end` may
    cut through its first and last row group: the Dask partitions, levyrules.dask).
    `unread`: `prev` is not known yet; :func:`resolve` reads it (in the worker)."""
    groups: tuple
    first: int
    prev: str | None
    last: bool
    end: int | None = None
    unread: bool = False


def parts(directory, rows: int, *, check: bool = True, tail: int = 0,
          split: int = 0) -> list[Part] | None:
    """The households table cut at its row-group edges into parts of about `rows` rows,
    each read by :func:`read_population` on its own (in worker processes), or None when
    the tables are not all Parquet files the columns read. `check`: the order of the
    households table is checked here, over the whole table, and each part's `prev` taken
    from it. Otherwise (`levyrules batch`) the parts are planned from the files' footers
    alone, no household_id read in this process: each part is `unread`, its `prev` read by
    :func:`resolve` in the worker that reads it, which checks the order of its rows from
    it; so the parts together check the whole table, each row against the named one
    before it as here (the first part out of order is the first to report it). `tail`:
    the last `tail` row groups are a part each, so that the workers finish together.
    `split`: the rows before them in about `split` parts, if that makes parts of more than
    `rows` rows (each part costs opening the tables and reading the rows around its
    edges)."""
    paths = sources.table_paths(Path(directory))
    opened = {t: _Table(p, t, None) for t, p in paths.items() if p is not None}
    if any(p.suffix != ".parquet" for p in paths.values() if p is not None) or \
            not all(t.canonical for t in opened.values()):
        return None
    hh = opened["households"]
    sizes = hh.row_groups
    if split:
        rows = max(rows, -(-sum(sizes[:len(sizes) - tail]) // split))
    prev = _prev_of(hh) if check else None
    out, group, first = [], 0, 0
    while group < len(sizes) or not out:
        end = group + 1
        while end < len(sizes) - tail and sum(sizes[group:end]) < rows:
            end += 1
        end = min(end, len(sizes))
        out.append(Part(tuple(range(group, end)), first, prev(first) if check else None,
                        False, unread=not check and group > 0))
        first += sum(sizes[group:end])
        group = end
    out[-1] = out[-1]._replace(last=True)
    return out


def _prev_of(hh: _Table):
    """Reads every household_id and checks their order: → the function giving the last
    named household_id before a row (None: none)."""
    np = _np()
    with files.unreadable(hh.path, hh.table):
        keys = _keys(hh._pq.read(columns=["household_id"]))
    named = np.flatnonzero(cells.present(keys, len(keys)))
    if len(named):
        _check_order(hh, keys.take(named), named + 1, None)

    def prev(first: int) -> str | None:
        before = np.searchsorted(named, first) - 1
        return keys[int(named[before])].as_py() if before >= 0 else None
    return prev


def resolve(directory, part: Part) -> Part:
    """`part` with its `prev`: the last household_id before its first row group, read from
    the row groups before it, the nearest first (one row group's ids, as a rule)."""
    if not part.unread:
        return part
    np = _np()
    hh = _Table(sources.table_paths(Path(directory))["households"], "households", None)
    prev = None
    for g in range(part.groups[0] - 1, -1, -1):
        with files.unreadable(hh.path, hh.table):
            keys = _keys(hh._pq.read_row_group(g, columns=["household_id"], use_threads=False))
        named = np.flatnonzero(cells.present(keys, len(keys)))
        if len(named):
            prev = keys[int(named[-1])].as_py()
            break
    return part._replace(prev=prev, unread=False)


def _check_order(hh: _Table, keys, numbers, prev: str | None):
    """A household_id below the one before it (the first: below `prev`) stops the run (the
    households table is not sorted). → True for each that is the one before it."""
    np = _np()
    first = keys[0].as_py()
    starts = np.empty(len(keys), bool)
    down = 0 if prev is not None and first < prev else cells.mark_runs(keys, starts)
    if down is not None:
        raise InputError("households.household_id", "the households table is not sorted "
                                                    "by household_id (at "
                                                    f"{hh.source(numbers[down])})")
    starts[0] = prev is None or first != prev
    return ~starts
