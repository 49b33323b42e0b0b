"""未就学児の均等割軽減 (医療分・支援分), rulebook §4.1."""

from __future__ import annotations

from fractions import Fraction

from . import rule

PRESCHOOL = rule("preschool_reduction", "未就学児の均等割額の5割軽減（法定軽減後の額の2分の1）",
                 "地方税法703条の5第2項・地方税法施行令56条の89の2")

COMPONENTS = frozenset(("medical", "support"))


def payable(amount_after_statutory: int, share: Fraction) -> int:
    """What the child pays: floor(post-軽減 amount × (1 − share)); share is ½ by law."""
    keep = 1 - share
    return amount_after_statutory * keep.numerator // keep.denominator
