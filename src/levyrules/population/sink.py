"""Writing the assessment file, the rejects file and the sidecar: each to a temporary
file in the destination folder, renamed into place only when the whole run succeeded, so
that a failed or interrupted run leaves nothing half-written."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from .extras import need
from .rejects import COLUMNS as REJECT_COLUMNS

ROW_GROUP = 16_384          # fixed, so the file does not depend on the chunk size


def temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def arrow_schema(schema):
    pa = need("pyarrow", "batch", "Parquet output")
    types = {"int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}
    return pa.schema([(name, types[kind]) for name, kind in schema])


class ResultWriter:
    """Rows (lists in schema order) to Parquet or CSV."""

    def __init__(self, path: Path, fmt: str, schema):
        self.path, self.fmt, self.schema = path, fmt, schema
        self.tmp = temp_path(path)
        self.buffer: list = []
        self._table = None          # columns not yet written (write_columns)
        self.count = 0
        if fmt == "csv":
            self._f = open(self.tmp, "w", encoding="utf-8", newline="")
            self._csv = csv.writer(self._f, lineterminator="\n")
            self._csv.writerow([n for n, _ in schema])
        else:
            pq = need("pyarrow.parquet", "batch", "Parquet output")
            self._arrow = arrow_schema(schema)
            self._pq = pq.ParquetWriter(self.tmp, self._arrow)

    def write(self, rows: list) -> None:
        self.count += len(rows)
        if self.fmt == "csv":
            self._csv.writerows([_cell(v) for v in r] for r in rows)
            return
        self.buffer.extend(rows)
        while len(self.buffer) >= ROW_GROUP:
            self._flush(self.buffer[:ROW_GROUP])
            self.buffer = self.buffer[ROW_GROUP:]

    def write_columns(self, arrays: dict) -> None:
        """One array per column (name -> numpy array, a household each, as
        levyrules.batch.evaluate.Columns has them): the same file as write() of the rows."""
        names = [n for n, _ in self.schema]
        if self.fmt == "csv" or self.buffer:
            self.write([list(r) for r in zip(*(arrays[n].tolist() for n in names))])
            return
        pa = need("pyarrow", "batch", "Parquet output")
        table = pa.Table.from_arrays([pa.array(arrays[n], type=t) for n, t in
                                      zip(names, self._arrow.types)], schema=self._arrow)
        self.count += table.num_rows
        self._table = table if self._table is None else pa.concat_tables([self._table, table])
        while self._table.num_rows >= ROW_GROUP:
            self._pq.write_table(self._table.slice(0, ROW_GROUP).combine_chunks())
            self._table = self._table.slice(ROW_GROUP)

    def _flush(self, rows: list) -> None:
        pa = need("pyarrow", "batch", "Parquet output")
        cols = list(zip(*rows)) if rows else [() for _ in self.schema]
        arrays = [pa.array(c, type=t) for c, t in zip(cols, self._arrow.types)]
        self._pq.write_table(pa.Table.from_arrays(arrays, schema=self._arrow))

    def close(self) -> None:
        if self.fmt == "csv":
            self._f.close()
        else:
            if self._table is not None and self._table.num_rows:
                self._pq.write_table(self._table.combine_chunks())
            elif self.buffer or not self.count:
                self._flush(self.buffer)
            self.buffer = []
            self._pq.close()

    def abort(self) -> None:
        try:
            self._f.close() if self.fmt == "csv" else self._pq.close()
        finally:
            self.tmp.unlink(missing_ok=True)


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
