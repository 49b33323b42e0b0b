"""The flat columnar layout of a population (what city systems export), and its mapping
to and from the contract's household JSON.

Tables, keyed by ``household_id`` and sorted by it (as text): ``households`` (one row per
世帯), ``persons`` (one row per person, income fields flat), ``insured_periods`` (国保の
資格 periods), and the optional ``separate_incomes`` (分離課税), ``statuses`` (非自発的失業,
産前産後, 旧被扶養者, 介護適用除外施設), ``relief`` (条例減免 facts) and ``head_changes``
(世帯主変更). Every money column is a whole number of yen; a cell is empty when the
fact is absent. docs/population.md and schemas/population.tables.json describe them.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from ..errors import InputError
from ..engine.household import _AMOUNTS
from ..engine.fields import MAX_ITEMS, MAX_PERSONS

STR, INT, BOOL, DATE = "str", "int", "bool", "date"

# table -> ((column, kind, required), ...); household_id first everywhere
TABLES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "households": (("household_id", STR, True), ("fiscal_year", INT, True),
                   ("head", STR, True), ("municipality", STR, False)),
    "persons": ((("household_id", STR, True), ("person_id", STR, True),
                 ("birth_date", DATE, True), ("late_elderly_since", DATE, False),
                 ("fixed_asset_tax", INT, False), ("declared", BOOL, False))
                + tuple((a, INT, False) for a in _AMOUNTS)
                + (("income_adjustment_eligible", BOOL, False),
                   ("is_family_employee", BOOL, False))),
    "insured_periods": (("household_id", STR, True), ("person_id", STR, True),
                        ("from", DATE, True), ("until", DATE, False)),
    "separate_incomes": (("household_id", STR, True), ("person_id", STR, True),
                         ("kind", STR, True), ("income", INT, True),
                         ("special_deduction", INT, False)),
    "statuses": (("household_id", STR, True), ("person_id", STR, True), ("status", STR, True),
                 ("separation_date", DATE, False), ("reason_code", STR, False),
                 ("expected_date", DATE, False), ("actual_date", DATE, False),
                 ("multiple", BOOL, False), ("since", DATE, False), ("from", DATE, False),
                 ("until", DATE, False)),
    "relief": (("household_id", STR, True), ("rule", STR, True), ("grade", STR, False),
               ("previous_income", INT, False), ("current_income", INT, False),
               ("person", STR, False), ("from", DATE, False), ("until", DATE, False)),
    "head_changes": (("household_id", STR, True), ("date", DATE, True), ("head", STR, True)),
}
REQUIRED_TABLES = ("households", "persons", "insured_periods")
STATUS_FIELDS = {"involuntary_unemployment": ("separation_date", "reason_code"),
                 "childbirth": ("expected_date", "actual_date", "multiple"),
                 "former_dependent": ("since",),
                 "care_exempt_facility": ("from", "until")}
# The most rows of one table one household the household reader can accept: 100 persons,
# each with 100 periods (資格, 分離課税 items, 介護適用除外) and the other three statuses;
# 条例減免 (20 × 100 periods) and 世帯主変更 (100) stay under it. A household with more
# rows in a table is refused whatever they hold, so the readers take MAX_ROWS + 1 of them
# and skip the rest: a crafted table of a million rows for one household (a few KB of
# Parquet) costs no more memory than a real household (it cost 2.4 KB a row).
MAX_ROWS = MAX_PERSONS * (MAX_ITEMS + len(STATUS_FIELDS) - 1)
_INT = re.compile(r"^[0-9]{1,15}$")
_BOOLS = {"true": True, "false": False, "1": True, "0": False, "TRUE": True, "FALSE": False,
          "True": True, "False": False}


class CellError(InputError):
    """A cell that cannot be read: `field` is ``table.column``, `source` where it is."""

    def __init__(self, field: str, message: str, source: str):
        super().__init__(field, message)
        self.source = source


def columns(table: str) -> tuple[str, ...]:
    return tuple(c for c, _, _ in TABLES[table])


def kinds(table: str) -> dict[str, str]:
    return {c: k for c, k, _ in TABLES[table]}


def cell(table: str, column: str, kind: str, value: Any, source: str) -> Any:
    """A cell as the JSON value it stands for (None when empty). Text is read strictly:
    whole yen only (no sign, no separators, no decimals), true/false, YYYY-MM-DD."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        if kind == INT and (isinstance(value, bool) or not isinstance(value, int)):
            raise CellError(f"{table}.{column}", "must be a whole number of yen", source)
        if kind == BOOL and not isinstance(value, bool):
            raise CellError(f"{table}.{column}", "must be true or false", source)
        if kind == DATE and hasattr(value, "isoformat"):
            return value.isoformat()
        if kind in (STR, DATE):
            raise CellError(f"{table}.{column}", "must be text", source)
        return value
    if kind == INT:
        if not _INT.match(value):
            raise CellError(f"{table}.{column}", "must be a whole number of yen written "
                                                 "with digits only", source)
        return int(value)
    if kind == BOOL:
        if value not in _BOOLS:
            raise CellError(f"{table}.{column}", "must be true or false", source)
        return _BOOLS[value]
    return value


# table -> ((column, kind), ...), and the (kind, Python type) pairs whose cells are read as is
_KINDS = {t: tuple((c, k) for c, k, _ in cols) for t, cols in TABLES.items()}
_AS_IS = frozenset(((STR, str), (DATE, str), (INT, int), (BOOL, bool)))


