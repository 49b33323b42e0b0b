"""The resident's breakdown (納税通知書の内訳) of an assessment, in Japanese.

Every figure is printed with the rule and article that produced it. Input is an
assessment computed with trace=True and the tariff it used.
"""

from __future__ import annotations

from ..engine.calendar import months_ja
from ..engine.money import format_rate
from ..engine.result import NO_INSURED_MONTH, NO_INSURED_MONTH_JA, Assessment
from ..rules import CAP, HEAD_CHANGE, PER_CAPITA, PER_HOUSEHOLD, INCOME_LEVY, ASSET_LEVY, ROUNDING, MONTHS
from ..rules import child_support, reduction_rule, reductions, specified_household
from ..tariff.model import COMPONENT_NAMES, Tariff

_ROLE = {"insured": "被保険者", "fictitious_head": "擬制世帯主（被保険者でない世帯主）",
         "late_elderly": "特定同一世帯所属者（後期高齢者医療へ移行）", "other": "世帯員（国保外）"}


def yen(n: int) -> str:
    return f"{n:,}円"


def wareki(fy: int) -> str:
    return f"令和{fy - 2018}年度" if fy >= 2019 else f"{fy}年度"


def _months(mask: int, fy: int) -> str:
    if not mask:
        return "なし"
    return f"{months_ja(fy, mask)}（{bin(mask).count('1')}か月）"


def _cite(rule) -> str:
    return f"［{rule.title}／{rule.article}］"


def _reduction_line(key: str, value: int, tariff: Tariff, a: Assessment) -> str:
    rule = reduction_rule(key, tariff)
    if key == "statutory":
        text = "法定軽減（納税義務者ごとの判定）" if a.parts else \
            f"法定軽減（{reductions.tier_label(a.reduction.tier)}）"
    else:
        text = rule.title
    return f"　{text}　−{yen(value)} {_cite(rule)}"


def render(a: Assessment, tariff: Tariff) -> str:
    """The breakdown as plain text, one figure per line: header, persons, 軽減判定, each
    component, the parts of a year split by 世帯主変更, and the total with its 期別税額."""
    out: list[str] = []
    add = out.append
    _header(a, tariff, add)
    _persons(a, add)
    if NO_INSURED_MONTH in a.notes:
        add("")
        add(f"■ 年税額（合計）　{yen(0)}")
        add(f"　{NO_INSURED_MONTH_JA}")
        return "\n".join(out) + "\n"
    _judgement(a, add)
    for name, c in a.components.items():
        add("")
        _component(name, c, a, tariff, add)
    _parts(a, add)
    add("")
    if a.total is None:
        add("■ 年税額: 計算できません（税率表に不足があります）")
    else:
        if a.total_rounding:
            add(f"　合計の100円未満切捨て　−{yen(a.total_rounding)} {_cite(ROUNDING)}")
        add(f"■ 年税額（合計）　{yen(a.total)}")
        if a.installments:
            from ..collection import installments_text
            out.extend(installments_text(a.installments, tariff.installments))
    return "\n".join(out) + "\n"


def _header(a: Assessment, tariff: Tariff, add) -> None:
    fy = a.fiscal_year
    add(f"国民健康保険税 {wareki(fy)}（{fy}年4月〜{fy + 1}年3月）税額の内訳")
    muni = tariff.municipality.get("name", "")
    add(f"世帯番号: {a.household}　税率表: {muni} {a.tariff_id}"
        f"（{'検証済み' if a.tariff_status == 'verified' else '未検証'}） sha256 {a.tariff_sha256[:12]}…")
    if a.tariff_status != "verified":
        add(f"　※ この税率表は未検証です: {tariff.status_note}")
    for path, value in a.tariff_overrides:
        add(f"　※ 試算: 税率表の {path} を {value} に変更して計算しています（--set）")
    add(f"計算: {a.engine}")
    add("")


def _persons(a: Assessment, add) -> None:
    fy = a.fiscal_year
    add("■ 世帯の状況")
    for p in a.persons:
        line = f"　{p.id}　{_ROLE[p.role]}"
        if p.months:
            line += f"　加入月 {_months(p.months, fy)}"
            if p.care_months:
                line += f"　介護分 {_months(p.care_months, fy)}"
            line += f"　所得割の算定基礎額 {yen(p.levy_base)}"
            if p.preschool:
                line += "　未就学児"
            elif p.under18 and "child" in a.components:
                line += "　18歳未満"
        add(line)
    add(f"　{_cite(MONTHS)}")


