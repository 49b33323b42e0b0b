"""The order of the law for one component (区分: 医療分, 支援分, 介護分, 子ども分), written
once. `run` evaluates the steps that apply to the component, in this order, into a
`Ledger`, and builds the component's result from it.

Each person's yearly amounts come first (elements, then the reductions that work on a
person's 均等割), then their months split where a special status begins or ends and the
month-run reductions, then the household's 平等割, then the levy, the cap, the 減免 after
the cap and the 100円 cut.
"""

from __future__ import annotations

from ..engine.calendar import MONTH_COUNT
from ..engine.result import ComponentLevy
from ..rules.preschool import COMPONENTS as PRESCHOOL_COMPONENTS
from . import compiled
from . import (ASSET, ASSET_TAX, CHILD, CHILD_RELIEF, DETENTION, HOUSEHOLD, HOUSEHOLD_RELIEF,
               MEMBER_FLAGS, NETS, PRESCHOOL, PRESCHOOL_MEMBER, SPECIFIED, STATUS,
               UNDER18_MEMBER, after_cap, asset_levy, cap,
               child_under18, childbirth, former_dependent, income_levy, levy, per_capita,
               per_household, person_net, preschool, relief_child, relief_detention,
               relief_household, rounding, segments, specified_household, statutory,
               unemployment)
from .ledger import Component, Ledger, Row

PIPELINE = (
    # each person's levies for a year (1/D yen) and the reductions of the 均等割
    income_levy.STEP,                   # 所得割
    asset_levy.STEP,                    # 資産割
    per_capita.STEP,                    # 均等割 (+ 18歳以上均等割)
    child_under18.STEP,                 # 子ども分 18歳未満 10割
    statutory.PER_CAPITA,               # 7割・5割・2割軽減
    preschool.STEP,                     # 未就学児 5割
    relief_child.CUTS,                  # 条例減免: 子どもの均等割 (per year)
    # the months, split where a special status begins or ends
    segments.STEP,
    unemployment.STEP,                  # 非自発的失業 30/100
    former_dependent.PER_PERSON,        # 旧被扶養者: 所得割・資産割 免除, 均等割 5割
    relief_child.APPLY,                 # 条例減免: 子どもの均等割 (per month run)
    childbirth.STEP,                    # 産前産後 免除
    relief_detention.STEP,              # 条例減免: 刑事施設等に収容
    relief_household.PERSON_BASE,       # 条例減免 of the household: the persons' share
    person_net.STEP,
    # the household's 平等割
    per_household.LEVY,                 # 平等割
    specified_household.STEP,           # 特定世帯 ½ / 特定継続世帯 ¾
    statutory.PER_HOUSEHOLD,            # 7割・5割・2割軽減
    former_dependent.PER_HOUSEHOLD,     # 旧被扶養者: 平等割 5割
    per_household.NET,
    relief_household.HOUSEHOLD_BASE,    # 条例減免 of the household: the 平等割's share
    relief_household.SHARE,             # 条例減免: 災害, 所得減少
    # the component's tax
    levy.STEP,                          # 1円未満切捨て; reductions before the cap
    cap.STEP,                           # 課税限度額
    after_cap.STEP,                     # 減免 after the cap
    rounding.STEP,                      # 100円未満切捨て
)

_PLANS: dict[int, tuple] = {}


def steps(flags: int) -> tuple:
    """The steps that apply to a component with `flags` (a step whose `only` facts the
    household lacks would do nothing: it is left out), in the order of PIPELINE."""
    return tuple(s for s in PIPELINE if s.needs & flags == s.needs
                 and (not s.when or s.when & flags) and (not s.only or s.only & flags))


def plan(flags: int) -> tuple:
    """The run functions of `steps(flags)`."""
    p = _PLANS.get(flags)
    if p is None:
        p = _PLANS[flags] = tuple(s.run for s in steps(flags))
    return p


# the plans compiled from the steps' household forms (steps/compiled.py), by flags:
# make(c) or None (not every step has one); and what make(c) gave, by component (a
# Component hashes by identity) and flags
_MAKERS: dict[int, object] = {}
_COMPILED: dict[Component, dict] = {}


def compiled_run(c: Component, f: int):
    """The plan for `f` compiled for the component `c`: run(members) -> ComponentLevy,
    or None when the plan has a step without a household form."""
    make = _MAKERS.get(f, 0)
    if make == 0:
        make = _MAKERS[f] = compiled.compile_plan(steps(f), f)
    if make is None:
        return None
    runs = _COMPILED.get(c)
    if runs is None:
        if len(_COMPILED) > 1024:
            _COMPILED.clear()
        runs = _COMPILED[c] = {}
    fast = runs[f] = make(c)
    return fast


