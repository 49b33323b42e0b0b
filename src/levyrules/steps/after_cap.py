"""減免 after the cap (旧被扶養者 by default, `options.former_dependent_timing`; 条例減免 so
declared, `timing: after_cap`): each is its share of what was levied, so when the cap
took part of the levy it shrinks in proportion, floored on its own and never more than
what is left (地方税法717条・各市町村国民健康保険税条例（減免）)."""

from __future__ import annotations

from ..rules import rule
from . import ANY_RELIEF, STATUS, Step
from .ledger import Component, Ledger, Stage
from .levy import FORMER_DEPENDENT, take, take_columns

AFTER_CAP = rule("after_cap_relief", "限度額適用後の減免（課税額に対する割合）",
                 "地方税法717条・各市町村国民健康保険税条例（減免）")


def relieve(c: Component, ledger: Ledger) -> None:
    after = ledger.relief_keys(Stage.AFTER_CAP) if ledger.relief else {}
    if c.fd_after_cap:
        after = {FORMER_DEPENDENT: ledger.former_dependent, **after}
    capped, levy = ledger.capped, ledger.levy
    num, den = (capped, levy) if capped < levy else (1, 1)
    taken, ledger.net = take({k: v * num // den for k, v in after.items()}, capped,
                             ledger.unit)
    ledger.after_cap = tuple(taken)
    ledger.shown.update(taken)


def relieve_columns(c: Component, L) -> None:
    """The column form: the 旧被扶養者 減免 when taken after the cap, as a share of the
    capped levy (products in Python integers where the cap cut: no int64 overflow)."""
    np = L.np
    L.after = 0                                # (an int: no household has any)
    if c.options.former_dependent_timing != "after_cap":
        return
    at = np.flatnonzero(L.former_dependent)    # the households with a 旧被扶養者 減免: few
    if not len(at):
        L.net = L.capped
        return
    v = np.zeros(len(at), np.int64) + L.former_dependent[at]
    capped, levy = L.capped[at], L.levy[at]
    cut = capped < levy
    if cut.any():
        share = (v[cut].astype(object) * capped[cut].astype(object)
                 // levy[cut].astype(object))
        v[cut] = np.array(share, np.int64) if len(share) else v[cut]
    taken, net = take_columns(np, {FORMER_DEPENDENT: v}, capped, L.unit)
    L.after = np.zeros(len(L.tier), np.int64)
    L.after[at] = taken[FORMER_DEPENDENT]
    L.net = L.capped.copy()
    L.net[at] = net
    L.shown[FORMER_DEPENDENT] = L.after


STEP = Step(AFTER_CAP, relieve, ("options.former_dependent_timing",), when=STATUS | ANY_RELIEF,
            columns=relieve_columns)
