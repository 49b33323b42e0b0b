"""The ledger one component's steps write into, and the rows they read.

Every amount in the ledger is an exact integer count of 1/(12·D) yen (D: the common
denominator of the component's rates), a yearly amount in 1/D yen times its months, so
月割 and rates never leave the integers until the levy step floors to the yen.

A `Row` is one person (and, after the month-run split, one run of months with the same
special statuses) in one component: the facts a step needs as plain integers, and the
person's running net amounts. Steps are pure functions of the component's constants
(`Component`) and these integers; they keep no other state.
"""

from __future__ import annotations

import enum

import attrs

from ..tariff.model import ComponentRates, Options, Rounding
from . import CHILD_RELIEF, DETENTION, HOUSEHOLD_RELIEF, PRESCHOOL, REDUCED, SPECIFIED


class ReductionKey(str, enum.Enum):
    """The statutory reductions, as the output's `reductions` keys and the `Ledger`'s
    attributes name them.

    A 条例減免 is keyed `relief.<id>` by its tariff rule instead."""
    STATUTORY = "statutory"                        # 7割・5割・2割軽減
    PRESCHOOL = "preschool"                        # 未就学児
    CHILD_UNDER18 = "child_under18"                # 子ども分 18歳未満
    SPECIFIED_HOUSEHOLD = "specified_household"    # 特定世帯・特定継続世帯
    INVOLUNTARY_UNEMPLOYMENT = "involuntary_unemployment"
    CHILDBIRTH = "childbirth"                      # 産前産後
    FORMER_DEPENDENT = "former_dependent"          # 旧被扶養者


class Stage(enum.Enum):
    """Where a reduction is taken (rulebook §11.2, defaults §5)."""
    INSIDE = "inside"          # inside the levy: one floor with the elements
    BEFORE_CAP = "before_cap"  # subtracted from the floored levy, floored on its own
    AFTER_CAP = "after_cap"    # a share of the capped levy, floored on its own


def stage_of(relief_rule) -> Stage:
    """Where a 条例減免 is taken: before the cap or after it (`timing:` in the tariff)."""
    return Stage.AFTER_CAP if relief_rule.after_cap else Stage.BEFORE_CAP


class Row:
    """One person in one component (one run of months once split by status)."""
    __slots__ = ("member", "pos", "months", "n", "base_n", "base_x",
                 "parts", "red_pre", "child_cuts", "unemployed", "birth",
                 "fd_exempt", "fd_half", "inc_net", "ast_net", "pc_net", "fd_here")
    COPIED = ("base_n", "base_x", "parts", "red_pre", "inc_net", "ast_net", "pc_net")

    def __init__(self, member, pos: int, months: int, n: int):
        self.member = member
        self.pos = pos                # the person's place in the component, for key order
        self.months = months          # 12-bit mask (bit 0 = April)
        self.n = n                    # its number of months
        self.fd_here = 0              # 旧被扶養者 減免 of the run (set by its step)
        self.ast_net = 0              # 資産割 (set by its step when the tariff has one)
        self.red_pre = 0              # 未就学児 軽減 (set by its step when it applies)
        # set by the steps that need them: base_n, base_x, inc_net (income_levy), parts,
        # pc_net (per_capita), child_cuts (relief_child), the status flags unemployed,
        # birth, fd_exempt, fd_half (segments)

    def split(self, months: int, n: int, flags: tuple) -> "Row":
        """A copy for one run of months with the given status flags."""
        r = Row(self.member, self.pos, months, n)
        for f in Row.COPIED:
            setattr(r, f, getattr(self, f))
        if hasattr(self, "child_cuts"):
            r.child_cuts = self.child_cuts
        r.unemployed, r.birth, r.fd_exempt, r.fd_half = flags
        return r