def tariff_flags(name: str, rates, options, rounding) -> int:
    """The flags a component has by its tariff alone (the same for every household)."""
    f = 0
    if name == "child":
        f |= CHILD
    elif name in PRESCHOOL_COMPONENTS:
        f |= PRESCHOOL
    if rates.per_household is not None:
        f |= HOUSEHOLD
    if rates.k_asset:
        f |= ASSET
    if options.cap_policy == "B" or rounding.hundred == "per_person":
        f |= NETS
    return f


def member_facts(members) -> int:
    """The MEMBER_FLAGS (and STATUS) the `members` (Member objects) may need: a flag
    set here only lets a step run; `flags` decides."""
    f = 0
    for m in members:
        if m.preschool:
            f |= PRESCHOOL_MEMBER
        if m.under18:
            f |= UNDER18_MEMBER
        if m.person.fixed_asset_tax:
            f |= ASSET_TAX
        if m.unemployed or m.birth or m.fd_exempt:
            f |= STATUS
    return f


def flags(c: Component, members: list, facts: int = MEMBER_FLAGS | STATUS) -> int:
    """What the component has that some steps need (see steps/__init__.py); `facts`:
    `member_facts` of the household (by default: every step that may apply runs)."""
    f = c.flags | (facts & MEMBER_FLAGS)
    if facts & STATUS and c.statuses and \
            any(m.unemployed or m.birth or m.fd_exempt for m, _ in members):
        f |= STATUS
    return f


def run(c: Component, members: list, facts: int = MEMBER_FLAGS | STATUS) -> ComponentLevy:
    """The component's tax for `members` [(member, months mask)] under `c`; `facts`:
    see `flags`. The plan's compiled household form when it has one, else its steps
    over the ledger (`run_ledger`): the same figures (tests/test_compiled.py)."""
    f = flags(c, members, facts) if facts & STATUS and c.statuses else \
        c.flags | (facts & MEMBER_FLAGS)
    runs = _COMPILED.get(c)
    fast = runs.get(f) if runs is not None else None
    if fast is not None or (fast := compiled_run(c, f)) is not None:
        return fast(members)
    return run_ledger(c, members, f)


def runner(c: Component, facts: int):
    """`run` for the component `c` and the household facts `facts`, as a function of the
    members alone: the compiled plan when the flags do not depend on the members (no
    special status to look for among them) and the plan has one."""
    if not (facts & STATUS and c.statuses):
        fast = compiled_run(c, c.flags | (facts & MEMBER_FLAGS))
        if fast is not None:
            return fast
    return lambda members: run(c, members, facts)


def run_ledger(c: Component, members: list, f: int) -> ComponentLevy:
    """The component's tax: the steps of the plan for flags `f`, one after the other,
    over a Row per member in a Ledger."""
    rows = []
    months = 0
    pos = 0
    for m, mask in members:
        rows.append(Row(m, pos, mask, MONTH_COUNT[mask]))
        months |= mask
        pos += 1
    ledger = Ledger(c.unit, rows, months)
    for step in _PLANS.get(f) or plan(f):
        step(c, ledger)
    return result(c, ledger)


def result(c: Component, ledger: Ledger) -> ComponentLevy:
    """The component's lines as the output prints them, from the ledger."""
    shown, after_cap, capped, amount = ledger.shown, ledger.after_cap, ledger.capped, ledger.amount
    after = sum([shown[k] for k in after_cap]) if after_cap else 0
    income, asset, per_capita, per_household = ledger.levy_lines
    return ComponentLevy(c.name, income, asset, per_capita, per_household, shown, ledger.levy,
                         ledger.cap, ledger.levy - capped, capped - after - amount, amount,
                         MONTH_COUNT[ledger.months], None, ledger.fraction, after_cap)


# flags decided per household in columns (the steps' column forms take them as masks)
_PER_HOUSEHOLD = STATUS | SPECIFIED
# what the columns do not take: households with these go to the per-household engine
NOT_IN_COLUMNS = CHILD_RELIEF | DETENTION | HOUSEHOLD_RELIEF | NETS
_COLUMN_PLANS: dict[tuple, tuple] = {}


def column_plan(flags: int, status: bool) -> tuple:
    """The column forms of the steps that apply to a component with tariff `flags`, in
    the order of PIPELINE; `status`: some household has a special status month."""
    key = (flags, status)
    p = _COLUMN_PLANS.get(key)
    if p is None:
        have = flags | SPECIFIED | (STATUS if status else 0)
        steps = [s for s in PIPELINE if s.needs & have == s.needs
                 and (not s.when or s.when & have)]
        missing = [s.rule.id for s in steps if s.columns is None]
        if missing or flags & NOT_IN_COLUMNS:
            raise ValueError(f"no column form for {missing or 'these flags'}")
        p = _COLUMN_PLANS[key] = tuple(s.columns for s in steps)
    return p


def run_columns(c: Component, L, status: bool) -> None:
    """The component's steps over a ColumnLedger (`c`: the tariff's constants; the
    households' 判定 are columns of L)."""
    for step in column_plan(c.tariff_flags, status):
        step(c, L)
