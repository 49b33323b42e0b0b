"""CSV table files as the columnar reader reads them: parsed by ``pyarrow.csv`` a block of
records at a time, every cell as text (nothing is guessed: leading zeros, ``1979-02-30``
and ``"0,072"`` reach the cell checks of tablecells as they are written), each record
numbered by its line as the csv module numbers it (``reader.line_num``: the last physical
line of the record, a blank line skipped), so ``file:line`` and every reject are those of
the household reader, whose reading (population.tables.csv_rows) stays the definition.

The header is read and checked by csv_rows itself. A block is taken by pyarrow only when
the two readings provably agree on it: an encoding in which ``,`` ``"`` CR and LF are never
part of a multibyte character, text that decodes strictly (and has no NUL), every quote
opening or closing a cell (or doubled inside one), no record longer than the csv module's
cell limit, as many records as pyarrow finds, all of them as wide as the header.
Otherwise, from that block on, the rows are those of csv_rows, which words any error as it
always has (``not valid shift_jis after line N``, ``N cells for M columns``):
never a traceback, never a value (pyarrow's own decoding error quotes the bytes)."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from ..population import tables as files
from . import tablecells as cells

BLOCK = 1 << 23                         # bytes of records parsed at once
ASCII_SAFE = {"utf-8", "utf-8-sig", "shift_jis", "cp932", "euc_jp", "ascii"}
QUOTE, COMMA, LF, CR = 34, 44, 10, 13


def csv_batches(path: Path, table: str, encoding: str | None) -> tuple[list, Iterator]:
    """(the header, checked as csv_rows checks it; (arrow table of text columns, line
    number of each row) of each block of records)."""
    names, slow = files.csv_rows(path, table, encoding)
    enc = codecs.lookup(encoding or "utf-8-sig").name
    return names, _batches(path, names, enc, slow)


def _batches(path: Path, names: list, enc: str, slow) -> Iterator[tuple]:
    last = 1                            # the line of the last record given (the header's)
    try:
        if enc in ASCII_SAFE and len(set(names)) == len(names):
            for got in _fast(path, names, "utf-8" if enc == "utf-8-sig" else enc):
                if got is None:         # a block pyarrow may read otherwise: csv_rows
                    break
                table, lines = got
                if len(lines):
                    last = int(lines[-1])
                    yield table, lines
            else:
                return
        yield from _slow(slow, names, last)
    finally:
        _close(slow)


def _close(rows) -> None:
    """Close csv_rows' file (its generator closes it once started)."""
    try:
        next(rows, None)
    except InputError:
        pass
    rows.close()


def _slow(rows, names: list, after: int) -> Iterator[tuple]:
    """The rows of csv_rows after line `after`, as arrow tables of at most 65,536 rows."""
    from itertools import islice
    np, pa, _ = cells._libs()
    schema = pa.schema([(c, pa.string()) for c in names])
    rows = ((line, values) for line, values in rows if line > after)
    while True:
        got = list(islice(rows, 65_536))
        if not got:
            return
        lines = np.fromiter((r[0] for r in got), np.int64, len(got))
        cols = [pa.array(c, pa.string()) for c in zip(*(r[1] for r in got))]
        yield pa.Table.from_arrays(cols, schema=schema), lines


def _fast(path: Path, names: list, enc: str) -> Iterator:
    """(table, lines) of each block of records after the header; None (then stop) for a
    block pyarrow may read otherwise than the csv module."""
    np = cells._libs()[0]
    line, carry, head = 0, b"", True
    with open(path, "rb") as f:
        while True:
            data = f.read(BLOCK)
            buf, eof = carry + data, not data
            if head:                    # the header record: its lines counted, not parsed
                if enc == "utf-8" and buf.startswith(codecs.BOM_UTF8):
                    buf = buf[3:]
                cut = _cut(np, buf, eof, first=True)
                if not cut:             # the header goes on (or is all the file)
                    if eof:
                        return
                    carry = buf
                    continue
                line, buf, head = len(_ends(np, buf[:cut], True)[0]), buf[cut:], False
            cut = len(buf) if eof else _cut(np, buf, eof)
            block, carry = buf[:cut], buf[cut:]
            if block:
                got = _parse(np, block, names, enc, line)
                if got is None:
                    yield None
                    return
                yield got[0], got[1]
                line = got[2]
            if eof:
                return


