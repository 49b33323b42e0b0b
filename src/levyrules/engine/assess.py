"""The assessment (賦課計算) of one household for one fiscal year.

facts (engine/members.py: months, 介護 months, statuses) → who counts on the 判定日 → incomes →
軽減 tier and 特定世帯 → for each component, the law's steps in the order
steps/pipeline.py writes once (elements, reductions, 月割, cap, 減免 after the cap,
rounding) into a ledger → the component results → total, 期割, trace (engine/trace.py).

Amounts stay exact until a named rounding step: within a component every amount
is an integer count of 1/(12·D) yen, where D is the common denominator of the
component's rates, so 月割 (/12) and rates never leave the integers.
"""

from __future__ import annotations

from datetime import date

import attrs

from . import trace as tracing
from .calendar import FULL_YEAR, fy_first_key, fy_start, month_key, months_text
from ..collection import installments_json
from ..errors import InputError, MissingTariffValue
from .head_change import combine, household_parts, sum_installments
from .household import Household
from .income import income_figures
from .members import Member, judgement_date as _judgement_date
from .money import floor_unit
from .result import (ENGINE, NO_INSURED_MONTH, NO_INSURED_MONTH_JA, Assessment, ComponentLevy,
                     HeadPart, PersonResult, Reduction)
from ..rules import HEAD_CHANGE, MONTHS, ROUNDING
from ..rules import reductions, relief, specified_household, unemployment
from ..steps import pipeline
from ..steps.ledger import Component
from ..tariff import applies
from ..tariff.model import Tariff

ORDER = ("medical", "support", "care", "child")


def _zero(name: str) -> ComponentLevy:
    """A component nobody is levied in: 0 whatever the rates (a new value each time: a
    result is the caller's to keep)."""
    return ComponentLevy(name, 0, 0, 0, 0, {}, 0, 0, 0, 0, 0, 0)


def _provisional(members: list, tr: list | None) -> bool:
    """所得未申告 or income not yet known (転入 before 照会): 所得割 on what is known, no
    軽減; the result is provisional until the income arrives (rulebook §13.2)."""
    for m in members:
        if (m.insured or m.counted) and not m.income.declared:
            if tr is not None:
                tracing.step(tr, reductions.JUDGEMENT, None,
                             "所得未申告（又は所得未確定）の者がいるため軽減なし・"
                             "暫定の賦課（所得が判明したら更正）")
            return True
    return False


def assess(household: Household, tariff: Tariff, *, trace: bool = False,
           partial: bool = False, allow_other_municipality: bool = False) -> Assessment:
    """Compute the 国民健康保険税 of `household` under `tariff`.

    With trace=True every step is recorded with its rule and article (the default
    call skips that work). A component the tariff does not know (listed under
    `missing`, or absent) raises MissingTariffValue; with partial=True it is
    reported as unknown instead, and the total is None (never a guessed number).
    A 世帯主変更 splits the year into parts, one per 納税義務者, each judged and
    rounded on its own (`Assessment.parts`). A household that names another
    municipality than the tariff's is refused unless allow_other_municipality=True;
    arguments of the wrong type raise TypeError.
    """
    if type(household) is not Household or type(tariff) is not Tariff:
        applies.check_arguments(household, tariff)
    if household.municipality:      # a household that names none applies anywhere
        applies.check_municipality(household, tariff, allow_other_municipality)
    fy = household.fiscal_year
    if tariff.fiscal_year != fy:
        raise InputError("fiscal_year", f"the household is for fiscal year {fy} but tariff "
                                        f"{tariff.id} is for {tariff.fiscal_year}")
    tr: list[dict] | None = [] if trace else None
    members = []
    liable = 0
    for i, p in enumerate(household.persons):
        m = Member(p, i, fy)
        members.append(m)
        liable |= m.insured
    if not liable:
        return _no_insured_month(household, tariff, members, tr)
    undeclared = _incomes(members, tariff)
    claims = relief.claims(tariff.relief, household.relief, fy, tariff.id,
                           lambda d: any(m.insured_on(d) for m in members)) \
        if (tariff.relief or household.relief) else []
    facts = pipeline.member_facts(members)
    if not household.head_changes:
        part = _full_year(members, household, tariff, claims, partial, tr, facts)
        parts: tuple = ()
    else:
        part, parts = _head_change_parts(members, household, tariff, claims, partial, tr,
                                         facts)
    reduction, spec_status, components, total, total_rounding, persons = part

    if parts:
        installments = sum_installments([p.installments for p in parts])
    else:
        # 期割 (普通徴収) over the tariff's 納期 from the day liability starts (collection/)
        installments = installments_json(total, tariff.installments, reduction.judged_on)
    provisional = _provisional(members, tr) if undeclared else False
    # every field by position: attrs' __init__ takes keywords far more slowly
    return Assessment(household.id, fy, tariff.id, tariff.sha256, tariff.status, reduction,
                      spec_status, components, total, total_rounding, persons,
                      tuple(tr) if tr is not None else (), installments, ENGINE, parts,
                      provisional, tariff.overrides)


