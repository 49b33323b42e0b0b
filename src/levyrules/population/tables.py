"""Reading and writing the tables of the columnar layout, as CSV or Parquet, in streams.

CSV is read as text (UTF-8 with or without BOM by default, or the encoding given, e.g.
``shift_jis`` for municipal exports) and every cell is converted strictly by
:mod:`layout`; numbers are never guessed from text, so no amount ever passes through a
float. Parquet money columns must be integer columns (int64); dates are written as Parquet
DATE columns (text YYYY-MM-DD is read too). Tables are read in row batches, so memory does
not grow with the file.
"""

from __future__ import annotations

import codecs
import csv
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from . import layout
from .extras import need
from ..engine.fields import ordinal

SUFFIXES = (".parquet", ".csv")
BATCH = 16_384


def find(directory: Path, table: str) -> Path | None:
    """The file of `table` in `directory` (TABLE.parquet or TABLE.csv), if any."""
    found = [directory / f"{table}{s}" for s in SUFFIXES if (directory / f"{table}{s}").is_file()]
    if len(found) > 1:
        raise InputError(table, f"both {table}.parquet and {table}.csv are in {directory}: "
                                "keep one")
    return found[0] if found else None


def read(path: Path, table: str, encoding: str | None = None) -> Iterator[tuple[str, dict]]:
    """(source, row) for every row of a table file; source is ``file:line`` or ``file:row``."""
    if path.suffix == ".csv":
        return _read_csv(path, table, encoding)
    return _read_parquet(path, table)


def _check_header(names: list, table: str, path: Path) -> None:
    known = set(layout.columns(table))
    for c, _, required in layout.TABLES[table]:
        if required and c not in names:
            raise InputError(f"{table}.{c}", f"{path.name} has no column '{c}'")
    seen = set()
    for n, c in enumerate(names, 1):
        if c not in known:      # named by its place: a header cell may be anything
            raise InputError(table, f"{path.name}: unknown column (the {ordinal(n)} of the "
                                    "header)")
        if c in seen:           # two cells for one fact: which one is meant cannot be known
            raise InputError(f"{table}.{c}", f"{path.name}: the column is given twice")
        seen.add(c)


def _read_csv(path: Path, table: str, encoding: str | None) -> Iterator[tuple[str, dict]]:
    header, rows = csv_rows(path, table, encoding)
    for line, values in rows:
        yield f"{path.name}:{line}", dict(zip(header, values))


def csv_rows(path: Path, table: str, encoding: str | None) -> tuple[list, Iterator]:
    """The header of a CSV table (checked) and its rows as (line number, cells): blank
    lines skipped, every row as long as the header. The one CSV reading of both readers."""
    enc = text_encoding(encoding, "--encoding") or "utf-8-sig"
    if enc.replace("-", "_").lower() in ("utf_8", "utf8"):
        enc = "utf-8-sig"       # a BOM is allowed either way
    f = open(path, encoding=enc, newline="")
    reader = csv.reader(f)
    try:
        header = next(reader, None)
    except (UnicodeError, csv.Error) as e:
        f.close()
        raise _csv_error(e, path, table, enc, 1) from None
    if header is None:
        f.close()
        raise InputError(table, f"{path.name} is empty (it needs a header row)")
    header = [h.strip() for h in header]
    try:
        _check_header(header, table, path)
    except InputError:
        f.close()
        raise
    return header, _csv_body(f, reader, path, table, enc, len(header))


def _csv_body(f, reader, path: Path, table: str, enc: str, width: int) -> Iterator[tuple]:
    line = 1
    with f:
        try:
            for values in reader:
                line = reader.line_num
                if not values:
                    continue
                if len(values) != width:
                    raise InputError(table, f"{path.name}:{line}: {len(values)} cells for "
                                            f"{width} columns")
                yield line, values
        except (UnicodeError, csv.Error) as e:
            raise _csv_error(e, path, table, enc, line) from None


