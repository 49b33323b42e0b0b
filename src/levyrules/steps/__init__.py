"""The law as steps: one module per rule the engine applies to a component.

Each module declares one or more `Step`: the rule (id, title, article: what the trace and
`--explain` cite), the tariff options that govern it, and its arithmetic, a function of
the component's constants and the ledger's integers (no hidden state). The order of the
law is written once, in `pipeline.PIPELINE`.
"""

from __future__ import annotations

from typing import Callable

import attrs

from ..rules import Rule

# what a component must have for a step to run (the plan skips the others)
STATUS = 1            # a member with a special status month (非自発的失業, 産前産後, 旧被扶養者)
CHILD_RELIEF = 2      # a 条例減免 of children's 均等割
DETENTION = 4         # a 条例減免 of a person's months in custody
HOUSEHOLD_RELIEF = 8  # a 条例減免 of a share of the household's levies
ANY_RELIEF = CHILD_RELIEF | DETENTION | HOUSEHOLD_RELIEF
CHILD = 16            # the 子ども・子育て支援納付金課税額 (子ども分)
PRESCHOOL = 32        # the 未就学児 軽減 can apply (医療分・支援分, incomes declared)
SPECIFIED = 64        # a 特定世帯 or 特定継続世帯
HOUSEHOLD = 128       # the component has a 平等割
ASSET = 256           # the component has a 資産割
NETS = 512            # the cap or the 100円 cut works on the persons' monthly nets
# facts of one household's members that the per-household plan checks (`Step.only`): a
# step without any of its `only` flags provably does nothing, so the plan leaves it out
# (the column forms run for every household and ignore these)
REDUCED = 1024        # a 7割・5割・2割 tier
PRESCHOOL_MEMBER = 2048   # a 未就学児 among the members
UNDER18_MEMBER = 4096     # a member under 18
ASSET_TAX = 8192          # a member with 固定資産税額
MEMBER_FLAGS = REDUCED | PRESCHOOL_MEMBER | UNDER18_MEMBER | ASSET_TAX


@attrs.frozen(slots=True)
class Form:
    """A step's household form: its arithmetic over the sums of the household's members
    (Σ months, Σ 所得割の基礎 × months, ...) instead of over one row per person, as lines
    of Python that steps/compiled.py joins, in the order of the pipeline, into one
    function per plan (the iterate_jit idea of Tax-Calculator, done with `exec`).

    The lines read and write the ledger's amounts as local variables of the same names
    (`income`, `per_capita`, `statutory`, `household_pay`, ...; steps/compiled.py lists
    them), the constants `consts` works out once per component, and the sums the
    `member` lines add up per member (`m`: the Member, `mask`, `n`: its months in the
    component; then `M`: the months anyone has). A plan whose flags meet a form's
    `unless` is not compiled."""
    consts: str = ""         # lines run once per component and plan (`c`: its Component),
    #                          in the order of the plan: the amounts per person of a class
    #                          or per household for a year, which the household's months
    #                          then multiply
    member: str = ""         # lines run per member, adding to the sums named in `sums`
    household: str = ""      # lines run once per household, after the members
    sums: tuple = ()         # the sums the lines read (steps/compiled.py: SUMS, or own)
    names: tuple = ()        # (name, object) the lines call (module-level helpers)
    unless: int = 0          # flags under which the form would be wrong: no compiling


@attrs.frozen(slots=True)
class Step:
    rule: Rule
    run: Callable            # run(component, ledger) -> None
    options: tuple = ()      # the tariff paths that govern the step
    needs: int = 0           # flags the component must all have for the step to apply
    when: int = 0            # and one of these, when not 0
    columns: Callable | None = None   # columns(component, ColumnLedger): the column form
    only: int = 0            # per household: one of these, when not 0 (else a no-op)
    household: Form | None = None     # the household form (steps/compiled.py)
