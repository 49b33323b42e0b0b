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
from .rules import (care_exempt, child_support, childbirth, former_dependent, preschool,
                    reductions, relief, specified_household, unemployment)
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


def _segments(m: _Member, mask: int, statuses: bool):
    """Split a member's months into runs with the same special statuses:
    (months, unemployed, childbirth, former-dependent exempt, former-dependent half)."""
    if not statuses or not (m.unemployed or m.birth or m.fd_exempt):
        return ((mask, False, False, False, False),)
    groups: dict = {}
    for i in range(12):
        bit = 1 << i
        if mask & bit:
            key = (bool(m.unemployed & bit), bool(m.birth & bit), bool(m.fd_exempt & bit),
                   bool(m.fd_half & bit))
            groups[key] = groups.get(key, 0) | bit
    return tuple((months,) + key for key, months in groups.items())


def _component(name: str, rates: ComponentRates, comp_members: list, tier: int, declared: bool,
               spec_status: str | None, tariff: Tariff, claims: list, tr: list | None,
               ) -> ComponentLevy:
    """One component: elements per person-month, reductions, 月割, cap, rounding.

    Every amount is an integer count of 1/(12·D) yen (D: the rates' common
    denominator): a yearly amount in 1/D yen times its number of months.
    """
    nat = tariff.national
    opts = tariff.options
    rounding = tariff.rounding
    D = rates.denominator
    U = 12 * D
    k_inc = rates.k_income
    k_ast = rates.k_asset
    pc = rates.per_capita or 0
    is_child = name == "child"
    pc_adult = (rates.per_capita_adult or 0) if is_child else 0
    base_rounding = rounding.income_base
    share = nat.preschool_reduction
    statuses = not is_child or opts.statuses_on_child
    birth_asset = opts.childbirth_asset
    fd_after_cap = opts.former_dependent_timing == "after_cap"
    preschool_applies = declared and name in preschool.COMPONENTS

    # 条例減免 that apply to this component
    if claims:
        mine = [c for c in claims if name in c.rule.components]
        child_rules = [c.rule for c in mine if c.rule.kind == "child_per_capita"]
        hh_claims = [c for c in mine if c.rule.kind in ("grade", "income_drop")]
        det_claims = [c for c in mine if c.rule.kind == "detention"]
    else:
        child_rules = hh_claims = det_claims = ()
    relief_u: dict[str, int] = {}          # before-cap relief, by rule id
    relief_after: dict[str, int] = {}      # after-cap relief, by rule id
    relief_base: dict[str, int] = {}       # household-level relief: the base it is a share of
    child_rank: dict = {}
    if child_rules:
        for r in child_rules:
            born_after = date(tariff.fiscal_year - r.age_limit, 4, 2)
            kids = [(m.person.birth_date, m.person.id) for m, _ in comp_members
                    if m.person.birth_date >= born_after]
            child_rank[r.id] = relief.child_order(kids)

    inc_u = ast_u = pc_u = 0
    r_stat = r_pre = r_u18 = r_spec = r_unemp = r_birth = r_fd = 0   # in the same units
    r_outside = 0       # before-cap relief not already taken out of the person-month nets
    person_net: list[tuple[int, int]] = []  # (annual net in 1/D yen, months), for policy B
    household_mask = 0
    fd_all = FULL_YEAR                      # months in which every member is a 旧被扶養者 (half)
    for m, mask in comp_members:
        household_mask |= mask
        fd_all &= (m.fd_half | ~mask)
        fat = m.person.fixed_asset_tax
        base_n = m.income.levy_base
        base_x = m.income_u.levy_base if m.income_u is not None else base_n
        if base_rounding == "floor_1000_per_person":
            base_n = floor_unit(base_n, 1000)
            base_x = floor_unit(base_x, 1000)
        # 均等割 payable after the 軽減 (and 未就学児 / 18歳未満)
        gross_pc = pc
        if is_child:
            if m.under18:
                pay = 0
                red_stat = red_pre = 0
                red_u18 = pc
            else:
                gross_pc = pc + pc_adult
                pay = reductions.reduced(pc, tier) + reductions.reduced(pc_adult, tier)
                red_stat, red_pre, red_u18 = gross_pc - pay, 0, 0
        else:
            pay = reductions.reduced(pc, tier)
            red_stat, red_pre, red_u18 = pc - pay, 0, 0
            if preschool_applies and m.preschool:
                after = preschool.payable(pay, share)
                red_pre = pay - after
                pay = after
        if not (child_rules or det_claims or hh_claims) and not (
                statuses and (m.unemployed or m.birth or m.fd_exempt)):
            # the common case: one run of months, no status, no 減免
            n = _POP[mask]
            inc = base_n * k_inc
            ast = fat * k_ast
            inc_u += inc * n
            ast_u += ast * n
            pc_u += gross_pc * D * n
            r_stat += red_stat * D * n
            r_pre += red_pre * D * n
            r_u18 += red_u18 * D * n
            person_net.append((inc + ast + pay * D, mask))
            continue
        # 条例減免 of children's 均等割 (before or after the cap)
        child_relief = []
        for r in child_rules:
            rank = child_rank[r.id].get(m.person.id)
            if rank is None or not pay:
                continue
            rate = r.rates_by_order[min(rank, len(r.rates_by_order) - 1)]
            base_pay = pay + red_pre if r.with_preschool == "max" else pay
            keep = base_pay - base_pay * rate.numerator // rate.denominator
            cut = pay - keep if r.with_preschool == "max" else base_pay - keep
            if cut > 0:
                child_relief.append((r, cut))
        for months, unemp, birth, fd_ex, fd_half in _segments(m, mask, statuses):
            n = _POP[months]
            base = base_x if unemp else base_n
            inc_u += base_n * k_inc * n
            ast_u += fat * k_ast * n
            pc_u += gross_pc * D * n
            r_stat += red_stat * D * n
            r_pre += red_pre * D * n
            r_u18 += red_u18 * D * n
            r_unemp += (base_n - base) * k_inc * n
            inc_net = base * k_inc
            ast_net = fat * k_ast
            pay_seg = pay
            fd_here = 0
            if fd_ex:        # 旧被扶養者: 所得割・資産割 免除
                fd_here += inc_net + ast_net
                inc_net = ast_net = 0
            if fd_half:      # 均等割 5割: the larger of it and the 軽減 wins
                target = (reductions.reduced(pc, 50) + reductions.reduced(pc_adult, 50)
                          if is_child else reductions.reduced(pc, 50))
                if pay_seg > target:
                    fd_here += (pay_seg - target) * D
                    pay_seg = target
            r_fd += fd_here * n
            for r, cut in child_relief:
                cut = min(cut, pay_seg)
                bucket = relief_after if r.after_cap else relief_u
                bucket[r.id] = bucket.get(r.id, 0) + cut * D * n
                if not r.after_cap:
                    pay_seg -= cut
            if birth:        # 産前産後: the mother's 所得割 and 均等割 (資産割 by option)
                r_birth += (inc_net + pay_seg * D + (ast_net if birth_asset else 0)) * n
                inc_net = 0
                pay_seg = 0
                if birth_asset:
                    ast_net = 0
            net = inc_net + ast_net + pay_seg * D
            for c in det_claims:
                if c.person == m.person.id:
                    k = _POP[months & c.months]
                    if k:
                        part = _selected(c.rule, inc_net, ast_net, pay_seg * D)
                        cut = part * k * c.rate.numerator // c.rate.denominator
                        bucket = relief_after if c.rule.after_cap else relief_u
                        bucket[c.rule.id] = bucket.get(c.rule.id, 0) + cut
                        if not c.rule.after_cap:
                            r_outside += cut
            for c in hh_claims:
                k = _POP[months & c.rule.window(tariff.fiscal_year)]
                if k:
                    relief_base[c.rule.id] = relief_base.get(c.rule.id, 0) + \
                        _selected(c.rule, inc_net, ast_net, pay_seg * D) * k
            # 旧被扶養者 after the cap: the month's amount stays in until the cap
            person_net.append((net + (fd_here if fd_after_cap else 0), months))

    n_h = _POP[household_mask]
    hh = rates.per_household
    hh_u = 0
    hh_segments: list[tuple[int, int]] = []     # (annual net in 1/D yen, months)
    if hh is not None and n_h:
        h_amount = hh
        if spec_status and (name in ("medical", "support") or
                            (is_child and opts.specified_household_child)):
            h_amount = specified_household.amount(hh, spec_status, rates.per_household_specified,
                                                  rates.per_household_specified_continuing)
            r_spec += (hh - h_amount) * D * n_h
        after = reductions.reduced(h_amount, tier)
        r_stat += (h_amount - after) * D * n_h
        hh_u = hh * D * n_h
        # 旧被扶養者 only: 平等割 5割 (not with 7割・5割 (the larger wins) nor 特定世帯)
        half = fd_all & household_mask if (statuses and not spec_status) else 0
        target = reductions.reduced(hh, 50) if half else 0
        if half and after > target:
            k = _POP[half]
            r_fd += (after - target) * D * k
            hh_segments.append(((target if not fd_after_cap else after) * D, half))
            if household_mask & ~half:
                hh_segments.append((after * D, household_mask & ~half))
        else:
            hh_segments.append((after * D, household_mask))
        for net, months in hh_segments:
            for c in hh_claims:
                if "per_household" in c.rule.levies:
                    k = _POP[months & c.rule.window(tariff.fiscal_year)]
                    relief_base[c.rule.id] = relief_base.get(c.rule.id, 0) + net * k

    for c in hh_claims:          # household-level 減免: a share of the named levies
        base = relief_base.get(c.rule.id, 0)
        cut = base * c.rate.numerator // c.rate.denominator
        if c.rule.after_cap:
            relief_after[c.rule.id] = cut
        else:
            relief_u[c.rule.id] = cut
            r_outside += cut

    # in the levy (one floor with the elements): the 軽減 and the 非自発的失業 income change
    inside = {"statutory": r_stat, "preschool": r_pre, "child_under18": r_u18,
              "specified_household": r_spec, "involuntary_unemployment": r_unemp}
    # subtracted from the computed levy, each floored on its own (rulebook defaults §5)
    subtracted = {"childbirth": r_birth, **{f"relief.{k}": v for k, v in relief_u.items()}}
    after_cap = {f"relief.{k}": v for k, v in relief_after.items()}
    if fd_after_cap:
        after_cap = {"former_dependent": r_fd, **after_cap}
    else:
        subtracted["former_dependent"] = r_fd
    levy_obj = _levy(name, tariff, rates, (inc_u, ast_u, pc_u, hh_u), inside, subtracted,
                     after_cap, n_h, person_net, hh_segments, r_outside)
    if tr is not None:
        _trace_component(tr, levy_obj, rates, comp_members, tier, spec_status, tariff)
    return levy_obj


