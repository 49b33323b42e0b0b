"""条例減免 (municipal relief, 地方税法717条) declared as data in the tariff.

A tariff lists its relief rules under `relief:`; each is one of four kinds:

- ``grade``: a percentage of the named levies by damage grade (災害: 全壊, 半壊 …),
  from the household's fact ``relief.<id>.grade``;
- ``income_drop``: a percentage by the drop of the household's 合計所得 (所得減少),
  from ``relief.<id>.previous_income`` and ``current_income``;
- ``detention``: a person's levies for the months in a 刑事施設 (給付制限, 国保法59条),
  from ``relief.<id>.person`` and ``periods``;
- ``child_per_capita``: a per-child 均等割 reduction (子どもの均等割減免), by birth order,
  applied to every qualifying child without any fact.

Each applies to the components and levies it names, before or after the cap, and is
reported under ``reductions["relief.<id>"]``. A rule shipped ``enabled: false`` (its
figures are not known) refuses a household that claims it rather than guess; a
household never claims a ``child_per_capita`` rule, so a disabled one refuses the
household it would apply to (a child of the age, insured in a component it names,
with 均等割 to pay) the moment its birth-order rate is read — and no other.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import attrs

from ..engine.calendar import key_range_mask, period_mask
from ..errors import InputError, MissingTariffValue
from ..engine.money import parse_rate

LEVIES = ("income", "asset", "per_capita", "per_household")
KINDS = ("grade", "income_drop", "detention", "child_per_capita")
# the household facts (relief.<id>) each kind reads; the household reader checks their types
FACTS = {"grade": frozenset(("grade",)), "income_drop": frozenset(("previous_income",
                                                                   "current_income")),
         "detention": frozenset(("person", "periods")), "child_per_capita": frozenset()}


@attrs.frozen(slots=True)
class ReliefRule:
    id: str
    title: str
    article: str
    kind: str
    enabled: bool
    note: str
    components: frozenset
    levies: frozenset
    after_cap: bool
    from_month: int | None          # month_key, inclusive
    until_month: int | None         # month_key, inclusive
    insured_on: date | None
    grades: dict                    # grade -> Fraction
    table: tuple                    # (drop_at_least, previous_income_up_to|None, rate)
    rate: Fraction
    age_limit: int
    rates_by_order: tuple
    with_preschool: str             # max | stack
    url: str = ""

    def window(self, fy: int) -> int:
        end = None if self.until_month is None else self.until_month + 1
        return key_range_mask(fy, self.from_month, end)


def _month(text: str | None) -> int | None:
    if text is None:
        return None
    y, m = text.split("-")
    return int(y) * 12 + int(m) - 1


def compile_rules(items: list[dict]) -> tuple[ReliefRule, ...]:
    """Tariff `relief:` entries (already schema-checked) → rules."""
    out = []
    for it in items or ():
        child = it.get("child") or {}
        out.append(ReliefRule(
            id=it["id"], title=it["title"], article=it.get("article", ""), kind=it["kind"],
            enabled=it.get("enabled", True), note=" ".join(it.get("note", "").split()),
            components=frozenset(it.get("components") or ("medical", "support", "care", "child")),
            levies=frozenset(it.get("levies") or LEVIES),
            after_cap=it.get("timing", "after_cap") == "after_cap",
            from_month=_month(it.get("from_month")), until_month=_month(it.get("until_month")),
            insured_on=date.fromisoformat(it["insured_on"]) if it.get("insured_on") else None,
            grades={k: parse_rate(v) for k, v in (it.get("grades") or {}).items()},
            table=tuple((parse_rate(r["drop_at_least"]), r.get("previous_income_up_to"),
                         parse_rate(r["rate"])) for r in it.get("table") or ()),
            rate=parse_rate(it.get("rate", "100%")),
            age_limit=child.get("age_limit", 18),
            rates_by_order=tuple(parse_rate(r) for r in child.get("rates_by_order", ("100%",))),
            with_preschool=child.get("with_preschool", "max"),
            url=it.get("url", ""),
        ))
    return tuple(out)


@attrs.frozen(slots=True)
class Claim:
    """What the household's facts make of one rule for this year."""
    rule: ReliefRule
    rate: Fraction                  # household-level rate (grade, income_drop)
    person: str | None = None       # detention: whose months
    months: int = 0                 # detention: FY mask


