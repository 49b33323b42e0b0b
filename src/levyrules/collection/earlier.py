"""Reading the earlier assessment a 更正 (revision) is made against.

The earlier JSON is what `levyrules assess` printed (or an earlier revision, whose
`assessment` is used). Every field the revision reads is checked here, with the same
field checks as a household (levyrules.engine.fields), so a malformed file gives one
:class:`InputError` naming the field under ``earlier.`` and never a value; fields the
revision does not read (the trace, the thresholds ...) are left alone.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..errors import InputError
from ..engine.jsonread import read_json
from ..engine.fields import (MAX_ITEMS, MAX_PERSONS, a_date, bounded_list, integer, obj,
                             opaque_id, text, unknown_keys)

_COMPONENTS = frozenset(("medical", "support", "care", "child"))
_ROLES = frozenset(("insured", "fictitious_head", "late_elderly", "other"))
_TIERS = (70, 50, 20, 0)
_SPECIFIED = frozenset(("specified", "continuing"))
_TARIFF_KEYS = frozenset(("id", "sha256", "status", "overrides"))
_OVERRIDE_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+){0,7}")
_INSTALLMENT_KEYS = frozenset(("period", "due", "amount", "kind"))
_FLAGS = re.compile(r"[01]{12}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# the earlier file's fields the JSON reader may name in a path
FIELD_NAMES = (frozenset(("household", "fiscal_year", "components", "total", "persons",
                         "months", "care_months", "role", "income_base", "judgement_income",
                         "reduction", "tier", "specified_household", "tariff", "engine",
                         "installments", "assessment", "change", "amount", "missing",
                         "overrides"))
               | _COMPONENTS | _TARIFF_KEYS | _INSTALLMENT_KEYS)

_REQUIRED = "is required (give the JSON `levyrules assess` printed)"


def read_earlier(data: Any) -> dict:
    """The earlier assessment (parsed JSON, or JSON text read by read_json) with every
    field a 更正 reads checked."""
    if isinstance(data, (str, bytes, bytearray)):
        data = read_json(data, "earlier")
    try:
        if type(data) is not dict:
            raise InputError("", "must be an assessment object as `levyrules assess` prints it")
        if "assessment" in data and "change" in data:      # an earlier revision: its result
            try:
                return _assessment(data["assessment"])
            except InputError as e:
                raise e.within("assessment") from None
        return _assessment(data)
    except InputError as e:
        raise e.within("earlier") from None


def _assessment(data: Any) -> dict:
    if type(data) is not dict:
        raise InputError("", "must be an object")
    for key in ("household", "fiscal_year", "components", "total", "persons"):
        if key not in data:
            raise InputError(key, _REQUIRED)
    opaque_id(data["household"], "household")
    fy = data["fiscal_year"]
    if type(fy) is not int or not 2000 <= fy <= 2100:
        raise InputError("fiscal_year", "must be a year such as 2025")
    if data["total"] is None:
        raise InputError("total", "the earlier assessment is incomplete (total null): "
                                  "there is nothing to revise against")
    integer(data["total"], "total")
    _components(data["components"])
    _persons(data["persons"])
    _optional(data, "reduction", _reduction)
    _optional(data, "specified_household", _specified)
    _optional(data, "tariff", _tariff)
    _optional(data, "engine", _text)
    _optional(data, "installments", _installments)
    return data


def _optional(data: dict, key: str, check) -> None:
    value = data.get(key)
    if value is not None:
        try:
            check(value)
        except InputError as e:
            raise e.within(key) from None


def _components(value: Any) -> None:
    if type(value) is not dict:
        raise InputError("components", "must be an object")
    if not _COMPONENTS.issuperset(value):
        raise unknown_keys(value, _COMPONENTS).within("components")
    for name, c in value.items():
        amount = c.get("amount") if type(c) is dict else None
        integer(amount, f"components.{name}.amount")


def _persons(value: Any) -> None:
    bounded_list(value, "persons", MAX_PERSONS, "persons")
    seen: set = set()
    for i, p in enumerate(value):
        try:
            _person(p, seen)
        except InputError as e:
            raise e.within(f"persons[{i}]") from None


def _person(p: Any, seen: set) -> None:
    if type(p) is not dict:
        raise InputError("", "must be an object")
    if "id" not in p:
        raise InputError("id", "is required")
    pid = opaque_id(p["id"], "id")
    if pid in seen:
        raise InputError("id", "is used by another person")
    seen.add(pid)
    for key in ("months", "care_months"):
        v = p.get(key, "0" * 12)
        if type(v) is not str or _FLAGS.fullmatch(v) is None:
            raise InputError(key, "must be 12 flags such as \"111111000000\"")
    role = p.get("role")
    if role is not None and (type(role) is not str or role not in _ROLES):
        raise InputError("role", "must be one of " + ", ".join(sorted(_ROLES)))
    for key in ("income_base", "judgement_income"):
        if p.get(key) is not None:
            integer(p[key], key)


def _reduction(value: Any) -> None:
    if type(value) is not dict:
        raise InputError("", "must be an object")
    tier = value.get("tier")
    if tier is not None and (type(tier) is not int or tier not in _TIERS):
        raise InputError("tier", "must be 70, 50, 20 or 0")
    if value.get("judgement_income") is not None:
        integer(value["judgement_income"], "judgement_income")


def _specified(value: Any) -> None:
    if type(value) is not str or value not in _SPECIFIED:
        raise InputError("", "must be \"specified\", \"continuing\" or null")


def _tariff(value: Any) -> None:
    obj(value, _TARIFF_KEYS)
    if value.get("id") is not None:
        _text(value["id"], "id")
    sha = value.get("sha256")
    if sha is not None and (type(sha) is not str or _SHA256.fullmatch(sha) is None):
        raise InputError("sha256", "must be 64 hexadecimal digits")
    status = value.get("status")
    if status is not None and status not in ("verified", "unverified"):
        raise InputError("status", "must be \"verified\" or \"unverified\"")
    if value.get("overrides") is not None:
        _overrides(value["overrides"])


def _overrides(value: Any) -> None:
    """`--set` values recorded by the earlier run: {path: scalar}."""
    if type(value) is not dict or len(value) > MAX_ITEMS:
        raise InputError("overrides", f"must be an object of at most {MAX_ITEMS} --set values")
    for n, (path, v) in enumerate(value.items(), 1):
        if type(path) is not str or _OVERRIDE_PATH.fullmatch(path) is None:
            raise InputError("overrides", f"the key {n} is not a tariff path")
        if type(v) is str:
            text(v, f"overrides.{path}", 200)
        elif v is not None and type(v) not in (int, bool) and \
                not (type(v) is float and math.isfinite(v)):
            raise InputError(f"overrides.{path}", "must be a number, text, true/false or null")


def _text(value: Any, field: str = "") -> None:
    text(value, field, 200)                 # reaches the output: the tariff id, the engine


def _installments(value: Any) -> None:
    bounded_list(value, "", MAX_ITEMS, "installments")
    for i, item in enumerate(value):
        try:
            obj(item, _INSTALLMENT_KEYS, ("period", "due", "amount"))
            a_date(item["due"], "due")
        except InputError as e:
            raise e.within(f"[{i}]") from None
