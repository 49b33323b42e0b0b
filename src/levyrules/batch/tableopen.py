"""Opening the Parquet tables of a population for the columnar reader (batch/tablefiles.py):
person id columns read as Arrow dictionaries where the file stores them with a small
dictionary, and in a worker process of `levyrules batch` the files kept open from one
part to the next (docs/scale.md, "The workers' fixed costs and person ids")."""

from __future__ import annotations

import os
from pathlib import Path

from ..population import layout, tables as files

# the Parquet files a worker process opened, kept for its next parts (keep_open): a part
# opens seven tables and reads their footers and row-group statistics again otherwise
_KEPT: dict | None = None


def keep_open() -> None:
    """In a worker process of `levyrules batch` (population.runner): the Parquet tables
    opened stay open for the parts that follow, each found again by its path and its
    file's identity (device, inode, size, modification time), so that a file replaced
    between two parts is opened anew. Never in a caller's process: files stay mapped."""
    global _KEPT
    if _KEPT is None:
        _KEPT = {}


class _Opened:
    """An opened Parquet table and what is read of its footer once: the largest
    household_id of each row group (None where its statistics do not give it); kept
    (keep_open), the batches of a small table as decoded for a part (`decoded`)."""

    def __init__(self, pq, kept: bool = False):
        self.pq = pq
        self.maxima = None
        self.columns = None             # the columns read (read_columns)
        self.decoded: dict | None = {} if kept else None

    def batches(self, size: int, groups, read):
        """`read()`'s batches (those of row `groups` in batches of `size` rows); kept when
        the table is small (a batch or less) and the file is kept open: each part of a
        worker reads the whole of the small tables (separate_incomes, statuses …) from
        the row group of its first household, decoded once instead of once a part."""
        if self.decoded is None or self.pq.metadata.num_rows > size:
            return read()
        key = (size, None if groups is None else tuple(groups))
        got = self.decoded.get(key)
        if got is None:
            got = list(read())          # (an error raised: nothing kept)
            if len(self.decoded) >= 8:
                self.decoded.clear()
            self.decoded[key] = got
        return iter(got)


# the person id columns read as Arrow dictionaries where they repeat (tablebuild maps a
# dictionary's values once, not every cell: ids such as p1, p2 from household to household).
# Not the households' head: Arrow cuts the batches of a dictionary column at each row
# group, and the households table's batches are the chunks (16,384 households instead of
# 65,536: more per-chunk work than the head's decoding saves)
PERSON_IDS = {"persons": "person_id", "insured_periods": "person_id"}


def _repeating(table: str):
    """The function choosing the columns of `table` read as dictionaries (open_parquet):
    its person id column when the file stores it dictionary-encoded with a dictionary
    page under a quarter of the column chunk (in its first row group); ids unique to
    each person (a dictionary as large as the column) are read as text."""
    def choose(f) -> tuple:
        name = PERSON_IDS.get(table)
        meta = f.metadata
        if name not in f.schema_arrow.names or not meta.num_row_groups \
                or f.schema_arrow.field(name).type != "string":
            return ()
        c = meta.row_group(0).column(f.schema_arrow.names.index(name))
        if not c.has_dictionary_page or c.dictionary_page_offset is None:
            return ()
        page = c.data_page_offset - c.dictionary_page_offset
        return (name,) if 0 < 4 * page < c.total_compressed_size else ()
    return choose


def read_columns(opened: _Opened, table: str) -> list:
    """The columns of `table` worth decoding: all but the integer, flag and date columns
    that no row fills (their statistics count every row of every row group as null).
    Such a column reads as absent, which the columns take as they take a column of
    empty cells (tablecells: ints, bools, dates; the household reader leaves a column
    empty in every row of its rows out: tablerows). Read from the footer once."""
    if opened.columns is None:
        f, kinds = opened.pq, layout.kinds(table)
        meta, names = f.metadata, f.schema_arrow.names
        groups = [meta.row_group(g) for g in range(meta.num_row_groups)]
        opened.columns = [name for j, name in enumerate(names)
                          if kinds[name] == layout.STR or not groups
                          or not all(_unfilled(g.num_rows, g.column(j).statistics) for g in groups)]
    return opened.columns


def _unfilled(rows: int, stats) -> bool:
    return stats is not None and stats.has_null_count and stats.null_count == rows


def open_table(path: Path, table: str) -> _Opened:
    """The Parquet table `path` opened (open_parquet), or the one kept (keep_open)."""
    if _KEPT is None:
        return _Opened(files.open_parquet(path, table, _repeating(table)))
    try:
        st = os.stat(path)
    except OSError:
        return _Opened(files.open_parquet(path, table))    # (it words the error)
    key = (str(path), table, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    got = _KEPT.get(key)
    if got is None:
        if len(_KEPT) >= 16:
            _KEPT.clear()
        got = _KEPT[key] = _Opened(files.open_parquet(path, table, _repeating(table)), True)
    return got
