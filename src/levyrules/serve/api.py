"""The JSON API (/v1): assess, revise, tariffs, healthz.

Every handler reads its body within the configured byte limit before parsing, turns
a library error into a problem with the field path, and answers with the tariff's
sha256 and the engine version in the body and in the headers.
"""

from __future__ import annotations

import json
from datetime import date

from starlette.responses import Response

from ..engine.assess import assess
from ..errors import InputError, LevyError
from ..engine.household import Household
from .body import parse_json, read_limited, require_json
from .problems import ENGINE, Problem, from_error
from . import tariffs

JSON = "application/json"
H_ENGINE = "X-Levyrules-Engine"
H_SHA = "X-Levyrules-Tariff-Sha256"
H_TARIFF = "X-Levyrules-Tariff"


def _default(o):
    if isinstance(o, date):
        return o.isoformat()
    raise TypeError(type(o).__name__)


def dumps(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_default).encode()


def respond(data, tariff=None, status: int = 200) -> Response:
    headers = {H_ENGINE: ENGINE}
    if tariff is not None:
        headers[H_SHA] = tariff.sha256
        headers[H_TARIFF] = tariff.id
    return Response(dumps(data), status, headers, media_type=JSON)


def note(request, households: int | None = None, tariff=None) -> None:
    """What the access log may say about this request: a count and a tariff id."""
    info = request.scope.setdefault("levyrules.log", {})
    if households is not None:
        info["households"] = households
    if tariff is not None:
        info["tariff"] = tariff.id


def flag(request, name: str) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return False
    if raw in ("true", "1", ""):
        return True
    if raw in ("false", "0"):
        return False
    raise Problem(400, "input", "write true or false", name)


def _explain(request) -> bool:
    raw = request.query_params.get("explain")
    if raw not in (None, "ja"):
        raise Problem(400, "input", "the only language of the breakdown is ja", "explain")
    return raw == "ja"


async def _json_body(request):
    require_json(request)
    return parse_json(await read_limited(request, request.app.state.config.max_body))


def assess_one(data, ref: str | None, *, trace=False, strict=False, explain=False):
    """Household JSON → (assessment JSON, tariff, breakdown text or None): the step
    /v1/assess and /v1/batch share."""
    household = Household.from_json(data)
    tariff = tariffs.for_household(household, ref)
    result = assess(household, tariff, trace=trace, partial=not strict)
    text = None
    if explain:
        from ..render.explain import render
        text = render(result, tariff)
    return result.to_json(), tariff, text


async def assess_route(request):
    data = await _json_body(request)
    note(request, households=1)
    try:
        out, tariff, text = assess_one(data, request.query_params.get("tariff"),
                                       trace=flag(request, "trace"),
                                       strict=flag(request, "strict"), explain=_explain(request))
    except LevyError as e:
        raise from_error(e) from None
    note(request, tariff=tariff)
    # the assessment schema is closed: the breakdown goes beside it, not into it
    return respond(out if text is None else {"assessment": out, "explanation": text}, tariff)


def _revise_args(data) -> tuple:
    if not isinstance(data, dict):
        raise InputError("", "the body must be an object with earlier, household and as_of")
    for key in data:
        if key not in ("earlier", "household", "as_of", "paid", "fraud"):
            raise InputError("", "unknown field (allowed: earlier, household, as_of, paid, fraud)")
    for key in ("earlier", "household", "as_of"):
        if key not in data:
            raise InputError(key, "is required")
    from ..cli.revise import _as_of
    as_of = data["as_of"]
    if not isinstance(as_of, str):
        raise InputError("as_of", "must be a date written YYYY-MM-DD")
    fraud = data.get("fraud", False)
    if not isinstance(fraud, bool):
        raise InputError("fraud", "must be true or false")
    return data["earlier"], data["household"], _as_of(as_of), data.get("paid"), fraud


async def revise_route(request):
    from ..collection.revision import revise
    from ..render.revision import render
    data = await _json_body(request)
    note(request, households=1)
    try:
        earlier, hh, as_of, paid, fraud = _revise_args(data)
        try:
            household = Household.from_json(hh)
        except InputError as e:
            raise InputError(f"household.{e.field}" if e.field else "household", e.message) \
                from None
        tariff = tariffs.for_household(household, request.query_params.get("tariff"))
        rev = revise(earlier, household, tariff, as_of, paid=paid, fraud=fraud)
    except LevyError as e:
        p = from_error(e)
        if p.field == "--as-of":
            p.field = "as_of"
        raise p from None
    note(request, tariff=tariff)
    out = rev.to_json()
    if _explain(request):
        out["explanation"] = render(rev, tariff)
    return respond(out, tariff)


async def tariffs_route(request):
    return respond(tariffs.listing())


async def tariff_route(request):
    t = tariffs.get(f"{request.path_params['slug']}/{request.path_params['fy']}")
    note(request, tariff=t)
    return respond(tariffs.describe(t), t)


async def healthz(request):
    return respond({"status": "ok", "engine": ENGINE})
