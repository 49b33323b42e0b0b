"""The trace of an assessment (trace=True, always on in the command line): one entry per
step of the law with its rule id, article and title, read from the component results the
pipeline's ledger built (steps/pipeline.py). `--explain` prints the same figures."""

from __future__ import annotations

from .calendar import MONTH_COUNT, fy_end, months_text
from .money import format_rate
from .result import ComponentLevy
from ..rules import (ASSET_LEVY, CAP, CARE_AGE, FICTITIOUS_HEAD, INCOME_LEVY, LATE_ELDERLY, MONTHS,
                     PER_CAPITA, PER_HOUSEHOLD, ROUNDING, reduction_rule)
from ..rules import (care_exempt, child_support, childbirth, former_dependent, reductions,
                     specified_household, unemployment)
from ..tariff.model import COMPONENT_NAMES, ComponentRates


def step(tr: list, rule, component: str | None, text: str, amount: int | None = None, **extra):
    entry = {"rule": rule.id, "article": rule.article, "title": rule.title}
    if component:
        entry["component"] = component
    entry["text"] = text
    if amount is not None:
        entry["amount"] = amount
    entry.update(extra)
    tr.append(entry)


def setup(tr, household, members, head, fictitious, red, spec_status, tariff):
    """The household's steps: months, statuses, incomes, the 軽減判定, 特定世帯."""
    for m in members:
        if m.insured:
            step(tr, MONTHS, None, f"{m.person.id}: 国保加入月 {months_text(m.insured)} "
                                    f"({MONTH_COUNT[m.insured]}か月, 4月から)", person=m.person.id,
                  months=months_text(m.insured))
            if m.care:
                step(tr, CARE_AGE, None, f"{m.person.id}: 介護分の月 {months_text(m.care)} "
                                          f"({MONTH_COUNT[m.care]}か月)", person=m.person.id,
                      months=months_text(m.care))
        if m.late_date is not None and m.late_date <= fy_end(household.fiscal_year):
            # no date: the day is the 75th birthday (the months above show the 月割)
            step(tr, LATE_ELDERLY, None, f"{m.person.id}: 後期高齢者医療の被保険者（国保の資格喪失）",
                 person=m.person.id)
    for m in members:
        for rule, text in m.notes:
            step(tr, rule, None, f"{m.person.id}: {text}", person=m.person.id)
        for mask, rule, text in ((m.unemployed, unemployment.UNEMPLOYMENT, "給与所得を30/100とする月"),
                                 (m.birth, childbirth.CHILDBIRTH, "産前産後の免除月"),
                                 (m.fd_exempt, former_dependent.FORMER_DEPENDENT, "旧被扶養者 所得割免除の月"),
                                 (m.fd_half, former_dependent.FORMER_DEPENDENT, "旧被扶養者 均等割・平等割5割の月"),
                                 (m.care_exempt, care_exempt.CARE_EXEMPT, "介護保険適用除外施設の月")):
            if mask:
                step(tr, rule, None, f"{m.person.id}: {text} {months_text(mask)}",
                      person=m.person.id, months=months_text(mask))
    if fictitious:
        step(tr, FICTITIOUS_HEAD, None, f"世帯主 {head.person.id} は被保険者でない（擬制世帯主）: "
                                         "所得は軽減判定にのみ算入", person=head.person.id)
    nat = tariff.national
    for m in members:
        if m.income is not None:
            inc = m.income
            step(tr, INCOME_LEVY, None,
                  f"{m.person.id}: 総所得金額等 {inc.total_income} − 基礎控除 {inc.basic_deduction} "
                  f"= 所得割の算定基礎 {inc.levy_base}", inc.levy_base, person=m.person.id)
    j = reductions.JUDGEMENT
    step(tr, j, None, f"判定日 {red.judged_on.isoformat()}: 軽減判定所得 {red.judgement_income}, "
                       f"被保険者等 {red.persons}人, 給与所得者等 {red.earners}人; 基準額 "
                       f"7割 {red.thresholds[70]} / 5割 {red.thresholds[50]} / 2割 {red.thresholds[20]}"
                       + ("" if red.declared else "; 所得未申告者がいるため軽減なし"),
          red.judgement_income, cite=_cite(nat, "reduction.per_person_50"))
    step(tr, reductions.STATUTORY, None,
          f"軽減区分: {reductions.tier_label(red.tier)}", tier=red.tier)
    if spec_status:
        step(tr, specified_household.SPECIFIED, None,
              "特定世帯（平等割2分の1）" if spec_status == "specified" else "特定継続世帯（平等割4分の3）")


def _cite(nat, path):
    c = nat.cite(path)
    if c is None:
        return None
    return {"status": c.status, "sources": [s.get("url") or s.get("title") for s in c.sources]}


def component(tr, c: ComponentLevy, rates: ComponentRates, comp_members, tier,
              spec_status, tariff):
    """One component's lines, in the order of the pipeline and of `--explain`."""
    label = COMPONENT_NAMES[c.name]
    if rates.income_rate is not None:
        step(tr, INCOME_LEVY, c.name, f"{label} 所得割額 = 算定基礎 × {format_rate(rates.income_rate)} "
                                       "× 月数/12", c.income_levy)
    if rates.asset_rate is not None:
        step(tr, ASSET_LEVY, c.name, f"{label} 資産割額 = 固定資産税額 × {format_rate(rates.asset_rate)}",
              c.asset_levy)
    if rates.per_capita is not None:
        text = f"{label} 均等割額 {rates.per_capita}円 × 被保険者 × 月数/12"
        if c.name == "child" and rates.per_capita_adult:
            text += (f"（18歳以上は {child_support.ADULT_PER_CAPITA.title} "
                     f"{rates.per_capita_adult}円を加算）")
        step(tr, PER_CAPITA, c.name, text, c.per_capita)
    if rates.per_household is not None:
        step(tr, PER_HOUSEHOLD, c.name, f"{label} 平等割額 {rates.per_household}円 × 月数/12",
              c.per_household)
    for key, value in c.reductions.items():
        if key not in c.after_cap:
            rule = reduction_rule(key, tariff)
            step(tr, rule, c.name, f"{label} 減額 {rule.title}", value, reduction=key)
    if c.fraction:
        step(tr, ROUNDING, c.name, f"{label} 1円未満の端数の合計（各行は切捨て、区分で1回切捨て）",
              c.fraction, fraction=c.fraction)
    step(tr, CAP, c.name, f"{label} 限度額 {c.cap}円（{c.months}か月）: 超過額 {c.over_cap}円",
          c.levy - c.over_cap, cap=c.cap, over_cap=c.over_cap,
          statutory_default=rates.cap_is_statutory_default)
    for key in c.after_cap:
        rule = reduction_rule(key, tariff)
        step(tr, rule, c.name, f"{label} 限度額適用後の減免 {rule.title}", c.reductions[key],
              reduction=key, after_cap=True)
    step(tr, ROUNDING, c.name, f"{label} 端数切捨て {c.rounding}円 → 税額 {c.amount}円", c.amount,
          cut=c.rounding)
