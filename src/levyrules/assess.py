"""The assessment pipeline (賦課計算) for one household and one fiscal year.

months → who counts on the 判定日 → incomes → 軽減 tier → for each component:
element amounts per person-month → reductions → 月割 → cap → rounding → total.

Amounts stay exact until a named rounding step: within a component every amount
is an integer count of 1/(12·D) yen, where D is the common denominator of the
component's rates, so 月割 (/12) and rates never leave the integers.
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from .calendar import (FULL_YEAR, anniversary, care_age_mask, fy_end, fy_first_key, fy_month,
                       fy_start, is_preschool, is_under18, key_range_mask, month_key,
                       months_text, period_mask)
from .collection import installments_json
from .errors import InputError, MissingTariffValue
from .household import NO_STATUSES, Household, Person
from .income import PersonIncome, person_income
from .money import floor_unit
from .result import (NO_INSURED_MONTH, NO_INSURED_MONTH_JA, Assessment, ComponentLevy, HeadPart,
                     PersonResult, Reduction)
from .rules import (reduction_rule, HEAD_CHANGE, ASSET_LEVY, CAP, CARE_AGE, FICTITIOUS_HEAD, INCOME_LEVY, LATE_ELDERLY,
                    MONTHS, PER_CAPITA, PER_HOUSEHOLD, ROUNDING)
from .rules import (care_exempt, child_support, childbirth, former_dependent,
                    reductions, relief, specified_household, unemployment)
from .steps import pipeline
from .steps.ledger import Component
from .tariff import applies
from .tariff.model import COMPONENT_NAMES, ComponentRates, Tariff

ORDER = ("medical", "support", "care", "child")
# a component nobody is levied in; shared, so its reductions mapping is read-only
_ZERO = {name: ComponentLevy(name, 0, 0, 0, 0, MappingProxyType({}), 0, 0, 0, 0, 0, 0)
         for name in ORDER}
_POP = [bin(i).count("1") for i in range(4096)]


class _Member:
    """A person's facts for the year, derived once."""
    __slots__ = ("person", "index", "insured", "care", "cut", "late_date", "income",
                 "preschool", "under18", "on", "late", "counted",
                 "income_u", "unemployed", "unemployment_period", "birth", "fd_exempt",
                 "fd_half", "care_exempt", "notes")

    def __init__(self, person: Person, index: int, fy: int):
        self.person = person
        self.index = index
        birth = person.birth_date
        at75 = anniversary(birth, 75)
        cut = at75
        late = person.late_elderly_since
        if late is not None and late < cut:
            cut = late
        self.cut = cut
        mask = 0
        reaches_75 = False
        for per in person.insured:
            if per.start >= cut:
                continue
            until = per.until
            if until is None or until > cut:
                until = cut
                reaches_75 = late is None
            mask |= period_mask(fy, per.start, until)
        self.insured = mask
        self.care = mask & care_age_mask(fy, birth) if mask else 0
        # 特定同一世帯所属者: left 国保 for 後期高齢者医療 (given, or at 75 while insured)
        self.late_date = late if late is not None else (at75 if reaches_75 else None)
        self.income: PersonIncome | None = None
        self.preschool = is_preschool(fy, birth)
        self.under18 = is_under18(fy, birth)
        self.on = self.late = self.counted = False   # set for the 判定日
        # special statuses (rulebook §5, §6, §8, §13.9): month masks, 0 when none
        self.income_u: PersonIncome | None = None    # income under the 非自発的失業 特例
        self.unemployed = self.birth = self.fd_exempt = self.fd_half = self.care_exempt = 0
        self.unemployment_period = 0                 # the 特例 months, insured or not
        self.notes: list = []                        # (rule, text) for the trace
        if person.statuses is not NO_STATUSES:    # even with no month: the 判定 may count them
            self._statuses(person.statuses, fy)

    def _statuses(self, st, fy: int) -> None:
        mask = self.insured
        if st.involuntary_unemployment is not None:
            why = unemployment.ineligible_reason(st.involuntary_unemployment,
                                                 self.person.birth_date)
            if why:
                self.notes.append((unemployment.UNEMPLOYMENT, f"特例の対象外: {why}"))
            else:
                self.unemployment_period = unemployment.period_mask(fy,
                                                                    st.involuntary_unemployment)
                self.unemployed = self.unemployment_period & mask
        if st.childbirth is not None:
            self.birth = childbirth.exempt_mask(fy, st.childbirth) & mask
        if st.former_dependent_since is not None:
            since = st.former_dependent_since
            if former_dependent.eligible(self.person.birth_date, since):
                self.fd_exempt = former_dependent.exempt_mask(fy, since) & mask
                self.fd_half = former_dependent.half_mask(fy, since) & mask
            else:
                self.notes.append((former_dependent.FORMER_DEPENDENT,
                                   "対象外: 資格取得日に65歳未満"))
        if st.care_exempt_facility:
            self.care_exempt = care_exempt.facility_mask(fy, st.care_exempt_facility) & self.care
            self.care &= ~self.care_exempt

    @property
    def special(self) -> bool:
        return bool(self.unemployed or self.birth or self.fd_exempt)

    def insured_on(self, d: date) -> bool:
        cut = self.cut
        for per in self.person.insured:
            if per.start <= d < cut and (per.until is None or d < per.until):
                return True
        return False

    def judge_on(self, d: date, is_head: bool) -> None:
        """Who this person is on the 判定日: insured, 特定同一世帯所属者, or neither."""
        self.on = self.insured_on(d)
        self.late = not self.on and self.late_date is not None and self.late_date <= d
        self.counted = self.on or self.late or is_head


