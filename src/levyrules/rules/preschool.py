"""未就学児の均等割軽減 (医療分・支援分), rulebook §4.1."""

from __future__ import annotations

from fractions import Fraction

from . import rule

PRESCHOOL = rule("preschool_reduction", "未就学児の均等割額の5割軽減（法定軽減後の額の2分の1）",
                 "地方税法703条の5第2項・地方税法施行令56条の89の2")

COMPONENTS = frozenset(("medical", "support"))


def payable(amount_after_statutory: int, share: Fraction) -> int:
    """What the child pays: floor(post-軽減 amount × (1 − share)); share is ½ by law."""
    known = _KEEP.get(id(share))
    if known is None or known[0] is not share:
        if len(_KEEP) > 64:
            _KEEP.clear()
        known = _KEEP[id(share)] = (share, 1 - share)
    keep = known[1]
    return amount_after_statutory * keep.numerator // keep.denominator


# 1 − share by the share object (a tariff's national value: few, long-lived); Fraction
# arithmetic costs microseconds, the look-up does not
_KEEP: dict[int, tuple] = {}
