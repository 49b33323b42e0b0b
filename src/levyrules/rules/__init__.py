"""The legal rules (法令の規定), one module per rule family.

Every rule has an id and the article that makes it law; the trace and the
`--explain` breakdown name both.
"""

from __future__ import annotations

import attrs


@attrs.frozen(slots=True)
class Rule:
    id: str
    title: str        # Japanese name, as a notice would print it
    article: str      # the law or 条例 article


REGISTRY: dict[str, Rule] = {}


def rule(id: str, title: str, article: str) -> Rule:
    """Declare a rule once; its id is unique across the engine."""
    r = Rule(id, title, article)
    if id in REGISTRY and REGISTRY[id] != r:
        raise ValueError(f"rule {id} declared twice")
    REGISTRY[id] = r
    return r


# Rules of the pipeline itself (the levy elements, 月割, caps, rounding)
MONTHS = rule("months", "月割（資格取得月から資格喪失月の前月まで）",
              "地方税法703条の4第1項・各市町村国民健康保険税条例（賦課期日後の納税義務の発生・消滅）")
CARE_AGE = rule("care_age", "介護納付金課税被保険者（40歳以上65歳未満）の月",
                "地方税法703条の4第2項・介護保険法9条2号・年齢計算ニ関スル法律")
LATE_ELDERLY = rule("late_elderly", "75歳到達による後期高齢者医療への移行（誕生日に国保資格喪失）",
                    "高齢者の医療の確保に関する法律50条・52条")
INCOME_LEVY = rule("income_levy", "所得割額（基礎控除後の総所得金額等×所得割率）",
                   "地方税法703条の4第4項・第6項（旧ただし書き所得）・314条の2第2項")
ASSET_LEVY = rule("asset_levy", "資産割額（固定資産税額×資産割率）", "地方税法703条の4第4項")
PER_CAPITA = rule("per_capita", "被保険者均等割額", "地方税法703条の4第4項")
PER_HOUSEHOLD = rule("per_household", "世帯別平等割額", "地方税法703条の4第4項")
FICTITIOUS_HEAD = rule("fictitious_head", "擬制世帯主（被保険者でない世帯主）には所得割・資産割・均等割を課さない",
                       "地方税法703条の4第1項・各市町村国民健康保険税条例")
CAP = rule("cap", "課税限度額", "地方税法703条の4第10項・地方税法施行令56条の88の2")
HEAD_CHANGE = rule("head_change", "世帯主変更: 変更月から新世帯主が納税義務者（軽減の再判定・特定世帯の終了）",
                   "地方税法703条の4第1項・各市町村国民健康保険税条例（納税義務者）")
ROUNDING = rule("rounding", "端数処理（1円未満・100円未満切捨て）", "地方税法20条の4の2第3項")


def reduction_rule(key: str, tariff=None) -> Rule:
    """The rule behind a `reductions` key of the output (relief.<id> from the tariff)."""
    from . import (child_support, childbirth, former_dependent, preschool, reductions,
                   specified_household, unemployment)
    fixed = {"statutory": reductions.STATUTORY, "preschool": preschool.PRESCHOOL,
             "child_under18": child_support.UNDER18,
             "specified_household": specified_household.SPECIFIED,
             "involuntary_unemployment": unemployment.UNEMPLOYMENT,
             "childbirth": childbirth.CHILDBIRTH,
             "former_dependent": former_dependent.FORMER_DEPENDENT}
    if key in fixed:
        return fixed[key]
    rid = key.split(".", 1)[1]
    for r in (tariff.relief if tariff is not None else ()):
        if r.id == rid:
            return Rule(key, r.title, r.article or "地方税法717条・条例（減免）")
    return Rule(key, key, "地方税法717条・条例（減免）")