def _judgement_date(members: list[_Member], fy: int, window: int = FULL_YEAR) -> date:
    """判定日: 4月1日 (or the first day of `window`'s months), or the day the household's
    納税義務 starts when that is later."""
    first = (window & -window).bit_length() - 1
    y, mo = fy_month(fy, first)
    start = date(y, mo, 1) if first else fy_start(fy)
    if any(m.insured_on(start) for m in members):
        return start
    firsts = [per.start for m in members for per in m.person.insured
              if per.start > start and per.start < m.cut and m.insured_on(per.start)]
    return min(firsts)


def _head_parts(household: Household, fy: int) -> list[tuple]:
    """The year split by 世帯主変更 (rulebook §10.6): [(head id, first day, months mask)].

    The new 世帯主 is the 納税義務者 from the month of the change; the months before it
    stay with the old one."""
    start_key = fy_first_key(fy)
    parts = []
    head, since, key = household.head, None, start_key
    for i, change in enumerate(household.head_changes):
        if not fy_start(fy) < change.date <= fy_end(fy):
            raise InputError(f"head_changes[{i}].date", f"must fall inside fiscal year {fy} "
                                                        "(after 1 April)")
        if change.head == head:
            raise InputError(f"head_changes[{i}].head", "is already the 世帯主")
        k = month_key(change.date)
        if k > key:
            parts.append((head, since, key_range_mask(fy, key, k)))
        head, since, key = change.head, change.date, k
    parts.append((head, since, key_range_mask(fy, key, None)))
    return parts


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
    applies.check_arguments(household, tariff)
    applies.check_municipality(household, tariff, allow_other_municipality)
    fy = household.fiscal_year
    if tariff.fiscal_year != fy:
        raise InputError("fiscal_year", f"the household is for fiscal year {fy} but tariff "
                                        f"{tariff.id} is for {tariff.fiscal_year}")
    nat = tariff.national
    tr: list[dict] | None = [] if trace else None
    members = [_Member(p, i, fy) for i, p in enumerate(household.persons)]
    liable = 0
    for m in members:
        liable |= m.insured
    if not liable:
        return _no_insured_month(household, tariff, members, tr)
    before_adj = tariff.options.unemployment_adjustment == "before"
    for m in members:
        m.income = person_income(m.person, nat, fy)
        if m.unemployment_period:
            m.income_u = person_income(m.person, nat, fy, unemployment.SALARY_SHARE, before_adj)
    claims = relief.claims(tariff.relief, household.relief, fy, tariff.id,
                           lambda d: any(m.insured_on(d) for m in members)) \
        if (tariff.relief or household.relief) else []

    if not household.head_changes:
        part = _part(household.head, _judgement_date(members, fy), FULL_YEAR, False,
                     members, household, tariff, claims, partial, tr)
        parts: tuple = ()
    else:
        results = []
        for head_id, since, window in _head_parts(household, fy):
            if not any(m.insured & window for m in members):
                continue
            judged = _judgement_date(members, fy, window) if since is None or \
                not any(m.insured_on(since) for m in members) else since
            if tr is not None:
                _step(tr, HEAD_CHANGE, None, f"納税義務者 {head_id}: {months_text(window)}"
                      + (f"（{since.isoformat()} 世帯主変更）" if since else ""), person=head_id)
            results.append((head_id, window, _part(head_id, judged, window, since is not None,
                                                   members, household, tariff, claims,
                                                   partial, tr)))
        part = _combine([r for _, _, r in results])
        parts = tuple(HeadPart(head_id, window, r[0], r[2], r[3],
                               installments_json(r[3], tariff.installments, r[0].judged_on))
                      for head_id, window, r in results)
    reduction, spec_status, components, total, total_rounding, persons = part

    if parts:
        installments = _sum_installments([p.installments for p in parts])
    else:
        # 期割 (普通徴収) over the tariff's 納期 from the day liability starts (collection.py)
        installments = installments_json(total, tariff.installments, reduction.judged_on)
    # 所得未申告 or income not yet known (転入 before 照会): 所得割 on what is known, no
    # 軽減; the result is provisional until the income arrives (rulebook §13.2)
    provisional = any(not m.income.declared for m in members if m.insured or m.counted)
    if provisional and tr is not None:
        _step(tr, reductions.JUDGEMENT, None, "所得未申告（又は所得未確定）の者がいるため軽減なし・"
                                              "暫定の賦課（所得が判明したら更正）")
    return Assessment(household.id, fy, tariff.id, tariff.sha256, tariff.status, reduction,
                      spec_status, components, total, total_rounding, persons,
                      tuple(tr) if tr is not None else (), installments, parts=parts,
                      provisional=provisional, tariff_overrides=tariff.overrides)


