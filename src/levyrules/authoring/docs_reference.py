"""The reference of every tariff key, generated from the JSON Schemas.

    python -m levyrules.authoring.docs_reference > docs/tariff-reference.md

tests/test_author_tools.py checks that the committed file equals this output, so
the reference never drifts from the schema: after changing a schema, run the
command above.
"""

from __future__ import annotations

import json
import sys

from ..tariff.findings import RATE_PATTERN
from ..tariff.loader import schemas_root

SCHEMAS = (
    ("tariff.schema.json", "Tariff file: `tariffs/<slug>/<FY>.yaml`"),
    ("tariff-test.schema.json", "Example test: `tariffs/<slug>/tests/*.yaml`"),
)


# Meanings for keys whose schema has no `description` (the schema's own text wins)
FALLBACK = {
    "municipality": "the municipality (市町村) the tariff belongs to",
    "municipality.slug": "lower-case ASCII name; the folder name under tariffs/ and the first part of the id",
    "municipality.name": "the municipality's name as printed (e.g. いわき市)",
    "municipality.prefecture": "都道府県",
    "status": "verified = every value read in the 条例 or on the city's own page; unverified = anything less (`levyrules check` prints a note)",
    "status_note": "required when unverified: what is not certain and why",
    "provenance": "the sources of the values (出典); every value should be covered by one",
    "provenance[]": "one source",
    "provenance[].title": "the source's title as published",
    "provenance[].article": "the 条例 article (e.g. いわき市国民健康保険税条例 第3条)",
    "provenance[].date": "the source's date, or the day it was read",
    "provenance[].covers": "which values this source supports: dotted paths such as components, components.medical or components.medical.cap",
    "provenance[].covers[]": "a dotted path of this tariff",
    "provenance[].note": "anything a reader should know about the source",
    "rounding": "端数処理 (defaults: per_component, per_component, none)",
    "options": "the rulebook's open points (defaults: A, true, true, …)",
    "missing": "values that could not be found: the engine refuses a household that needs one (a cap or 特定世帯 amount is supplied by law)",
    "missing[]": "one value not found",
    "missing[].path": "its dotted path (components.care, components.support.per_household, installments.unit …)",
    "missing[].note": "why it is missing (which pages were read)",
    "installments.periods": "普通徴収 納期, one entry per 期, in order",
    "installments.periods[]": "one 期",
    "installments.periods[].period": "its number: 1, 2, … without gaps",
    "installments.periods[].due": "納期限 (YYYY-MM-DD), between 1 April of the fiscal year and 31 May of the next",
    "installments.periods[].note": "e.g. why the date moved (a Sunday)",
    "installments.special.provisional[]": "one 仮徴収 payment",
    "installments.special.provisional[].period": "its number: 1, 2, 3",
    "installments.special.provisional[].due": "the 年金支給日 (YYYY-MM-DD)",
    "installments.special.provisional[].note": "",
    "installments.special.final[]": "one 本徴収 payment",
    "installments.special.final[].period": "its number: 1, 2, 3 or continuing after the 仮徴収 (4, 5, 6)",
    "installments.special.final[].due": "the 年金支給日 (YYYY-MM-DD), after every 仮徴収",
    "installments.special.final[].note": "",
    "source.title": "the page or document's title",
    "source.url": "where it can be read",
    "source.article": "the 条例 article, if any",
    "source.date": "the page's date or the day it was read",
    "source.note": "",
    "relief[]": "one 条例減免 rule",
    "relief[].components[]": "a component",
    "relief[].levies[]": "a levy",
    "relief[].grades.<key>": "a damage grade (as the り災証明 names it) and its 減免割合",
    "relief[].table[]": "one row of the income_drop table",
    "relief[].child.rates_by_order[]": "the reduction for that child",
    "relief[].child.with_preschool": "",
    "expected": "what the household must come to",
    "expected.components.<c>.reductions.<key>": "",
}


# patterns in words (the same words `levyrules check` uses)
_PATTERNS = {
    RATE_PATTERN: "a rate such as `7.3%`, `0.073` or `73/1000`",
    r"^\d{4}-\d{2}-\d{2}$": "a date `YYYY-MM-DD`",
    r"^\d{4}-\d{2}$": "a month `YYYY-MM`",
    r"^[0-9]{6}$": "6 digits, in quotes",
    r"^https?://": "a URL (`https://…`)",
}