def _ends(np, b: bytes, eof: bool):
    """(the last byte of each line ending: LF, CR LF or CR alone; which of them end a
    record (are outside quotes); the quotes) of `b`. A CR last is a line ending at `eof`
    only (else it may start a CR LF)."""
    a = np.frombuffer(b, np.uint8)
    t = np.flatnonzero(a == LF)
    if b.find(b"\r") >= 0:
        cr = np.flatnonzero(a[:-1] == CR)
        lone = cr[a[cr + 1] != LF]
        if eof and a[-1] == CR:
            lone = np.append(lone, len(a) - 1)
        t = np.sort(np.concatenate([t, lone]))
    if b.find(b'"') < 0:
        return t, np.ones(len(t), bool), np.zeros(0, np.int64)
    quotes = np.flatnonzero(a == QUOTE)
    return t, np.searchsorted(quotes, t) % 2 == 0, quotes


def _cut(np, buf: bytes, eof: bool, first: bool = False) -> int:
    """The end of the last complete record of `buf` (of the first, `first`); 0: none."""
    if buf.find(b'"') < 0 and buf.find(b"\r") < 0:     # every line ending is an LF ending
        return (buf.find(b"\n") if first else buf.rfind(b"\n")) + 1     # a record
    t, ends, _ = _ends(np, buf, eof)
    t = t[ends]
    return int(t[0 if first else -1]) + 1 if len(t) else 0


def _parse(np, raw: bytes, names: list, enc: str, line: int):
    """(table, the line of each record, the line of the block's end) of a block of whole
    records after line `line`, or None when pyarrow may read it otherwise than the csv
    module."""
    if b"\x00" in raw:                  # the csv module of Python 3.10 refuses NUL
        return None
    if raw.isascii():                   # the same text in each of ASCII_SAFE's encodings
        data = raw
    else:
        try:
            text = raw.decode(enc)      # strictly, as the household reader decodes
        except UnicodeDecodeError:
            return None
        data = raw if enc in ("utf-8", "ascii") else text.encode("utf-8")
    a = np.frombuffer(data, np.uint8)
    t, outside, quotes = _ends(np, data, True)
    if len(quotes) and not _quotes_agree(np, a, quotes):
        return None
    ends = t[outside]
    number = line + 1 + np.flatnonzero(outside)     # the line of each record end
    starts = np.concatenate([[0], ends[:-1] + 1])
    stops = ends - ((a[ends] == LF) & (ends > 0) & (a[np.maximum(ends - 1, 0)] == CR))
    lines = number[stops > starts]
    total = line + len(t)
    if len(a) > (int(ends[-1]) + 1 if len(ends) else 0):    # a last record, no line end
        total += 1
        lines = np.append(lines, total)
    if _too_long(np, a, ends):
        return None
    table = _read(data, names, len(ends) < len(t))
    if table is None or table.num_rows != len(lines):
        return None
    return table, lines.astype(np.int64), total


def _quotes_agree(np, a, quotes) -> bool:
    """False when a quote neither opens a cell (after a comma, a line end or a closing
    quote) nor closes one (before a comma, a line end or a doubled quote), or one is left
    open: the csv module and pyarrow part on such text."""
    if len(quotes) % 2:
        return False
    pad = np.concatenate([[LF], a, [LF]])
    edge = np.array([COMMA, LF, CR, QUOTE], np.uint8)
    opens = np.isin(pad[quotes], edge)          # the byte before each quote
    closes = np.isin(pad[quotes + 2], edge)     # the byte after it
    return bool(np.where(np.arange(len(quotes)) % 2 == 0, opens, closes).all())


def _too_long(np, a, ends) -> bool:
    """True when a record is longer than the csv module takes a cell
    (csv.field_size_limit, which it counts in characters: a record of fewer bytes holds
    no such cell): it refuses such a file, csv_rows decides."""
    import csv
    limit = csv.field_size_limit()
    if len(a) <= limit:
        return False
    return bool((np.diff(np.concatenate([[-1], ends, [len(a) - 1]])) > limit).any())


def _read(data: bytes, names: list, newlines: bool):
    """The records of `data` (UTF-8, checked by _parse) as text columns, or None (pyarrow
    refused them)."""
    _, pa, _ = cells._libs()
    from ..population.extras import need
    pacsv = need("pyarrow.csv", "batch", "the columnar reader")
    try:
        return pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False,
                                           block_size=max(len(data), 1 << 20)),
            parse_options=pacsv.ParseOptions(newlines_in_values=newlines),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False, check_utf8=False))   # (_parse decoded it)
    except pa.ArrowException:
        return None
