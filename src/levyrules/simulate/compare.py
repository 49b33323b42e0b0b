"""税率案の比較: the tables of the 運営協議会 report, one list of rows each (CSV and HTML).

Every money figure is a sum of :func:`levyrules.assess` results (Program B) or one
model household's assessment; averages and percentages are display statistics,
computed exactly and rounded half up only for printing.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import attrs

from ..engine.assess import assess
from ..engine.household import Household
from ..engine.money import format_rate
from ..tariff.model import Tariff
from ..authoring.diff import COMPONENT_LABELS, LEVY_LABELS
from .labels import (BAND_LABELS, BASIS_LABELS, CHANGE_BUCKETS, ELEMENT_LABELS,
                     REDUCTION_LABELS, TIER_LABELS, TYPE_LABELS, percent, yen_mean)
from .models import model_households
from .recheck import HOUSEHOLD_TYPES, INCOME_BANDS, Recheck
from .solve import Solution


@attrs.frozen(slots=True)
class Scenario:
    """A column of the report: the baseline (現行) or a plan (A案, B案 …)."""
    name: str
    tariff: Tariff
    recheck: Recheck
    solution: Solution | None = None


@attrs.frozen(slots=True)
class Table:
    name: str           # CSV file stem
    title: str          # Japanese heading
    header: tuple
    rows: list


def tables(scenarios: Sequence[Scenario]) -> list[Table]:
    ref = scenarios[0]
    return [summary_table(scenarios, ref), rates_table(scenarios), totals_table(scenarios),
            models_table(scenarios), buckets_table(scenarios, ref),
            deciles_table(scenarios, ref), groups_table(scenarios),
            iterations_table(scenarios)]


def summary_table(scs, ref) -> Table:
    """概要: per column the 調定額, 軽減額 and the change against the reference."""
    rows = []
    base = ref.recheck
    for s in scs:
        r = s.recheck
        changes = _changes(s, ref) if s is not ref else []
        rows.append([s.name, r.households, r.total,
                     r.total - base.total if s is not ref else "—",
                     percent(r.total - base.total, base.total) if s is not ref else "—",
                     yen_mean(r.total, r.households),
                     sum(c.kiban for c in r.components.values()),
                     sum(c.over_cap for c in r.components.values()),
                     sum(1 for d in changes if d > 0) if s is not ref else "—",
                     sum(1 for d in changes if d < 0) if s is not ref else "—"])
    return Table("summary", f"概要（{ref.name}との比較）",
                 ("案", "世帯数", "調定額", "増減", "増減率", "1世帯平均税額",
                  "軽減額（保険基盤安定）", "限度超過額", "増える世帯", "減る世帯"), rows)


def _rate_cell(rates, key: str) -> str:
    if rates is None:
        return "—"
    v = getattr(rates, key)
    if v is None:
        return "—"
    return format_rate(v) if isinstance(v, Fraction) else v


def rates_table(scs) -> Table:
    rows = []
    comps = [n for n in COMPONENT_LABELS if any(n in s.tariff.components for s in scs)]
    for n in comps:
        for key in ("income_rate", "asset_rate", "per_capita", "per_capita_adult",
                    "per_household", "cap"):
            label = LEVY_LABELS[key]
            cells = [_rate_cell(s.tariff.components.get(n), key) for s in scs]
            if all(c == "—" for c in cells):
                continue
            rows.append([COMPONENT_LABELS[n], label] + cells)
    return Table("rates", "税率案", ("区分", "項目") + tuple(s.name for s in scs), rows)


def totals_table(scs) -> Table:
    rows = []
    for s in scs:
        plan = s.solution.plan if s.solution else None
        for n, c in s.recheck.components.items():
            cp = plan.components.get(n) if plan else None
            target = cp.target if cp is not None else None
            measure = c.measure(plan.basis) if plan else None
            reds = [c.reductions.get(k, 0) for k in REDUCTION_LABELS]
            rows.append([s.name, COMPONENT_LABELS[n],
                         BASIS_LABELS[plan.basis] if target is not None else "",
                         target if target is not None else "",
                         measure - target if target is not None else "",
                         c.income_levy, c.asset_levy, c.per_capita, c.per_household, *reds,
                         c.assessed, c.kiban, c.amount, c.over_cap, c.over_cap_households,
                         c.households])
    header = ("案", "区分", "目標の基準", "目標額", "目標との差", *ELEMENT_LABELS,
              *REDUCTION_LABELS.values(), "賦課額（軽減前）", "軽減額（保険基盤安定）",
              "調定額", "限度超過額", "限度超過世帯数", "世帯数")
    return Table("totals", "区分別の賦課総額・調定額と目標", header, rows)


def models_table(scs) -> Table:
    fy = scs[0].tariff.fiscal_year
    rows = []
    ref = scs[0]
    for label, h in model_households(fy):
        base = assess(h, ref.tariff).total
        row = [label, base]
        for s in scs[1:]:
            t = assess(h, s.tariff).total
            row += [t, t - base, percent(t - base, base)]
        rows.append(row)
    header = ["モデル世帯", f"{ref.name}（円）"]
    for s in scs[1:]:
        header += [f"{s.name}（円）", f"{s.name} 増減（円）", f"{s.name} 増減率"]
    return Table("model_households", f"モデル世帯の税額（{ref.name}との比較）", tuple(header),
                 rows)


def _changes(s: Scenario, ref: Scenario) -> list[int]:
    return [a.total - b.total for a, b in zip(s.recheck.rows, ref.recheck.rows)]


def buckets_table(scs, ref) -> Table:
    rows = []
    for s in scs:
        if s is ref:
            continue
        counts = [0] * len(CHANGE_BUCKETS)
        for d in _changes(s, ref):
            for i, (lo, hi, _) in enumerate(CHANGE_BUCKETS):
                if (lo is None or d >= lo) and (hi is None or d <= hi):
                    counts[i] += 1
                    break
        rows += [[s.name, label, c] for (_, _, label), c in zip(CHANGE_BUCKETS, counts)]
    return Table("change_distribution", f"負担の増減の分布（{ref.name}との比較、世帯数）",
                 ("案", "年税額の増減", "世帯数"), rows)


def deciles(ref: Scenario) -> list[list[int]]:
    """Household indexes by 軽減判定所得 decile (equal counts; ties by position)."""
    order = sorted(range(len(ref.recheck.rows)),
                   key=lambda i: (ref.recheck.rows[i].judgement_income, i))
    n = len(order)
    return [order[n * d // 10: n * (d + 1) // 10] for d in range(10)]


def deciles_table(scs, ref) -> Table:
    rows = []
    groups = deciles(ref)
    base = ref.recheck.rows
    for s in scs:
        if s is ref:
            continue
        mine = s.recheck.rows
        for d, idx in enumerate(groups, 1):
            if not idx:
                continue
            inc = [base[i].judgement_income for i in idx]
            b = sum(base[i].total for i in idx)
            a = sum(mine[i].total for i in idx)
            rows.append([s.name, f"第{d}十分位", min(inc), max(inc), len(idx),
                         yen_mean(b, len(idx)), yen_mean(a, len(idx)),
                         yen_mean(a - b, len(idx)),
                         sum(1 for i in idx if mine[i].total > base[i].total),
                         sum(1 for i in idx if mine[i].total < base[i].total)])
    return Table("deciles", f"所得十分位別の平均税額（軽減判定所得の順、{ref.name}との比較）",
                 ("案", "十分位", "所得の下限", "所得の上限", "世帯数", f"平均税額（{ref.name}）",
                  "平均税額（案）", "平均増減", "増える世帯", "減る世帯"), rows)


def groups_table(scs) -> Table:
    rows = []
    for s in scs:
        r = s.recheck
        for dim, keys, labels, groups in (
                ("世帯類型", HOUSEHOLD_TYPES, TYPE_LABELS, r.by_type),
                ("所得階層", range(len(INCOME_BANDS)), BAND_LABELS, r.by_band),
                ("軽減区分", tuple(TIER_LABELS), TIER_LABELS, r.by_tier)):
            for k in keys:
                g = groups.get(k)
                if g is None:
                    continue
                rows.append([s.name, dim, labels[k], g.households, g.amount, g.kiban,
                             yen_mean(g.amount, g.households), g.over_cap])
    return Table("groups", "世帯類型・所得階層・軽減区分別の集計",
                 ("案", "分類", "区分", "世帯数", "調定額", "軽減額（保険基盤安定）",
                  "1世帯平均", "限度超過世帯数"), rows)


def iterations_table(scs) -> Table:
    rows = []
    for s in scs:
        sol = s.solution
        if sol is None:
            continue
        for it in sol.iterations:
            for n, g in it.gross.items():
                r = it.rates[n]
                target = sol.plan.components[n].target
                rows.append([s.name, it.number, COMPONENT_LABELS[n], g,
                             *(format_rate(r[k]) if r.get(k) is not None else "—"
                               for k in ("income_rate", "asset_rate")),
                             *(r.get(k) if r.get(k) is not None else "—"
                               for k in ("per_capita", "per_household")),
                             it.measures[n], target, it.measures[n] - target])
    return Table("iterations", "ループ計算の経過（プログラムC）",
                 ("案", "回", "区分", "Aに与えた賦課総額", "所得割率", "資産割率", "均等割額",
                  "平等割額", "算定額", "目標額", "差"), rows)


def scenario(name: str, tariff: Tariff, households: Sequence[Household],
             solution: Solution | None = None) -> Scenario:
    from .recheck import recheck
    return Scenario(name, tariff, solution.recheck if solution else recheck(households, tariff),
                    solution)
