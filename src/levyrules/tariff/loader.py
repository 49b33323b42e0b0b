"""Loading tariffs: ids and paths, `extends`, `--set` overrides, schema and semantic checks.

A tariff id is ``<slug>/<FY>`` and names ``<slug>/<FY>.yaml`` on the tariff
search path (`paths`: ``tariff_paths``, $LEVYRULES_TARIFFS, the shipped tariffs);
the statutory parameters come from ``national/<FY>.yaml``. Loading either yields
a checked, immutable :class:`Tariff` (cached until one of its files changes) or
raises a :class:`TariffError` that points to FILE:LINE:COLUMN. What `extends` and
`--set` may do is in `extends`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import attrs

from ..errors import TariffError
from ..engine.money import parse_rate
from . import paths, yamlmarks
from .extends import check_override, clear_missing, inherit, override_note, override_paths
from .findings import Finding, findings, where as _where  # noqa: F401  (Finding: re-exported)
from .model import ComponentRates, InstallmentPlan, Options, Rounding, Tariff, FrozenMap, freeze
from .national import National, load_national
from ..rules.relief import compile_rules as compile_relief

_ID = paths.ID
resolve_path = paths.resolve
tariff_id_for = paths.tariff_id_for
MAX_EXTENDS = 8           # files in an `extends` chain, the asked file included


def tariffs_root() -> Path:
    """The tariffs shipped inside the package (see `paths` for the whole search path)."""
    return paths.shipped_root()


def schemas_root() -> Path:
    return paths.schemas_root()


@lru_cache(maxsize=None)
def tariff_schema() -> dict:
    return json.loads((schemas_root() / "tariff.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator():             # -> a jsonschema Validator
    import jsonschema       # here: the batch's fork server and workers load no tariff
    schema = tariff_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def national(fiscal_year: int) -> National:
    """The statutory parameters of a fiscal year (reloaded when their file changed)."""
    path = paths.national_file(fiscal_year)
    if path is None:
        raise TariffError(f"no national parameters for fiscal year {fiscal_year} "
                          f"(national/{fiscal_year}.yaml)")
    st = path.stat()
    try:
        return _national_cached(path.resolve(), st.st_mtime_ns, st.st_size)
    except TariffError as e:       # say which file: the caller reports it at `fiscal_year`
        raise TariffError(f"national parameters {paths.display(path)} line {e.line or 1}: "
                          f"{e.message}") from None


@lru_cache(maxsize=32)
def _national_cached(path: Path, _mtime_ns: int, _size: int) -> National:
    # read as tariffs are (size, UTF-8, aliases, depth); `file` stays the real path (diff reads it)
    return freeze(load_national(path))


@attrs.define
class Source:
    """A tariff's merged data with the file/line each value came from."""
    data: dict
    origins: dict          # path tuple -> (file, line, column)
    files: list            # names as messages print them (paths.display)
    texts: list
    paths: list = attrs.Factory(list)      # the files themselves, base first
    stamps: list = attrs.Factory(list)     # (file, mtime_ns, size) when each was read
    search: tuple = ()                     # the tariff search path it was read with


def read_source(path: Path, _chain: tuple = (), search: tuple[Path, ...] | None = None) -> Source:
    """Read a tariff file and its `extends` chain into one merged mapping."""
    search = paths.search_path() if search is None else search
    real = path.resolve()
    name = paths.display(path, search)
    if real in _chain:
        raise TariffError("`extends` cycle: " + " → ".join(paths.display(p, search)
                                                          for p in _chain + (real,)),
                          name, 1, 1, "extends")
    if len(_chain) >= MAX_EXTENDS:
        raise TariffError(f"`extends` chain longer than {MAX_EXTENDS} files", name, 1, 1, "extends")
    text, st = yamlmarks.read_text(path, name)
    stamp = (str(real), st.st_mtime_ns, st.st_size)
    data, marks = yamlmarks.load(text, name)
    if not isinstance(data, dict):
        raise TariffError("a tariff must be a mapping of keys", name, 1, 1)
    origins = {k: (name,) + v for k, v in marks.items()}
    parent_ref = data.get("extends")
    if parent_ref is None:
        src = Source(data, origins, [name], [text], [path], [stamp], search)
        _check_year_in_name(src, path)
        return src
    if not isinstance(parent_ref, str):
        raise TariffError("`extends` must be a tariff id or a path", name, *marks[("extends",)], "extends")
    try:
        parent = read_source(paths.extends_path(parent_ref, path, search), _chain + (real,), search)
    except TariffError as e:
        if e.file:
            raise
        raise TariffError(e.message, name, *marks[("extends",)], "extends") from None
    merged = inherit(parent.data, data, parent_ref)
    parent.origins.update(origins)
    src = Source(merged, parent.origins, parent.files + [name], parent.texts + [text],
                 parent.paths + [path], parent.stamps + [stamp], search)
    _check_year_in_name(src, path)
    return src


