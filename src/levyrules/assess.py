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

from .calendar import (anniversary, care_age_mask, fy_start, is_preschool, is_under18,
                       period_mask)
from .errors import InputError, MissingTariffValue
from .household import Household, Person
from .income import PersonIncome, person_income
from .money import floor_unit
from .result import Assessment, ComponentLevy, PersonResult, Reduction
from .rules import (ASSET_LEVY, CAP, CARE_AGE, FICTITIOUS_HEAD, INCOME_LEVY, LATE_ELDERLY,
                    MONTHS, PER_CAPITA, PER_HOUSEHOLD, ROUNDING)
from .rules import child_support, preschool, reductions, specified_household
from .tariff.model import COMPONENT_NAMES, ComponentRates, Tariff

ORDER = ("medical", "support", "care", "child")
# a component nobody is levied in; shared, so its reductions mapping is read-only
_ZERO = {name: ComponentLevy(name, 0, 0, 0, 0, MappingProxyType({}), 0, 0, 0, 0, 0, 0)
         for name in ORDER}
_POP = [bin(i).count("1") for i in range(4096)]


class _Member:
    """A person's facts for the year, derived once."""
    __slots__ = ("person", "index", "insured", "care", "cut", "late_date", "income",
                 "preschool", "under18", "on", "late", "counted")

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


def _refuse_unsupported(h: Household) -> None:
    """Inputs whose rules this engine version does not implement are refused, never guessed."""
    if h.head_changes:
        raise InputError("head_changes", "世帯主変更 within the year is not supported by this "
                                         "engine version; assess each 納税義務者's part separately")
    for i, p in enumerate(h.persons):
        if p.statuses.any:
            raise InputError(f"persons[{i}].statuses", "special statuses (非自発的失業, 産前産後, "
                                                        "旧被扶養者, 介護適用除外) are not supported "
                                                        "by this engine version")


def _judgement_date(members: list[_Member], fy: int) -> date:
    """判定日: 4月1日, or the day the household's 納税義務 starts when that is later."""
    start = fy_start(fy)
    if any(m.insured_on(start) for m in members):
        return start
    firsts = [per.start for m in members for per in m.person.insured
              if per.start > start and per.start < m.cut and m.insured_on(per.start)]
    return min(firsts)


def assess(household: Household, tariff: Tariff, *, trace: bool = False,
           partial: bool = False) -> Assessment:
    """Compute the 国民健康保険税 of `household` under `tariff`.

    With trace=True every step is recorded with its rule and article (the default
    call skips that work). A component the tariff does not know (listed under
    `missing`, or absent) raises MissingTariffValue; with partial=True it is
    reported as unknown instead, and the total is None (never a guessed number).
    """
    fy = household.fiscal_year
    if tariff.fiscal_year != fy:
        raise InputError("fiscal_year", f"the household is for fiscal year {fy} but tariff "
                                        f"{tariff.id} is for {tariff.fiscal_year}")
    _refuse_unsupported(household)
    nat = tariff.national
    tr: list[dict] | None = [] if trace else None
    members = [_Member(p, i, fy) for i, p in enumerate(household.persons)]
    liable = 0
    for m in members:
        liable |= m.insured
    if not liable:
        raise InputError("persons", f"no person is insured (国保被保険者) in fiscal year {fy}")

    # ---- who counts on the 判定日 (rulebook §3.2, §3.5)
    judged_on = _judgement_date(members, fy)
    head = None
    for m in members:
        is_head = m.person.id == household.head
        if is_head:
            head = m
        m.judge_on(judged_on, is_head)
    fictitious = not (head.on or head.late)
    judgement_income = 0
    earners = 0
    declared = True
    n_insured = n_late = 0
    late_dates = []
    count_fictitious = tariff.options.fictitious_head_counts_as_earner
    for m in members:
        if m.insured or m.counted:
            m.income = person_income(m.person, nat, fy)
        if not m.counted:
            continue
        inc = m.income
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

    spec_status = specified_household.status(judged_on, n_insured, late_dates)

    if tr is not None:
        _trace_setup(tr, household, members, head, fictitious, reduction, spec_status, tariff)

    # ---- components
    components: dict[str, ComponentLevy] = {}
    rounding = tariff.rounding
    for name in ORDER:
        if name not in nat.caps:
            continue
        comp_members = [(m, m.care if name == "care" else m.insured) for m in members]
        comp_members = [(m, mask) for m, mask in comp_members if mask]
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
                                      tariff, tr)

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
    return Assessment(household.id, fy, tariff.id, tariff.sha256, tariff.status, reduction,
                      spec_status, components, total, total_rounding, persons,
                      tuple(tr) if tr is not None else ())


