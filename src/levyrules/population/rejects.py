"""Rejected rows (読み込めない行): one record per row or household that could not be
read or assessed, so that a run over a whole city goes on and the office can fix the rest.

A reject names the household (its opaque id, when it is a valid one), where the row came
from (file and line, or table and row), the field path and a message. No personal value
is ever written: dates and long numbers in a message are masked, and an id that is not a
valid opaque id (or looks like a 個人番号) is left out.
"""

from __future__ import annotations

import re

import attrs

from ..errors import InputError, LevyError, MissingTariffValue, TariffError
from ..engine.fields import FORMULA_START, is_opaque_id

COLUMNS = ("household_id", "source", "field", "message")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_NUMBER = re.compile(r"\d{5,}")


def scrub(text: str) -> str:
    """The message with dates and numbers of five digits or more masked."""
    return _NUMBER.sub("…", _DATE.sub("YYYY-MM-DD", text))


def safe_id(value: object) -> str:
    """The household id if it is a valid opaque id, else ''."""
    if is_opaque_id(value):
        return value
    return ""


@attrs.frozen(slots=True)
class Reject:
    household_id: str
    source: str
    field: str
    message: str

    @staticmethod
    def of(household_id: object, source: str, field: str, message: str) -> "Reject":
        return Reject(safe_id(household_id), source, field, scrub(message))

    @staticmethod
    def from_error(household_id: object, source: str, error: LevyError) -> "Reject":
        """A reject for an error the engine raised (its field path and message)."""
        if isinstance(error, InputError):
            field, message = error.field, error.message
        elif isinstance(error, MissingTariffValue):
            field, message = error.path, str(error)
        elif isinstance(error, TariffError):
            field, message = error.path or "", error.message
        else:
            field, message = "", str(error)
        return Reject.of(household_id, source, field, message)

    def values(self) -> list[str]:
        """The cells of its rejects.csv row, none read as a formula by a spreadsheet."""
        return [inert(self.household_id), inert(self.source), inert(self.field),
                inert(self.message)]


_FORMULA = FORMULA_START + ("\t", "\r")


def inert(cell: str) -> str:
    """A CSV cell a spreadsheet shows as text: one that would start a formula (= + - @,
    or a tab or CR before one: a file named ``=cmd|' /c calc'!A1.jsonl`` in `source`) gets
    a leading apostrophe (OWASP, CSV injection)."""
    return "'" + cell if cell.startswith(_FORMULA) else cell