def _typed(table: str, row: dict, source: str) -> dict:
    """The non-empty cells of a row, each read by :func:`cell` (a text cell of a text column,
    an int (not a bool) of an int column, a bool of a bool column: what cell() returns as
    is, without the call)."""
    out = {}
    for c, k in _KINDS[table]:
        v = row.get(c)
        if v is None or v == "":
            continue
        out[c] = v if (k, type(v)) in _AS_IS else cell(table, c, k, v, source)
    return out


def assemble(groups: dict[str, list[tuple[str, dict]]]) -> dict:
    """The contract household JSON of one household from its rows
    ({table: [(source, row)]}). Raises CellError naming the table and column."""
    (src, hrow), = groups["households"]
    h = _typed("households", hrow, src)
    out: dict[str, Any] = {"id": h.get("household_id"), "fiscal_year": h.get("fiscal_year"),
                           "head": h.get("head")}
    if "municipality" in h:
        out["municipality"] = h["municipality"]
    persons: dict[str, dict] = {}
    for src, r in groups.get("persons", ()):
        p = _typed("persons", r, src)
        pid = p.pop("person_id", None)
        p.pop("household_id", None)
        if pid in persons:
            raise CellError("persons.person_id", "is used by another person", src)
        pj: dict[str, Any] = {"id": pid, "birth_date": p.pop("birth_date", None), "insured": []}
        for key in ("late_elderly_since", "fixed_asset_tax"):
            if key in p:
                pj[key] = p.pop(key)
        pj["income"] = p
        persons[pid] = pj
    for table, add in (("insured_periods", _add_period), ("separate_incomes", _add_separate),
                       ("statuses", _add_status)):
        for src, r in groups.get(table, ()):
            values = _typed(table, r, src)
            person = persons.get(values.get("person_id"))
            if person is None:
                raise CellError(f"{table}.person_id", "names no person of the household", src)
            add(person, values, src)
    out["persons"] = list(persons.values())
    changes = [_typed("head_changes", r, s) for s, r in groups.get("head_changes", ())]
    if changes:
        out["head_changes"] = [{"date": c.get("date"), "head": c.get("head")} for c in changes]
    relief: dict[str, dict] = {}
    for src, r in groups.get("relief", ()):
        _add_relief(relief, _typed("relief", r, src), src)
    if relief:
        out["relief"] = relief
    return out


def _add_period(person: dict, v: dict, src: str) -> None:
    person["insured"].append({"from": v.get("from"), "until": v.get("until")})


def _add_separate(person: dict, v: dict, src: str) -> None:
    item = {"kind": v.get("kind"), "income": v.get("income")}
    if "special_deduction" in v:
        item["special_deduction"] = v["special_deduction"]
    person["income"].setdefault("separate", []).append(item)


def _add_status(person: dict, v: dict, src: str) -> None:
    kind = v.get("status")
    if kind not in STATUS_FIELDS:
        raise CellError("statuses.status", "must be one of " + ", ".join(STATUS_FIELDS), src)
    st = person.setdefault("statuses", {})
    if kind == "care_exempt_facility":
        st.setdefault(kind, []).append({"from": v.get("from"), "until": v.get("until")})
        return
    if kind in st:
        raise CellError("statuses.status", "is given twice for one person", src)
    st[kind] = {f: v[f] for f in STATUS_FIELDS[kind] if f in v}


def _add_relief(relief: dict, v: dict, src: str) -> None:
    if "rule" not in v:
        raise CellError("relief.rule", "is required (the tariff's 減免 rule id)", src)
    facts = relief.setdefault(v["rule"], {})
    for key in ("grade", "previous_income", "current_income", "person"):
        if key in v:
            facts[key] = v[key]
    if "from" in v:
        facts.setdefault("periods", []).append({"from": v["from"], "until": v.get("until")})


# ---------------------------------------------------------------- JSON -> rows

def flatten(h: dict) -> dict[str, list[dict]]:
    """The rows of one (validated) household JSON, table by table."""
    hid = h["id"]
    rows: dict[str, list[dict]] = {t: [] for t in TABLES}
    rows["households"].append({"household_id": hid, "fiscal_year": h["fiscal_year"],
                               "head": h["head"], "municipality": h.get("municipality")})
    for p in h["persons"]:
        pid = p["id"]
        inc = dict(p.get("income") or {})
        separate = inc.pop("separate", [])
        prow = {"household_id": hid, "person_id": pid, "birth_date": p["birth_date"],
                "late_elderly_since": p.get("late_elderly_since"),
                "fixed_asset_tax": p.get("fixed_asset_tax")}
        prow.update(inc)
        rows["persons"].append(prow)
        for per in p["insured"]:
            rows["insured_periods"].append({"household_id": hid, "person_id": pid,
                                            "from": per["from"], "until": per.get("until")})
        for s in separate:
            rows["separate_incomes"].append({"household_id": hid, "person_id": pid, **s})
        for kind, facts in (p.get("statuses") or {}).items():
            items = facts if kind == "care_exempt_facility" else [facts]
            for f in items:
                rows["statuses"].append({"household_id": hid, "person_id": pid,
                                         "status": kind, **f})
    for c in h.get("head_changes") or ():
        rows["head_changes"].append({"household_id": hid, **c})
    for rid, facts in (h.get("relief") or {}).items():
        base = {"household_id": hid, "rule": rid,
                **{k: v for k, v in facts.items() if k != "periods"}}
        periods = facts.get("periods") or [{}]
        for per in periods:
            rows["relief"].append({**base, **per})
    return rows


def present(tables: Iterable[str]) -> tuple[str, ...]:
    """The tables to write: the required ones and the optional ones with rows."""
    return tuple(t for t in TABLES if t in REQUIRED_TABLES or t in tables)