def _judgement(a: Assessment, add) -> None:
    r = a.reduction
    add("")
    add("■ 軽減判定 " + _cite(reductions.JUDGEMENT))
    add(f"　判定日 {r.judged_on.isoformat()}　軽減判定所得 {yen(r.judgement_income)}　"
        f"被保険者等 {r.persons}人　給与所得者等 {r.earners}人")
    add(f"　判定基準額: 7割 {yen(r.thresholds[70])} 以下／5割 {yen(r.thresholds[50])} 以下／"
        f"2割 {yen(r.thresholds[20])} 以下")
    if not r.declared:
        add("　所得の申告がない方がいるため、軽減は行いません")
    if a.provisional:
        add("　※ 所得が未申告又は未確定の方がいるため暫定の税額です。所得が判明したら更正します")
    add(f"　→ {reductions.tier_label(r.tier)}")
    if a.specified_household:
        kind = "特定世帯（平等割 2分の1）" if a.specified_household == "specified" \
            else "特定継続世帯（平等割 4分の3）"
        add(f"　{kind} {_cite(specified_household.SPECIFIED)}")


def _component(name: str, c, a: Assessment, tariff: Tariff, add) -> None:
    label = COMPONENT_NAMES[name]
    if c.missing is not None:       # the note, without the engine's key path
        note = c.missing.split(": ", 1)[1] if c.missing.startswith("components") and \
            ": " in c.missing else c.missing
        add(f"■ {label}: 計算できません（税率表に値がありません: {note}）")
        return
    rates = tariff.components.get(name)
    add(f"■ {label}" + (f"　{rates.method}" if rates else ""))
    if c.months == 0:
        add("　対象となる被保険者がいません　税額 0円")
        return
    _elements(name, c, rates, add)
    after_cap = [(k, v) for k, v in c.reductions.items() if k in c.after_cap]
    for key, value in c.reductions.items():
        if key not in c.after_cap:
            add(_reduction_line(key, value, tariff, a))
    if c.fraction:
        add(f"　1円未満の端数の合計　{'+' if c.fraction > 0 else '−'}{yen(abs(c.fraction))}"
            f"　（上の各行は1円未満切捨て、税額は区分ごとに1回だけ切捨て） {_cite(ROUNDING)}")
    add(f"　軽減後の額　{yen(c.levy)}")
    cap_note = "（法定の上限額）" if rates.cap_is_statutory_default else ""
    add(f"　課税限度額　{yen(c.cap)}{cap_note}" +
        (f"　限度額を超える額 −{yen(c.over_cap)}" if c.over_cap else "") + f" {_cite(CAP)}")
    for key, value in after_cap:
        add(_reduction_line(key, value, tariff, a) + "（限度額適用後の減免）")
    if c.rounding:
        add(f"　100円未満切捨て　−{yen(c.rounding)} {_cite(ROUNDING)}")
    add(f"　{label} 税額　{yen(c.amount)}")


def _elements(name: str, c, rates, add) -> None:
    """所得割額, 資産割額, 均等割額 and 平等割額, each with the rate that made it."""
    if rates.income_rate is not None:
        add(f"　所得割額　{yen(c.income_levy)}　（算定基礎額 × {format_rate(rates.income_rate)}、月割）"
            f" {_cite(INCOME_LEVY)}")
    if rates.asset_rate is not None:
        add(f"　資産割額　{yen(c.asset_levy)}　（固定資産税額 × {format_rate(rates.asset_rate)}、月割）"
            f" {_cite(ASSET_LEVY)}")
    if rates.per_capita is not None:
        if name == "child" and rates.per_capita_adult:
            # the 子ども分 line holds every member's 均等割 and the 18歳以上均等割
            add(f"　均等割額（18歳以上被保険者均等割額を含む）　{yen(c.per_capita)}　（1人 "
                f"{yen(rates.per_capita)}、18歳以上は {yen(rates.per_capita_adult)} を加算、"
                f"月割） {_cite(PER_CAPITA)}{_cite(child_support.ADULT_PER_CAPITA)}")
        else:
            add(f"　均等割額　{yen(c.per_capita)}　（1人 {yen(rates.per_capita)}、月割）"
                f" {_cite(PER_CAPITA)}")
    if rates.per_household is not None:
        add(f"　平等割額　{yen(c.per_household)}　（1世帯 {yen(rates.per_household)}、月割）"
            f" {_cite(PER_HOUSEHOLD)}")


def _parts(a: Assessment, add) -> None:
    if not a.parts:
        return
    add("")
    add(f"■ 世帯主変更による納税義務者ごとの税額 {_cite(HEAD_CHANGE)}")
    for part in a.parts:
        comps = "、".join(f"{COMPONENT_NAMES[k].split('（')[1].rstrip('）')} {yen(c.amount)}"
                         for k, c in part.components.items() if c.amount is not None)
        tier = reductions.tier_label(part.reduction.tier)
        total = "計算できません" if part.total is None else yen(part.total)
        add(f"　{part.head}　{_months(part.months, a.fiscal_year)}　判定日 "
            f"{part.reduction.judged_on.isoformat()} {tier}　{comps}　計 {total}")