@attrs.frozen(slots=True, eq=False)
class Component:
    """The constants of one component's assessment: rates, the household's 判定, options
    (shared by every household with the same 判定 and no 条例減免, so never changed)."""
    name: str
    rates: ComponentRates
    tier: int                   # 70, 50, 20 or 0
    declared: bool              # False: someone counted has not declared → no 軽減
    specified: str | None       # 'specified', 'continuing' or None
    options: Options
    rounding: Rounding
    fiscal_year: int
    preschool_share: object     # Fraction: the 未就学児 share (½ by law)
    statuses: bool              # special statuses apply in this component
    tariff_flags: int           # pipeline.tariff_flags: what the tariff alone decides
    child_rules: tuple = ()     # 条例減免 of children's 均等割 (ReliefRule)
    detention: tuple = ()       # 条例減免 claims on a person's months
    household_claims: tuple = ()  # 条例減免 claims on a share of the household's levies

    is_child: bool = attrs.field(init=False)    # the 子ども分
    unit: int = attrs.field(init=False)         # 12·D: a Ledger's units per yen
    flags: int = attrs.field(init=False)        # what pipeline.flags takes from these
    # the rates and options the steps read, looked up once (a component's constants are
    # shared by every household with the same 判定)
    D: int = attrs.field(init=False)            # rates.denominator
    pc: int = attrs.field(init=False)           # 均等割 (0 when none)
    adult: int = attrs.field(init=False)        # 18歳以上均等割 (子ども分; else 0)
    floor_base: bool = attrs.field(init=False)  # rounding.income_base: floor_1000_per_person
    per_element: bool = attrs.field(init=False)   # rounding.yen: per_element
    cap_b: bool = attrs.field(init=False)       # options.cap_policy: B
    yearly_cap: int = attrs.field(init=False)   # the cap for a year, in 1/D yen
    fd_after_cap: bool = attrs.field(init=False)  # options.former_dependent_timing: after_cap

    def __attrs_post_init__(self):
        rates, options, rounding = self.rates, self.options, self.rounding
        is_child = self.name == "child"
        for k, v in (("is_child", is_child), ("unit", 12 * rates.denominator),
                     ("D", rates.denominator), ("pc", rates.per_capita or 0),
                     ("adult", (rates.per_capita_adult or 0) if is_child else 0),
                     ("floor_base", rounding.income_base == "floor_1000_per_person"),
                     ("per_element", rounding.yen == "per_element"),
                     ("cap_b", options.cap_policy == "B"),
                     ("yearly_cap", rates.cap * rates.denominator),
                     ("fd_after_cap", options.former_dependent_timing == "after_cap")):
            object.__setattr__(self, k, v)
        object.__setattr__(self, "flags", _component_flags(self))


def _component_flags(c: Component) -> int:
    """The flags (steps/__init__.py) a component has by its tariff, the household's 判定
    and its 条例減免 claims."""
    f = c.tariff_flags
    if not c.declared:
        f &= ~PRESCHOOL
    if c.tier:
        f |= REDUCED
    if c.specified:
        f |= SPECIFIED
    if c.child_rules:
        f |= CHILD_RELIEF
    if c.detention:
        f |= DETENTION
    if c.household_claims:
        f |= HOUSEHOLD_RELIEF
    return f


class Ledger:
    """What the steps found for one component, exact (1/(12·D) yen) until `levy`.

    A plain slotted class (one is made per component per household): every field is set
    in __init__, the lists and the dict new for each ledger."""
    __slots__ = ("unit", "rows", "months", "income", "asset", "per_capita", "per_household",
                 "statutory", "preschool", "child_under18", "specified_household",
                 "involuntary_unemployment", "childbirth", "former_dependent", "relief",
                 "relief_base", "outside", "household_pay", "person_net", "household_net",
                 "levy_lines", "shown", "after_cap", "computed", "fraction", "levy", "cap",
                 "capped", "net", "amount")

    def __init__(self, unit: int, rows: list, months: int = 0, household_pay: int | None = None):
        self.unit = unit                   # 12·D: units per yen
        self.rows = rows                   # Row per person (per run of months once split)
        self.months = months               # months with at least one member (mask)
        # elements, gross (after 月割, before any reduction)
        self.income = self.asset = self.per_capita = self.per_household = 0
        # the statutory reductions, one attribute per ReductionKey (its value is the name)
        self.statutory = self.preschool = self.child_under18 = self.specified_household = 0
        self.involuntary_unemployment = self.childbirth = self.former_dependent = 0
        # 条例減免 by rule id: units, stage, and the first place it arose (for key order)
        self.relief: dict | None = None        # id -> [units, Stage, order]
        self.relief_base: dict | None = None   # id -> base of a household share
        self.outside = 0      # before-cap 減免 not already out of the person-month nets
        self.household_pay = household_pay     # the 平等割 payable per year (yen)
        # the nets by run of months, (yearly net in 1/D yen, months): tuples, added to by
        # the few steps that make them (most plans have none)
        self.person_net: tuple = ()
        self.household_net: tuple = ()
        self.shown: dict = {}        # output key -> yen, in output order
        self.after_cap: tuple = ()   # output keys of the reductions taken after the cap
        # set by the levy, cap and rounding steps, which every plan runs (yen):
        # levy_lines (the floored element amounts: income, asset, pc, household),
        # computed (floor(elements − reductions inside the levy)), fraction (computed −
        # the floored lines), levy (computed − each before-cap reduction, floored), cap,
        # capped, net (after the 減免 after the cap), amount (after the 100円 cut)

    def relieve(self, rule, units: int, order: tuple) -> None:
        if self.relief is None:
            self.relief = {}
        entry = self.relief.get(rule.id)
        if entry is None:
            self.relief[rule.id] = [units, stage_of(rule), order]
        else:
            entry[0] += units
            if order < entry[2]:
                entry[2] = order

    def relief_keys(self, stage: Stage) -> dict:
        """`relief.<id>` -> units of one stage, in the order the 減免 first arose."""
        items = sorted((e[2], k, e[0]) for k, e in self.relief.items() if e[1] is stage)
        return {f"relief.{k}": v for _, k, v in items}