def _incomes(members: list, tariff: Tariff) -> bool:
    """Each member's income figures (and, in a 非自発的失業 特例 period, those with the
    給与所得 at 30/100); True when someone's income is undeclared."""
    nat = tariff.national
    undeclared = False
    for m in members:
        m.income = inc = income_figures(m.person.income, nat, m.over65)
        if not inc.declared:
            undeclared = True
        if m.unemployment_period:
            m.income_u = income_figures(m.person.income, nat, m.over65,
                                        unemployment.SALARY_SHARE,
                                        tariff.options.unemployment_adjustment == "before")
    return undeclared


def _full_year(members: list, household: Household, tariff: Tariff, claims: list,
               partial: bool, tr, facts: int) -> tuple:
    """The year of a household without 世帯主変更: one part, judged on 4月1日 when someone
    is insured that day, else on the day the 納税義務 starts."""
    fy = household.fiscal_year
    judged = fy_start(fy)
    for m in members:
        if m.insured_on(judged):
            break
    else:
        judged = _judgement_date(members, fy)
    return _part(household.head, judged, FULL_YEAR, False, members, household, tariff,
                 claims, partial, tr, facts)


def _head_change_parts(members: list, household: Household, tariff: Tariff, claims: list,
                       partial: bool, tr, facts: int) -> tuple:
    """The year of a household with 世帯主変更 (rulebook §10.6): one part per 納税義務者,
    each judged and rounded on its own; (the parts combined, the HeadParts)."""
    fy = household.fiscal_year
    results = []
    for head_id, since, window in household_parts(household, fy):
        if not any(m.insured & window for m in members):
            continue
        judged = _judgement_date(members, fy, window) if since is None or \
            not any(m.insured_on(since) for m in members) else since
        if tr is not None:
            tracing.step(tr, HEAD_CHANGE, None, f"納税義務者 {head_id}: {months_text(window)}"
                  + (f"（{since.isoformat()} 世帯主変更）" if since else ""), person=head_id)
        results.append((head_id, window, _part(head_id, judged, window, since is not None,
                                               members, household, tariff, claims,
                                               partial, tr, facts)))
    parts = tuple(HeadPart(head_id, window, r[0], r[2], r[3],
                           installments_json(r[3], tariff.installments, r[0].judged_on))
                  for head_id, window, r in results)
    return combine([r for _, _, r in results]), parts


def _no_insured_month(household: Household, tariff: Tariff, members: list, tr) -> Assessment:
    """A year in which nobody is insured for a month (社保加入による遡及喪失, 資格の取消, a
    75th birthday on 1 April): no 納税義務 arises (地方税法703条の4, 条例 月割), so the
    tax is 0 — not an error — and a 更正 of an earlier assessment refunds all of it."""
    fy = household.fiscal_year
    nat = tariff.national
    if household.head_changes:
        household_parts(household, fy)    # the same checks of the facts as otherwise
    if tariff.relief or household.relief:
        relief.claims(tariff.relief, household.relief, fy, tariff.id, lambda d: False)
    judged = fy_start(fy)
    reduction = Reduction(0, 0, judged, 0, 0, reductions.thresholds(nat, 0, 0), True)
    components = {name: _zero(name) for name in ORDER if name in nat.caps}
    persons = tuple(PersonResult(m.person.id, "other", 0, 0, 0, None, None, False, False)
                    for m in members)
    if tr is not None:
        tracing.step(tr, MONTHS, None, NO_INSURED_MONTH_JA, 0)
    return Assessment(household.id, fy, tariff.id, tariff.sha256, tariff.status, reduction,
                      None, components, 0, 0, persons, tuple(tr) if tr is not None else (),
                      (), notes=(NO_INSURED_MONTH,), tariff_overrides=tariff.overrides)


