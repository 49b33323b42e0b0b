"""The shipped tariffs as the service offers them: list, load, describe.

Loading goes through `load_tariff`, which compiles a tariff once and reloads it when
its file changed. The service asks it again at most once a second per tariff
(RECHECK): a changed file is served within a second, and a request does not pay for
resolving paths and checking files.
"""

from __future__ import annotations

import time
import attrs

from ..errors import TariffError
from ..engine.money import format_rate
from ..tariff import paths
from ..tariff.loader import load_tariff
from ..tariff.model import COMPONENT_NAMES, Tariff
from .problems import ENGINE, Problem, from_error

_RATES = ("income_rate", "asset_rate")
_AMOUNTS = ("per_capita", "per_capita_adult", "per_household", "per_household_specified",
            "per_household_specified_continuing", "cap")


def shipped_ids() -> list[str]:
    """Every tariff id on the tariff search path (--tariff-path folders, then the
    shipped tariffs), as `levyrules list` sees them."""
    return [ref for ref, _path, _root in paths.listing(paths.search_path())]


RECHECK = 1.0                    # seconds between two asks to load_tariff for one id
_recent: dict[str, tuple[float, Tariff]] = {}    # only ids that loaded: bounded


def _load(ref: str) -> Tariff:
    now = time.monotonic()
    hit = _recent.get(ref)
    if hit is not None and now - hit[0] < RECHECK:
        return hit[1]
    t = load_tariff(ref)
    _recent[ref] = (now, t)
    return t


def get(ref: str) -> Tariff:
    """A shipped tariff by id; Problem 404 when unknown, 422 when it does not load.
    Only ids: a client never names a file on the server."""
    if not paths.ID.match(ref):
        raise Problem(404, "not-found", "a tariff id is slug/FY, e.g. koriyama/2025", "tariff")
    try:
        return _load(ref)
    except TariffError as e:
        _recent.pop(ref, None)
        if str(e).startswith("unknown tariff"):
            raise Problem(404, "not-found", str(e), "tariff") from None
        raise from_error(e) from None


def for_household(household, ref: str | None) -> Tariff:
    """`?tariff=`, else the household's municipality and fiscal year (as the CLI does)."""
    from ..tariff.loader import find_for_municipality
    if ref is None:
        if not household.municipality:
            raise Problem(422, "input", "the household names no municipality: give ?tariff=",
                          "municipality")
        ref = find_for_municipality(household.municipality, household.fiscal_year)
    try:
        return get(ref)
    except Problem as p:       # for a household, an unknown tariff is bad input, not a 404
        if p.status == 404:
            p.status, p.kind = 422, "tariff"
        raise


def summary(t: Tariff) -> dict:
    """One line of GET /v1/tariffs."""
    return {"id": t.id, "fiscal_year": t.fiscal_year, "municipality": dict(t.municipality),
            "status": t.status, "sha256": t.sha256, "components": list(t.components),
            "missing": sorted(t.missing), "complete": not t.missing,
            "asset_levy": any(c.asset_rate is not None for c in t.components.values())}


def listing() -> dict:
    """Every shipped tariff that loads; one that does not is listed with its error."""
    items, broken = [], []
    for ref in shipped_ids():
        try:
            items.append(summary(_load(ref)))
        except TariffError as e:
            broken.append({"id": ref, "error": str(e)})
    return {"engine": ENGINE, "tariffs": items, "broken": broken}


def _component(c) -> dict:
    out = {"label": COMPONENT_NAMES[c.name], "method": c.method}
    for key in _RATES:
        if getattr(c, key) is not None:
            out[key] = format_rate(getattr(c, key))
    for key in _AMOUNTS:
        if getattr(c, key) is not None:
            out[key] = getattr(c, key)
    out["cap_is_statutory_default"] = c.cap_is_statutory_default
    return out


def describe(t: Tariff) -> dict:
    """GET /v1/tariffs/{slug}/{fy}: the values, the status and where they come from."""
    plan = t.installments
    return {
        **summary(t),
        "engine": ENGINE,
        "kind": t.kind,
        "status_note": t.status_note,
        "provenance": [dict(p) for p in t.provenance],
        "missing": dict(t.missing),
        "values": {
            "components": {k: _component(c) for k, c in t.components.items()},
            "rounding": attrs.asdict(t.rounding),
            "options": attrs.asdict(t.options),
            "relief": [{"id": r.id, "title": r.title, "article": r.article, "kind": r.kind,
                        "enabled": r.enabled} for r in t.relief],
            "installments": None if plan is None else {
                "unit": plan.unit, "remainder": plan.remainder,
                "periods": [{"period": p.period, "due": p.due.isoformat(), "derived": p.derived}
                            for p in plan.periods]},
        },
    }
