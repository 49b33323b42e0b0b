"""Writing the assessment file, the rejects file and the sidecar: each to a temporary
file in the destination folder, renamed into place only when the whole run succeeded, so
that a failed or interrupted run leaves nothing half-written.

The assessment file is written from Arrow tables (rows, numpy columns and the Arrow IPC
files of worker processes all become one), cut into row groups of ROW_GROUP rows whatever
the chunks, or made of the Parquet files worker processes wrote, each cut so, joined
without re-encoding (parquet_join): the values, their order and the schema do not depend on
the chunk size or the worker count (the row groups of a joined file end at the end of each
worker's part).

The Parquet settings are chosen for the speed of writing and stay plain Parquet that
pyarrow (17 or later), pandas, DuckDB and Polars open: integers BYTE_STREAM_SPLIT (each
value's 8 bytes cut into 8 streams, so that the zero high bytes of yen amounts make long
runs) in LZ4_RAW pages (LZ4 compresses those runs far better than Snappy: 37 MB for
491,520 households, 46 with Snappy; a quarter less CPU than DELTA_BINARY_PACKED with
Snappy, whose encoder costs about 5 ns a value), the columns 0 for almost every household
PLAIN (rows.rare: LZ4 on their zeros costs less than cutting them into streams, and is as
small), the household id DELTA_BYTE_ARRAY (sorted ids share their prefix: 0.2 bytes a
row, and a third less CPU than a dictionary of unique values), the other text
dictionary-encoded, values handed to the encoder a row group at a time
(write_batch_size), and column statistics on household_id alone (a reader finds a
household's row group by them; minima and maxima of the money columns serve nobody, and
cost a tenth of the encoding). With a pyarrow older than 17 (which cannot write integers
BYTE_STREAM_SPLIT) the integers are DELTA_BINARY_PACKED.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import NamedTuple

from .extras import need
from .rejects import COLUMNS as REJECT_COLUMNS

ROW_GROUP = 65_536          # fixed, so the file does not depend on the chunk size
ID = "household_id"         # unique and sorted: prefix-encoded, no dictionary


def temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def arrow_schema(schema):
    pa = need("pyarrow", "batch", "Parquet output")
    types = {"int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}
    return pa.schema([(name, types[kind]) for name, kind in schema])


def arrow_table(arrays: dict, arrow):
    """Columns (name -> numpy array, as levyrules.batch.evaluate.Columns has them) as an
    Arrow table of the result schema `arrow`."""
    pa = need("pyarrow", "batch", "Parquet output")
    return pa.Table.from_arrays([pa.array(arrays[f.name], type=f.type) for f in arrow],
                                schema=arrow)


def rows_table(rows: list, arrow):
    """Rows (lists in schema order) as an Arrow table of the result schema `arrow`."""
    pa = need("pyarrow", "batch", "Parquet output")
    cols = list(zip(*rows)) if rows else [() for _ in arrow]
    return pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(cols, arrow)],
                                schema=arrow)


def parquet_options(arrow, compatible: bool = False) -> dict:
    """The ParquetWriter settings of the assessment file (the module docstring).
    `compatible`: pyarrow's own defaults instead (dictionary and PLAIN, Snappy, data pages
    v1), which every Parquet reader opens, old ones included (Spark before 4, a vendor's
    reader), at some 0.3 µs of CPU a household more; statistics on household_id alone
    still."""
    pa = need("pyarrow", "batch", "Parquet output")
    if compatible:
        return {"compression": "snappy", "write_page_index": False,
                "write_statistics": [ID] if ID in arrow.names else False}
    ints = [f.name for f in arrow if pa.types.is_integer(f.type)]
    return {"compression": "lz4",           # LZ4_RAW in the file
            "use_dictionary": [f.name for f in arrow if pa.types.is_string(f.type)
                               and f.name != ID],
            "column_encoding": {**{n: int_encoding(n) for n in ints},
                                **({ID: "DELTA_BYTE_ARRAY"} if ID in arrow.names else {})},
            "write_statistics": [ID] if ID in arrow.names else False,
            "write_batch_size": ROW_GROUP,
            "write_page_index": False}     # (parquet_join does not join page indexes)


def int_encoding(column: str) -> str:
    """BYTE_STREAM_SPLIT, which pyarrow writes for integers from version 17 on (before:
    DELTA_BINARY_PACKED); PLAIN for a column 0 for almost every household (rows.rare),
    whose LZ4 pages cost less than its bytes cut into streams (as small)."""
    from .rows import rare
    pa = need("pyarrow", "batch", "Parquet output")
    if int(pa.__version__.split(".")[0]) < 17:
        return "DELTA_BINARY_PACKED"
    return "PLAIN" if rare(column) else "BYTE_STREAM_SPLIT"


class PartFile(NamedTuple):
    """A worker's Parquet file of the result schema (written by a ResultWriter) and its
    footer cut for joining (parquet_join.relocatable)."""
    path: Path
    footer: object


class ResultWriter:
    """The assessment file, Parquet or CSV, from rows, columns or Arrow tables."""

    def __init__(self, path: Path, fmt: str, schema, tmp: Path | None = None,
                 compatible: bool = False):
        """`tmp`: the file written (by default a temporary file beside `path`, renamed
        by the caller); `compatible`: Parquet that any reader opens (parquet_options)."""
        self.path, self.fmt, self.schema = path, fmt, schema
        self.compatible = compatible
        self.tmp = tmp or temp_path(path)
        self._pending = None        # Arrow rows not yet in a row group
        self._pq = self._join = None
        self.count = 0
        if fmt == "csv":
            self._f = open(self.tmp, "w", encoding="utf-8", newline="")
            self._csv = csv.writer(self._f, lineterminator="\n")
            self._csv.writerow([n for n, _ in schema])
        self._schema = None

    @property
    def _arrow(self):
        """The Arrow schema of a Parquet result (None for CSV), made at its first use: a
        result joined from worker files needs none, nor pyarrow in this process."""
        if self._schema is None and self.fmt != "csv":
            self._schema = arrow_schema(self.schema)
        return self._schema

    def _parquet(self):
        """The Parquet writer, opened at the first table written."""
        if self._pq is None:
            if self._join is not None:
                raise ValueError("tables are not written after worker files")
            pq = need("pyarrow.parquet", "batch", "Parquet output")
            self._pq = pq.ParquetWriter(self.tmp, self._arrow,
                                         **parquet_options(self._arrow, self.compatible))
        return self._pq

    def write(self, rows: list) -> None:
        """Rows (lists in schema order)."""
        if self.fmt == "csv":
            self.count += len(rows)
            self._csv.writerows([_cell(v) for v in r] for r in rows)
        else:
            self.write_table(rows_table(rows, self._arrow))

    def write_columns(self, arrays: dict) -> None:
        """One array per column (name -> numpy array, a household each, as
        levyrules.batch.evaluate.Columns has them): the same file as write() of the rows."""
        if self.fmt == "csv":
            names = [n for n, _ in self.schema]
            self.write([list(r) for r in zip(*(arrays[n].tolist() for n in names))])
        else:
            self.write_table(arrow_table(arrays, self._arrow))

    def write_table(self, table, borrowed: bool = False) -> None:
        """An Arrow table of the result schema: the same file as write() of its rows.
        Its row groups are written as slices of it, whatever its chunks (the same bytes
        as of one chunk; a copy would cost more than the chunks); the rows left for the
        next row group are kept as they are, or copied when the table is `borrowed` (a
        view of a file read by memory map)."""
        if self.fmt == "csv":
            self.write([list(r) for r in zip(*(c.to_pylist() for c in table.columns))])
            return
        pa = need("pyarrow", "batch", "Parquet output")
        self.count += table.num_rows
        if self._pending is not None:
            table = pa.concat_tables([self._pending, table])
        done = table.num_rows - table.num_rows % ROW_GROUP
        for lo in range(0, done, ROW_GROUP):
            self._parquet().write_table(table.slice(lo, ROW_GROUP))
        rest = table.slice(done) if done < table.num_rows else None
        self._pending = _copy(rest) if borrowed and rest is not None else rest

    def write_spool(self, path: Path) -> None:
        """The tables of a worker's :class:`Spool` file, which is then removed."""
        pa = need("pyarrow", "batch", "Parquet output")
        with pa.memory_map(str(path)) as f:
            self.write_table(pa.ipc.open_file(f).read_all(), borrowed=True)
        path.unlink()

    def write_part(self, part: PartFile) -> None:
        """A worker's Parquet file (:class:`PartFile`), its row groups appended as they
        are (parquet_join); the file is then removed. Parquet results only (a CSV result
        takes the workers' Arrow files, write_spool); not after tables."""
        from .parquet_join import Joiner
        if self.fmt != "parquet":
            raise ValueError("worker Parquet files are joined into a Parquet result only")
        if self._pq is not None or self._pending is not None:
            raise ValueError("worker files are not joined after tables")
        if self._join is None:
            self._join = Joiner(self.tmp)
        self._join.append(part.path, part.footer)
        self.count += part.footer.rows
        part.path.unlink()

    def close(self) -> None:
        if self.fmt == "csv":
            self._f.close()
            return
        if self._join is not None:
            self._join.close()
            return
        if self._pending is not None or not self.count:
            self._parquet().write_table(self._pending if self._pending is not None
                                        else self._arrow.empty_table())
        self._pending = None
        self._pq.close()

    def abort(self) -> None:
        try:
            if self.fmt == "csv":
                self._f.close()
            elif self._join is not None:
                self._join.abort()
            elif self._pq is not None:
                self._pq.close()
        finally:
            self.tmp.unlink(missing_ok=True)