# Household keys a tariff author needs (schemas/household.schema.json has them all)
HOUSEHOLD = (
    ("persons[].fixed_asset_tax", "integer; ≥ 0",
     "the person's 固定資産税額 on which the 条例 levies the 資産割 (usually 土地・家屋 in the "
     "municipality), yen; absent = 0; used only by a tariff with an `asset_rate`"),
    ("relief.<id>", "mapping", "a claim of the tariff's 条例減免 rule `<id>`"),
    ("relief.<id>.grade", "text", "kind grade: one of the rule's `grades` (e.g. 半壊)"),
    ("relief.<id>.previous_income", "integer; ≥ 0",
     "kind income_drop: last year's 合計所得 of the household, yen"),
    ("relief.<id>.current_income", "integer; ≥ 0",
     "kind income_drop: this year's expected 合計所得, yen"),
    ("relief.<id>.person", "text", "kind detention: the person detained (an id of `persons`)"),
    ("relief.<id>.periods[]", "mapping: `from`, `until` (dates)",
     "kind detention: the days in the 刑事施設 (`until` null = still)"),
)


def _type(node: dict) -> str:
    """The accepted values of a schema node, in a few words."""
    parts = []
    if "$ref" in node:
        parts.append(f"see `schemas/{node['$ref']}`")
    if "enum" in node:
        parts.append("one of " + ", ".join(f"`{json.dumps(v, ensure_ascii=False)}`"
                                          for v in node["enum"]))
    if "const" in node:
        parts.append(f"`{json.dumps(node['const'], ensure_ascii=False)}`")
    t = node.get("type")
    if t is not None and "enum" not in node:
        types = t if isinstance(t, list) else [t]
        names = {"object": "mapping", "array": "list", "integer": "integer", "string": "text",
                 "null": "null", "boolean": "true/false", "number": "number"}
        parts.append(" or ".join(names.get(x, x) for x in types))
    if "pattern" in node:
        words = _PATTERNS.get(node["pattern"])
        parts.append(words or f"matching `{node['pattern']}`")
    if "minimum" in node:
        parts.append(f"≥ {node['minimum']}")
    if "maximum" in node:
        parts.append(f"≤ {node['maximum']}")
    if "minLength" in node:
        parts.append("not empty")
    if "minItems" in node:
        parts.append(f"at least {node['minItems']} item{'s' if node['minItems'] != 1 else ''}")
    if node.get("minProperties"):
        parts.append(f"at least {node['minProperties']} key{'s' if node['minProperties'] != 1 else ''}")
    if "patternProperties" in node:
        parts.append("keys matching " + ", ".join(f"`{p}`" for p in node["patternProperties"]))
    if node.get("additionalProperties") is False and node.get("properties") is not None:
        parts.append("no other keys")
    return "; ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(node: dict, path: str, required: bool, out: list) -> None:
    if path:
        meaning = node.get("description") or FALLBACK.get(path, "")
        out.append((path, _type(node), "yes" if required else "", meaning))
    props = node.get("properties") or {}
    req = set(node.get("required") or [])
    for key, sub in props.items():
        _rows(sub, f"{path}.{key}" if path else key, key in req, out)
    for pat, sub in (node.get("patternProperties") or {}).items():
        _rows(sub, f"{path}.<key>", False, out)
    items = node.get("items")
    if isinstance(items, dict):
        _rows(items, f"{path}[]", False, out)


def _conditions(node: dict) -> list[str]:
    out = []
    for rule in node.get("allOf") or []:
        cond = rule.get("if", {}).get("properties", {})
        then = rule.get("then", {})
        when = " and ".join(f"`{k}` is `{v.get('const')}`" for k, v in cond.items())
        if then.get("required"):
            out.append(f"When {when}: " + ", ".join(f"`{k}`" for k in then["required"])
                       + " is required.")
    return out


def generate() -> str:
    lines = ["# Tariff reference (every key)", "",
             "Generated from `schemas/tariff.schema.json` and `schemas/tariff-test.schema.json` "
             "by `python -m levyrules.authoring.docs_reference > docs/tariff-reference.md`. Do not edit by "
             "hand: a test fails when this file and the schemas disagree. How to use the keys: "
             "`docs/guide.en.md` (日本語: `docs/guide.ja.md`).", ""]
    for name, heading in SCHEMAS:
        schema = json.loads((schemas_root() / name).read_text(encoding="utf-8"))
        rows: list = []
        _rows(schema, "", True, rows)
        lines += [f"## {heading}", "", f"Schema: `schemas/{name}`. {schema.get('title', '')}", "",
                  "| key | accepted values | required | meaning |", "|---|---|---|---|"]
        lines += [f"| `{p}` | {_cell(t)} | {r} | {_cell(d)} |" for p, t, r, d in rows]
        lines.append("")
        cond = _conditions(schema)
        if cond:
            lines += cond + [""]
    lines += ["## Household keys for 資産割 and 条例減免", "",
              "The household side of `asset_rate` and `relief` (every household key: "
              "`schemas/household.schema.json`; a worked example: `docs/guide.en.md` §9).", "",
              "| key | accepted values | meaning |", "|---|---|---|"]
    lines += [f"| `{k}` | {_cell(t)} | {_cell(d)} |" for k, t, d in HOUSEHOLD]
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    sys.stdout.write(generate())
    return 0


if __name__ == "__main__":
    sys.exit(main())
