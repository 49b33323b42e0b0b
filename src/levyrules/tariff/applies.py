"""Whether a tariff applies to a household (課税団体): the arguments of `assess`.

The 国民健康保険税 of a household is levied by its own municipality under that
municipality's 条例 (地方税法703条の4): a household that names its municipality
(``"municipality": "iwaki"`` or a 団体コード) is refused under another
municipality's tariff, unless the caller says on purpose that it wants that
(``allow_other_municipality=True``; on the command line, ``--tariff`` with a
warning, which ``--strict`` turns into a refusal).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import InputError


def check_arguments(household: Any, tariff: Any) -> None:
    """TypeError with a sentence for arguments of the wrong kind."""
    from ..engine.household import Household
    from .model import Tariff
    if not isinstance(household, Household):
        raise TypeError("assess() takes a levyrules.Household as its first argument, not "
                        f"{type(household).__name__}: read one with "
                        "levyrules.Household.from_json(data)")
    if not isinstance(tariff, Tariff):
        raise TypeError("assess() takes a levyrules.Tariff as its second argument, not "
                        f"{type(tariff).__name__}: load one with "
                        "levyrules.load_tariff('iwaki/2025') (an id or a path)")


def other_municipality(household: Any, tariff: Any) -> str | None:
    """A sentence when the household names another municipality than the tariff's, else None."""
    named = household.municipality
    if not named:
        return None
    town = tariff.municipality
    label = f"{town.get('name', '')} ({town.get('slug', '')})".strip()
    if re.fullmatch(r"\d{6}", named):
        if town.get("code") == named:
            return None
        if not town.get("code"):
            return (f"the household names 団体コード {named}, and tariff {tariff.id} of {label} "
                    f"states no 団体コード to compare it with")
        return (f"the household is for 団体コード {named}, but tariff {tariff.id} is for {label} "
                f"({town['code']})")
    if named == town.get("slug"):
        return None
    return f"the household is for municipality {named!r}, but tariff {tariff.id} is for {label}"


def check_municipality(household: Any, tariff: Any, allow_other_municipality: bool) -> None:
    """Refuse a household of another municipality unless the caller allows it on purpose."""
    problem = None if allow_other_municipality else other_municipality(household, tariff)
    if problem:
        raise InputError("municipality", problem + " (to assess it anyway, pass "
                                                   "allow_other_municipality=True)")
