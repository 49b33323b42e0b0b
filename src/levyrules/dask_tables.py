"""The Parquet table layout on Dask, partitioned by household (used by levyrules.dask).

The households table is cut by rows, ``partition_size`` households a partition; each
partition k gets the household_id range (high of k−1, high of k], where high is the
greatest household id up to its end. Inside ``map_partitions`` a partition reads, of
every other table, only the row groups whose household_id statistics meet its range,
cuts the rows of the range out of them, and joins them to its households by the same
streaming merge as `levyrules batch` (levyrules.population.sources), so that rows,
rejects and their sources (``persons.parquet:row N``) are those of `batch`. Tables out
of order are refused: across row groups on the client (from the statistics), within
them by the worker that reads them. docs/scale.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputError
from .population import layout, sources, tables
from .population.extras import need
from .population.rejects import Reject


def _string_keys(f, path: Path, table: str) -> None:
    pa = need("pyarrow", "batch", "the Dask batch")
    kind = f.schema_arrow.field("household_id").type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise InputError(f"{table}.household_id", f"{path.name}: the Dask path needs "
                                                  f"household_id as a text column, not {kind}")


def _table_files(directory: Path) -> dict[str, Path]:
    """The Parquet file of every table present, each checked as `batch` checks it (columns,
    integer money columns) and with household_id as text."""
    pq = need("pyarrow.parquet", "batch", "the Dask batch")
    found = {t: tables.find(directory, t) for t in layout.TABLES}
    for t in layout.REQUIRED_TABLES:
        if found[t] is None:
            raise InputError(t, f"{directory} has no {t}.parquet or {t}.csv")
    files = {}
    for t, path in found.items():
        if path is None:
            continue
        if path.suffix != ".parquet":
            raise InputError(t, f"{path.name}: the Dask path reads Parquet tables (convert "
                                "CSV tables with `levyrules convert DIR --out TABLES "
                                "--format parquet`)")
        next(tables.read(path, t), None)         # the header and column types, as batch
        _string_keys(pq.ParquetFile(path), path, t)
        files[t] = path
    return files


def _text_keys(column) -> list[str]:
    return ["" if k is None else k for k in column.to_pylist()]


def _groups(f) -> list[tuple[int, int, int]]:
    """(index, first row, rows) of the non-empty row groups of a Parquet file."""
    out, first = [], 0
    for g in range(f.metadata.num_row_groups):
        n = f.metadata.row_group(g).num_rows
        if n:
            out.append((g, first, n))
        first += n
    return out


def _read(f, groups: list[tuple], first: int, end: int):
    """Rows first..end−1 (0-based) of a Parquet file, from those of its row groups
    ((index, first row, rows, …), in file order) that hold them: an Arrow table."""
    sel = [x for x in groups if x[1] < end and x[1] + x[2] > first]
    if not sel:
        return f.schema_arrow.empty_table()
    return f.read_row_groups([x[0] for x in sel]).slice(first - sel[0][1], end - first)


def _row_groups(path: Path, table: str) -> tuple:
    """(index, first row, rows, least key, greatest key) of every non-empty row group of a
    child table, from the Parquet statistics (or from the column where they are missing or
    there are nulls: a missing household_id reads as "", as in `batch`). Refuses row
    groups out of order."""
    pq = need("pyarrow.parquet", "batch", "the Dask batch")
    f = pq.ParquetFile(path)
    col = f.metadata.schema.names.index("household_id")
    out, top = [], None
    for g, first, n in _groups(f):
        st = f.metadata.row_group(g).column(col).statistics
        if st is not None and st.has_min_max and st.has_null_count and st.null_count == 0:
            least, most = st.min, st.max
        else:
            keys = _text_keys(f.read_row_group(g, columns=["household_id"]).column(0))
            least, most = min(keys), max(keys)
        if top is not None and least < top:
            raise InputError(f"{table}.household_id", f"the {table} table is not sorted by "
                                                      f"household_id (at {path.name}:row "
                                                      f"{first + 1})")
        out.append((g, first, n, least, most))
        top = most
    return tuple(out)


def _household_parts(path: Path, partition_size: int) -> list[tuple]:
    """(first row, end row, low, high) of every partition of the households table: `high`
    is the greatest household id up to the partition's end (None for the last); the
    partition takes the rows of the other tables whose key k has low < k ≤ high."""
    pq = need("pyarrow.parquet", "batch", "the Dask batch")
    pc = need("pyarrow.compute", "batch", "the Dask batch")
    f = pq.ParquetFile(path)
    col = f.metadata.schema.names.index("household_id")
    cuts, start, row, top = [], 0, 0, None

    def add(n: int, most) -> None:
        nonlocal start, row, top
        if most and (top is None or most > top):
            top = most
        row += n
        if row - start == partition_size:
            cuts.append((start, row, top))
            start = row

    for g, _, n in _groups(f):
        st = f.metadata.row_group(g).column(col).statistics
        if n <= partition_size - (row - start) and st is not None and st.has_min_max:
            add(n, st.max)      # a row group not cut: its greatest key from the footer
            continue
        keys = f.read_row_group(g, columns=["household_id"]).column(0)
        i = 0
        while i < len(keys):
            take = min(partition_size - (row - start), len(keys) - i)
            add(take, pc.max(keys.slice(i, take)).as_py())
            i += take
    if row > start or not cuts:
        cuts.append((start, row, top))
    lows = [None] + [c[2] for c in cuts[:-1]]
    return [(a, b, low, high if k < len(cuts) - 1 else None)
            for k, ((a, b, high), low) in enumerate(zip(cuts, lows))]


def _read_households(part: tuple, path: str):
    """One partition of the households frame: its rows and their ``source``."""
    import pandas as pd
    pa = need("pyarrow", "batch", "the Dask batch")
    pq = need("pyarrow.parquet", "batch", "the Dask batch")
    f = pq.ParquetFile(path)
    t = _read(f, _groups(f), part[0], part[1])
    name = Path(path).name
    sources = [f"{name}:row {n}" for n in range(part[0] + 1, part[0] + t.num_rows + 1)]
    t = t.append_column("source", pa.array(sources, pa.string()))
    return t.to_pandas(types_mapper=pd.ArrowDtype)


def _select(groups: tuple, low, high) -> tuple:
    """The row groups that may hold household ids k with low < k ≤ high (None: open)."""
    return tuple(x for x in groups if (low is None or x[4] > low)
                 and (high is None or x[3] <= high))


def _rows(t) -> Iterator[dict]:
    """The rows of an Arrow table as dicts, made a batch at a time; a column empty over a
    batch is left out of its rows (row.get(c) is None either way), as `batch` reads them."""
    names = t.column_names
    for batch in t.to_batches(max_chunksize=tables.BATCH):
        keep = [i for i, col in enumerate(batch.columns)
                if col.null_count < len(col) or names[i] == "household_id"]
        keys = [names[i] for i in keep]
        for values in zip(*(batch.column(i).to_pylist() for i in keep)):
            yield dict(zip(keys, values))


def _child_rows(path: Path, table: str, sel: tuple, low, high) -> Iterator[tuple[str, dict]]:
    """(source, row) of the rows of a child table whose household_id k has low < k ≤ high,
    read from its row groups `sel` (:func:`_select`); a table out of order is refused
    (at once: the rows are then made as they are consumed)."""
    pq = need("pyarrow.parquet", "batch", "the Dask batch")
    pc = need("pyarrow.compute", "batch", "the Dask batch")
    if not sel:
        return iter(())
    first = sel[0][1]
    t = _read(pq.ParquetFile(path), sel, first, sel[-1][1] + sel[-1][2])
    # in Arrow (byte order of UTF-8 = the order of the text); a missing id reads as ""
    keys = pc.fill_null(t.column("household_id"), "").combine_chunks()
    if len(keys) > 1:
        down = pc.less(keys.slice(1), keys.slice(0, len(keys) - 1))
        if pc.any(down).as_py():
            i = pc.index(down, True).as_py() + 1
            raise InputError(f"{table}.household_id", f"the {table} table is not sorted by "
                                                      f"household_id (at {path.name}:row "
                                                      f"{first + i + 1})")
    a = 0 if low is None else pc.sum(pc.less_equal(keys, low)).as_py() or 0
    b = len(keys) if high is None else pc.sum(pc.less_equal(keys, high)).as_py() or 0
    where = (f"{path.name}:row {n}" for n in range(first + a + 1, first + b + 1))
    return zip(where, _rows(t.slice(a, b - a)))


def _merge(households: Iterable, children: dict, prev: str | None):
    """Items of one partition: its households with their rows of the other tables, and the
    rejects, in the order `batch` reads them (levyrules.population.sources._tables; `prev`
    is the greatest household id of the partitions before)."""
    for src, row in households:
        hid = row.get("household_id")
        hid = "" if hid is None else str(hid)
        if not hid:
            yield src, Reject.of("", src, "households.household_id", "is required")
            continue
        if prev is not None and hid <= prev:
            if hid == prev:
                yield src, Reject.of(hid, src, "households.household_id",
                                     "is used by another household")
                continue
            raise InputError("households.household_id", "the households table is not sorted "
                                                        f"by household_id (at {src})")
        prev = hid
        groups: dict[str, list] = {"households": [(src, row)]}
        for t, g in children.items():
            yield from sources._orphans(g, lambda k: k < hid)
            if g.key == hid:
                groups[t] = g.take()
        yield src, groups
    for g in children.values():
        yield from sources._orphans(g, lambda k: True)


def items(df, directory: str, low, high, groups: dict) -> Iterator[tuple]:
    """The items (source, payload) of one partition of the households frame `df`, for
    :func:`levyrules.population.runner.run_chunk`; `groups` are the row groups of each other
    table to read (:func:`tables_frame`). Raises InputError at once for rows out of order."""
    pa = need("pyarrow", "batch", "the Dask batch")
    households = zip(df["source"], _rows(pa.Table.from_pandas(df.drop(columns="source"),
                                                              preserve_index=False)))
    children = {t: sources._Groups(_child_rows(Path(directory) / f"{t}.parquet", t,
                                               g, low, high), t)
                for t, g in groups.items()}
    return _merge(households, children, low)


def tables_frame(directory: str | os.PathLike, partition_size: int = 50_000):
    """The households table of a folder of Parquet tables as a Dask DataFrame,
    `partition_size` households a partition, and what each partition needs to read its
    rows of the other tables: (frame, ranges) with per partition (low, high, {table: row
    groups to read}) as :func:`items` takes them."""
    dd = need("dask.dataframe", "dask", "the Dask batch")
    directory = Path(directory)
    files = _table_files(directory)
    groups = {t: _row_groups(p, t) for t, p in files.items() if t != "households"}
    parts = _household_parts(files["households"], partition_size)
    path = str(files["households"])
    meta = _read_households((0, 0, None, None), path)
    ranges = tuple((low, high, {t: _select(g, low, high) for t, g in groups.items()})
                   for _, _, low, high in parts)
    return dd.from_map(_read_households, parts, path=path, meta=meta), ranges