def _component(name: str, rates: ComponentRates, comp_members: list, tier: int, declared: bool,
               spec_status: str | None, tariff: Tariff, tr: list | None) -> ComponentLevy:
    """One component: elements per person-month, reductions, 月割, cap, rounding."""
    nat = tariff.national
    rounding = tariff.rounding
    D = rates.denominator
    U = 12 * D
    k_inc = rates.k_income
    k_ast = rates.k_asset
    pc = rates.per_capita or 0
    pc_adult = (rates.per_capita_adult or 0) if name == "child" else 0
    base_rounding = rounding.income_base
    share = nat.preschool_reduction

    inc_u = ast_u = pc_u = 0
    r_stat = r_pre = r_u18 = r_spec = 0     # reductions, in the same units
    person_net: list[tuple[int, int]] = []  # (annual net in 1/D yen, mask), for policy B
    household_mask = 0
    is_child = name == "child"
    preschool_applies = declared and name in preschool.COMPONENTS
    for m, mask in comp_members:
        n = _POP[mask]
        household_mask |= mask
        base = m.income.levy_base
        if base_rounding == "floor_1000_per_person":
            base = floor_unit(base, 1000)
        gross_pc = pc
        if is_child:
            if m.under18:
                payable = 0
                r_u18 += pc * D * n
            else:
                gross_pc = pc + pc_adult
                payable = reductions.reduced(pc, tier) + reductions.reduced(pc_adult, tier)
                r_stat += (gross_pc - payable) * D * n
        else:
            payable = reductions.reduced(pc, tier)
            r_stat += (pc - payable) * D * n
            if preschool_applies and m.preschool:
                after = preschool.payable(payable, share)
                r_pre += (payable - after) * D * n
                payable = after
        net = base * k_inc + m.person.fixed_asset_tax * k_ast
        inc_u += base * k_inc * n
        ast_u += m.person.fixed_asset_tax * k_ast * n
        pc_u += gross_pc * D * n
        person_net.append((net + payable * D, mask))

    n_h = _POP[household_mask]
    hh = rates.per_household
    hh_u = 0
    hh_net = 0
    if hh is not None and n_h:
        h_amount = hh
        if spec_status and (name in ("medical", "support") or
                            (is_child and tariff.options.specified_household_child)):
            h_amount = specified_household.amount(hh, spec_status, rates.per_household_specified,
                                                  rates.per_household_specified_continuing)
            r_spec += (hh - h_amount) * D * n_h
        after = reductions.reduced(h_amount, tier)
        r_stat += (h_amount - after) * D * n_h
        hh_u = hh * D * n_h
        hh_net = after * D

    red_u = {"statutory": r_stat, "preschool": r_pre, "child_under18": r_u18,
             "specified_household": r_spec}
    levy_u = inc_u + ast_u + pc_u + hh_u - r_stat - r_pre - r_u18 - r_spec
    cap = rates.cap
    if tariff.options.cap_policy == "B":
        capped_u = 0
        cap_d = cap * D
        for i in range(12):
            bit = 1 << i
            a = sum(net for net, mask in person_net if mask & bit)
            if household_mask & bit:
                a += hh_net
            capped_u += a if a < cap_d else cap_d
        cap_u = cap * D * n_h
    else:
        cap_u = cap * D * n_h
        capped_u = levy_u if levy_u < cap_u else cap_u

    if rounding.yen == "per_element":
        levy = (inc_u // U + ast_u // U + pc_u // U + hh_u // U
                - sum(v // U for v in red_u.values()))
    elif rounding.hundred == "per_person":
        levy = sum(floor_unit(net * _POP[mask] // U, 100) for net, mask in person_net)
        levy += floor_unit(hh_net * n_h // U, 100)
    else:
        levy = levy_u // U
    cap_yen = cap_u // U
    capped = capped_u // U if tariff.options.cap_policy == "B" else min(levy, cap_yen)
    if capped > levy:
        capped = levy
    over_cap = levy - capped
    amount = floor_unit(capped, 100) if rounding.hundred in ("per_component", "per_person") else capped
    reds = {k: v // U for k, v in red_u.items() if v}
    levy_obj = ComponentLevy(name, inc_u // U, ast_u // U, pc_u // U, hh_u // U, reds, levy,
                             cap_yen, over_cap, capped - amount, amount, n_h)
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
          f"軽減区分: {red.tier}割軽減" if red.tier else "軽減区分: 軽減なし", tier=red.tier)
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
            text += f"（18歳以上は {rates.per_capita_adult}円を加算）"
        _step(tr, PER_CAPITA if c.name != "child" else child_support.ADULT_PER_CAPITA, c.name, text,
              c.per_capita)
    if rates.per_household is not None:
        _step(tr, PER_HOUSEHOLD, c.name, f"{label} 平等割額 {rates.per_household}円 × 月数/12",
              c.per_household)
    rule_for = {"statutory": reductions.STATUTORY, "preschool": preschool.PRESCHOOL,
                "child_under18": child_support.UNDER18,
                "specified_household": specified_household.SPECIFIED}
    for key, value in c.reductions.items():
        _step(tr, rule_for[key], c.name, f"{label} 減額 {key}", value)
    _step(tr, CAP, c.name, f"{label} 限度額 {c.cap}円（{c.months}か月）: 超過額 {c.over_cap}円",
          c.levy - c.over_cap, cap=c.cap, over_cap=c.over_cap,
          statutory_default=rates.cap_is_statutory_default)
    _step(tr, ROUNDING, c.name, f"{label} 端数切捨て {c.rounding}円 → 税額 {c.amount}円", c.amount,
          cut=c.rounding)
