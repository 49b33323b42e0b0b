"""Loading tariffs: ids and paths, `extends`, `--set` overrides, schema and semantic checks.

A tariff id is ``<slug>/<FY>`` and names ``tariffs/<slug>/<FY>.yaml``; the
statutory parameters come from ``tariffs/national/<FY>.yaml``. Loading either
yields a checked :class:`Tariff` or raises a :class:`TariffError` that points to
FILE:LINE:COLUMN.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import attrs
import jsonschema

from ..errors import TariffError
from ..money import parse_rate
from . import checks, yamlmarks
from .model import ComponentRates, InstallmentPlan, Options, Rounding, Tariff
from .national import National, load_national
from ..rules.relief import compile_rules as compile_relief

_REPO = Path(__file__).resolve().parents[3]
_ID = re.compile(r"^([a-z0-9][a-z0-9-]*)/(\d{4})$")


def tariffs_root() -> Path:
    """Where shipped tariffs live: $LEVYRULES_TARIFFS, else the checkout's tariffs/."""
    env = os.environ.get("LEVYRULES_TARIFFS")
    return Path(env) if env else _REPO / "tariffs"


def schemas_root() -> Path:
    return _REPO / "schemas"


@lru_cache(maxsize=None)
def tariff_schema() -> dict:
    return json.loads((schemas_root() / "tariff.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator() -> jsonschema.protocols.Validator:
    schema = tariff_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


@lru_cache(maxsize=None)
def national(fiscal_year: int) -> National:
    path = tariffs_root() / "national" / f"{fiscal_year}.yaml"
    if not path.is_file():
        raise TariffError(f"no national parameters for fiscal year {fiscal_year} "
                          f"(tariffs/national/{fiscal_year}.yaml)")
    return load_national(path)


@attrs.define
class Finding:
    """One problem in a tariff file, as `levyrules check` prints it."""
    file: str
    line: int
    column: int
    severity: str        # error | warning
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {where}{self.message}"


@attrs.define
class Source:
    """A tariff's merged data with the file/line each value came from."""
    data: dict
    origins: dict          # path tuple -> (file, line, column)
    files: list
    texts: list


def resolve_path(ref: str, base_dir: Path | None = None) -> Path:
    """A tariff id (slug/FY) or a file path (relative to `base_dir` when given) → file path."""
    m = _ID.match(ref)
    if m and not ref.endswith(".yaml"):
        path = tariffs_root() / m.group(1) / f"{m.group(2)}.yaml"
        if not path.is_file():
            raise TariffError(f"unknown tariff {ref!r}: no file tariffs/{m.group(1)}/{m.group(2)}.yaml")
        return path
    path = Path(ref)
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    if not path.is_file():
        raise TariffError(f"unknown tariff {ref!r}: not a shipped id (slug/FY) nor a file")
    return path


def tariff_id_for(path: Path) -> str:
    """`slug/FY` for a file under the tariffs root, else the path as given."""
    try:
        rel = path.resolve().relative_to(tariffs_root().resolve())
        if len(rel.parts) == 2 and rel.suffix == ".yaml":
            return f"{rel.parts[0]}/{rel.stem}"
    except ValueError:
        pass
    return str(path)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_source(path: Path, _chain: tuple = ()) -> Source:
    """Read a tariff file and its `extends` chain into one merged mapping."""
    real = path.resolve()
    name = _display(path)
    if real in _chain:
        raise TariffError("`extends` cycle: " + " → ".join(_display(p) for p in _chain + (real,)),
                          name, 1, 1, "extends")
    text = path.read_text(encoding="utf-8")
    data, marks = yamlmarks.load(text, name)
    if not isinstance(data, dict):
        raise TariffError("a tariff must be a mapping of keys", name, 1, 1)
    origins = {k: (name,) + v for k, v in marks.items()}
    parent_ref = data.get("extends")
    if parent_ref is None:
        return Source(data, origins, [name], [text])
    if not isinstance(parent_ref, str):
        raise TariffError("`extends` must be a tariff id or a path", name, *marks[("extends",)], "extends")
    try:
        parent = read_source(resolve_path(parent_ref, path.parent), _chain + (real,))
    except TariffError as e:
        if e.file:
            raise
        raise TariffError(e.message, name, *marks[("extends",)], "extends") from None
    merged = _merge(parent.data, {k: v for k, v in data.items() if k != "extends"})
    parent.origins.update(origins)
    return Source(merged, parent.origins, parent.files + [name], parent.texts + [text])


def _merge(base: Any, over: Any) -> Any:
    """Deep merge: mappings merge key by key; anything else (lists included) replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    return over


def apply_overrides(src: Source, overrides: list[tuple[str, Any]]) -> None:
    """`--set PATH=VALUE`: replace one value for this run (a what-if, 試算)."""
    for dotted, value in overrides:
        keys = dotted.split(".")
        cur = src.data
        for k in keys[:-1]:
            nxt = cur.get(k) if isinstance(cur, dict) else None
            if nxt is None:
                nxt = {}
                cur[k] = nxt
            if not isinstance(nxt, dict):
                raise TariffError(f"--set {dotted}: {k} is not a mapping")
            cur = nxt
        cur[keys[-1]] = value
        src.origins[tuple(keys)] = ("--set", 1, 1)


def _where(src: Source, path: tuple) -> tuple[str, int, int]:
    p = tuple(path)
    while p and p not in src.origins:
        p = p[:-1]
    return src.origins.get(p, (src.files[-1], 1, 1))


def findings(src: Source) -> list[Finding]:
    """Every schema and semantic problem of a merged tariff (errors and warnings)."""
    out: list[Finding] = []

    def add(path: tuple, severity: str, message: str) -> None:
        f, line, col = _where(src, path)
        out.append(Finding(f, line, col, severity, message, ".".join(map(str, path))))

    for err in sorted(_validator().iter_errors(src.data), key=lambda e: list(map(str, e.absolute_path))):
        path = tuple(err.absolute_path)
        msg = err.message
        if err.validator == "additionalProperties":
            extra = [k for k in (err.instance or {}) if k not in (err.schema.get("properties") or {})]
            for k in extra:
                add(path + (k,), "error", f"unknown key {k!r}")
            continue
        if err.validator == "required" and isinstance(err.instance, dict):
            missing_key = msg.split("'")[1] if "'" in msg else msg
            # status_note is required by the status: point at the status line
            at = path + ("status",) if missing_key == "status_note" else path
            add(at, "error", f"missing required key {missing_key!r}")
            continue
        add(path, "error", msg)
    if any(f.severity == "error" for f in out):
        return out

    data = src.data
    fy = data["fiscal_year"]
    try:
        nat = national(fy)
    except TariffError as e:
        add(("fiscal_year",), "error", e.message)
        return out
    missing_paths = {m["path"] for m in data.get("missing", [])}
    for name, comp in data["components"].items():
        for key in ("income_rate", "asset_rate"):
            if comp.get(key) is not None:
                try:
                    r = parse_rate(comp[key])
                except ValueError as e:
                    add(("components", name, key), "error", str(e))
                    continue
                if r >= 1:
                    add(("components", name, key), "error", "a rate of 100% or more is not plausible")
        statutory = nat.caps.get(name)
        if statutory is None:
            add(("components", name), "error",
                f"component {name} does not exist in fiscal year {fy}")
            continue
        if "cap" in comp:
            if comp["cap"] > statutory:
                add(("components", name, "cap"), "error",
                    f"cap {comp['cap']} exceeds the statutory maximum {statutory} of fiscal year {fy}")
        elif f"components.{name}.cap" not in missing_paths:   # else its `missing` entry says so
            add(("components", name), "warning",
                f"no cap given: the statutory maximum {statutory} of fiscal year {fy} applies")
    for name in nat.caps:
        if name not in data["components"] and f"components.{name}" not in missing_paths \
                and "components" not in missing_paths:
            add(("components",), "error",
                f"component {name} is levied in fiscal year {fy} but the tariff neither gives it "
                f"nor lists it under `missing`")
    checks.run_all(data, add)
    if data["status"] == "unverified":
        add(("status",), "warning", "unverified tariff: " + " ".join(data.get("status_note", "").split())[:160])
    for i, m in enumerate(data.get("missing", [])):
        add(("missing", i), "warning", f"{m['path']} is not known: {' '.join(m['note'].split())[:160]}")
    return out


def build(src: Source, overrides: tuple = ()) -> Tariff:
    """Check a merged tariff and compile it; the first error is raised."""
    for f in findings(src):
        if f.severity == "error":
            raise TariffError(f.message, f.file, f.line, f.column, f.path)
    data = src.data
    nat = national(data["fiscal_year"])
    comps = {}
    for name, c in data["components"].items():
        kw: dict[str, Any] = {}
        for key in ("income_rate", "asset_rate"):
            if c.get(key) is not None:
                kw[key] = parse_rate(c[key])
        for key in ("per_capita", "per_capita_adult", "per_household", "per_household_specified",
                    "per_household_specified_continuing"):
            if c.get(key) is not None:
                kw[key] = c[key]
        if "cap" in c:
            kw["cap"] = c["cap"]
        else:
            kw["cap"] = nat.caps[name]
            kw["cap_is_statutory_default"] = True
        comps[name] = ComponentRates.make(name, **kw)
    canonical = json.dumps({"tariff": data, "national": nat.sha256}, sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"))
    missing = {m["path"]: " ".join(m["note"].split()) for m in data.get("missing", [])}
    return Tariff(
        id=tariff_id_for(Path(src.files[-1])),     # the file asked for, not its base
        fiscal_year=data["fiscal_year"],
        municipality=dict(data["municipality"]),
        kind=data["kind"],
        status=data["status"],
        status_note=" ".join(data.get("status_note", "").split()),
        provenance=tuple(data["provenance"]),
        components=comps,
        rounding=Rounding(**data.get("rounding", {})),
        options=Options(**data.get("options", {})),
        missing=missing,
        national=nat,
        sha256=hashlib.sha256(canonical.encode()).hexdigest(),
        files=tuple(src.files),
        overrides=tuple(overrides),
        relief=compile_relief(data.get("relief") or []),
        installments=InstallmentPlan.from_data(data.get("installments")),
    )


@lru_cache(maxsize=256)
def _load_cached(path: Path) -> Tariff:
    return build(read_source(path))


def load_tariff(ref: str | os.PathLike, overrides: list[tuple[str, Any]] | None = None) -> Tariff:
    """Load a tariff by id (``"iwaki/2025"``) or path, optionally with `--set` overrides."""
    path = resolve_path(str(ref))
    if not overrides:
        return _load_cached(path.resolve())
    src = read_source(path)
    src.data = copy.deepcopy(src.data)
    apply_overrides(src, overrides)
    return build(src, tuple(overrides))


def find_for_municipality(municipality: str, fiscal_year: int) -> str:
    """The shipped tariff id for a slug or 団体コード and a fiscal year."""
    if re.match(r"^\d{6}$", municipality):
        root = tariffs_root()
        for path in sorted(root.glob(f"*/{fiscal_year}.yaml")):
            if path.parent.name == "national":
                continue
            try:
                data, _ = yamlmarks.load(path.read_text(encoding="utf-8"), str(path))
            except TariffError:
                continue
            if isinstance(data, dict) and (data.get("municipality") or {}).get("code") == municipality:
                return f"{path.parent.name}/{fiscal_year}"
        raise TariffError(f"no shipped tariff for 団体コード {municipality} in fiscal year {fiscal_year}")
    return f"{municipality}/{fiscal_year}"