def _check_year_in_name(src: Source, path: Path) -> None:
    """A file named `<FY>.yaml` is the tariff of that fiscal year and no other."""
    fy = src.data.get("fiscal_year")
    named = path.stem.isascii() and path.stem.isdigit() and len(path.stem) == 4  # not ²⁰²⁵
    if named and isinstance(fy, int) and not isinstance(fy, bool) and fy != int(path.stem):
        raise TariffError(f"the file is named for fiscal year {path.stem} but declares "
                          f"{fy}: rename the file or correct the year",
                          *_where(src, ("fiscal_year",)), "fiscal_year")


def apply_overrides(src: Source, overrides: list[tuple[str, Any]]) -> None:
    """`--set PATH=VALUE`: replace one value for this run (a what-if, 試算); the tariff
    becomes unverified and the `missing` entries the values answer are cleared."""
    for dotted, value in overrides:
        check_override(dotted, value)
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
    if overrides:
        src.data["missing"] = clear_missing(src.data.get("missing", []), *override_paths(overrides))
        if not src.data["missing"]:
            del src.data["missing"]
        note = src.data.get("status_note", "") if src.data.get("status") == "unverified" else ""
        src.data["status"] = "unverified"
        src.data["status_note"] = override_note(overrides, note)


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
        id=tariff_id_for(src.paths[-1], src.search),     # the file asked for, not its base
        fiscal_year=data["fiscal_year"],
        municipality=freeze(data["municipality"]),
        kind=data["kind"],
        status=data["status"],
        status_note=" ".join(data.get("status_note", "").split()),
        provenance=freeze(data["provenance"]),
        components=FrozenMap(comps),
        rounding=Rounding(**data.get("rounding", {})),
        options=Options(**data.get("options", {})),
        missing=FrozenMap(missing),
        national=nat,
        sha256=hashlib.sha256(canonical.encode()).hexdigest(),
        files=tuple(src.files),
        overrides=tuple(overrides),
        relief=freeze(compile_relief(data.get("relief") or [])),
        installments=InstallmentPlan.from_data(data.get("installments")),
    )


# (file asked for, search path) -> (stamps of every file read, Tariff)
_CACHE: dict[tuple, tuple[tuple, Tariff]] = {}
_CACHE_SIZE = 256
_LOCK = threading.Lock()


def _stamps_now(stamps: tuple) -> tuple | None:
    out = []
    for file, _, _ in stamps:
        try:
            st = os.stat(file)
        except OSError:
            return None
        out.append((file, st.st_mtime_ns, st.st_size))
    return tuple(out)


def _load_cached(path: Path, search: tuple[Path, ...]) -> Tariff:
    """A tariff read once and kept while none of its files (its `extends` chain and its
    national parameters) changed: a long-running host never computes with stale rates."""
    key = (path.resolve(), search)
    hit = _CACHE.get(key)
    if hit is not None and _stamps_now(hit[0]) == hit[0]:
        return hit[1]
    src = read_source(path, search=search)
    tariff = build(src)
    nat_file = os.path.realpath(tariff.national.file)
    try:
        st = os.stat(nat_file)
        stamps = tuple(src.stamps) + ((nat_file, st.st_mtime_ns, st.st_size),)
    except OSError:
        return tariff
    with _LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (stamps, tariff)
    return tariff


def load_tariff(ref: str | os.PathLike, overrides: list[tuple[str, Any]] | None = None, *,
                tariff_paths: list[str | os.PathLike] | None = None) -> Tariff:
    """Load a tariff by id (``"iwaki/2025"``) or path, optionally with `--set` overrides.

    An id is looked up in `tariff_paths`, then $LEVYRULES_TARIFFS, then the shipped
    tariffs. The result is immutable and cached until one of its files changes."""
    if not isinstance(ref, (str, os.PathLike)):
        raise TypeError("load_tariff() takes a tariff id such as 'iwaki/2025' or a path to a "
                        f"tariff file, not {type(ref).__name__}")
    search = paths.search_path(tariff_paths)
    path = resolve_path(os.fspath(ref), search=search)
    if not overrides:
        return _load_cached(path, search)
    src = read_source(path, search=search)
    src.data = copy.deepcopy(src.data)
    apply_overrides(src, overrides)
    return build(src, tuple(overrides))


def find_for_municipality(municipality: str, fiscal_year: int,
                          tariff_paths: list[str | os.PathLike] | None = None) -> str:
    """The tariff id on the search path for a slug or 団体コード and a fiscal year."""
    if not re.match(r"^\d{6}$", municipality):
        return f"{municipality}/{fiscal_year}"
    for ref, path, _ in paths.listing(paths.search_path(tariff_paths)):
        if not ref.endswith(f"/{fiscal_year}"):
            continue
        try:
            data, _ = yamlmarks.load(yamlmarks.read_text(path, ref)[0], ref)
        except TariffError:
            continue
        if isinstance(data, dict) and isinstance(data.get("municipality"), dict) \
                and data["municipality"].get("code") == municipality:
            return ref
    raise TariffError(f"no tariff for 団体コード {municipality} in fiscal year {fiscal_year} "
                      f"on the tariff search path")
