"""Program B (適正賦課検算): re-assess every household of a population under a tariff and
total what is levied, per component and element, after 軽減, 未就学児 and the caps.

Every figure is a sum of :func:`levyrules.assess` results: nothing here computes tax.
The 軽減額 the city recovers through 保険基盤安定 (保険基盤安定繰入金, 国民健康保険法72条の3 and
72条の3の3 [K]: 7割・5割・2割軽減, 未就学児 and 子ども分18歳未満 均等割軽減) is kept apart
from what is levied, as the 運営協議会 資料 shows both.

:func:`_levy_population` is the one place a population is evaluated: by the columnar
evaluator (levyrules.batch), equal to `assess` on every household.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import attrs

from ..errors import InputError
from ..engine.household import Household
from ..engine.jsonread import read_json
from ..population.rows import HOUSEHOLD_TYPES, REDUCTIONS  # one definition for batch and simulate
from ..tariff.model import Tariff

# reductions covered by 保険基盤安定 (保険税軽減分)
KIBAN = ("statutory", "preschool", "child_under18")
ELEMENT_FIELDS = ("income_levy", "asset_levy", "per_capita", "per_household")
# 所得階層: 軽減判定所得 (総所得金額等) bands, upper bounds inclusive
INCOME_BANDS = (0, 430_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000, 10_000_000, None)


def read_population(path: str | Path) -> list[Household]:
    """Households from JSON Lines (one contract household per line), parsed once.

    A bad line is one InputError naming the line and the field, never its value."""
    path = Path(path)
    out, seen = [], {}
    try:
        f = open(path, "rb")
    except OSError as e:
        raise InputError("population", f"{path}: cannot be read ({type(e).__name__})") from None
    with f:
        for n, raw in enumerate(f, 1):
            try:
                text = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                raise InputError(f"line {n}", "is not valid UTF-8") from None
            if not text.strip():
                continue
            try:        # the one JSON reader: no key twice, bounded numbers and nesting
                h = Household.from_json(read_json(text, ""))
            except InputError as e:
                raise InputError(f"line {n}: {e.field}" if e.field else f"line {n}",
                                 e.message) from None
            if h.id in seen:        # counted twice, it would weigh twice in every base
                raise InputError(f"line {n}: id", f"the household id is used by the "
                                                  f"household of line {seen[h.id]}")
            seen[h.id] = n
            out.append(h)
    if not out:
        raise InputError("population", f"{path}: no households")
    return out


@attrs.define(slots=True)
class ComponentTotals:
    """One component over the population (yen)."""
    name: str
    households: int = 0           # households liable for the component
    income_levy: int = 0          # 所得割額 (after 月割, before 軽減)
    asset_levy: int = 0           # 資産割額
    per_capita: int = 0           # 均等割額
    per_household: int = 0        # 平等割額
    reductions: dict = attrs.Factory(dict)   # key -> yen (statutory, preschool, ...)
    levy: int = 0                 # after 軽減, before the cap
    over_cap: int = 0             # 限度超過額
    over_cap_households: int = 0
    rounding: int = 0             # 100円未満の端数
    amount: int = 0               # 調定額

    @property
    def gross(self) -> int:
        return self.income_levy + self.asset_levy + self.per_capita + self.per_household

    @property
    def kiban(self) -> int:
        """軽減額 recovered through 保険基盤安定."""
        return sum(self.reductions.get(k, 0) for k in KIBAN)

    @property
    def assessed(self) -> int:
        """賦課額 before 軽減 (調定額 + 保険基盤安定の軽減額)."""
        return self.amount + self.kiban

    def measure(self, basis: str) -> int:
        return self.assessed if basis == "assessed" else self.amount


@attrs.frozen(slots=True)
class HouseholdRow:
    """What the report needs of one household's assessment."""
    total: int
    judgement_income: int
    tier: int
    kind: str
    over_cap: bool


@attrs.define(slots=True)
class GroupTotals:
    households: int = 0
    amount: int = 0
    kiban: int = 0
    over_cap: int = 0


