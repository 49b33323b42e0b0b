"""Example tests beside the tariff: ``tariffs/<municipality>/tests/*.yaml``.

Each file is one household (inline, the contract's household JSON written in
YAML) and the amounts it must come to under a named tariff: the 軽減 tier, each
component's 税額 (or its figures), the total. `levyrules test` runs them, and the
project's pytest run collects every shipped one (tests/test_tariff_examples.py).
The file's shape is ``schemas/tariff-test.schema.json``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import attrs
import jsonschema

from ..errors import InputError, LevyError, TariffError
from ..tariff import paths as _paths, yamlmarks
from ..tariff.findings import schema_errors
from ..tariff.loader import Finding, load_tariff, schemas_root, tariffs_root

FIGURES = ("income_levy", "asset_levy", "per_capita", "per_household", "levy", "over_cap",
           "amount")
LABELS = {"medical": "医療分", "support": "支援分", "care": "介護分", "child": "子ども分",
          "income_levy": "所得割", "asset_levy": "資産割", "per_capita": "均等割",
          "per_household": "平等割", "levy": "軽減後", "over_cap": "限度超過", "amount": "税額"}


@lru_cache(maxsize=None)
def _validator():
    from referencing import Registry, Resource
    root = schemas_root()
    schema = json.loads((root / "tariff-test.schema.json").read_text(encoding="utf-8"))
    household = json.loads((root / "household.schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resource(household["$id"], Resource.from_contents(household))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=registry)


def is_test_file(path: Path) -> bool:
    """A YAML file inside a `tests` folder of the tariffs tree."""
    return path.suffix == ".yaml" and path.parent.name == "tests"


def discover(paths: list[str] | None = None) -> list[Path]:
    """The test files named, or found in `tests` folders below the folders named
    (default: every shipped one)."""
    out: list[Path] = []
    for p in paths or [str(tariffs_root())]:
        path = Path(p)
        if _paths.is_dir(path):
            found = sorted(q for q in path.rglob("*.yaml") if is_test_file(q))
            if not found and paths:
                raise TariffError(f"{p}: no test files (tests/*.yaml) below this folder")
            out.extend(found)
        elif _paths.is_file(path):
            out.append(path)
        else:
            raise TariffError(f"{p}: no such file or folder")
    return out


@attrs.define
class Row:
    """One compared figure."""
    label: str
    expected: Any
    actual: Any

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


@attrs.define
class Outcome:
    """The result of one test file: its findings (a broken file) or its compared rows."""
    file: str
    title: str = ""
    tariff: str = ""
    findings: list = attrs.Factory(list)
    rows: list = attrs.Factory(list)

    @property
    def ok(self) -> bool:
        return not self.findings and all(r.ok for r in self.rows)

    def report(self) -> str:
        """What `levyrules test` prints for this file (a table of every figure when it fails)."""
        if self.findings:
            return "\n".join(str(f) for f in self.findings)
        head = f"{'ok  ' if self.ok else 'FAIL'}  {self.file}  {self.tariff}  {self.title}"
        if self.ok:
            return head
        width = max(_width(r.label) for r in self.rows)
        lines = [head, f"      {_pad('', width)}  {'expected':>10}  {'actual':>10}"]
        for r in self.rows:
            mark = "" if r.ok else "  ✗"
            lines.append(f"      {_pad(r.label, width)}  {_fmt(r.expected):>10}  "
                         f"{_fmt(r.actual):>10}{mark}")
        return "\n".join(lines)


def _width(text: str) -> int:
    """Columns the text takes in a terminal (全角 = 2)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _fmt(v: Any) -> str:
    if v is None:
        return "unknown"
    if isinstance(v, dict):
        return ",".join(f"{k}={x}" for k, x in sorted(v.items())) or "none"
    return str(v)


def _marks_path(field: str) -> tuple:
    """An InputError field ('persons[1].income.salary_revenue') as a YAML path."""
    out: list = []
    for part in field.split("."):
        m = re.match(r"^([^\[]*)((?:\[\d+\])*)$", part)
        if not m:
            out.append(part)
            continue
        if m.group(1):
            out.append(m.group(1))
        out.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return tuple(p for p in out if p != "")