def _levy(name: str, tariff: Tariff, rates: ComponentRates, gross: tuple, inside: dict,
          subtracted: dict, after: dict, n_h: int, person_net: list, hh_segments: list,
          r_outside: int) -> ComponentLevy:
    """Elements → levy → cap → 減免 after the cap → 100円, so that every printed line adds
    up (rulebook §11.2, defaults §5). Amounts in 1/(12·D) yen.

    levy = floor(elements − reductions inside the levy) − Σ floor(each subtracted one);
    the elements and the reductions are each shown floored, and `fraction` is what their
    sub-yen parts add up to under the one floor. amount = levy − over_cap − Σ floor(each
    減免 after the cap) − the 100円 cut.
    """
    opts = tariff.options
    rounding = tariff.rounding
    U = 12 * rates.denominator
    elements = [v // U for v in gross]
    inside_yen = {k: v // U for k, v in inside.items() if v}
    shown = sum(elements) - sum(inside_yen.values())
    exact_u = sum(gross) - sum(inside.values())
    computed = shown if rounding.yen == "per_element" else exact_u // U
    sub_yen, levy = _take(subtracted, computed, U)
    cap_u = rates.cap * rates.denominator * n_h
    cap_yen = cap_u // U
    if opts.cap_policy == "B":
        # each month's annual-equivalent amount capped (person nets after their reductions)
        cap_d = rates.cap * rates.denominator
        capped_u = 0
        for i in range(12):
            bit = 1 << i
            a = sum(net for net, months in person_net if months & bit)
            a += sum(net for net, months in hh_segments if months & bit)
            capped_u += a if a < cap_d else cap_d
        capped_u = max(0, capped_u - r_outside)
        no_cut = capped_u >= exact_u - sum(subtracted.values())
        capped = levy if no_cut else min(levy, capped_u // U)
    else:
        capped = min(levy, cap_yen)
    # 減免 after the cap (旧被扶養者 by default, 条例減免 so declared): each a share of what
    # was levied, so when the cap took part of the levy it shrinks in proportion
    num, den = (capped, levy) if capped < levy else (1, 1)
    after_yen, net = _take({k: v * num // den for k, v in after.items()}, capped, U)
    if rounding.hundred == "per_person":
        # 西東京市 保険料: each person's amount (and the household's) cut to 100円 first
        pp = sum(floor_unit(n * _POP[m] // U, 100) for n, m in person_net)
        pp += sum(floor_unit(n * _POP[m] // U, 100) for n, m in hh_segments)
        pp = max(0, pp - r_outside // U)
        net = min(net, max(0, min(pp, capped) - sum(after_yen.values())))
    amount = floor_unit(net, 100) if rounding.hundred in ("per_component", "per_person") else net
    reds = {**inside_yen, **sub_yen, **after_yen}
    return ComponentLevy(name, *elements, reds, levy, cap_yen, levy - capped,
                         capped - sum(after_yen.values()) - amount, amount, n_h,
                         fraction=computed - shown, after_cap=tuple(after_yen))


def _take(reductions: dict, amount: int, U: int) -> tuple[dict, int]:
    """Subtract each reduction (in 1/U yen), floored to the yen on its own and never
    more than what is left of `amount` (yen): ({key: yen}, what is left)."""
    out = {}
    for k, v in reductions.items():
        cut = min(amount, v // U)
        if cut > 0:
            out[k] = cut
            amount -= cut
    return out, amount


def _selected(rule, inc_net: int, ast_net: int, pc_net: int) -> int:
    """The part of a person-month's net amount a relief rule applies to."""
    lv = rule.levies
    return ((inc_net if "income" in lv else 0) + (ast_net if "asset" in lv else 0)
            + (pc_net if "per_capita" in lv else 0))


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