def _no_insured_month(household: Household, tariff: Tariff, members: list, tr) -> Assessment:
    """A year in which nobody is insured for a month (社保加入による遡及喪失, 資格の取消, a
    75th birthday on 1 April): no 納税義務 arises (地方税法703条の4, 条例 月割), so the
    tax is 0 — not an error — and a 更正 of an earlier assessment refunds all of it."""
    fy = household.fiscal_year
    nat = tariff.national
    if household.head_changes:
        _head_parts(household, fy)        # the same checks of the facts as otherwise
    if tariff.relief or household.relief:
        relief.claims(tariff.relief, household.relief, fy, tariff.id, lambda d: False)
    judged = fy_start(fy)
    reduction = Reduction(0, 0, judged, 0, 0, reductions.thresholds(nat, 0, 0), True)
    components = {name: _ZERO[name] for name in ORDER if name in nat.caps}
    persons = tuple(PersonResult(m.person.id, "other", 0, 0, 0, None, None, False, False)
                    for m in members)
    if tr is not None:
        _step(tr, MONTHS, None, NO_INSURED_MONTH_JA, 0)
    return Assessment(household.id, fy, tariff.id, tariff.sha256, tariff.status, reduction,
                      None, components, 0, 0, persons, tuple(tr) if tr is not None else (),
                      (), notes=(NO_INSURED_MONTH,), tariff_overrides=tariff.overrides)