@attrs.define(slots=True)
class Recheck:
    """Program B's result: totals per component, per household type and income band."""
    tariff_id: str
    components: dict
    rows: list                    # HouseholdRow per household, in population order
    by_type: dict = attrs.Factory(dict)     # kind -> GroupTotals
    by_band: dict = attrs.Factory(dict)     # band index -> GroupTotals
    by_tier: dict = attrs.Factory(dict)     # 軽減 tier -> GroupTotals

    @property
    def households(self) -> int:
        return len(self.rows)

    @property
    def total(self) -> int:
        """年税額 over the population (after a tariff's rounding on the total)."""
        return sum(r.total for r in self.rows)


def income_band(judgement_income: int) -> int:
    for i, top in enumerate(INCOME_BANDS):
        if top is None or judgement_income <= top:
            return i
    raise AssertionError("unreachable")


def recheck(households: Iterable[Household], tariff: Tariff) -> Recheck:
    """Program B: the population's levy under `tariff` (see the module docstring)."""
    return _levy_population(households, tariff)


def _levy_population(households: Iterable[Household], tariff: Tariff) -> Recheck:
    """The population's totals under `tariff`, from the columnar evaluator
    (levyrules.batch: equal to `assess` household by household).

    The 期割 (installments) do not change any total, so the passes assess without the
    tariff's 納期. The population's columns are built once and kept for the next pass
    (program C re-checks the same households under many rate sets)."""
    from ..batch.evaluate import assess_columns
    lean = attrs.evolve(tariff, installments=None) if tariff.installments else tariff
    cols = assess_columns(_columns_of(households), lean)
    if cols.rejects:
        i, e = min(cols.rejects, key=lambda r: r[0])
        field = getattr(e, "field", "")
        raise InputError(f"population[{i}]" + (f".{field}" if field else ""),
                         getattr(e, "message", str(e)))
    a = cols.arrays
    comps = {name: _component_totals(name, a, tariff) for name in tariff.components}
    over = [False] * len(cols)
    kiban = [0] * len(cols)
    for name in comps:
        if f"{name}_over_cap" in a:
            over = [o or c > 0 for o, c in zip(over, a[f"{name}_over_cap"].tolist())]
            for k in KIBAN_COLUMNS:
                kiban = [x + y for x, y in zip(kiban, a[f"{name}_{k}"].tolist())]
    res = Recheck(tariff.id, comps, [])
    for t, j, tier, kind, o, k in zip(a["total"].tolist(), a["judgement_income"].tolist(),
                                      a["tier"].tolist(), a["household_type"].tolist(),
                                      over, kiban):
        row = HouseholdRow(t, j, tier, kind, o)
        res.rows.append(row)
        for groups, key in ((res.by_type, kind), (res.by_band, income_band(j)),
                            (res.by_tier, tier)):
            g = groups.get(key)
            if g is None:
                g = groups[key] = GroupTotals()
            g.households += 1
            g.amount += t
            g.kiban += k
            g.over_cap += o
    return res


# the 保険基盤安定 reductions as assessment-file columns (the 7割・5割・2割軽減 in two parts)
KIBAN_COLUMNS = ("statutory_per_capita", "statutory_per_household", "preschool",
                 "child_under18")
_CACHE: list = [None, None]      # (households list, its Population): one population kept


def _columns_of(households: Iterable[Household]):
    from ..batch.population import from_households
    if _CACHE[0] is households:
        return _CACHE[1]
    hs = households if isinstance(households, (list, tuple)) else list(households)
    pop = from_households(hs)
    _CACHE[:] = [hs, pop]
    return pop


def _component_totals(name: str, a: dict, tariff: Tariff) -> ComponentTotals:
    t = ComponentTotals(name)
    if f"{name}_months" not in a:
        return t
    liable = a[f"{name}_months"] > 0
    t.households = int(liable.sum())
    for f in ELEMENT_FIELDS + ("levy", "over_cap", "rounding", "amount"):
        setattr(t, f, int(a[f"{name}_{f}"].sum()))
    t.over_cap_households = int((a[f"{name}_over_cap"] > 0).sum())
    keys = [("statutory", ("statutory_per_capita", "statutory_per_household"))]
    keys += [(k, (k,)) for k in REDUCTIONS]
    keys += [(f"relief.{r.id}", (f"relief_{r.id}",)) for r in tariff.relief]
    for key, columns in keys:
        v = sum(int(a[f"{name}_{c}"].sum()) for c in columns)
        if v:
            t.reductions[key] = v
    return t
