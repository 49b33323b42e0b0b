"""The Parquet table layout on Dask, partitioned by household (used by levyrules.dask).

The households table is cut by rows, ``partition_size`` households a partition (a
partition may start and end inside a row group); each partition is a
:class:`levyrules.batch.tables.Part` as `levyrules batch` gives its worker processes,
read with :func:`levyrules.batch.tables.read_population` (``part=…``): its households
rows, and of every other table the rows above the last household id before it, up to its
own last (the rows in between, naming no household, it rejects just where `batch`
rejects them). So rows, rejects and their sources (``persons.parquet:row N``) are those
of `batch`. Tables out of order are refused: the households table and the row groups of
the others on the client, the rows within a row group by the worker that reads them.
docs/scale.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError
from ..population import layout, tables
from ..population.extras import need


def _string_keys(f, path: Path, table: str) -> None:
    pa = need("pyarrow", "batch", "the Dask batch")
    kind = f.schema_arrow.field("household_id").type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise InputError(f"{table}.household_id", f"{path.name}: the Dask path needs "
                                                  f"household_id as a text column, not {kind}")


def _table_files(directory: Path) -> dict[str, Path]:
    """The Parquet file of every table present, each checked as `batch` checks it (columns,
    integer money columns) and with household_id as text."""
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
        # the header and column types, as batch checks them
        _string_keys(tables.open_parquet(path, t), path, t)
        files[t] = path
    return files


def _check_row_groups(path: Path, table: str) -> None:
    """Refuses a child table whose row groups are out of household_id order, from the
    Parquet statistics (or from the column where they are missing or there are nulls: a
    missing household_id reads as "", as in `batch`), before any task."""
    f = tables.open_parquet(path, table)    # a Parquet file, its columns of their types
    col = f.metadata.schema.names.index("household_id")
    top, first = None, 0
    for g in range(f.metadata.num_row_groups):
        n = f.metadata.row_group(g).num_rows
        first += n
        if not n:
            continue
        st = f.metadata.row_group(g).column(col).statistics
        if st is not None and st.has_min_max and st.has_null_count and st.null_count == 0:
            least, most = st.min, st.max
        else:
            with tables.unreadable(path, table):
                keys = ["" if k is None else k for k in
                        f.read_row_group(g, columns=["household_id"]).column(0).to_pylist()]
            least, most = min(keys), max(keys)
        if top is not None and least < top:
            raise InputError(f"{table}.household_id", f"the {table} table is not sorted by "
                                                      f"household_id (at {path.name}:row "
                                                      f"{first - n + 1})")
        top = most


def tables_parts(directory: str | os.PathLike, partition_size: int = 50_000) -> list:
    """The partitions of a folder of Parquet tables: a
    :class:`levyrules.batch.tables.Part` per `partition_size` households rows (the last
    one shorter), each with its row groups, first and end row and the last household id
    before it. The households table's order is checked here, over the whole table. Tables
    whose column types the columns do not take are one partition (read_population then
    reads them with the household reader, as `batch` does)."""
    np = need("numpy", "batch", "the Dask batch")
    from ..batch import tablecells as cells
    from ..batch.tablefiles import Part, _check_order, _keys, _Table
    directory = Path(directory)
    files = _table_files(directory)
    for t, path in files.items():
        if t != "households":
            _check_row_groups(path, t)
    opened = {t: _Table(p, t, None) for t, p in files.items()}
    hh = opened["households"]
    groups = tuple(range(len(hh.row_groups)))
    if not all(t.canonical for t in opened.values()):
        return [Part(groups, 0, None, True)]
    with tables.unreadable(hh.path, "households"):
        keys = _keys(hh._pq.read(columns=["household_id"]))
    named = np.flatnonzero(cells.present(keys, len(keys)))
    if len(named):
        _check_order(hh, keys.take(named), named + 1, None)
    n = len(keys)
    out = []
    for first, end, g0, g1 in _spans(hh.row_groups, n, partition_size):
        before = int(np.searchsorted(named, first)) - 1
        out.append(Part(groups[g0:g1] if n else (), first,
                        keys[int(named[before])].as_py() if before >= 0 else None,
                        end == n, end))
    return out


def _spans(row_groups: list, n: int, partition_size: int) -> list[tuple[int, int, int, int]]:
    """(first row, end row, first row group, end row group) of each partition: whole row
    groups, as many as make `partition_size` rows or more (a partition that cut through
    a row group would decode it whole for a part of its rows, and its neighbour again:
    twice the reading where the row groups are larger than the partitions); a partition
    of a row group larger than `partition_size` is cut through it into equal shares."""
    if n == 0:
        return [(0, 0, 0, 0)]
    out, g, first = [], 0, 0
    while g < len(row_groups):
        g1, rows = g, 0
        while g1 < len(row_groups) and rows < partition_size:
            rows += row_groups[g1]
            g1 += 1
        if g1 == g + 1 and rows > 2 * partition_size:    # one large row group: cut it
            cuts = [*range(first, first + rows, partition_size), first + rows]
            out += [(a, b, g, g1) for a, b in zip(cuts, cuts[1:])]
        else:
            out.append((first, first + rows, g, g1))
        g, first = g1, first + rows
    return out
