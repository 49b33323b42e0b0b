"""The one JSON reader of levyrules (household files, earlier assessments).

`json.loads` with the checks the standard reader lacks, each refused with an
:class:`InputError` that names where, never what:

- at most MAX_JSON_BYTES bytes of UTF-8 text (a leading BOM is allowed);
- no key twice in one object (the standard reader keeps the last one silently);
- integers of at most MAX_INT_DIGITS digits (a 5,000-digit one cannot even be printed),
  no NaN or Infinity (not JSON);
- nesting at most MAX_DEPTH deep, checked without recursion.

The cost is linear in the text. Paths name fields by the contract's own names;
any other key is named by its position (``{key 2}``), never by its text.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ..errors import InputError

MAX_JSON_BYTES = 1 << 20        # 1 MiB per household file or JSON text
MAX_DEPTH = 32                  # a household is 5 deep, an assessment with its trace 6
MAX_INT_DIGITS = 18             # yen amounts are limited to 15 digits by the readers

_TEXT_LIMIT = f"is larger than {MAX_JSON_BYTES:,} bytes (the limit for one JSON text)"


class _Bad:
    """Left in the parsed data by a parse hook; reported with its path afterwards."""
    __slots__ = ("why",)

    def __init__(self, why: str):
        self.why = why


def _pairs(pairs: list) -> Any:
    d = dict(pairs)
    if len(d) == len(pairs):
        return d
    seen: dict = {}
    for n, (key, _) in enumerate(pairs, 1):
        if key in seen:
            return _Bad(f"has the same key twice (keys {seen[key]} and {n} of the object)")
        seen[key] = n
    return _Bad("has the same key twice")         # unreachable


_TOO_LONG = f"is a number of more than {MAX_INT_DIGITS} digits"


def _int(text: str) -> Any:
    if len(text) <= MAX_INT_DIGITS:
        return int(text)
    return _Bad(_TOO_LONG)


def _constant(text: str) -> Any:
    return _Bad("is NaN or Infinity, which JSON does not allow")


# integers are parsed in C; an integer too long for int() (over 4,300 digits) makes the
# text be read again with _CAREFUL, which marks it so that its path can be named
_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant)
_CAREFUL = json.JSONDecoder(object_pairs_hook=_pairs, parse_int=_int, parse_constant=_constant)
_BIG = 10 ** MAX_INT_DIGITS


def read_json(text_or_bytes: str | bytes, what: str, *, sized: bool = False) -> Any:
    """Parse one JSON text (str, or UTF-8 bytes) with the limits above.

    `what` names the document in errors ("household", "earlier"). `sized`: bytes whose
    size the caller has limited already (the service, to its configured limit)."""
    if isinstance(text_or_bytes, (bytes, bytearray, memoryview)):
        raw = bytes(text_or_bytes)
        if len(raw) > MAX_JSON_BYTES and not sized:
            raise InputError(what, _TEXT_LIMIT)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(what, f"is not UTF-8 text (byte {e.start + 1})") from None
    elif isinstance(text_or_bytes, str):
        text = text_or_bytes
        if len(text) > MAX_JSON_BYTES // 4 and \
                len(text.encode("utf-8", "surrogatepass")) > MAX_JSON_BYTES:
            raise InputError(what, _TEXT_LIMIT)
    else:
        raise InputError(what, "must be JSON text (str or bytes)")
    if text.startswith("\ufeff"):
        text = text[1:]
    data = _decode(text, what)
    if type(data) in _NESTED:
        _check(data, what)
    elif type(data) is int and not -_BIG < data < _BIG:
        raise InputError(what, _TOO_LONG)
    return data


def _decode(text: str, what: str) -> Any:
    try:
        try:
            return _DECODER.decode(text)
        except json.JSONDecodeError:
            raise
        except ValueError:                  # int(): more than 4,300 digits
            return _CAREFUL.decode(text)
    except json.JSONDecodeError as e:
        raise InputError(what, f"is not valid JSON at line {e.lineno} column {e.colno}: "
                               f"{e.msg}") from None
    except RecursionError:
        raise InputError(what, _too_deep()) from None


def read_json_file(path: str, what: str) -> Any:
    """Read a JSON file (`-` = standard input) with read_json's limits."""
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_JSON_BYTES + 1)
        else:
            with Path(path).open("rb") as f:
                raw = f.read(MAX_JSON_BYTES + 1)
    except FileNotFoundError:
        raise InputError(what, f"{_shown(path)}: no such file") from None
    except (OSError, ValueError) as e:
        raise InputError(what, f"{_shown(path)}: cannot be read ({type(e).__name__})") from None
    return read_json(raw, what)


def _shown(path: str) -> str:
    """A file name as given, cut to 100 characters (LevyError escapes control characters)."""
    return path if len(path) <= 100 else path[:97] + "..."


def _too_deep() -> str:
    return f"is nested more than {MAX_DEPTH} deep (the limit for one JSON text)"


def _check(data: Any, what: str) -> None:
    """Depth and the hooks' marks, iteratively; the path is built only for an error."""
    stack = [(data, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        value, depth = pop()
        t = type(value)
        if t is dict:
            children = value.values()
        elif t is list:
            children = value
        else:                                   # a _Bad mark
            _fail(data, what)
        if depth > MAX_DEPTH:
            _fail(data, what)
        for child in children:
            t = type(child)
            if t in _NESTED:
                push((child, depth + 1))
            elif t is int and not -_BIG < child < _BIG:
                _fail(data, what)


_NESTED = frozenset((dict, list, _Bad))


def _fail(data: Any, what: str) -> None:
    """Find the first problem again, this time with its path, and raise it."""
    names = _field_names()
    stack = [(data, what, 1)]
    while stack:
        value, path, depth = stack.pop()
        if type(value) is _Bad:
            raise InputError(path, value.why)
        if depth > MAX_DEPTH:
            raise InputError(what, _too_deep())
        if type(value) is dict:
            items = [(_join(path, k if k in names else f"{{key {n}}}"), v)
                     for n, (k, v) in enumerate(value.items(), 1)]
        elif type(value) is list:
            items = [(f"{path}[{i}]", v) for i, v in enumerate(value)]
        else:
            continue
        for p, v in reversed(items):
            if type(v) in _NESTED:
                stack.append((v, p, depth + 1))
            elif type(v) is int and not -_BIG < v < _BIG:
                raise InputError(p, _TOO_LONG)
    raise InputError(what, "is malformed")              # unreachable


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _field_names() -> frozenset:
    from ..collection.earlier import FIELD_NAMES as earlier
    from .household_read import FIELD_NAMES as household
    return household | earlier