def _part(head_id: str, judged_on: date, window: int, after_change: bool, members: list,
          household: Household, tariff: Tariff, claims: list, partial: bool, tr) -> tuple:
    """The tax of one 納税義務者 for the months in `window`: 軽減 judged on `judged_on`.

    After a 世帯主変更 the 特定同一世帯所属者 status (and with it 特定世帯) has ended."""
    fy = household.fiscal_year
    nat = tariff.national
    # ---- who counts on the 判定日 (rulebook §3.2, §3.5)
    head = None
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
    fictitious = not (head.on or head.late)
    judgement_income = 0
    earners = 0
    declared = True
    n_insured = n_late = 0
    late_dates = []
    count_fictitious = tariff.options.fictitious_head_counts_as_earner
    judged_bit = 1 << (month_key(judged_on) - fy_first_key(fy))
    for m in members:
        if not m.counted:
            continue
        # 非自発的失業: the 30/100 income is judged when the 判定日's month is inside the
        # 特例 period (insured on that day, even if gone by the month's end); a period
        # starting later does not re-judge the year (rulebook §3.5)
        inc = m.income_u if m.unemployment_period & judged_bit else m.income
        judgement_income += inc.judgement_income
        if inc.is_earner and (count_fictitious or m is not head or not fictitious):
            earners += 1
        if not inc.declared:
            declared = False
        if m.on:
            n_insured += 1
        elif m.late:
            n_late += 1
            late_dates.append(m.late_date)
    n_persons = n_insured + n_late
    limits = reductions.thresholds(nat, n_persons, earners)
    tier = reductions.judge_tier(nat, judgement_income, n_persons, earners) if declared else 0
    reduction = Reduction(tier, judgement_income, judged_on, n_persons, earners, limits, declared)
    spec_status = None if after_change else \
        specified_household.status(judged_on, n_insured, late_dates)

    if tr is not None:
        _trace_setup(tr, household, members, head, fictitious, reduction, spec_status, tariff)

    # ---- components
    components: dict[str, ComponentLevy] = {}
    rounding = tariff.rounding
    insured = [(m, m.insured & window) for m in members if m.insured & window]
    care = [(m, m.care & window) for m, _ in insured if m.care & window]
    for name in ORDER:
        if name not in nat.caps:
            continue
        comp_members = care if name == "care" else insured
        if not comp_members:    # nobody is levied: 0 whatever the rates
            components[name] = _ZERO[name]
            continue
        rates = tariff.components.get(name)
        note = tariff.missing_note(name)
        if rates is None or note is not None:
            note = note or "the tariff does not give this component"
            if not partial:
                raise MissingTariffValue(tariff.id, f"components.{name}", note)
            components[name] = ComponentLevy.unknown(name, f"components.{name}: {note}")
            continue
        components[name] = _component(name, rates, comp_members, tier, declared, spec_status,
                                      tariff, claims, tr)

    known = [c.amount for c in components.values()]
    total = None if None in known else sum(known)
    total_rounding = 0
    if rounding.hundred == "total" and total is not None:
        rounded = floor_unit(total, 100)
        total_rounding, total = total - rounded, rounded
        if tr is not None:
            _step(tr, ROUNDING, None, "年税額の100円未満切捨て", total, cut=total_rounding)

    persons = tuple(
        PersonResult(m.person.id,
                     "insured" if m.insured else ("fictitious_head" if m is head else
                                                  ("late_elderly" if m.late else "other")),
                     m.insured, m.care,
                     m.income.levy_base if m.insured else 0,
                     m.income.judgement_income if m.counted else None,
                     m.income.is_earner if m.counted else None,
                     m.preschool and m.insured != 0, m.under18 and m.insured != 0)
        for m in members)
    return reduction, spec_status, components, total, total_rounding, persons


def _combine(results: list[tuple]) -> tuple:
    """The household's year from its parts: the first part's 判定 and persons, the
    components and totals summed (each part was rounded on its own notice)."""
    first = results[0]
    components: dict[str, ComponentLevy] = {}
    for name in first[2]:
        cs = [r[2][name] for r in results]
        if any(c.missing is not None for c in cs):
            components[name] = next(c for c in cs if c.missing is not None)
            continue
        reds: dict[str, int] = {}
        for c in cs:
            for k, v in c.reductions.items():
                reds[k] = reds.get(k, 0) + v
        components[name] = ComponentLevy(
            name, *(sum(getattr(c, f) for c in cs) for f in
                    ("income_levy", "asset_levy", "per_capita", "per_household")),
            reds, *(sum(getattr(c, f) for c in cs) for f in
                    ("levy", "cap", "over_cap", "rounding", "amount", "months")),
            fraction=sum(c.fraction for c in cs),
            after_cap=tuple(dict.fromkeys(k for c in cs for k in c.after_cap)))
    totals = [r[3] for r in results]
    total = None if None in totals else sum(totals)
    return first[0], first[1], components, total, sum(r[4] for r in results), first[5]