def claims(rules: tuple[ReliefRule, ...], facts: dict, fy: int, tariff_id: str,
           insured_on) -> list[Claim]:
    """Evaluate the household's relief facts against the tariff's rules.

    `insured_on(date) -> bool` says whether any member is insured that day.
    """
    by_id = {r.id: r for r in rules}
    for rid in facts:
        if rid not in by_id:
            raise InputError(f"relief.{rid}", "the tariff has no relief rule with this id")
    out: list[Claim] = []
    for r in rules:
        fact = facts.get(r.id)
        if r.kind == "child_per_capita":
            out.append(Claim(r if r.enabled else _disabled_child(r, tariff_id), Fraction(0)))
            continue
        if fact is None:
            continue
        if not FACTS[r.kind].issuperset(fact):
            raise InputError(f"relief.{r.id}", f"a {r.kind} rule takes only "
                                               + (", ".join(sorted(FACTS[r.kind])) or "no facts"))
        if not r.enabled:
            raise MissingTariffValue(tariff_id, f"relief.{r.id}", r.note or "rule disabled")
        path = f"relief.{r.id}"
        if r.insured_on is not None and not insured_on(r.insured_on):
            continue        # the condition is not met: no relief, and the trace says nothing was claimed
        if r.kind == "grade":
            grade = fact.get("grade")
            if grade not in r.grades:
                raise InputError(f"{path}.grade", "must be one of " + ", ".join(r.grades))
            out.append(Claim(r, r.grades[grade]))
        elif r.kind == "income_drop":
            prev, cur = fact.get("previous_income"), fact.get("current_income")
            for key, v in (("previous_income", prev), ("current_income", cur)):
                if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                    raise InputError(f"{path}.{key}", "is required" if v is None
                                     else "must be a whole number of yen, not negative")
            if prev == 0:
                continue
            drop = Fraction(prev - cur, prev)
            for at_least, up_to, rate in r.table:
                if drop >= at_least and (up_to is None or prev <= up_to):
                    out.append(Claim(r, rate))
                    break
        elif r.kind == "detention":
            person = fact.get("person")
            periods = fact.get("periods") or []
            mask = 0
            for i, p in enumerate(periods):
                try:
                    start = date.fromisoformat(p["from"])
                    until = date.fromisoformat(p["until"]) if p.get("until") else None
                except (KeyError, TypeError, ValueError):
                    raise InputError(f"{path}.periods[{i}]", "needs from (and until) dates "
                                                             "written YYYY-MM-DD") from None
                mask |= period_mask(fy, start, until)
            if not isinstance(person, str):
                raise InputError(f"{path}.person", "must name a person of the household")
            out.append(Claim(r, r.rate, person, mask & r.window(fy)))
    return out


class _UnknownRates(tuple):
    """The birth-order rates of a disabled child rule: their length is known (one), any
    rate read — which happens only for a child the rule would reduce — refuses."""

    def __new__(cls, error: MissingTariffValue):
        self = super().__new__(cls, (None,))
        self.error = error
        return self

    def __getitem__(self, index):
        raise self.error


def _disabled_child(rule: ReliefRule, tariff_id: str) -> ReliefRule:
    error = MissingTariffValue(tariff_id, f"relief.{rule.id}.child.rates_by_order",
                               rule.note or "rule disabled")
    return attrs.evolve(rule, rates_by_order=_UnknownRates(error))


def child_order(children_births: list[tuple[date, str]]) -> dict[str, int]:
    """Birth order among the qualifying children, eldest first (1人目 = 0)."""
    return {pid: i for i, (_, pid) in enumerate(sorted(children_births))}


def to_json(rule: ReliefRule) -> dict[str, Any]:
    return {"id": rule.id, "title": rule.title, "article": rule.article, "kind": rule.kind}
