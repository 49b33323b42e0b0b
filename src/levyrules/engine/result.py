"""The assessment (賦課) of one household: component levies, the 軽減, and the trace."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from ..version import __version__

REDUCTION_KEYS = ("statutory", "preschool", "child_under18", "specified_household")

# what made the assessment (Assessment.engine)
ENGINE = f"levyrules {__version__}"

# the note of a year with no insured month (tax 0), in the JSON and on the notice
NO_INSURED_MONTH = ("no insured month in the fiscal year (coverage withdrawn or never in "
                    "force): no 納税義務, tax 0")
NO_INSURED_MONTH_JA = "この年度に国保の加入月がありません（資格の取消・遡及喪失等）: 納税義務なし、税額0円"


@attrs.define(slots=True)
class ComponentLevy:
    """One component's tax (区分ごとの税額). Element amounts are after 月割, before reductions."""
    name: str
    income_levy: int          # 所得割額
    asset_levy: int           # 資産割額
    per_capita: int           # 均等割額 (incl. 18歳以上均等割 for 子ども分)
    per_household: int        # 平等割額
    reductions: dict          # key -> yen (statutory, preschool, child_under18, specified_household)
    levy: int                 # after reductions, before the cap (1円未満切捨て)
    cap: int                  # the cap in force (prorated by months with members, policy A)
    over_cap: int             # 課税限度額を超える額
    rounding: int             # 端数: cut below 100円
    amount: int               # 税額 of the component
    months: int               # months with at least one member in the component
    missing: str | None = None  # set when the tariff does not know this component
    fraction: int = 0         # 1円未満の端数: what the sub-yen parts of the floored lines add
    #                           up to under the one floor of the levy (may be negative)
    after_cap: tuple = ()     # the reductions keys applied after the cap (減免)

    @staticmethod
    def unknown(name: str, note: str) -> "ComponentLevy":
        """A component that cannot be computed: every figure is None."""
        return ComponentLevy(name, None, None, None, None, {}, None, None, None, None, None,
                             None, note)

    def to_json(self) -> dict:
        if self.missing is not None:
            return {"amount": None, "missing": self.missing}
        return {"income_levy": self.income_levy, "asset_levy": self.asset_levy,
                "per_capita": self.per_capita, "per_household": self.per_household,
                "reductions": dict(self.reductions), "fraction": self.fraction,
                "after_cap": list(self.after_cap), "levy": self.levy, "cap": self.cap,
                "over_cap": self.over_cap, "rounding": self.rounding, "amount": self.amount,
                "months": self.months}


@attrs.define(slots=True)
class Reduction:
    """The 軽減判定 of the household."""
    tier: int                 # 70, 50, 20 or 0
    judgement_income: int     # 軽減判定所得
    judged_on: date           # 判定日
    persons: int              # 被保険者数 + 特定同一世帯所属者数
    earners: int              # 給与所得者等の数
    thresholds: dict          # tier -> 判定基準額
    declared: bool            # False: someone counted has not declared income (未申告) → no 軽減

    def to_json(self) -> dict:
        return {"tier": self.tier, "judgement_income": self.judgement_income,
                "judged_on": self.judged_on.isoformat(), "persons": self.persons,
                "earners": self.earners,
                "thresholds": {str(k): v for k, v in self.thresholds.items()},
                "declared": self.declared}


@attrs.define(slots=True)
class PersonResult:
    """Per person: the monthly flags and income figures the assessment file keeps."""
    id: str
    role: str                 # insured | fictitious_head | late_elderly (特定同一世帯所属者) | other
    months: int               # 12-bit mask of insured months (bit 0 = April)
    care_months: int          # 12-bit mask of 介護 months
    levy_base: int            # 所得割 base (0 when not levied)
    judgement_income: int | None   # part of the 軽減判定所得 (None = not counted)
    earner: bool | None
    preschool: bool
    under18: bool

    def to_json(self) -> dict:
        from .calendar import months_text
        return {"id": self.id, "role": self.role, "months": months_text(self.months),
                "care_months": months_text(self.care_months), "income_base": self.levy_base,
                "judgement_income": self.judgement_income, "earner": self.earner,
                "preschool": self.preschool, "under18": self.under18}


@attrs.define(slots=True)
class HeadPart:
    """One 納税義務者's share of the year after a 世帯主変更 (rulebook §10.6)."""
    head: str
    months: int               # 12-bit mask of the months this 世帯主 is liable for
    reduction: Reduction      # re-judged from the change date
    components: dict
    total: int | None
    installments: tuple = ()

    def to_json(self) -> dict:
        from .calendar import months_text
        return {"head": self.head, "months": months_text(self.months),
                "reduction": self.reduction.to_json(),
                "components": {k: v.to_json() for k, v in self.components.items()},
                "total": self.total, "installments": list(self.installments)}


@attrs.define(slots=True)
class Assessment:
    household: str
    fiscal_year: int
    tariff_id: str
    tariff_sha256: str
    tariff_status: str
    reduction: Reduction
    specified_household: str | None
    components: dict          # name -> ComponentLevy, in statutory order
    total: int | None         # 年税額 (None when a component is unknown: see `complete`)
    total_rounding: int       # cut from the total when the tariff rounds on the total
    persons: tuple
    trace: tuple = ()
    installments: tuple = ()
    engine: str = ENGINE
    parts: tuple = ()         # HeadPart per 納税義務者 when the 世帯主 changed in the year
    provisional: bool = False # someone's income is undeclared or not yet known: revise later
    tariff_overrides: tuple = ()   # (path, value) changed by --set for this run (a 試算)
    notes: tuple = ()         # sentences about the whole result (e.g. no insured month: tax 0)

    def to_json(self) -> dict[str, Any]:
        """The contract's assessment JSON as a plain dict (json.dumps it to write it)."""
        out: dict[str, Any] = {
            "household": self.household,
            "fiscal_year": self.fiscal_year,
            "tariff": {"id": self.tariff_id, "sha256": self.tariff_sha256,
                       "status": self.tariff_status},
            "engine": self.engine,
            "reduction": self.reduction.to_json(),
            "specified_household": self.specified_household,
            "components": {k: v.to_json() for k, v in self.components.items()},
            "total": self.total,
            "complete": self.total is not None,
            "provisional": self.provisional,
            "total_rounding": self.total_rounding,
            "installments": list(self.installments),
            "persons": [p.to_json() for p in self.persons],
        }
        if self.tariff_overrides:
            out["tariff"]["overrides"] = {k: v for k, v in self.tariff_overrides}
        if self.notes:
            out["notes"] = list(self.notes)
        if self.parts:
            out["parts"] = [p.to_json() for p in self.parts]
        if self.trace:
            out["trace"] = [dict(t) for t in self.trace]
        return out