def _sum_installments(lists: list) -> tuple:
    """Per 期: what the household owes over all its 納税義務者's notices."""
    by_period: dict = {}
    for items in lists:
        for it in items:
            key = (it["period"], it["due"])
            by_period[key] = by_period.get(key, 0) + it["amount"]
    return tuple({"period": p, "due": d, "amount": a} for (p, d), a in sorted(by_period.items()))


# the tariff's part of each component's pipeline flags, by ComponentRates (checked by identity)
_TARIFF_FLAGS: dict[tuple, tuple] = {}


def _component(name: str, rates: ComponentRates, comp_members: list, tier: int, declared: bool,
               spec_status: str | None, tariff: Tariff, claims: list, tr: list | None,
               ) -> ComponentLevy:
    """One component: the law's steps (steps/pipeline.py) over its members."""
    opts = tariff.options
    key = (id(rates), name)
    known = _TARIFF_FLAGS.get(key)
    if known is None or known[0] is not rates or known[1] is not tariff:
        if len(_TARIFF_FLAGS) > 256:
            _TARIFF_FLAGS.clear()
        known = _TARIFF_FLAGS[key] = (rates, tariff, pipeline.tariff_flags(
            name, rates, opts, tariff.rounding))
    c = Component(name, rates, tier, declared, spec_status, opts, tariff.rounding,
                  tariff.fiscal_year, tariff.national.preschool_reduction,
                  name != "child" or opts.statuses_on_child, known[2])
    if claims:     # 条例減免 that apply to this component
        mine = [cl for cl in claims if name in cl.rule.components]
        c.child_rules = tuple(cl.rule for cl in mine if cl.rule.kind == "child_per_capita")
        c.household_claims = tuple(cl for cl in mine if cl.rule.kind in ("grade", "income_drop"))
        c.detention = tuple(cl for cl in mine if cl.rule.kind == "detention")
    levy_obj = pipeline.run(c, comp_members)
    if tr is not None:
        _trace_component(tr, levy_obj, rates, comp_members, tier, spec_status, tariff)
    return levy_obj


# ---------------------------------------------------------------- trace

def _step(tr: list, rule, component: str | None, text: str, amount: int | None = None, **extra):
    entry = {"rule": rule.id, "article": rule.article, "title": rule.title}
    if component:
        entry["component"] = component
    entry["text"] = text
    if amount is not None:
        entry["amount"] = amount
    entry.update(extra)
    tr.append(entry)


