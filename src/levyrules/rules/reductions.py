"""7割・5割・2割軽減 (低所得者の均等割・平等割の減額), rulebook §3."""

from __future__ import annotations

from fractions import Fraction

from ..tariff.national import National
from . import rule

STATUTORY = rule("statutory_reduction", "均等割・平等割の7割・5割・2割軽減",
                 "地方税法703条の5第1項・地方税法施行令56条の89")
JUDGEMENT = rule("reduction_judgement", "軽減判定所得と判定基準額（判定日: 4月1日又は納税義務発生日）",
                 "地方税法703条の5第1項・施行令56条の89第2項")

def tier_label(tier: int) -> str:
    """The tier as a notice prints it: 「7割軽減」「5割軽減」「2割軽減」 or 「軽減なし」."""
    return f"{tier // 10}割軽減" if tier else "軽減なし"


TIER_RATES = {70: Fraction(7, 10), 50: Fraction(5, 10), 20: Fraction(2, 10), 0: Fraction(0)}


def thresholds(nat: National, persons: int, earners: int) -> dict[int, int]:
    """判定基準額 per tier (以下 ⇒ the tier applies). `persons` = 被保険者数 + 特定同一世帯所属者数."""
    extra = nat.reduction_per_earner * max(0, earners - 1)
    base = nat.reduction_base + extra
    return {70: base,
            50: base + nat.reduction_per_person_50 * persons,
            20: base + nat.reduction_per_person_20 * persons}


def judge_tier(nat: National, judgement_income: int, persons: int, earners: int) -> int:
    """The 軽減 tier (70, 50, 20 or 0): the first threshold the income does not exceed."""
    return tier_within(thresholds(nat, persons, earners), judgement_income)


def tier_within(limits: dict[int, int], judgement_income: int) -> int:
    """The tier of `judgement_income` under the 判定基準額 `limits` (thresholds())."""
    for tier, limit in limits.items():
        if judgement_income <= limit:
            return tier
    return 0


def reduced(amount: int, tier: int) -> int:
    """The payable amount after the 軽減: floor(amount × (1 − r)) (rulebook §3.6 default)."""
    if not tier:
        return amount
    keep = 100 - tier
    return amount * keep // 100


def reduced_columns(amount, tier):
    """The column form of `reduced` (int64 arrays; tier 0 keeps the whole amount)."""
    return amount * (100 - tier) // 100