def text_encoding(name: str | None, flag: str) -> str | None:
    """The encoding `name` if Python knows it as a text encoding (utf-8, shift_jis, cp932,
    euc_jp …), else one error naming the option (rot13 or a misspelt name ended the run as
    an internal LookupError); None or '' for the default."""
    if not name:
        return None
    try:
        known = codecs.lookup(name)._is_text_encoding
    except LookupError:
        known = False
    if not known:
        raise InputError(flag, "is not a text encoding Python knows (e.g. utf-8, shift_jis, "
                               "cp932, euc_jp)")
    return name


def _csv_error(e: Exception, path: Path, table: str, enc: str, line: int) -> InputError:
    if isinstance(e, UnicodeError):     # a decoding error, or UTF-16 without its BOM
        return InputError(table, f"{path.name}: not valid {enc} after line {line} "
                                 "(give --encoding, e.g. shift_jis)")
    return InputError(table, f"{path.name}:{line}: not valid CSV ({e})")


def _read_parquet(path: Path, table: str) -> Iterator[tuple[str, dict]]:
    f = open_parquet(path, table)
    names = f.schema_arrow.names
    n = 0
    for batch in parquet_batches(f.iter_batches(batch_size=BATCH), path, table):
        # a column empty over the whole batch (household_id aside, which every row must
        # yield) is left out of its rows: row.get(c) is None either way
        keep = [i for i, col in enumerate(batch.columns)
                if col.null_count < len(col) or names[i] == "household_id"]
        keys = [names[i] for i in keep]
        for values in zip(*(pylist(batch.column(i)) for i in keep)):
            n += 1
            yield f"{path.name}:row {n}", dict(zip(keys, values))


@contextmanager
def unreadable(path: Path, table: str):
    """Around pyarrow reading a Parquet file: a page it cannot decode (a corrupt or
    truncated file: OSError, ArrowInvalid) stops the run with one error naming the file,
    never pyarrow's message (which may quote the bytes)."""
    pa = need("pyarrow", "batch", "Parquet input")
    try:
        yield
    except (OSError, pa.ArrowException):
        raise InputError(table, f"{path.name}: a page cannot be read (the file is corrupt "
                                "or truncated)") from None


def parquet_batches(batches: Iterator, path: Path, table: str) -> Iterator:
    """The record batches of a Parquet file, read within :func:`unreadable`."""
    with unreadable(path, table):
        yield from batches


def open_parquet(path: Path, table: str, dictionaries=lambda f: ()):
    """The ParquetFile of a table, its columns and their types checked (a money or count
    column must be an integer or text column). The one Parquet opening of both readers.
    `dictionaries`: the names of the text columns to read as Arrow dictionaries, chosen
    from the opened file (its footer)."""
    pq = need("pyarrow.parquet", "batch", "Parquet input")
    pa = need("pyarrow", "batch", "Parquet input")
    try:
        f = pq.ParquetFile(path, memory_map=True)
        names = dictionaries(f)
        if names:
            f = pq.ParquetFile(path, memory_map=True, metadata=f.metadata,
                               read_dictionary=list(names))
    except (OSError, pa.ArrowException):
        raise InputError(table, f"{path.name} is not a Parquet file") from None
    _check_header(f.schema_arrow.names, table, path)
    kinds = layout.kinds(table)
    for field in f.schema_arrow:
        t, kind = field.type, kinds[field.name]
        if pa.types.is_dictionary(t):
            t = t.value_type
        if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t) \
                or _TYPED[kind](pa.types, t):
            continue
        raise InputError(f"{table}.{field.name}", f"{path.name}: {_MUST[kind]} column, not "
                                                  f"{field.type}")
    return f


# the Parquet types a column of each kind may have besides text: anything else (a float
# money column, a timestamp for a date, binary ids) stops the run, never read as a guess
_TYPED = {layout.INT: lambda types, t: types.is_integer(t),
          layout.BOOL: lambda types, t: types.is_boolean(t),
          layout.DATE: lambda types, t: types.is_date(t),
          layout.STR: lambda types, t: False}