def _judge(head_id: str, judged_on: date, after_change: bool, members: list, fy: int,
           tariff: Tariff) -> tuple:
    """Who counts on the 判定日 (rulebook §3.2, §3.5), the 軽減判定 and 特定世帯:
    (head, 擬制世帯主?, Reduction, 特定世帯 status)."""
    head = None
    judgement_income = earners = n_insured = n_late = 0
    head_earner = False
    declared = True
    late_dates = []
    judged_bit = -1     # the 判定日's month (bit), for a 非自発的失業 特例 period
    for m in members:
        is_head = m.person.id == head_id
        if is_head:
            head = m
        m.judge_on(judged_on, is_head)
        if after_change and m.late:
            # a 世帯主変更 ends every 特定同一世帯所属者 status (rulebook §7, §10.6): a
            # new 世帯主 in 後期高齢者医療 is a 擬制世帯主 (income counted, not in N)
            m.late = False
            m.counted = is_head
        if not m.counted:
            continue
        # 非自発的失業: the 30/100 income is judged when the 判定日's month is inside the
        # 特例 period (insured on that day, even if gone by the month's end); a period
        # starting later does not re-judge the year (rulebook §3.5)
        inc = m.income
        if m.unemployment_period:
            if judged_bit < 0:
                judged_bit = month_key(judged_on) - fy_first_key(fy)
            if m.unemployment_period >> judged_bit & 1:
                inc = m.income_u
        judgement_income += inc.judgement_income
        if inc.is_earner:
            if is_head:
                head_earner = True
            else:
                earners += 1
        if not inc.declared:
            declared = False
        if m.on:
            n_insured += 1
        elif m.late:
            n_late += 1
            late_dates.append(m.late_date)
    fictitious = not (head.on or head.late)
    # the 擬制世帯主 counts as a 給与所得者等 by default (options.fictitious_head_counts_as_earner)
    if head_earner and (not fictitious or tariff.options.fictitious_head_counts_as_earner):
        earners += 1
    n_persons = n_insured + n_late
    limits = reductions.thresholds(tariff.national, n_persons, earners)
    tier = reductions.tier_within(limits, judgement_income) if declared else 0
    reduction = Reduction(tier, judgement_income, judged_on, n_persons, earners, limits, declared)
    spec_status = None if after_change or not late_dates else \
        specified_household.status(judged_on, n_insured, late_dates)
    return head, fictitious, reduction, spec_status


def _part(head_id: str, judged_on: date, window: int, after_change: bool, members: list,
          household: Household, tariff: Tariff, claims: list, partial: bool, tr,
          facts: int) -> tuple:
    """The tax of one 納税義務者 for the months in `window`: 軽減 judged on `judged_on`.

    After a 世帯主変更 the 特定同一世帯所属者 status (and with it 特定世帯) has ended.
    `facts`: pipeline.member_facts of the members."""
    head, fictitious, reduction, spec_status = _judge(head_id, judged_on, after_change,
                                                      members, household.fiscal_year, tariff)
    tier = reduction.tier
    if tr is not None:
        tracing.setup(tr, household, members, head, fictitious, reduction, spec_status, tariff)
    insured = []
    care = []
    for m in members:
        mask = m.insured & window
        if mask:
            insured.append((m, mask))
            if m.care & window:
                care.append((m, m.care & window))
    components = _levies(tariff, tier, reduction.declared, spec_status, insured, care, claims,
                         facts, partial, tr)
    total = 0
    for c in components.values():
        if c.amount is None:
            total = None
            break
        total += c.amount
    total_rounding = 0
    if total is not None and tariff.rounding.hundred == "total":
        rounded = floor_unit(total, 100)
        total_rounding, total = total - rounded, rounded
        if tr is not None:
            tracing.step(tr, ROUNDING, None, "年税額の100円未満切捨て", total, cut=total_rounding)
    return reduction, spec_status, components, total, total_rounding, _persons(members, head)


def _levies(tariff: Tariff, tier: int, declared: bool, spec_status: str | None,
            insured: list, care: list, claims: list, facts: int, partial: bool, tr) -> dict:
    """Each component's ComponentLevy, in ORDER: the steps of the law over the members
    levied in it ([(member, months)]: `care` for the 介護分, `insured` for the others)."""
    components: dict[str, ComponentLevy] = {}
    known = _COMPONENTS.get((id(tariff), tier, declared, spec_status, facts))
    if known is None or known[0] is not tariff:
        known = _components(tariff, tier, declared, spec_status, facts)
    for (name, rates, note, c), levy_of in known[1]:
        comp_members = care if name == "care" else insured
        if not comp_members:    # nobody is levied: 0 whatever the rates
            components[name] = _zero(name)
        elif c is not None:
            if claims:
                c = _with_claims(c, claims)
                components[name] = levy = pipeline.run(c, comp_members, facts)
            else:
                components[name] = levy = levy_of(comp_members)
            if tr is not None:
                tracing.component(tr, levy, rates, comp_members, tier, spec_status, tariff)
        elif not partial:
            raise MissingTariffValue(tariff.id, f"components.{name}", note)
        else:
            components[name] = ComponentLevy.unknown(name, f"components.{name}: {note}")
    return components


