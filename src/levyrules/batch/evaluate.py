"""`assess_columns`: the 国民健康保険税 of a whole population, in columns, equal household
by household to `levyrules.assess` (tests/test_batch_equality.py).

facts (members.member_columns) → who goes to the per-household engine (条例減免 facts
or rules, a 世帯主変更 the engine refuses, another municipality, no insured month, a
課税限度額 方式 B or a per-person 100円 cut, a component the tariff does not know, an
income so large an int64 product could overflow) → incomes (income.income_columns) →
判定日 and who counts (members) → a household with 世帯主変更 made its parts, one per
納税義務者 (head_change.py) → 軽減 tier and 特定世帯 (judge.py) → each component's steps
(components.py) → total, 期別税額 (collection.installment_columns), the parts folded
back onto their households, and the household columns (columns.py). The households sent
to `assess` are merged back in input order.
"""

from __future__ import annotations

import types

from ..engine.income import income_columns
from ..engine.members import judge_columns, judgement_dates, member_columns
from ..rules.unemployment import SALARY_SHARE
from ..tariff import applies
from ..steps import pipeline
from ..population.rows import ORDER
from . import components, head_change, judge as judging
from .columns import Columns, household_columns, merge_scalar, notices
from .groups import Groups
from .population import Population, _np

# an int64 product of the ledger stays below 2**62: 所得割の基礎 × k × 12 months × 100 persons
_HEADROOM = 2 ** 62


def assess_columns(pop: Population, tariff) -> Columns:
    """Every household of `pop` under `tariff`: the assessment-file columns
    (population/rows.py `schema`), and the households refused with their error."""
    np = _np()
    if type(pop) is not Population:
        raise TypeError(f"assess_columns() takes a Population, not {type(pop).__name__}")
    other = _routed(np, pop, tariff)
    if other.all():
        return merge_scalar(np, pop, tariff, None, np.arange(pop.size))
    facts = member_columns(pop)
    starts = pop.start[:-1]
    nonempty = pop.start[1:] > starts
    liable = np.zeros(pop.size, np.int64)
    if len(pop.person_ids):
        liable[nonempty] = np.bitwise_or.reduceat(facts.insured, starts[nonempty])
    other |= liable == 0
    nat, fy = tariff.national, pop.fiscal_year
    income = income_columns(pop, nat, fy)
    income_u = _unemployment_income(np, pop, tariff, facts, income)
    other |= _too_large(np, pop, tariff, income, income_u)
    other |= _unknown_components(np, pop, tariff, facts)
    changes = head_change.plan(np, pop, tariff, pop.scalar & ~other, liable)
    scalar = other | (pop.scalar & ~changes.taken)
    keep = ~scalar
    if not keep.any():
        return merge_scalar(np, pop, tariff, None, np.nonzero(scalar)[0])
    judged = judgement_dates(pop, facts)
    on, late, counted = judge_columns(pop, facts, judged)
    v = _view(np, pop, keep, facts, income, income_u, judged, on, late, counted)
    del income, income_u, judged, on, late, counted    # the view keeps what it needs
    w = None if not changes.taken.any() else \
        head_change.expand(np, pop, facts, v, changes, lambda hh, n: Groups(np, hh, n))
    del facts
    parts = _levies(np, tariff, v)
    if w is None:
        out = household_columns(np, pop, tariff, v, parts)
    else:
        w_parts = _levies(np, tariff, w, True)
        parts, money = head_change.combine(np, v, w, parts, notices(np, tariff, parts, v.judged),
                                           w_parts, notices(np, tariff, w_parts, w.judged))
        n = np.zeros(len(v.index), np.int64)
        n[np.searchsorted(v.index, np.flatnonzero(changes.taken))] = changes.changes
        out = household_columns(np, pop, tariff, v, parts, money, n)
    del v, w, parts
    return merge_scalar(np, pop, tariff, out, np.nonzero(scalar)[0])


def _unemployment_income(np, pop: Population, tariff, facts, income):
    """Each person's income under the 非自発的失業 特例 (給与所得 × 30/100) where the
    特例 months exist, the plain income elsewhere (as `Member.income_u`)."""
    rows = np.nonzero(facts.unemployment_period != 0)[0]
    if not len(rows):
        return income
    part = income_columns(pop, tariff.national, pop.fiscal_year, SALARY_SHARE,
                          tariff.options.unemployment_adjustment == "before", rows=rows)
    out = types.SimpleNamespace()
    for k in ("levy_base", "judgement_income", "is_earner", "declared"):
        col = getattr(income, k).copy()
        col[rows] = getattr(part, k)
        setattr(out, k, col)
    return out


