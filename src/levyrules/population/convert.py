"""`levyrules convert`: a population from JSON Lines to the columnar tables and back.

Every household is read and checked exactly as `batch` reads it (so a converted file
gives the same results), and written from the checked household; rows that cannot be
read go to ``<target>.rejects.csv`` (or ``rejects.csv`` in a target folder). Tables are
written sorted by household_id, which they must be already in the input order.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable

from ..errors import InputError
from ..engine.household import Household
from . import layout, sink, sources, tables
from .rejects import Reject


class _JsonlOut:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.tmp = sink.temp_path(path)
        self.f = open(self.tmp, "w", encoding="utf-8", newline="\n")

    def write(self, h: dict) -> None:
        self.f.write(json.dumps(h, ensure_ascii=False, separators=(",", ":")) + "\n")

    def commit(self) -> None:
        self.f.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.f.close()
        self.tmp.unlink(missing_ok=True)


class _TablesOut:
    def __init__(self, folder: Path, fmt: str, encoding: str | None):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.fmt, self.encoding = folder, fmt, encoding
        for t in layout.TABLES:         # a stale table of an earlier run would be read too
            for suffix in tables.SUFFIXES:
                if (folder / f"{t}{suffix}").exists():
                    raise InputError("--out", f"{folder} already holds {t}{suffix}: "
                                              "write to an empty folder")
        self.writers: dict[str, tables.TableWriter] = {}
        self.last: str | None = None
        for t in layout.REQUIRED_TABLES:
            self._writer(t)

    def _writer(self, t: str) -> tables.TableWriter:
        w = self.writers.get(t)
        if w is None:
            w = tables.TableWriter(self.folder / f"{t}.{self.fmt}", t, self.encoding)
            self.writers[t] = w
        return w

    def write(self, h: dict) -> None:
        if self.last is not None and h["id"] <= self.last:
            raise InputError("id", "the tables need households sorted by id (as text) and "
                                   "each id once; sort the input first")
        self.last = h["id"]
        for t, rows in layout.flatten(h).items():
            if rows:
                self._writer(t).write(rows)

    def commit(self) -> None:
        for w in self.writers.values():
            w.commit()

    def abort(self) -> None:
        for w in self.writers.values():
            w.abort()


def _target(target: Path, fmt: str, encoding: str | None):
    if fmt == "jsonl":
        return _JsonlOut(target)
    if fmt not in ("csv", "parquet"):
        raise InputError("--format", "must be jsonl, csv or parquet")
    return _TablesOut(target, fmt, encoding)


def write_households(items: Iterable[dict], target: Path, fmt: str,
                     encoding: str | None = None) -> None:
    """Write household JSON dicts (trusted, e.g. synthetic) to `target`."""
    out = _target(target, fmt, encoding)
    try:
        for h in items:
            out.write(h)
    except BaseException:
        out.abort()
        raise
    out.commit()


def rejects_path(target: Path, fmt: str) -> Path:
    if fmt == "jsonl":
        stem = target.name[: -len(target.suffix)] if target.suffix else target.name
        return target.with_name(f"{stem}.rejects.csv")
    return target / "rejects.csv"


def convert(source: str | os.PathLike, target: str | os.PathLike, fmt: str, *,
            encoding: str | None = None, out_encoding: str | None = None) -> tuple[int, int]:
    """Convert a population; returns (households written, rejects)."""
    src, dst = Path(source), Path(target)
    sources.refuse_overwrite(src, (dst, rejects_path(dst, fmt)))
    out = _target(dst, fmt, out_encoding)
    rej = sink.RejectWriter(rejects_path(dst, fmt))
    written = 0
    try:
        for where, payload in sources.items(src, encoding):
            parsed = sources.parse(where, payload)
            if isinstance(parsed, Reject):
                rej.write([parsed])
                continue
            out.write(Household.to_json(parsed))
            written += 1
        rej.close()
    except BaseException:
        out.abort()
        rej.abort()
        raise
    out.commit()
    os.replace(rej.tmp, rej.path)
    return written, rej.count