# per tariff (checked by identity): [(name, rates, note that blocks it or None)] in ORDER
_TARIFF_COMPONENTS: dict[int, tuple] = {}


def _tariff_components(tariff: Tariff) -> tuple:
    """The components the tariff levies (its national caps name them), in ORDER, with
    their rates and the note of a `missing` entry (or absence) that blocks one."""
    known = _TARIFF_COMPONENTS.get(id(tariff))
    if known is None or known[0] is not tariff:
        if len(_TARIFF_COMPONENTS) > 256:
            _TARIFF_COMPONENTS.clear()
        comps = []
        for name in ORDER:
            if name not in tariff.national.caps:
                continue
            rates = tariff.components.get(name)
            note = tariff.missing_note(name)
            if rates is None and note is None:
                note = "the tariff does not give this component"
            comps.append((name, rates, note))
        known = _TARIFF_COMPONENTS[id(tariff)] = (tariff, tuple(comps))
    return known[1]


def _persons(members: list, head) -> tuple:
    """Per person: the monthly flags and income figures the assessment file keeps."""
    out = []
    for m in members:
        inc = m.income
        counted = m.counted
        if m.insured:
            out.append(PersonResult(m.person.id, "insured", m.insured, m.care, inc.levy_base,
                                    inc.judgement_income if counted else None,
                                    inc.is_earner if counted else None,
                                    m.preschool, m.under18))
        else:
            out.append(PersonResult(m.person.id, "fictitious_head" if m is head else
                                    ("late_elderly" if m.late else "other"), 0, m.care, 0,
                                    inc.judgement_income if counted else None,
                                    inc.is_earner if counted else None, False, False))
    return tuple(out)


# per tariff (checked by identity) and 判定: [(name, rates, note, Component)] in ORDER
_JUDGED: dict[tuple, tuple] = {}
# per tariff (checked by identity), 判定 and household facts: (tariff, [((name, rates, note,
# Component), its pipeline.runner)]): what `_levies` looks up, once per household
_COMPONENTS: dict[tuple, tuple] = {}


def _components(tariff: Tariff, tier: int, declared: bool, spec_status: str | None,
                facts: int) -> tuple:
    """(tariff, the components the tariff levies in ORDER (`_tariff_components`), each with
    the constants of its steps for this 判定 (None for a component the tariff does not
    know) and its runner for households with these `facts`): the same for every household
    with the same 判定 and facts, so made once."""
    key = (id(tariff), tier, declared, spec_status)
    judged = _JUDGED.get(key)
    if judged is None or judged[0] is not tariff:
        if len(_JUDGED) > 1024:
            _JUDGED.clear()
        opts = tariff.options
        judged = _JUDGED[key] = (tariff, tuple(
            (name, rates, note, None if note is not None else Component(
                name, rates, tier, declared, spec_status, opts, tariff.rounding,
                tariff.fiscal_year, tariff.national.preschool_reduction,
                name != "child" or opts.statuses_on_child,
                pipeline.tariff_flags(name, rates, opts, tariff.rounding)))
            for name, rates, note in _tariff_components(tariff)))
    if len(_COMPONENTS) > 4096:
        _COMPONENTS.clear()
    known = _COMPONENTS[key + (facts,)] = (tariff, tuple(
        (comp, comp[3] and pipeline.runner(comp[3], facts)) for comp in judged[1]))
    return known


def _with_claims(c: Component, claims: list) -> Component:
    """The component's constants with the 条例減免 claims that apply to it."""
    mine = [cl for cl in claims if c.name in cl.rule.components]
    return attrs.evolve(
        c, child_rules=tuple(cl.rule for cl in mine if cl.rule.kind == "child_per_capita"),
        household_claims=tuple(cl for cl in mine if cl.rule.kind in ("grade", "income_drop")),
        detention=tuple(cl for cl in mine if cl.rule.kind == "detention"))
