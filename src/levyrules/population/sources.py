"""Population input: JSON Lines (one contract household per line) or a folder of tables
(:mod:`layout`), read as a stream of items for the chunk evaluator.

An item is ``(source, payload)``: the payload is a JSON line (text), the rows of one
household by table, or a :class:`Reject` for a row that could not be read at all. Items
are parsed into households by :func:`parse`, which runs in the workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..errors import InputError
from ..engine.household import Household
from ..engine.jsonread import read_json
from . import layout, tables
from .rejects import Reject


def kind(path: Path) -> str:
    """'jsonl' for a file, 'tables' for a folder of tables."""
    if path.is_dir():
        return "tables"
    if path.is_file():
        return "jsonl"
    raise InputError("", f"{path}: no such file or folder")


def items(path: Path, encoding: str | None = None) -> Iterator[tuple]:
    return _jsonl(path) if kind(path) == "jsonl" else _tables(path, encoding)


def _jsonl(path: Path) -> Iterator[tuple]:
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            src = f"{path.name}:{n}"
            try:
                text = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                yield src, Reject.of("", src, "", "the line is not valid UTF-8")
                continue
            if text.strip():
                yield src, text


class _Groups:
    """Consecutive rows of one table with the same household_id, in sorted order."""

    def __init__(self, rows: Iterator[tuple[str, dict]], table: str):
        self.rows = rows
        self.table = table
        self.last: str | None = None
        self.pending = next(rows, None)
        self.key = self._key()

    def _key(self) -> str | None:
        if self.pending is None:
            return None
        hid = self.pending[1].get("household_id")
        return "" if hid is None else str(hid)

    def take(self) -> list[tuple[str, dict]]:
        key = self.key
        group = []
        while self.pending is not None and self._key() == key:
            if len(group) <= layout.MAX_ROWS:       # the rest cannot change the refusal
                group.append(self.pending)
            self.pending = next(self.rows, None)
        self.key = self._key()
        if self.key is not None and self.key < key:
            raise InputError(f"{self.table}.household_id", f"the {self.table} table is not "
                             f"sorted by household_id (at {self.pending[0]})")
        return group


def refuse_overwrite(source: Path, outputs, flag: str = "--out") -> None:
    """InputError when an output would replace the input: the JSON Lines file itself, or a
    table file of the tables folder (`batch city --out city/persons.csv` renamed the
    result over the persons table when the run succeeded); or a device or pipe (`--out
    /dev/null` run as root replaced /dev/null with the result file)."""
    src = source.resolve()
    for out in outputs:
        out = Path(out).resolve()
        if out == src or (src.is_dir() and out.parent == src and out.suffix in
                          tables.SUFFIXES and out.stem in layout.TABLES):
            raise InputError(flag, f"{out.name} would replace the input: write to another "
                                   "file")
        if out.exists() and not (out.is_file() or out.is_dir()):
            raise InputError(flag, f"{out.name} is a device or a pipe, which the result "
                                   "would replace: give a file name such as result.parquet")


def table_paths(directory: Path) -> dict[str, Path | None]:
    """The file of each table in a tables folder (None: absent); a required one missing
    stops the run."""
    paths = {t: tables.find(directory, t) for t in layout.TABLES}
    for t in layout.REQUIRED_TABLES:
        if paths[t] is None:
            raise InputError(t, f"{directory} has no {t}.parquet or {t}.csv")
    return paths


def _tables(directory: Path, encoding: str | None) -> Iterator[tuple]:
    paths = table_paths(directory)
    children = {t: _Groups(tables.read(p, t, encoding), t) for t, p in paths.items()
                if p is not None and t != "households"}
    prev: str | None = None
    for src, row in tables.read(paths["households"], "households", encoding):
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
            yield from _orphans(g, lambda k: k < hid)
            if g.key == hid:
                groups[t] = g.take()
        yield src, groups
    for g in children.values():
        yield from _orphans(g, lambda k: True)


def _orphans(g: _Groups, before) -> Iterator[tuple]:
    while g.key is not None and before(g.key):
        rows = g.take()
        src = rows[0][0]
        yield src, Reject.of(rows[0][1].get("household_id"), src, f"{g.table}.household_id",
                             "names no household of the households table")


def parse(source: str, payload) -> Household | Reject:
    """The household of one item, or the reject that says why it cannot be read."""
    if isinstance(payload, Reject):
        return payload
    if isinstance(payload, str):
        try:
            data = read_json(payload, "")       # the one JSON reader: limits, duplicate keys
        except InputError as e:
            return Reject.of("", source, e.field, e.message)
        hid = data.get("id") if isinstance(data, dict) else None
    else:
        hid = payload["households"][0][1].get("household_id")
        try:
            data = layout.assemble(payload)
        except layout.CellError as e:
            return Reject.of(hid, e.source, e.field, e.message)
    try:
        return Household.from_json(data)
    except InputError as e:
        return Reject.from_error(hid, source, e)
