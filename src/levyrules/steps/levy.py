"""The computed levy of a component: floor(elements − the reductions inside the levy),
one floor to the yen (地方税法20条の4の2第3項: 1円未満切捨て, per component by default,
per element by `rounding.yen: per_element`); then each reduction taken from the levy
before the cap (産前産後, 条例減免, 旧被扶養者 by timing) floored on its own and never
more than what is left (rulebook §11.2, defaults §5)."""

from __future__ import annotations

from operator import attrgetter

from ..rules import ROUNDING
from . import ANY_RELIEF, STATUS, Form, Step
from .ledger import Component, Ledger, ReductionKey, Stage

# the reductions inside the levy, in the order the output lists them
INSIDE = tuple(k.value for k in (ReductionKey.STATUTORY, ReductionKey.PRESCHOOL,
                                 ReductionKey.CHILD_UNDER18, ReductionKey.SPECIFIED_HOUSEHOLD,
                                 ReductionKey.INVOLUNTARY_UNEMPLOYMENT))
_INSIDE = attrgetter(*INSIDE)        # a ledger's amounts of those reductions
_NONE_INSIDE = (0,) * len(INSIDE)
CHILDBIRTH = ReductionKey.CHILDBIRTH.value
FORMER_DEPENDENT = ReductionKey.FORMER_DEPENDENT.value


def take(reductions: dict, amount: int, unit: int) -> tuple[dict, int]:
    """Subtract each reduction (in 1/unit yen), floored to the yen on its own and never
    more than what is left of `amount` (yen): ({key: yen}, what is left)."""
    out = {}
    for k, v in reductions.items():
        cut = min(amount, v // unit)
        if cut > 0:
            out[k] = cut
            amount -= cut
    return out, amount


def before_cap(c: Component, ledger: Ledger) -> dict:
    """The reductions subtracted from the computed levy, in the order they are taken."""
    out = {CHILDBIRTH: ledger.childbirth}
    if ledger.relief:
        out.update(ledger.relief_keys(Stage.BEFORE_CAP))
    if not c.fd_after_cap:
        out[FORMER_DEPENDENT] = ledger.former_dependent
    return out


def levy(c: Component, ledger: Ledger) -> None:
    U = ledger.unit
    a, b, d, e = ledger.income, ledger.asset, ledger.per_capita, ledger.per_household
    la, lb, ld, le = a // U, b // U, d // U, e // U
    ledger.levy_lines = (la, lb, ld, le)
    exact = a + b + d + e
    shown = la + lb + ld + le
    inside = _INSIDE(ledger)
    if inside != _NONE_INSIDE:
        lines = ledger.shown
        for k, v in zip(INSIDE, inside):
            if v:
                lines[k] = v // U
                shown -= v // U
                exact -= v
    computed = shown if c.per_element else exact // U
    ledger.computed = computed
    ledger.fraction = computed - shown
    if ledger.childbirth or ledger.former_dependent or ledger.relief:
        taken, ledger.levy = take(before_cap(c, ledger), computed, U)
        ledger.shown.update(taken)
    else:
        ledger.levy = computed


def _nothing(v) -> bool:
    """Whether an accumulator of a ColumnLedger is 0 for every household (an int 0 when
    no step touched it)."""
    return not (v.any() if hasattr(v, "any") else v)


def take_columns(np, reductions: dict, amount, unit: int) -> tuple[dict, object]:
    """The column form of `take`: ({key: yen[H]}, what is left[H])."""
    out = {}
    for k, v in reductions.items():
        if _nothing(v):                 # an accumulator no step touched, or all 0
            out[k] = 0
            continue
        cut = np.maximum(np.minimum(amount, v // unit), 0)
        out[k] = cut
        amount = amount - cut
    return out, amount


def levy_columns(c: Component, L) -> None:
    """The column form of `levy` (no 条例減免: those households are not in columns)."""
    np, U = L.np, L.unit
    a, b, d, e = L.income, L.asset, L.per_capita, L.per_household
    L.levy_lines = lines = (a // U, b // U, d // U, e // U)
    exact = a + b + d + e                       # (new arrays: in place from here on)
    shown = lines[0] + lines[1] + lines[2] + lines[3]
    L.shown = {}
    for k in INSIDE:
        v = getattr(L, k)
        if _nothing(v):                 # an accumulator no step touched, or all 0
            L.shown[k] = 0
            continue
        L.shown[k] = yen = v // U
        shown -= yen
        exact -= v
    computed = shown if c.rounding.yen == "per_element" else exact // U
    L.computed, L.fraction = computed, computed - shown
    before = {CHILDBIRTH: L.childbirth}
    if c.options.former_dependent_timing != "after_cap":
        before[FORMER_DEPENDENT] = L.former_dependent
    taken, L.levy = take_columns(np, before, computed, U)
    L.shown.update(taken)


# the household form (steps/compiled.py): as `levy`; no reduction is taken before the
# cap, as none arises without a special status or a 条例減免 (`unless`)
HOUSEHOLD = Form(consts="per_element = c.per_element", household="""
la, lb, ld, le = income // U, asset // U, per_capita // U, per_household // U
exact = income + asset + per_capita + per_household
shown_yen = la + lb + ld + le
shown = {}
""" + "".join(f"""if {k}:
    shown["{k}"] = cut = {k} // U
    shown_yen -= cut
    exact -= {k}
""" for k in INSIDE) + """computed = shown_yen if per_element else exact // U
fraction = computed - shown_yen
levy = computed""", unless=STATUS | ANY_RELIEF)

STEP = Step(ROUNDING, levy, ("rounding.yen",), columns=levy_columns, household=HOUSEHOLD)
