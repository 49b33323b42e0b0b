"""The report's Japanese labels (each defined once here) and its display statistics."""

from __future__ import annotations

from fractions import Fraction

from ..rules.reductions import tier_label
from .recheck import INCOME_BANDS

BASIS_LABELS = {"assessed": "賦課総額（軽減前）", "levied": "調定額（軽減後）"}
ELEMENT_LABELS = ("所得割額", "資産割額", "均等割額", "平等割額")
# reduction keys of ComponentLevy.reductions shown in the totals (short headings)
REDUCTION_LABELS = {"statutory": "7・5・2割軽減額", "preschool": "未就学児軽減額",
                    "child_under18": "18歳未満軽減額", "specified_household": "特定世帯軽減額"}
TYPE_LABELS = {"single_under65": "単身（65歳未満）", "single_65plus": "単身（65歳以上）",
               "adults": "2人以上（18歳未満なし）", "with_children": "18歳未満のいる世帯",
               "fictitious_head": "擬制世帯主の世帯"}
TIER_LABELS = {tier: tier_label(tier) for tier in (70, 50, 20, 0)}
# (lowest, highest, label) of the yearly change, yen, bounds inclusive
CHANGE_BUCKETS = ((None, -10_000, "1万円以上減"), (-9_999, -1, "1万円未満の減"),
                  (0, 0, "変わらず"), (1, 4_999, "5千円未満の増"),
                  (5_000, 9_999, "5千円以上1万円未満の増"),
                  (10_000, 29_999, "1万円以上3万円未満の増"), (30_000, None, "3万円以上の増"))


def _man(yen: int) -> str:
    if not yen:
        return "0円"
    return f"{yen // 10_000:,}万円" if yen % 10_000 == 0 else f"{yen:,}円"


def _bands() -> dict:
    out = {}
    prev = None
    for i, top in enumerate(INCOME_BANDS):
        if prev is None:
            out[i] = "所得0円以下"
        elif top is None:
            out[i] = f"{_man(prev)}超"
        else:
            out[i] = f"{_man(prev)}超{_man(top)}以下"
        prev = top
    return out


BAND_LABELS = _bands()


def yen_mean(total: int, n: int) -> int:
    """A mean in yen, rounded half up (a display statistic, not a tax amount)."""
    if not n:
        return 0
    q = Fraction(total, n)
    return (q.numerator * 2 + q.denominator) // (2 * q.denominator)


def percent(change: int, base: int) -> str:
    """The change as a percentage of `base`, one decimal, rounded half up ("+3.2%")."""
    if not base:
        return "—"
    q = Fraction(change * 1000, base)
    tenths = (abs(q.numerator) * 2 + q.denominator) // (2 * q.denominator)
    sign = "+" if change > 0 else ("−" if change < 0 and tenths else "")
    return f"{sign}{tenths // 10}.{tenths % 10}%"