_MUST = {layout.INT: "a money or count column must be an integer",
         layout.BOOL: "a flag column must be a boolean or text",
         layout.DATE: "a date column must be a DATE or text (YYYY-MM-DD)",
         layout.STR: "an id or code column must be a text"}


def pylist(column) -> list:
    """The values of an arrow column as Python values. A date outside Python's years
    1–9999 (a DATE column holds ±5.8 million years) becomes 0001-01-01, which the household
    reader refuses as out of its years, naming the field, as it refuses any date there."""
    pa = need("pyarrow", "batch", "Parquet input")
    if pa.types.is_date(column.type) and len(column):
        pc = need("pyarrow.compute", "batch", "Parquet input")
        days = column.cast(pa.int32() if pa.types.is_date32(column.type) else pa.int64())
        if pa.types.is_date64(column.type):
            days = pc.divide(days, 86_400_000)
        bad = pc.or_(pc.less(days, _DAY_MIN), pc.greater(days, _DAY_MAX))
        if pc.any(bad).as_py():
            days = pc.if_else(bad, _DAY_MIN, days).cast(pa.int32())
            column = days.cast(pa.date32())
    return column.to_pylist()


_DAY_MIN, _DAY_MAX = -719_162, 2_932_896        # 0001-01-01 and 9999-12-31, days from 1970


# ---------------------------------------------------------------- writing

class TableWriter:
    """Writes one table to a temporary file, renamed into place by :meth:`commit`."""

    def __init__(self, path: Path, table: str, encoding: str | None = None):
        self.path = path
        self.table = table
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.cols = layout.columns(table)
        self.kinds = layout.kinds(table)
        self.buffer: list[dict] = []
        if path.suffix == ".csv":
            self.encoding = text_encoding(encoding, "--out-encoding") or "utf-8"
            self._f = open(self.tmp, "w", encoding=self.encoding, newline="")
            self._csv = csv.writer(self._f, lineterminator="\n")
            self._csv.writerow(self.cols)
            self._pq = None
        else:
            pa = need("pyarrow", "batch", "Parquet output")
            pq = need("pyarrow.parquet", "batch", "Parquet output")
            types = {layout.INT: pa.int64(), layout.BOOL: pa.bool_(), layout.STR: pa.string(),
                     layout.DATE: pa.date32()}          # a Parquet DATE column (days)
            self.schema = pa.schema([(c, types[k]) for c, k in self.kinds.items()])
            self._pq = pq.ParquetWriter(self.tmp, self.schema)

    def write(self, rows: list[dict]) -> None:
        if self._pq is None:
            for r in rows:
                try:
                    self._csv.writerow([_text(r.get(c)) for c in self.cols])
                except UnicodeEncodeError:      # say which table, never the text
                    raise InputError(self.table, f"{self.path.name}: a cell has a character "
                                                 f"{self.encoding} cannot write (use "
                                                 "--out-encoding utf-8)") from None
            return
        self.buffer.extend(rows)
        if len(self.buffer) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            pa = need("pyarrow", "batch", "Parquet output")
            pc = need("pyarrow.compute", "batch", "Parquet output")
            data = {}
            for c in self.cols:
                values = [r.get(c) for r in self.buffer]
                data[c] = pc.cast(pa.array(values, pa.string()), pa.date32()) \
                    if self.kinds[c] == layout.DATE else values     # YYYY-MM-DD, checked
            self._pq.write_table(pa.Table.from_pydict(data, schema=self.schema))
            self.buffer = []

    def commit(self) -> None:
        if self._pq is None:
            self._f.close()
        else:
            self._flush()
            self._pq.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            self._f.close() if self._pq is None else self._pq.close()
        finally:
            self.tmp.unlink(missing_ok=True)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
