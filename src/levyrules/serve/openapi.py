"""The OpenAPI 3.1 document, built from the same JSON Schemas the library validates with.

The household and assessment schemas are read through the loader's schema location
(so an installed wheel serves its own copies) and embedded under components/schemas
unchanged but for their `$id`/`$schema` and local `$ref`s, which are re-rooted.
"""

from __future__ import annotations

import copy
import json

from ..version import __version__
from ..tariff.loader import schemas_root

SCHEMAS = {"Household": "household.schema.json", "Assessment": "assessment.schema.json"}
PROBLEM = "application/problem+json"


def library_schema(filename: str) -> dict:
    return json.loads((schemas_root() / filename).read_text(encoding="utf-8"))


def _reroot(node, name: str):
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#"):
                out[k] = f"#/components/schemas/{name}{v[1:]}"
            else:
                out[k] = _reroot(v, name)
        return out
    if isinstance(node, list):
        return [_reroot(v, name) for v in node]
    return node


def embedded(name: str) -> dict:
    s = copy.deepcopy(library_schema(SCHEMAS[name]))
    s.pop("$id", None)
    s.pop("$schema", None)
    return _reroot(s, name)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


_STR = {"type": "string"}
_SHA = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_OBJ = {"type": "object"}

EXTRA = {
    "Problem": {"type": "object", "required": ["type", "title", "status"], "properties": {
        "type": {"type": "string", "format": "uri"}, "title": _STR,
        "status": {"type": "integer"}, "detail": _STR,
        "field": {"type": "string", "description": "path of the offending field"},
        "engine": _STR}},
    "AssessmentExplained": {"type": "object", "additionalProperties": False,
                            "required": ["assessment", "explanation"], "properties": {
        "assessment": _ref("Assessment"),
        "explanation": {"type": "string", "description": "the 納税通知書-style breakdown "
                                                         "(explain=ja), as `assess --explain`"}}},
    "ReviseRequest": {"type": "object", "additionalProperties": False,
                      "required": ["earlier", "household", "as_of"], "properties": {
        "earlier": {"type": "object", "description": "the earlier assessment as /v1/assess "
                                                     "returned it, or an earlier revision"},
        "household": _ref("Household"),
        "as_of": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "paid": {"type": "integer", "minimum": 0},
        "fraud": {"type": "boolean"}}},
    "Revision": {"type": "object", "required": ["household", "fiscal_year", "tariff", "engine",
                                                "change", "total", "assessment"], "properties": {
        "tariff": {"type": "object", "properties": {"id": _STR, "sha256": _SHA}},
        "engine": _STR, "change": {"enum": ["increase", "decrease", "none"]},
        "total": {"type": "object", "properties": {k: {"type": "integer"} for k in
                                                   ("before", "after", "difference")}},
        "installments": {"type": "array"}, "reasons": {"type": "array"},
        "assessment": _ref("Assessment"), "explanation": _STR}},
    "BatchLine": {"type": "object", "required": ["line"], "properties": {
        "line": {"type": ["integer", "null"]}, "assessment": _ref("Assessment"),
        "explanation": _STR, "problem": _ref("Problem")}},
    "TariffSummary": {"type": "object", "required": ["id", "fiscal_year", "status", "sha256"],
                      "properties": {"id": _STR, "fiscal_year": {"type": "integer"},
                                     "municipality": _OBJ, "status": {"enum": ["verified",
                                                                               "unverified"]},
                                     "sha256": _SHA, "components": {"type": "array"},
                                     "missing": {}, "complete": {"type": "boolean"},
                                     "asset_levy": {"type": "boolean"}}},
    "TariffList": {"type": "object", "required": ["engine", "tariffs"], "properties": {
        "engine": _STR, "tariffs": {"type": "array", "items": _ref("TariffSummary")},
        "broken": {"type": "array"}}},
    "Tariff": {"allOf": [_ref("TariffSummary"), {"type": "object", "properties": {
        "status_note": _STR, "provenance": {"type": "array"}, "values": _OBJ}}]},
    "Health": {"type": "object", "required": ["status", "engine"],
               "properties": {"status": {"const": "ok"}, "engine": _STR}},
}


def _json(schema: dict, media: str = "application/json") -> dict:
    return {"content": {media: {"schema": schema}}}


