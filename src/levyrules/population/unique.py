"""One household, one row: the household ids of a JSON Lines run are unique
(世帯の重複なし: an id twice would put two 賦課 rows, two bills, under one 世帯).

A tables folder is sorted by household_id, so its reader sees a repeated id at once and
rejects the row (population.sources). JSON Lines are in any order: the ids of the
households assessed are kept as 64-bit hashes (8 bytes a household, whatever the id;
memory does not hold the ids) and checked once at the end of the run, before anything is
renamed into place. Only when two hashes are equal is the input read again, to find the
two lines and tell a real repeat from a collision of hashes; a repeat stops the run with
one error naming the lines, never the id, and nothing is written.
"""

from __future__ import annotations

import hashlib
from array import array
from pathlib import Path

from ..errors import InputError


def id_hash(hid: str) -> int:
    """A household id's 64-bit hash, the same in every process (Python's own str hash is
    seeded per process, and the workers of a Dask cluster are separate processes)."""
    return int.from_bytes(hashlib.blake2b(hid.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "little", signed=True)


class Ids:
    """The hashes of the ids of the rows written, chunk by chunk (or gathered from the
    processes that wrote them: `merge`)."""

    def __init__(self):
        self.hashes = array("q")

    def add(self, rows: list) -> None:
        """The rows of one chunk (lists in schema order: household_id first)."""
        self.hashes.extend([id_hash(r[0]) for r in rows])

    def merge(self, hashes: bytes) -> None:
        """The hashes another process kept (its Ids' ``hashes.tobytes()``)."""
        self.hashes.frombytes(hashes)

    def check(self, source: Path) -> None:
        """InputError when two households of `source` (JSON Lines) have one id."""
        if not _repeats(self.hashes):
            return
        first = _repeat_lines(source)
        if first is not None:
            raise InputError("id", f"{source.name}:{first[1]}: the household id is used by "
                                   f"the household of line {first[0]} (ids must be unique)")


def _repeats(hashes: array) -> bool:
    """True when a hash occurs twice."""
    try:
        import numpy as np
    except ImportError:                                     # JSON Lines need no numpy
        return len(set(hashes)) < len(hashes)
    h = np.sort(np.frombuffer(hashes, np.int64)) if len(hashes) else np.zeros(0, np.int64)
    return bool((h[1:] == h[:-1]).any())


def _repeat_lines(source: Path) -> tuple[int, int] | None:
    """(the line of a household, the line of the next with the same id), the first such
    pair; None when no id repeats (the hashes collided). Reads the lines as the run did,
    the households that cannot be read left out (they were rejected, not assessed)."""
    from .sources import _jsonl, parse
    seen: dict[str, int] = {}
    for src, payload in _jsonl(source):
        h = parse(src, payload)
        hid = getattr(h, "id", None)
        if not isinstance(hid, str):
            continue
        line = int(src.rsplit(":", 1)[1])
        if hid in seen:
            return seen[hid], line
        seen[hid] = line
    return None