def _copy(table):
    pa = need("pyarrow", "batch", "Parquet output")
    return pa.Table.from_arrays([pa.concat_arrays(c.chunks + [pa.array([], c.type)])
                                 for c in table.columns], schema=table.schema)


def _cell(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    return v


class RejectWriter:
    def __init__(self, path: Path):
        self.path = path
        self.tmp = temp_path(path)
        self._f = open(self.tmp, "w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._f, lineterminator="\n")
        self._csv.writerow(REJECT_COLUMNS)
        self.count = 0

    def write(self, rejects: list) -> None:
        self.count += len(rejects)
        self._csv.writerows(r.values() for r in rejects)

    def close(self) -> None:
        self._f.close()

    def abort(self) -> None:
        self._f.close()
        self.tmp.unlink(missing_ok=True)


def write_json(path: Path, data: dict) -> Path:
    """JSON to a temporary file; returns it (renamed by the caller with os.replace)."""
    tmp = temp_path(path)
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return tmp


# ---------------------------------------------------------------- spool files of workers

def spool_folder(out: Path) -> Path:
    """A temporary folder beside the result for the Arrow files of the worker processes
    (removed by the caller with shutil.rmtree, whether the run succeeds or not)."""
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".spool", dir=out.parent))


class Spool:
    """An Arrow IPC file of result tables, written by a worker process and read back by
    :meth:`ResultWriter.write_spool` in the parent: Arrow buffers, no pickled objects."""

    def __init__(self, path: str, arrow):
        self.path, self.arrow, self.rows = path, arrow, 0
        self._w = None

    def write(self, table) -> None:
        if self._w is None:
            pa = need("pyarrow", "batch", "Parquet output")
            self._w = pa.ipc.new_file(pa.OSFile(self.path, "wb"), self.arrow)
        self._w.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        if self._w is not None:
            self._w.close()