class ColumnLedger:
    """What the steps found for one component over many households at once: the column
    form of `Ledger` (same units, same attribute names), for the columnar evaluator.

    Households are positions 0..H−1 (`tier`, `declared`, `specified` (0, 1 特定世帯,
    2 特定継続世帯), `household_months` (the Ledger's `months`), `n_months` and the
    accumulators: int64[H]); rows are persons
    (one per run of months once split by status), sorted by household, grouped by
    `groups` (batch/groups.py; a household without a row in the component has no month
    and every amount 0). Every row column is int64 or bool[R].
    int64 cannot overflow: the evaluator sends a household whose largest product
    (所得割の基礎 × k × 12 × persons) could pass 2^62 to the per-household engine."""

    # the row columns (copied when a row splits into runs of months)
    ROW_FIELDS = ("hh", "months", "n", "base_n", "base_x", "is_under18", "is_preschool",
                  "asset_tax", "unemployed", "birth", "fd_exempt", "fd_half", "member_fd_half",
                  "inc_net", "ast_net", "pc_a", "pc_b", "pc_net")

    def __init__(self, np, unit: int, rows: dict, households: dict, month_count):
        self.np = np
        self.unit = unit
        self.month_count = month_count     # popcount of 12-bit masks, as a column
        self.shared = {}    # what steps work out from the rows alone (`rows` may give one
        #                     dict for every component over the same rows)
        for k, v in households.items():
            setattr(self, k, v)
        for k, v in rows.items():
            setattr(self, k, v)
        # an accumulator no step touched stays the integer 0 (broadcasts as a column)
        for k in ("income", "asset", "per_capita", "per_household", "statutory", "preschool",
                  "child_under18", "specified_household", "involuntary_unemployment",
                  "childbirth", "former_dependent"):
            setattr(self, k, 0)
        rz = np.zeros(len(self.hh), np.int64)
        rz.flags.writeable = False          # the steps make new arrays, never write in one
        self.inc_net = self.ast_net = self.pc_net = rz
        # whether a step after the 月割 split reads the rows' net amounts (inc_net, ast_net,
        # pc_net): a special status month in the rows; else the steps before it need not
        # keep them up to date (the evaluator says, components.levy)
        self.rows_later = True
        self.household_pay = None      # int64[H] once a 平等割 is levied
        # the 均等割 every row of a household pays so far (int, or int64[H]), while it is
        # the same for all of them and pc_a + pc_b − pc_net is what the 軽減 took (else None)
        self.pc_household = None
        self.status_household = None   # bool[H]: a member with a status (set by segments)
        self.after = 0                 # yen taken after the cap

    def sum(self, values):
        """Per household: the sum of a row column (exact, int64)."""
        return self.groups.sum(values)

    def sum_once(self, key, make):
        """Per household: the sum of the row column `make()`, a column of the rows alone
        (not of the component's rates), so worked out once for the components over the
        same rows (`shared`). Only before the rows split by status (`segments`)."""
        got = self.shared.get(key)
        if got is None:
            got = self.shared[key] = self.groups.sum(make())
        return got

    def sum_rows(self, rows, values):
        """Per household: the sum of `values` given for the rows at `rows` alone (the
        others 0): one pass over those rows, not over every row (exact, int64)."""
        out = self.np.zeros(len(self.tier), self.np.int64)
        self.np.add.at(out, self.hh[rows], values)
        return out

    def with_rows(self, name: str, rows, values) -> None:
        """Row column `name` with `values` at `rows` (a new array: the columns a ledger
        starts with may be shared with another component's)."""
        col = getattr(self, name).copy()
        col[rows] = values
        setattr(self, name, col)

    def of_household(self, values):
        """A household column spread onto its rows."""
        return values[self.hh]

    def derived(self, make):
        """A row column worked out only at the rows read of it: `make(rows)` gives its
        values at int64 `rows`. For a row net the steps before the month split keep for
        the steps after it (`rows_later`), which read the rows of the households with a
        status alone: `segments` takes them (`take`), and `with_rows` writes into it."""
        return Derived(self.np, make)


class Derived:
    """A row column of a ColumnLedger given by `make(rows)` (ColumnLedger.derived), with
    the values `with_rows` wrote at sorted rows `at` over it."""
    __slots__ = ("np", "make", "at", "values")

    def __init__(self, np, make, at=None, values=None):
        self.np, self.make, self.at, self.values = np, make, at, values

    def take(self, rows):
        out = self.make(rows)
        if self.at is not None and len(self.at) and len(rows):
            pos = self.np.searchsorted(self.at, rows).clip(0, len(self.at) - 1)
            hit = self.at.take(pos) == rows
            out[hit] = self.values.take(pos[hit])
        return out

    def copy(self):
        return Derived(self.np, self.make, self.at, self.values)

    def __setitem__(self, rows, values):        # (ColumnLedger.with_rows: on a copy)
        np = self.np
        at = np.asarray(rows, np.int64).reshape(-1)
        values = np.broadcast_to(np.asarray(values, np.int64), at.shape)
        if self.at is not None:                 # the rows written before, where not now
            old = ~np.isin(self.at, at)
            at = np.concatenate([self.at[old], at])
            values = np.concatenate([self.values[old], values])
        order = np.argsort(at, kind="stable")
        self.at, self.values = at.take(order), values.take(order)