def load(path: Path) -> tuple[dict | None, dict, list[Finding]]:
    """(data, marks, findings): the file read and checked against its schema."""
    name = _display(path)
    try:
        data, marks = yamlmarks.load(yamlmarks.read_text(path, name)[0], name)
    except TariffError as e:
        return None, {}, [Finding(name, e.line or 1, e.column or 1, "error", e.message)]
    out: list[Finding] = []

    def add(p: tuple, message: str) -> None:
        q = tuple(p)
        while q and q not in marks:
            q = q[:-1]
        line, col = marks.get(q, (1, 1))
        out.append(Finding(name, line, col, "error", message, ".".join(map(str, p))))

    if not isinstance(data, dict):
        add((), "a test file must be a mapping of keys")
        return None, marks, out
    if not {"household", "expected"} & set(data) and "components" in data:
        add((), "this is a tariff, not an example test: name the tariff's tests folder or "
                "a file in it (levyrules test tariffs/SLUG)")   # not every tariff key, unknown
        return None, marks, out
    schema_errors(data, _validator(), lambda p, _severity, message: add(p, message))
    return data, marks, out


def _display(path: Path) -> str:
    """The file as messages name it, wherever the command runs (see tariff.paths)."""
    return _paths.display(path)


def check_file(path: Path) -> list[Finding]:
    """The problems of a test file as `levyrules check` reports them (schema only)."""
    return load(path)[2]


def _component_rows(comp: str, want, got) -> list:
    """The rows comparing one component's expected figures (its amount, or a mapping of
    figures and reductions) with what was computed (`got`, None when the year lacks it)."""
    label = f"{comp} ({LABELS[comp]})"
    if got is None:     # a component the year does not have (子ども分 before FY2026)
        return [Row(label, want if not isinstance(want, dict) else want.get("amount"), "absent")]
    if not isinstance(want, dict):
        return [Row(label, want, got.amount)]
    rows = [Row(f"{comp}.{key} ({LABELS[key]})", want[key], getattr(got, key))
            for key in FIGURES if key in want]
    if "reductions" in want:
        actual = {k: v for k, v in (got.reductions or {}).items() if v}
        expected = {k: v for k, v in want["reductions"].items() if v}
        rows.append(Row(f"{comp}.reductions", expected, actual))
    return rows


def _unknown_relief(expected: dict, tariff) -> list[tuple[tuple, str]]:
    """(path, message) of each expected reduction `relief.<id>` that names no relief rule
    (条例減免) of the tariff: `check` reports it where it is written, before any run."""
    ids = [r.id for r in tariff.relief]
    return [(("expected", "components", comp, "reductions", key),
             f"{key} names no relief rule of the tariff {tariff.id} "
             f"(its relief ids: {', '.join(ids) or 'none'})")
            for comp, want in expected["components"].items() if isinstance(want, dict)
            for key in want.get("reductions", {})
            if key.startswith("relief.") and key.removeprefix("relief.") not in ids]


def run_file(path: Path) -> Outcome:
    """Assess the file's household under its tariff and compare every expected figure."""
    from ..engine.assess import assess
    from ..engine.household import Household

    data, marks, found = load(path)
    name = _display(path)
    out = Outcome(name)
    if found:
        out.findings = found
        return out
    out.title = data["title"]

    def fail(p: tuple, message: str) -> Outcome:
        q = tuple(p)
        while q and q not in marks:
            q = q[:-1]
        line, col = marks.get(q, (1, 1))
        out.findings.append(Finding(name, line, col, "error", message, ".".join(map(str, p))))
        return out

    try:
        tariff = load_tariff(_paths.test_tariff_path(data["tariff"], path))
    except TariffError as e:
        if e.file:     # the tariff itself is broken: say where
            return fail(("tariff",), f"tariff {data['tariff']}: {e}")
        return fail(("tariff",), e.message)
    out.tariff = tariff.id
    for p, message in _unknown_relief(data["expected"], tariff):
        fail(p, message)
    if out.findings:
        return out
    try:
        household = Household.from_json(data["household"])
        result = assess(household, tariff, partial=True)
    except InputError as e:
        return fail(("household",) + _marks_path(e.field), str(e))
    except LevyError as e:
        return fail(("household",), str(e))
    exp = data["expected"]
    out.rows.append(Row("reduction tier", exp["reduction_tier"], result.reduction.tier))
    if "judgement_income" in exp:
        out.rows.append(Row("judgement income", exp["judgement_income"],
                            result.reduction.judgement_income))
    if "specified_household" in exp:
        out.rows.append(Row("specified household", exp["specified_household"],
                            result.specified_household))
    for comp, want in exp["components"].items():
        out.rows.extend(_component_rows(comp, want, result.components.get(comp)))
    if "total" in exp:
        out.rows.append(Row("total", exp["total"], result.total))
    return out


def run(paths: list[str] | None = None) -> tuple[list[str], bool]:
    """(lines to print, whether every test passed)."""
    lines: list[str] = []
    passed = failed = 0
    for path in discover(paths):
        o = run_file(path)
        lines.append(o.report())
        if o.ok:
            passed += 1
        else:
            failed += 1
    lines.append(f"{passed} passed, {failed} failed")
    return lines, failed == 0
