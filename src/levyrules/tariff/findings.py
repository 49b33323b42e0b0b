"""Every problem of a tariff file in one run: schema and semantic checks together.

`levyrules check` and the loader call :func:`findings`. Schema errors are told in
plain words (the nearest key for an unknown one, "write the rate as 7.3% or 0.073"
rather than a regular expression); the semantic checks (checks.py) then run on
every part of the file that is well-formed, and a finding at or under a value the
schema already refused is not repeated. Each message has a Japanese form in
check.py `_JA` and an entry in docs/guide.*.md ("What each check means").
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

import attrs

from ..errors import TariffError
from . import checks


@attrs.define
class Finding:
    """One problem in a tariff file, as `levyrules check` prints it; `ja` is the Japanese
    message when it carries tariff text of its own (a note), else check.py translates."""
    file: str
    line: int
    column: int
    severity: str        # error | warning | note (what the tariff itself declares)
    message: str
    path: str = ""
    ja: str = ""

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {where}{self.message}"


def where(src, path: tuple) -> tuple[str, int, int]:
    """FILE, LINE, COLUMN of a value, or of its nearest written parent."""
    p = tuple(path)
    while p and p not in src.origins:
        p = p[:-1]
    return src.origins.get(p, (src.files[-1], 1, 1))


# ---------------------------------------------------------------- schema errors in plain words

RATE_PATTERN = r"^\s*\d+(\.\d+)?\s*%?\s*$|^\s*\d+\s*/\s*\d+\s*$"
_PATTERN_WORDS = {
    RATE_PATTERN: "write the rate as 7.3% or 0.073 (a point, not a comma; no other text)",
    r"^\d{4}-\d{2}-\d{2}$": "write the date as YYYY-MM-DD, e.g. 2026-07-31",
    r"^\d{4}-\d{2}$": "write the month as YYYY-MM, e.g. 2026-10",
    r"^[0-9]{6}$": "write the 団体コード as 6 digits in quotes, e.g. \"072028\"",
    r"^[a-z0-9][a-z0-9-]*$": "use lower-case letters, digits and hyphens only, e.g. saga-kashima",
    r"^[a-z0-9][a-z0-9_-]*$": "use lower-case letters, digits, _ and - only, e.g. disaster-2026",
    r"^https?://": "write a web address starting with https:// or http://",
    r"^(first|last)$": "write first, last or a period number",
}
_TYPE_WORDS = {
    "integer": "a whole number (yen without commas, decimals or 円)",
    "string": "text", "boolean": "true or false", "object": "a mapping of keys",
    "array": "a list", "null": "empty (null)", "number": "a number",
}


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _type_words(t: Any) -> str:
    types = [x for x in (t if isinstance(t, list) else [t]) if x != "null"]
    return " or ".join(_TYPE_WORDS.get(x, x) for x in types)


def _plain(err) -> str:
    """A jsonschema error as a sentence an author can act on."""
    v = err.validator
    if v == "type":
        if err.schema.get("pattern") == RATE_PATTERN:
            return f"{_shown(err.instance)} is not a rate: " + _PATTERN_WORDS[RATE_PATTERN]
        return f"{_shown(err.instance)} is not {_type_words(err.validator_value)}"
    if v == "enum":
        return f"{_shown(err.instance)} is not allowed here: write one of " + ", ".join(
            str(x) for x in err.validator_value)
    if v == "pattern":
        words = _PATTERN_WORDS.get(err.validator_value, "it does not have the required form")
        if err.validator_value == RATE_PATTERN:
            return f"{_shown(err.instance)} is not a rate: {words}"
        return f"{_shown(err.instance)} has the wrong form: {words}"
    if v == "minimum":
        return f"{_shown(err.instance)} is too small: the smallest allowed is {err.validator_value}"
    if v == "maximum":
        return f"{_shown(err.instance)} is too large: the largest allowed is {err.validator_value}"
    if v in ("minItems", "minLength"):
        return "must not be empty"
    return err.message


def _suggest(key: str, known: list[str]) -> str:
    near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f": did you mean {near[0]!r}?" if near else ""


def schema_errors(data: Any, validator, add) -> list[tuple]:
    """Report every schema error; return the paths of the values it refused."""
    bad: list[tuple] = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = tuple(err.absolute_path)
        if err.validator == "additionalProperties":
            props = list(err.schema.get("properties") or {})
            pats = list(err.schema.get("patternProperties") or {})
            for k in err.instance or {}:
                if k not in props and not any(re.search(x, k) for x in pats):
                    add(path + (k,), "error", f"unknown key {k!r}{_suggest(k, props)}")
                    bad.append(path + (k,))
            continue
        if err.validator == "required" and isinstance(err.instance, dict):
            missing_key = err.message.split("'")[1] if "'" in err.message else err.message
            # status_note is required by the status: point at the status line
            at = path + ("status",) if missing_key == "status_note" else path
            add(at, "error", f"missing required key {missing_key!r}")
            continue
        if err.validator in ("if", "allOf", "anyOf", "oneOf") and err.context:
            continue            # the sub-errors are reported on their own
        add(path, "error", _plain(err))
        bad.append(path)
    return bad


# ---------------------------------------------------------------- every finding

def _note(value: Any) -> str:
    return " ".join(str(value or "").split())


def findings(src) -> list:
    """Every schema and semantic problem of a merged tariff (errors and warnings)."""
    from .loader import _validator, national     # loader imports this module
    out: list[Finding] = []
    bad: list[tuple] = []

    def add(path: tuple, severity: str, message: str, ja: str = "") -> None:
        path = tuple(path)
        if any(path[:len(b)] == b for b in bad):     # already refused by the schema
            return
        f, line, col = where(src, path)
        out.append(Finding(f, line, col, severity, message, ".".join(map(str, path)), ja))

    bad.extend(schema_errors(src.data, _validator(), add))
    data = src.data
    if not isinstance(data, dict):
        return out
    fy = data.get("fiscal_year")
    nat = None
    if isinstance(fy, int) and not isinstance(fy, bool) and ("fiscal_year",) not in bad:
        try:
            nat = national(fy)
        except TariffError as e:      # no national parameters for that year
            add(("fiscal_year",), "error", e.message)
    else:
        fy = None
    try:
        checks.run_all(data, add, nat, fy)
    except (KeyError, TypeError, AttributeError, ValueError, IndexError):
        if not bad:          # a well-formed file must never get here: a bug of ours
            raise
    _notes(data, add)
    return out


def _notes(data: dict, add) -> None:
    """The status and every `missing` entry, with their notes (Japanese and English): notes,
    not warnings, since the tariff declares them itself (nothing for `check` to correct)."""
    if data.get("status") == "unverified" and isinstance(data.get("status_note"), str):
        ja = _note(data["status_note"])
        en = _note(data.get("status_note_en")) or ja
        add(("status",), "note", "unverified tariff: " + en[:160],
            "未検証の税率表です: " + ja[:160])
    for i, m in enumerate(data.get("missing") or []):
        if not isinstance(m, dict) or not isinstance(m.get("path"), str):
            continue
        ja = _note(m.get("note"))
        en = _note(m.get("note_en")) or ja
        add(("missing", i), "note", f"{m['path']} is not known: {en[:160]}",
            f"{m['path']} は不明です: {ja[:160]}")