def _trace_setup(tr, household, members, head, fictitious, red, spec_status, tariff):
    from .calendar import months_text
    for m in members:
        if m.insured:
            _step(tr, MONTHS, None, f"{m.person.id}: 国保加入月 {months_text(m.insured)} "
                                    f"({_POP[m.insured]}か月, 4月から)", person=m.person.id,
                  months=months_text(m.insured))
            if m.care:
                _step(tr, CARE_AGE, None, f"{m.person.id}: 介護分の月 {months_text(m.care)} "
                                          f"({_POP[m.care]}か月)", person=m.person.id,
                      months=months_text(m.care))
        if m.late_date is not None:
            _step(tr, LATE_ELDERLY, None, f"{m.person.id}: {m.late_date.isoformat()} から後期高齢者医療",
                  person=m.person.id)
    for m in members:
        for rule, text in m.notes:
            _step(tr, rule, None, f"{m.person.id}: {text}", person=m.person.id)
        for mask, rule, text in ((m.unemployed, unemployment.UNEMPLOYMENT, "給与所得を30/100とする月"),
                                 (m.birth, childbirth.CHILDBIRTH, "産前産後の免除月"),
                                 (m.fd_exempt, former_dependent.FORMER_DEPENDENT, "旧被扶養者 所得割免除の月"),
                                 (m.fd_half, former_dependent.FORMER_DEPENDENT, "旧被扶養者 均等割・平等割5割の月"),
                                 (m.care_exempt, care_exempt.CARE_EXEMPT, "介護保険適用除外施設の月")):
            if mask:
                _step(tr, rule, None, f"{m.person.id}: {text} {months_text(mask)}",
                      person=m.person.id, months=months_text(mask))
    if fictitious:
        _step(tr, FICTITIOUS_HEAD, None, f"世帯主 {head.person.id} は被保険者でない（擬制世帯主）: "
                                         "所得は軽減判定にのみ算入", person=head.person.id)
    nat = tariff.national
    for m in members:
        if m.income is not None:
            inc = m.income
            _step(tr, INCOME_LEVY, None,
                  f"{m.person.id}: 総所得金額等 {inc.total_income} − 基礎控除 {inc.basic_deduction} "
                  f"= 所得割の算定基礎 {inc.levy_base}", inc.levy_base, person=m.person.id)
    j = reductions.JUDGEMENT
    _step(tr, j, None, f"判定日 {red.judged_on.isoformat()}: 軽減判定所得 {red.judgement_income}, "
                       f"被保険者等 {red.persons}人, 給与所得者等 {red.earners}人; 基準額 "
                       f"7割 {red.thresholds[70]} / 5割 {red.thresholds[50]} / 2割 {red.thresholds[20]}"
                       + ("" if red.declared else "; 所得未申告者がいるため軽減なし"),
          red.judgement_income, cite=_cite(nat, "reduction.per_person_50"))
    _step(tr, reductions.STATUTORY, None,
          f"軽減区分: {reductions.tier_label(red.tier)}", tier=red.tier)
    if spec_status:
        _step(tr, specified_household.SPECIFIED, None,
              "特定世帯（平等割2分の1）" if spec_status == "specified" else "特定継続世帯（平等割4分の3）")


def _cite(nat, path):
    c = nat.cite(path)
    if c is None:
        return None
    return {"status": c.status, "sources": [s.get("url") or s.get("title") for s in c.sources]}


def _trace_component(tr, c: ComponentLevy, rates: ComponentRates, comp_members, tier,
                     spec_status, tariff):
    from .money import format_rate
    label = COMPONENT_NAMES[c.name]
    if rates.income_rate is not None:
        _step(tr, INCOME_LEVY, c.name, f"{label} 所得割額 = 算定基礎 × {format_rate(rates.income_rate)} "
                                       "× 月数/12", c.income_levy)
    if rates.asset_rate is not None:
        _step(tr, ASSET_LEVY, c.name, f"{label} 資産割額 = 固定資産税額 × {format_rate(rates.asset_rate)}",
              c.asset_levy)
    if rates.per_capita is not None:
        text = f"{label} 均等割額 {rates.per_capita}円 × 被保険者 × 月数/12"
        if c.name == "child" and rates.per_capita_adult:
            text += (f"（18歳以上は {child_support.ADULT_PER_CAPITA.title} "
                     f"{rates.per_capita_adult}円を加算）")
        _step(tr, PER_CAPITA, c.name, text, c.per_capita)
    if rates.per_household is not None:
        _step(tr, PER_HOUSEHOLD, c.name, f"{label} 平等割額 {rates.per_household}円 × 月数/12",
              c.per_household)
    for key, value in c.reductions.items():
        if key not in c.after_cap:
            rule = reduction_rule(key, tariff)
            _step(tr, rule, c.name, f"{label} 減額 {rule.title}", value, reduction=key)
    if c.fraction:
        _step(tr, ROUNDING, c.name, f"{label} 1円未満の端数の合計（各行は切捨て、区分で1回切捨て）",
              c.fraction, fraction=c.fraction)
    _step(tr, CAP, c.name, f"{label} 限度額 {c.cap}円（{c.months}か月）: 超過額 {c.over_cap}円",
          c.levy - c.over_cap, cap=c.cap, over_cap=c.over_cap,
          statutory_default=rates.cap_is_statutory_default)
    for key in c.after_cap:
        rule = reduction_rule(key, tariff)
        _step(tr, rule, c.name, f"{label} 限度額適用後の減免 {rule.title}", c.reductions[key],
              reduction=key, after_cap=True)
    _step(tr, ROUNDING, c.name, f"{label} 端数切捨て {c.rounding}円 → 税額 {c.amount}円", c.amount,
          cut=c.rounding)
