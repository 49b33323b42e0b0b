"""Opening the Parquet tables of a population for the columnar reader (batch/tablefiles.py):
person id columns read as Arrow dictionaries where the file stores them with a small
dictionary, and in a worker process of `levyrules batch` the files kept open from one
part to the next (docs/scale.md, "The workers' fixed costs and person ids")."""

from __future__ import annotations

import os
from pathlib import Path

from ..population import tables as files

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
    household_id of each row group (None where its statistics do not give it)."""

    def __init__(self, pq):
        self.pq = pq
        self.maxima = None


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
        got = _KEPT[key] = _Opened(files.open_parquet(path, table, _repeating(table)))
    return got
