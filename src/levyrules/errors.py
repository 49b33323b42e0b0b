"""Errors the engine raises for bad input (入力誤り).

Every error is one line that names the offending field; none carries income,
ids or other personal data beyond the path to the field. A control character that
reaches a message anyway (a file name given on the command line) is printed escaped,
so no input can start a second line or rewrite the terminal.
"""

from __future__ import annotations

import re

# C0/C1 controls, line and paragraph separators, bidi marks and overrides, lone surrogates
UNPRINTABLE = (r"\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e"
               r"\u2066-\u2069\ud800-\udfff")
_UNPRINTABLE = re.compile(f"[{UNPRINTABLE}]")


def _escape(match: re.Match) -> str:
    return match.group().encode("unicode_escape", "backslashreplace").decode("ascii")


def one_line(text: str) -> str:
    """`text` with every control character escaped (\\n, \\x1b, \\u202e ...)."""
    return _UNPRINTABLE.sub(_escape, text)


class LevyError(Exception):
    """Base of every error levyrules raises on purpose."""

    def __str__(self) -> str:
        return one_line(super().__str__())


class InputError(LevyError, ValueError):
    """A household input (世帯情報) is malformed: `field` is its JSON path."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)

    def within(self, prefix: str) -> "InputError":
        """The same error with its field path under `prefix` (e.g. ``persons[2]``)."""
        field = self.field
        if not field:
            field = prefix
        elif field[0] == "[":
            field = prefix + field
        else:
            field = f"{prefix}.{field}"
        return InputError(field, self.message)


class TariffError(LevyError, ValueError):
    """A tariff file (税率表) is malformed, at FILE:LINE:COLUMN when known."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 column: int | None = None, path: str | None = None):
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        where = ""
        if file:
            where = f"{file}:{line or 1}:{column or 1}: "
        text = f"{path}: {message}" if path else message
        super().__init__(f"{where}{text}")


class MissingTariffValue(LevyError):
    """The tariff does not know a value this household needs (e.g. an unpublished 介護分)."""

    def __init__(self, tariff_id: str, path: str, note: str = ""):
        self.tariff_id = tariff_id
        self.path = path
        self.note = note
        msg = f"tariff {tariff_id}: {path} is not known"
        if note:
            msg += f" ({note})"
        super().__init__(msg)
