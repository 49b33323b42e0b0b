"""The resident's breakdown (納税通知書の内訳) of an assessment, in Japanese.

Every figure is printed with the rule and article that produced it. Input is an
assessment computed with trace=True and the tariff it used.
"""

from __future__ import annotations

from .calendar import fy_month
from .money import format_rate
from .result import Assessment
from .rules import CAP, HEAD_CHANGE, PER_CAPITA, PER_HOUSEHOLD, INCOME_LEVY, ASSET_LEVY, ROUNDING, MONTHS
from .rules import child_support, reduction_rule, reductions, specified_household
from .tariff.model import COMPONENT_NAMES, Tariff

_ROLE = {"insured": "被保険者", "fictitious_head": "擬制世帯主（被保険者でない世帯主）",
         "late_elderly": "特定同一世帯所属者（後期高齢者医療へ移行）", "other": "世帯員（国保外）"}


def yen(n: int) -> str:
    return f"{n:,}円"


def wareki(fy: int) -> str:
    return f"令和{fy - 2018}年度" if fy >= 2019 else f"{fy}年度"


def _months(mask: int, fy: int) -> str:
    if not mask:
        return "なし"
    idx = [i for i in range(12) if mask >> i & 1]
    runs, start, prev = [], idx[0], idx[0]
    for i in idx[1:] + [None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        a, b = fy_month(fy, start), fy_month(fy, prev)
        runs.append(f"{a[0]}年{a[1]}月" + ("" if start == prev else f"〜{b[0]}年{b[1]}月"))
        if i is not None:
            start = prev = i
    return "・".join(runs) + f"（{len(idx)}か月）"


def _cite(rule) -> str:
    return f"［{rule.title}／{rule.article}］"


def render(a: Assessment, tariff: Tariff) -> str:
    """The breakdown as plain text, one figure per line."""
    fy = a.fiscal_year
    out: list[str] = []
    add = out.append
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
    add(f"　→ {r.tier // 10}割軽減" if r.tier else "　→ 軽減なし")
    if a.specified_household:
        kind = "特定世帯（平等割 2分の1）" if a.specified_household == "specified" \
            else "特定継続世帯（平等割 4分の3）"
        add(f"　{kind} {_cite(specified_household.SPECIFIED)}")
    for name, c in a.components.items():
        add("")
        label = COMPONENT_NAMES[name]
        if c.missing is not None:       # the note, without the engine's key path
            note = c.missing.split(": ", 1)[1] if c.missing.startswith("components") and \
                ": " in c.missing else c.missing
            add(f"■ {label}: 計算できません（税率表に値がありません: {note}）")
            continue
        rates = tariff.components.get(name)
        add(f"■ {label}" + (f"　{rates.method}" if rates else ""))
        if c.months == 0:
            add("　対象となる被保険者がいません　税額 0円")
            continue
        if rates.income_rate is not None:
            add(f"　所得割額　{yen(c.income_levy)}　（算定基礎額 × {format_rate(rates.income_rate)}、月割）"
                f" {_cite(INCOME_LEVY)}")
        if rates.asset_rate is not None:
            add(f"　資産割額　{yen(c.asset_levy)}　（固定資産税額 × {format_rate(rates.asset_rate)}、月割）"
                f" {_cite(ASSET_LEVY)}")
        if rates.per_capita is not None:
            extra = ""
            if name == "child" and rates.per_capita_adult:
                extra = f"、18歳以上 {yen(rates.per_capita_adult)} を加算"
            add(f"　均等割額　{yen(c.per_capita)}　（1人 {yen(rates.per_capita)}{extra}、月割）"
                f" {_cite(PER_CAPITA if name != 'child' else child_support.ADULT_PER_CAPITA)}")
        if rates.per_household is not None:
            add(f"　平等割額　{yen(c.per_household)}　（1世帯 {yen(rates.per_household)}、月割）"
                f" {_cite(PER_HOUSEHOLD)}")
        for key, value in c.reductions.items():
            rule = reduction_rule(key, tariff)
            if key == "statutory":
                text = "法定軽減（納税義務者ごとの判定）" if a.parts else f"法定軽減（{r.tier // 10}割）"
            else:
                text = rule.title
            add(f"　{text}　−{yen(value)} {_cite(rule)}")
        add(f"　軽減後の額　{yen(c.levy)}")
        cap_note = "（法定の上限額）" if rates.cap_is_statutory_default else ""
        add(f"　課税限度額　{yen(c.cap)}{cap_note}" +
            (f"　限度額を超える額 −{yen(c.over_cap)}" if c.over_cap else "") + f" {_cite(CAP)}")
        if c.rounding:
            add(f"　100円未満切捨て　−{yen(c.rounding)} {_cite(ROUNDING)}")
        add(f"　{label} 税額　{yen(c.amount)}")
    if a.parts:
        add("")
        add(f"■ 世帯主変更による納税義務者ごとの税額 {_cite(HEAD_CHANGE)}")
        for part in a.parts:
            comps = "、".join(f"{COMPONENT_NAMES[k].split('（')[1].rstrip('）')} {yen(c.amount)}"
                             for k, c in part.components.items() if c.amount is not None)
            tier = f"{part.reduction.tier // 10}割軽減" if part.reduction.tier else "軽減なし"
            total = "計算できません" if part.total is None else yen(part.total)
            add(f"　{part.head}　{_months(part.months, a.fiscal_year)}　判定日 "
                f"{part.reduction.judged_on.isoformat()} {tier}　{comps}　計 {total}")
    add("")
    if a.total is None:
        add("■ 年税額: 計算できません（税率表に不足があります）")
    else:
        if a.total_rounding:
            add(f"　合計の100円未満切捨て　−{yen(a.total_rounding)} {_cite(ROUNDING)}")
        add(f"■ 年税額（合計）　{yen(a.total)}")
        if a.installments:
            from .collection import installments_text
            out.extend(installments_text(a.installments, tariff.installments))
    return "\n".join(out) + "\n"
