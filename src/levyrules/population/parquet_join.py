"""Joining Parquet files of one schema into one file without decoding a page: the worker
processes of `levyrules batch` each write the rows of their parts as a Parquet file, and
the main process appends those files' column chunks to the assessment file byte for byte
and writes one footer for all.

A Parquet file is ``PAR1``, the column chunks, the footer (a Thrift compact-protocol
FileMetaData), its length (4 bytes, little-endian) and ``PAR1`` (Apache Parquet format,
parquet.thrift). The footer locates each column chunk by its offset in the file, so a
file's chunks moved to another place keep their meaning once those offsets are shifted:
RowGroup.file_offset, ColumnChunk.file_offset, and ColumnMetaData's data_page_offset,
index_page_offset, dictionary_page_offset and bloom_filter_offset (a bloom filter holds no
offset). RowGroup.ordinal is numbered anew. Nothing else in a footer depends on where the
chunks lie, except the page index (ColumnChunk.offset_index_offset / column_index_offset,
whose PageLocations hold offsets too) and encryption, which the writer here does not
write: a file with either is refused (ValueError), never joined wrong.

:func:`relocatable` reads a file's footer (in the worker, which has the time) into a
:class:`Footer`: its bytes cut around the values to change; :class:`Joiner` writes the
joined file. The result is read back by pyarrow equal in every value, row group and
statistic to the files joined (tests/test_parquet_join.py).
"""

from __future__ import annotations

import os
from typing import NamedTuple

MAGIC = b"PAR1"

# compact-protocol types
_STOP, _TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, \
    _STRUCT = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12

# what to change, by field id: "shift" (an offset in the file), "ordinal", "refuse", or
# the fields of a struct inside; a tuple: each struct of a list
_COLUMN_META = {9: "shift", 10: "shift", 11: "shift", 14: "shift"}
_COLUMN_CHUNK = {2: "shift", 3: _COLUMN_META, 4: "refuse", 6: "refuse", 8: "refuse",
                 9: "refuse"}
_ROW_GROUP = {1: (_COLUMN_CHUNK,), 5: "shift", 7: "ordinal"}


class Footer(NamedTuple):
    """A Parquet file's footer cut for joining: `head` (FileMetaData up to num_rows'
    value), its rows, `mid` (the row_groups field's header), the row groups' bytes as `pieces` between the values to change
    (`values`: (kind, value), kind "shift" or "ordinal"; pieces[i] comes before
    values[i]), the row groups, `tail` (the fields after row_groups), and the end of the
    column chunks in the file (where the footer starts)."""
    head: bytes
    rows: int
    mid: bytes
    groups: int
    pieces: list
    values: list
    tail: bytes
    data_end: int


def relocatable(path: str | os.PathLike) -> Footer:
    """The footer of the Parquet file `path`, cut for :class:`Joiner`."""
    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(size - 8)
        end = f.read(8)
        if size < 12 or end[4:] != MAGIC:
            raise ValueError(f"{path}: not a Parquet file")
        length = int.from_bytes(end[:4], "little")
        start = size - 8 - length
        f.seek(start)
        return _Scan(f.read(length)).file_metadata(start)


class _Scan:
    """A walk over compact-protocol bytes, cutting them around the values to change."""

    def __init__(self, buf: bytes):
        self.b, self.i = buf, 0
        self.mark = 0
        self.pieces: list = []
        self.values: list = []

    def file_metadata(self, data_end: int) -> Footer:
        last, head, rows, mid, groups, span = 0, None, None, None, 0, None
        while True:
            pos = self.i
            fid, t = self._field(last)
            if fid is None:
                break
            if fid == 3 and t == _I64:
                head = self.b[:self.i]
                rows = self._signed()
            elif fid == 4 and t == _LIST and head is not None \
                    and pos == len(head) + len(_varint(_zig(rows))):
                mid = self.b[pos:self.i]
                groups, et = self._list_header()
                if et != _STRUCT:
                    raise ValueError("a Parquet footer whose row groups are not structs")
                span = (pos, self.i)
                self.mark = self.i
                for _ in range(groups):
                    self._struct(_ROW_GROUP)
                self.pieces.append(self.b[self.mark:self.i])
                span = (span[0], self.i)
            elif fid in (8, 9):
                raise ValueError("an encrypted Parquet footer is not joined")
            else:
                self._skip(t)
            last = fid
        if span is None:
            raise ValueError("a Parquet footer without num_rows then row_groups")
        return Footer(head, rows, mid, groups, self.pieces, self.values, self.b[span[1]:],
                      data_end)

    # -- reading
    def _byte(self) -> int:
        v = self.b[self.i]
        self.i += 1
        return v

    def _varint(self) -> int:
        shift = result = 0
        while True:
            byte = self._byte()
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                return result
            shift += 7

    def _signed(self) -> int:
        v = self._varint()
        return (v >> 1) ^ -(v & 1)

    def _field(self, last: int) -> tuple:
        byte = self._byte()
        if byte == _STOP:
            return None, None
        delta, t = byte >> 4, byte & 0x0F
        return (last + delta if delta else self._signed()), t

    def _list_header(self) -> tuple[int, int]:
        byte = self._byte()
        size = byte >> 4
        return (self._varint() if size == 15 else size), byte & 0x0F

    def _skip(self, t: int) -> None:
        self.i = _skip(self.b, self.i, t)

    def _struct(self, spec: dict) -> None:
        """Walks a struct, cutting around the values `spec` names."""
        last = 0
        while True:
            fid, t = self._field(last)
            if fid is None:
                return
            what = spec.get(fid)
            if what is None:                # (most fields: skipped)
                self.i = _skip(self.b, self.i, t)
            elif what == "refuse":
                raise ValueError("a Parquet file with a page index or encrypted columns is "
                                 "not joined")
            elif what in ("shift", "ordinal") and t in (_I16, _I32, _I64):
                self.pieces.append(self.b[self.mark:self.i])
                self.values.append((what, self._signed()))
                self.mark = self.i
            elif isinstance(what, dict) and t == _STRUCT:
                self._struct(what)
            elif isinstance(what, tuple) and t == _LIST:
                n, et = self._list_header()
                for _ in range(n):
                    self._struct(what[0])
            else:
                self._skip(t)
            last = fid


