"""One component (医療分・支援分・介護分・子ども分) for every household at once: the rows
of its members, a `ColumnLedger`, the law's steps in column form (steps/pipeline.py
`run_columns`, the same order as `pipeline.run`), and the assessment-file columns of
the component (population/rows.py `component_fields`)."""

from __future__ import annotations

from ..engine.calendar import MONTH_COUNT
from ..rules.reductions import reduced
from ..rules import specified_household as spec
from ..steps import pipeline
from ..steps.ledger import ColumnLedger, Component
from .groups import Groups
from ..population.rows import REDUCTIONS

_COUNT = {}
FIELDS = ("income_levy", "asset_levy", "per_capita", "per_household", "statutory_per_capita",
          "statutory_per_household") + REDUCTIONS + ("levy", "cap", "over_cap", "rounding",
                                                     "amount", "months")


def month_count(np):
    """popcount of 12-bit month masks, as a column function (MONTH_COUNT as an array)."""
    table = _COUNT.get("t")
    if table is None:
        table = _COUNT["t"] = np.array(MONTH_COUNT, np.int64)
    return table.__getitem__


def shape(name: str, tariff) -> Component:
    """The component's constants; the households' 判定 are columns of the ledger."""
    rates, opts = tariff.components[name], tariff.options
    return Component(name, rates, 0, True, None, opts, tariff.rounding, tariff.fiscal_year,
                     tariff.national.preschool_reduction,
                     name != "child" or opts.statuses_on_child,
                     pipeline.tariff_flags(name, rates, opts, tariff.rounding))


def levy(np, name: str, tariff, v, rows, whole: bool = False) -> dict:
    """The component's columns for the households of view `v`, from `rows` (`rows_of`:
    the rows of the persons with the component's months): {field: int64[H]}; `whole`:
    also "statutory_household_all", the 平等割 part of the 7割・5割・2割軽減 whether or
    not the household has a statutory reduction (batch/head_change.py)."""
    H = len(v.head)
    if rows is None:           # nobody is levied: 0 whatever the rates (assess._zero)
        return {k: np.zeros(H, np.int64) for k in FIELDS + ("statutory_household_all",)[:whole]}
    c = shape(name, tariff)
    row_cols, groups, hmonths, n_months, status = rows
    j = v.judgement
    L = ColumnLedger(np, 12 * c.rates.denominator, row_cols, {
        "tier": j.tier, "declared": j.declared, "specified": j.specified,
        "household_months": hmonths, "n_months": n_months, "groups": groups},
        month_count(np))
    L.rows_later = c.statuses and status     # the steps after the split read the rows
    pipeline.run_columns(c, L, L.rows_later)
    return _fields(np, c, L, H, whole)


def rows_of(np, v, months: dict) -> dict:
    """{component: its rows} for `months` {component: int64[P] masks of the view's
    persons}, made before any component runs (so the view's person columns can go);
    components with the same months array (医療分, 支援分 and 子ども分) share theirs."""
    made: dict = {}
    f = v.facts
    status = bool(f.unemployed.any() or f.birth.any() or f.fd_exempt.any())
    for m in months.values():
        if id(m) not in made:
            made[id(m)] = _rows(np, v, m, status)
    return {name: made[id(m)] for name, m in months.items()}


