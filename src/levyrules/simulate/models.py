"""モデル世帯: the typical households a 運営協議会 資料 shows under each rate plan.

Synthetic contract households (opaque ids, no personal data), insured all year; ages
are on 1 April of the fiscal year (birthdays in October, none crossing 40 or 65 in the
year) and incomes are those of the previous calendar year.
"""

from __future__ import annotations

from ..authoring.diff import _household, _person
from ..engine.household import Household

# (id, label, persons: (age, income, fixed_asset_tax))
MODELS = (
    ("single-pension-150", "単身・年金収入150万円（70歳）",
     ((70, {"pension_revenue": 1_500_000}, 0),)),
    ("single-pension-200", "単身・年金収入200万円（70歳）",
     ((70, {"pension_revenue": 2_000_000}, 0),)),
    ("couple-pension", "夫婦・年金収入240万円と80万円（72歳・70歳）",
     ((72, {"pension_revenue": 2_400_000}, 0), (70, {"pension_revenue": 800_000}, 0))),
    ("salary-family", "給与世帯4人・給与収入400万円（42歳・40歳・子10歳・子4歳）",
     ((42, {"salary_revenue": 4_000_000}, 0), (40, {"salary_revenue": 900_000}, 0),
      (10, {}, 0), (4, {}, 0))),
    ("self-employed-3", "自営業3人・営業所得300万円（50歳・48歳・子16歳）",
     ((50, {"business_income": 3_000_000}, 60_000), (48, {}, 0), (16, {}, 0))),
    ("at-cap", "限度額世帯・営業所得2,000万円（55歳・52歳）",
     ((55, {"business_income": 20_000_000}, 300_000), (52, {}, 0))),
)


def model_households(fiscal_year: int) -> list[tuple[str, Household]]:
    """(label, household) of each model household for `fiscal_year` (built like the
    reference households of `levyrules diff`)."""
    return [(label, Household.from_json(_household(f"M-{mid}", fiscal_year, [
        _person(f"p{i}", fiscal_year, age, income, fixed_asset_tax=asset)
        for i, (age, income, asset) in enumerate(persons, 1)])))
        for mid, label, persons in MODELS]