def _routed(np, pop: Population, tariff) -> object:
    """bool[H]: the households the per-household engine takes by the tariff or their
    municipality (see the module docstring)."""
    scalar = np.zeros(pop.size, bool)
    if tariff.fiscal_year != pop.fiscal_year or tariff.relief:
        scalar[:] = True
        return scalar
    for name, rates in tariff.components.items():
        if pipeline.tariff_flags(name, rates, tariff.options, tariff.rounding) \
                & pipeline.NOT_IN_COLUMNS:
            scalar[:] = True
            return scalar
    for town in set(pop.municipality) - {None, ""}:
        if applies.other_municipality(types.SimpleNamespace(municipality=town), tariff):
            scalar |= np.array([m == town for m in pop.municipality], bool)
    return scalar


def _too_large(np, pop: Population, tariff, income, income_u) -> object:
    """bool[H]: households with an amount whose ledger product could pass 2**62."""
    k = max([r.k_income for r in tariff.components.values()] +
            [r.k_asset for r in tariff.components.values()] + [1])
    limit = _HEADROOM // (k * 12 * 100)
    big = ((income.levy_base > limit) | (income_u.levy_base > limit)
           | (pop.fixed_asset_tax > limit))
    out = np.zeros(pop.size, bool)
    out[pop.household[big]] = True
    return out


def _unknown_components(np, pop: Population, tariff, facts) -> object:
    """bool[H]: households with a member in a component the tariff does not know
    (the per-household engine reports it as unknown, never a guessed number)."""
    out = np.zeros(pop.size, bool)
    for name in ORDER:
        if name not in tariff.national.caps:
            continue
        if tariff.components.get(name) is None or tariff.missing_note(name) is not None:
            months = facts.care if name == "care" else facts.insured
            out[pop.household[months != 0]] = True
    return out


def _view(np, pop: Population, keep, facts, income, income_u, judged, on, late, counted):
    """The persons and households the columns take, renumbered 0..: every column cut to
    them (`hh`: a person's household position, `starts`, `head`: person positions)."""
    v = types.SimpleNamespace()
    v.index = np.nonzero(keep)[0]
    if len(v.index) == pop.size:                 # every household: no copy
        pk = slice(None)
        v.hh, v.head = pop.household, pop.head
    else:
        pk = keep[pop.household]
        v.hh = (np.cumsum(keep) - 1)[pop.household[pk]]
        v.head = (np.cumsum(pk) - 1)[pop.head[keep]]
    v.groups = Groups(np, v.hh, len(v.index))

    def cut(obj, fields):
        return types.SimpleNamespace(**{k: getattr(obj, k)[pk] for k in fields})
    v.facts, v.income = cut(facts, _FACTS), cut(income, _INCOME)
    v.income_u = cut(income_u, _INCOME) if income_u is not income else v.income
    v.base_x = v.income.levy_base if v.income_u is v.income else np.where(
        v.facts.unemployment_period != 0, v.income_u.levy_base, v.income.levy_base)
    v.asset = pop.fixed_asset_tax[pk]
    v.birth = pop.birth[pk]
    v.judged = judged if isinstance(pk, slice) else judged[keep]
    v.on, v.late, v.counted = on[pk], late[pk], counted[pk]
    return v


def _levies(np, tariff, v, parts: bool = False) -> dict:
    """{component: its columns} for the households of view `v` (or the parts of
    head_change.expand, `parts`: with the 平等割 part of the 軽減 of each), after the
    判定; the person columns the rows are made from are dropped once they are made."""
    nat = tariff.national
    v.judgement = judging.judge(np, tariff.fiscal_year, v.groups, v.head, v.facts, v.income,
                                v.income_u, v.judged, v.on, v.late, v.counted, nat,
                                tariff.options.fictitious_head_counts_as_earner)
    names = [name for name in ORDER if name in nat.caps]
    months = {name: v.facts.care if name == "care" else v.facts.insured for name in names}
    rows = components.rows_of(np, v, months)
    del months
    if parts:
        for k in ("facts", "income", "income_u", "base_x", "asset", "on", "late"):
            delattr(v, k)
    else:
        _slim(v)
    return {name: components.levy(np, name, tariff, v, rows.pop(name), parts)
            for name in names}


def _slim(v) -> None:
    """`v` keeps only what head_change.combine and household_columns read of it, once
    the components' rows are made, so the working memory does not hold person columns
    no later step reads."""
    facts = {k: getattr(v.facts, k) for k in ("insured", "care", "preschool", "under18")}
    declared = v.income.declared
    for k in list(vars(v)):
        if k not in ("index", "hh", "head", "groups", "judged", "birth", "judgement",
                     "counted"):
            delattr(v, k)
    v.facts = types.SimpleNamespace(**facts)
    v.income = types.SimpleNamespace(declared=declared)


# what the 判定, the steps and the household columns read of the facts and incomes
_FACTS = ("insured", "care", "late_date", "preschool", "under18", "unemployed",
          "unemployment_period", "birth", "fd_exempt", "fd_half")
_INCOME = ("levy_base", "judgement_income", "is_earner", "declared")