def _problems(*codes) -> dict:
    text = {400: "not valid JSON or a bad parameter", 401: "bearer token missing or wrong",
            404: "no such tariff", 413: "over the size limit", 415: "wrong media type",
            422: "the input or the tariff cannot be used (field and message)"}
    return {str(c): {"description": text[c], **_json(_ref("Problem"), PROBLEM)} for c in codes}


def _headers(tariff: bool = True) -> dict:
    h = {"X-Levyrules-Engine": {"schema": _STR, "description": "engine version"}}
    if tariff:
        h["X-Levyrules-Tariff"] = {"schema": _STR, "description": "tariff id"}
        h["X-Levyrules-Tariff-Sha256"] = {"schema": _SHA, "description": "tariff hash"}
    return h


def _q(name: str, desc: str, schema=None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": desc,
            "schema": schema or _STR}


_TARIFF_Q = _q("tariff", "tariff id slug/FY; default: the household's municipality and year")
_FLAGS = [_q("trace", "include the trace of every step", {"type": "boolean"}),
          _q("strict", "refuse (422) when the tariff lacks a component", {"type": "boolean"}),
          _q("explain", "add the Japanese breakdown text", {"enum": ["ja"]})]
_IN = (400, 401, 413, 415, 422)


def ok(schema: dict, desc: str, tariff: bool = True) -> dict:
    return {"200": {"description": desc, "headers": _headers(tariff), **_json(schema)}}


def _paths() -> dict:
    return {
        "/v1/assess": {"post": {
            "operationId": "assess", "summary": "assess one household",
            "parameters": [_TARIFF_Q, *_FLAGS],
            "requestBody": {"required": True, **_json(_ref("Household"))},
            "responses": {**ok({"oneOf": [_ref("Assessment"), _ref("AssessmentExplained")]},
                               "the assessment; with explain=ja, the assessment and its "
                               "breakdown"), **_problems(*_IN)}}},
        "/v1/revise": {"post": {
            "operationId": "revise", "summary": "更正: recompute and compare with an earlier assessment",
            "parameters": [_TARIFF_Q, _FLAGS[2]],
            "requestBody": {"required": True, **_json(_ref("ReviseRequest"))},
            "responses": {**ok(_ref("Revision"), "the revision"), **_problems(*_IN)}}},
        "/v1/batch": {"post": {
            "operationId": "batch", "summary": "JSON Lines in, JSON Lines out (streamed); a bad "
                                               "line gives a problem line and the stream goes on",
            "parameters": [_TARIFF_Q, *_FLAGS],
            "requestBody": {"required": True, **_json({"type": "string"}, "application/x-ndjson")},
            "responses": {"200": {"description": "one BatchLine per household, in input order",
                                  "headers": _headers(), **_json(_ref("BatchLine"),
                                                                 "application/x-ndjson")},
                          **_problems(401, 404, 413, 415)}}},
        "/v1/tariffs": {"get": {
            "operationId": "listTariffs", "summary": "the shipped tariffs",
            "responses": {**ok(_ref("TariffList"), "the tariffs", False), **_problems(401)}}},
        "/v1/tariffs/{slug}/{fy}": {"get": {
            "operationId": "getTariff", "summary": "one tariff: values, status, provenance",
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": _STR},
                           {"name": "fy", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "responses": {**ok(_ref("Tariff"), "the tariff"), **_problems(401, 404, 422)}}},
        "/healthz": {"get": {"operationId": "health", "summary": "liveness",
                             "responses": ok(_ref("Health"), "alive", False)}},
    }


def document(auth: bool = False) -> dict:
    """The OpenAPI 3.1 document; `auth` marks /v1 as needing a bearer token."""
    schemas = {name: embedded(name) for name in SCHEMAS}
    schemas.update(EXTRA)
    doc = {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {"title": "levyrules", "version": __version__,
                 "description": "国民健康保険税 assessment, exact and explained.",
                 "license": {"name": "MIT", "identifier": "MIT"}},
        "paths": _paths(),
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
    }
    if auth:
        for path, item in doc["paths"].items():
            if path.startswith("/v1/"):
                for op in item.values():
                    op["security"] = [{"bearer": []}]
    return doc