def _rows(np, v, months, status: bool):
    """The rows of the persons with `months` (None: nobody): their columns, their groups
    (every household of the view, with no row where nobody has the months), the
    households' months and number of months, and whether a row has a special status
    (`status`: whether any person of the view has one). When nearly everybody has months, every person is a row (no gather): a row without
    months counts for nothing (every amount is a yearly amount × its months, and the
    split by status makes no run of it). Read only by the steps (they make new arrays)."""
    count = month_count(np)
    has = months != 0
    n_has = int(np.count_nonzero(has))
    if not n_has:
        return None
    if 4 * n_has >= 3 * len(has):                   # (nearly) everybody: every person a
        rows = slice(None)                          # row, those without months 0 months
    else:
        rows = np.flatnonzero(has)
    f = v.facts

    def cut(col):
        return col if isinstance(rows, slice) else col.take(rows)
    hh, m, fd_half = cut(v.hh), cut(months), cut(f.fd_half)
    groups = v.groups if isinstance(rows, slice) else Groups(np, hh, len(v.head))
    hmonths = groups.bit_or(m)
    cols = {"hh": hh, "months": m, "n": count(m),
            "base_n": cut(v.income.levy_base), "base_x": cut(v.base_x),
            "is_under18": cut(f.under18), "is_preschool": cut(f.preschool),
            "asset_tax": cut(v.asset),
            "unemployed": cut(f.unemployed), "birth": cut(f.birth),
            "fd_exempt": cut(f.fd_exempt), "fd_half": fd_half,
            "member_fd_half": fd_half,             # the person's mask (kept when rows split)
            "shared": {}}         # what steps work out from these rows alone, made once
    status = status and (isinstance(rows, slice) or bool(
        cols["unemployed"].any() or cols["birth"].any() or cols["fd_exempt"].any()))
    return cols, groups, hmonths, count(hmonths), status


def _fields(np, c: Component, L, H: int, whole: bool = False) -> dict:
    out = {}

    zeros = np.zeros(H, np.int64)
    zeros.flags.writeable = False          # one read-only column for every all-zero field

    def put(key, values):
        if not hasattr(values, "shape"):              # an accumulator no step touched
            values = np.full(len(L.tier), values, np.int64) if values else zeros
        out[key] = values if values[:1].any() or values.any() else zeros
    for key, line in zip(("income_levy", "asset_levy", "per_capita", "per_household"),
                         L.levy_lines):
        put(key, line)
    statutory = L.shown["statutory"]
    hh_all = _statutory_per_household(np, c, L)
    hh_part = hh_all * (statutory != 0)
    if whole:
        put("statutory_household_all", hh_all)
    put("statutory_per_capita", statutory - hh_part)
    put("statutory_per_household", hh_part)
    zero = 0
    for key in REDUCTIONS:
        put(key, L.shown.get(key, zero))
    put("levy", L.levy)
    put("cap", L.cap)
    put("over_cap", L.levy - L.capped)
    put("rounding", L.capped - L.after - L.amount)
    put("amount", L.amount)
    put("months", L.n_months)
    return out


def _statutory_per_household(np, c: Component, L):
    """The 平等割 part of the 7割・5割・2割軽減 (population/rows.py
    statutory_per_household, in columns)."""
    rates = c.rates
    hh = rates.per_household
    if not hh:
        return L.levy * 0
    return _statutory_table(np, c)[L.tier * 3 + L.specified] * L.n_months // 12


_TABLES: dict = {}


def _statutory_table(np, c: Component):
    """The yearly 平等割 part of the 軽減 for each (tier, 特定世帯 code), at tier·3 + code:
    amount − reduced(amount, tier) with the 特定世帯's 平等割 where it applies (made once
    per component constants, in Python integers: rules.reductions.reduced)."""
    key = (id(c.rates), c.name, c.options.specified_household_child)
    known = _TABLES.get(key)
    if known is None or known[0] is not c.rates:
        if len(_TABLES) > 256:
            _TABLES.clear()
        rates, hh = c.rates, c.rates.per_household
        spec_applies = c.name in ("medical", "support") or \
            (c.is_child and c.options.specified_household_child)
        table = np.zeros(71 * 3, np.int64)
        for code, kind in enumerate((None, "specified", "continuing")):
            amount = hh if kind is None or not spec_applies else spec.amount(
                hh, kind, rates.per_household_specified, rates.per_household_specified_continuing)
            for tier in (0, 20, 50, 70):
                table[tier * 3 + code] = amount - reduced(amount, tier)
        known = _TABLES[key] = (c.rates, table)
    return known[1]

