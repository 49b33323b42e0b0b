"""Reading request bodies within a byte limit, before any parsing.

The declared Content-Length is refused at once when over the limit; a chunked body
is counted as it streams and refused (413) as soon as it passes the limit, so no
oversized body is ever held in memory or parsed.
"""

from __future__ import annotations

from ..engine.jsonread import read_json
from ..errors import InputError
from .problems import Problem


def declared_length(request, limit: int) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()):      # isdigit() alone takes ² (latin-1)
        raise Problem(400, "bad-json", "Content-Length is not a number")
    n = int(raw) if len(raw.lstrip("0")) <= len(str(limit)) else limit + 1  # not 5,000 digits
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


def parse_json(raw: bytes, what: str = "body"):
    """The body (or a line) read by the library's one JSON reader (engine.jsonread: no
    key twice, no NaN or Infinity, integers of at most 18 digits, nesting at most 32 deep,
    UTF-8 with a BOM allowed); Problem 400 naming where, never what. Its size is limited
    by read_limited (or the batch line limit) before this."""
    try:
        return read_json(raw, what, sized=True)
    except InputError as e:
        raise Problem(400, "bad-json", str(e)) from None


def require_json(request) -> None:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and ctype != "application/json" and not ctype.endswith("+json"):
        raise Problem(415, "unsupported-media-type", "send application/json")
