"""Reading request bodies within a byte limit, before any parsing.

The declared Content-Length is refused at once when over the limit; a chunked body
is counted as it streams and refused (413) as soon as it passes the limit, so no
oversized body is ever held in memory or parsed.
"""

from __future__ import annotations

import json

from .problems import Problem


def declared_length(request, limit: int) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not raw.isdigit():
        raise Problem(400, "bad-json", "Content-Length is not a number")
    n = int(raw)
    if n > limit:
        raise Problem(413, "too-large", f"the body is over the limit of {limit} bytes")
    return n


async def read_limited(request, limit: int) -> bytes:
    """The whole body, or Problem 413 once more than `limit` bytes arrive."""
    declared_length(request, limit)
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, "too-large", f"the body is over the limit of {limit} bytes")
        parts.append(chunk)
    return b"".join(parts)


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:   # the key may be personal data: say only that there is one
            raise ValueError("an object has the same key twice")
        out[k] = v
    return out


def _no_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def parse_json(raw: bytes, what: str = "body"):
    """Strict JSON: UTF-8, no duplicate keys, no NaN/Infinity. Problem 400 otherwise."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "bad-json", f"{what} is not UTF-8 text") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise Problem(400, "bad-json", f"{what} is not valid JSON at line {e.lineno} column "
                                       f"{e.colno}: {e.msg}") from None
    except ValueError as e:
        raise Problem(400, "bad-json", f"{what}: {e}") from None
    except RecursionError:
        raise Problem(400, "bad-json", f"{what} is nested too deeply") from None


def require_json(request) -> None:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and ctype != "application/json" and not ctype.endswith("+json"):
        raise Problem(415, "unsupported-media-type", "send application/json")
