"""Errors as RFC 9457 problem details (``application/problem+json``).

A problem carries the field path and the library's one-line message, never a value
from the request: the library's messages are written that way (errors.py), and the
service adds only fixed sentences of its own.
"""

from __future__ import annotations

import json

from ..version import __version__
from ..errors import InputError, LevyError, MissingTariffValue, TariffError

MEDIA = "application/problem+json"
BASE = "https://levyrules.invalid/problems/"
ENGINE = f"levyrules {__version__}"

TITLES = {
    "bad-json": "The request body is not valid JSON",
    "input": "The household input is not valid",
    "tariff": "The tariff cannot be used",
    "missing-tariff-value": "The tariff does not know a value this household needs",
    "limitation": "The 更正 is out of time",
    "too-large": "The request is too large",
    "unsupported-media-type": "The request body has the wrong media type",
    "unauthorized": "A bearer token is required",
    "not-found": "No such resource",
    "method-not-allowed": "Method not allowed",
    "internal": "Internal error",
}


class Problem(Exception):
    """An error response; raised anywhere in a handler, turned into JSON by the app."""

    def __init__(self, status: int, kind: str, detail: str = "", field: str | None = None,
                 headers: dict | None = None):
        super().__init__(detail or TITLES[kind])
        self.status = status
        self.kind = kind
        self.detail = detail
        self.field = field
        self.headers = headers or {}

    def to_json(self) -> dict:
        out = {"type": BASE + self.kind, "title": TITLES[self.kind], "status": self.status}
        if self.detail:
            out["detail"] = self.detail
        if self.field is not None:
            out["field"] = self.field
        out["engine"] = ENGINE
        return out

    def body(self) -> bytes:
        return json.dumps(self.to_json(), ensure_ascii=False).encode()


def from_error(e: LevyError, tariff_field: str = "tariff") -> Problem:
    """The problem for a library error: 422 with the field path and the message."""
    if isinstance(e, InputError):
        return Problem(422, "input", e.message, e.field)
    if isinstance(e, MissingTariffValue):
        return Problem(422, "missing-tariff-value", str(e), f"{tariff_field}.{e.path}")
    if isinstance(e, TariffError):
        # the file:line of a shipped tariff is not personal; the path says which value
        field = f"{tariff_field}.{e.path}" if e.path else tariff_field
        return Problem(422, "tariff", str(e), field)
    from ..collection.limitation import LimitationExpired
    if isinstance(e, LimitationExpired):
        return Problem(422, "limitation", str(e), "as_of")
    return Problem(422, "input", str(e), "")
