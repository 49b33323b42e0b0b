"""The 端数処理 (and, for staff, the rulebook options) rows of `levyrules show`."""

from __future__ import annotations

import attrs

from ..tariff.model import Tariff

_ROUNDING = {
    "yen": ("1円未満の端数", {"per_component": "区分ごとに合計してから切捨て",
                             "per_element": "所得割・均等割など要素ごとに切捨て"}),
    "hundred": ("100円未満の端数", {"per_component": "区分ごとに切捨て", "total": "合計額で切捨て",
                                  "none": "切捨てなし（保険料）", "per_person": "区分内で1人ごとに切捨て"}),
    "income_base": ("所得割の算定基礎", {"none": "切捨てなし",
                                        "floor_1000_per_person": "1人ごとに1,000円未満切捨て"}),
}
_OPTIONS = {
    "cap_policy": ("年度途中の加入・脱退と限度額", {"A": "A: 限度額を加入月数で月割",
                                                   "B": "B: 各月の額を限度額で抑えて合計"}),
    "fictitious_head_counts_as_earner": ("擬制世帯主を給与所得者等の数に含める", None),
    "specified_household_child": ("子ども分にも特定世帯の平等割減額", None),
    "unemployment_adjustment": ("非自発的失業の給与所得30/100", {
        "after": "所得金額調整控除の後に適用", "before": "所得金額調整控除の前に適用"}),
    "former_dependent_timing": ("旧被扶養者の減免", {"after_cap": "限度額の適用後",
                                                     "before_cap": "限度額の適用前"}),
    "childbirth_asset": ("産前産後の免除を資産割にも適用", None),
    "statuses_on_child": ("産前産後・旧被扶養者の減額を子ども分にも適用", None),
}


def settings_rows(t: Tariff, internal: bool) -> list[tuple]:
    """端数処理 in words; with `internal`, the options of the tariff too."""
    rows = []
    for key, (label, values) in _ROUNDING.items():
        v = getattr(t.rounding, key)
        rows.append((label, values.get(v, v)))
    if not internal:
        return rows
    for f in attrs.fields(type(t.options)):
        v = getattr(t.options, f.name)
        label, values = _OPTIONS.get(f.name, (f.name, None))
        if isinstance(v, bool):
            text = "する" if v else "しない"
        else:
            text = (values or {}).get(v, str(v))
        rows.append((label, text))
    return rows