def _uvarint(b: bytes, i: int) -> tuple[int, int]:
    """(the unsigned varint at `i` of `b`, the position after it)."""
    n = shift = 0
    while True:
        byte = b[i]
        i += 1
        n |= (byte & 0x7F) << shift
        if byte < 0x80:
            return n, i
        shift += 7


def _skip(b: bytes, i: int, t: int) -> int:
    """The position after a value of compact-protocol type `t` at `i` of `b` (one loop,
    local variables: a footer of a few hundred column chunks is mostly skipped)."""
    if t in (_TRUE, _FALSE):
        return i
    if t == _BYTE:
        return i + 1
    if t in (_I16, _I32, _I64):
        while b[i] >= 0x80:
            i += 1
        return i + 1
    if t == _DOUBLE:
        return i + 8
    if t == _BINARY:
        n, i = _uvarint(b, i)
        return i + n
    if t in (_LIST, _SET):
        byte = b[i]
        i += 1
        n, et = byte >> 4, byte & 0x0F
        if n == 15:
            n, i = _uvarint(b, i)
        if et in (_TRUE, _FALSE):
            return i + n
        for _ in range(n):
            i = _skip(b, i, et)
        return i
    if t == _MAP:
        n, i = _uvarint(b, i)
        if n:
            kv = b[i]
            i += 1
            for _ in range(n):
                i = _skip(b, i, kv >> 4)
                i = _skip(b, i, kv & 0x0F)
        return i
    if t == _STRUCT:
        while True:
            byte = b[i]
            i += 1
            if byte == _STOP:
                return i
            if not byte >> 4:               # a field id of its own (zigzag varint)
                while b[i] >= 0x80:
                    i += 1
                i += 1
            i = _skip(b, i, byte & 0x0F)
    raise ValueError(f"a Parquet footer with an unknown Thrift type {t}")


def _zig(v: int) -> int:
    return (v << 1) ^ (v >> 63)


def _varint(v: int) -> bytes:
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


class Joiner:
    """One Parquet file made of whole Parquet files of the same schema, appended in order
    (:meth:`append`: the file's column chunks copied as they are), and closed with one
    footer (:meth:`close`). Empty files (no row group) are not appended."""

    def __init__(self, path: str | os.PathLike):
        self._f = open(path, "wb")
        self._f.write(MAGIC)
        self._head: bytes | None = None
        self._mid: bytes | None = None
        self._tail: bytes | None = None
        self._rows = self._groups = 0
        self._footer: list = []
        self.rows = 0           # the rows appended

    def append(self, path: str | os.PathLike, footer: Footer) -> None:
        if not footer.groups:
            return
        if self._head is None:
            self._head, self._mid, self._tail = footer.head, footer.mid, footer.tail
        elif (footer.head, footer.mid, footer.tail) != (self._head, self._mid, self._tail):
            raise ValueError("Parquet files of different schemas are not joined")
        shift = self._f.tell() - len(MAGIC)
        with open(path, "rb") as src:
            _copy(src, self._f, len(MAGIC), footer.data_end - len(MAGIC))
        out = self._footer
        for piece, (kind, value) in zip(footer.pieces, footer.values):
            out.append(piece)
            out.append(_varint(_zig(value + shift if kind == "shift" else
                                    self._groups + value)))
        out.append(footer.pieces[-1])
        self._rows += footer.rows
        self._groups += footer.groups
        self.rows = self._rows

    def close(self) -> None:
        """Writes the footer (there must be a file appended)."""
        if self._head is None:
            raise ValueError("no Parquet file to join")
        n = self._groups
        groups = bytes([(n << 4) | _STRUCT]) if n < 15 else \
            bytes([0xF0 | _STRUCT]) + _varint(n)
        meta = b"".join([self._head, _varint(_zig(self._rows)), self._mid, groups, *self._footer,
                         self._tail])
        self._f.write(meta + len(meta).to_bytes(4, "little") + MAGIC)
        self._f.close()

    def abort(self) -> None:
        self._f.close()


def _copy(src, dst, offset: int, count: int) -> None:
    """`count` bytes of `src` from `offset` to the end of `dst`: in the kernel where it
    can (copy_file_range), else through a buffer."""
    dst.flush()
    try:
        while count:
            n = os.copy_file_range(src.fileno(), dst.fileno(), count, offset)
            if n <= 0:
                break
            offset += n
            count -= n
        dst.seek(0, os.SEEK_END)
    except (AttributeError, OSError):
        dst.seek(0, os.SEEK_END)
    if count:
        src.seek(offset)
        while count:
            block = src.read(min(count, 1 << 22))
            if not block:
                raise ValueError("a Parquet file shorter than its footer says")
            dst.write(block)
            count -= len(block)
