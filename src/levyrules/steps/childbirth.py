"""産前産後期間の免除: the mother's 所得割 and 均等割 (after the 軽減 and any earlier 減免)
for the months of the 産前産後期間 (資産割 too by `options.childbirth_asset`); before the
cap (地方税法703条の5の3, 施行令56条の89の4; the months: rules/childbirth.py)."""

from __future__ import annotations

from ..rules.childbirth import CHILDBIRTH
from . import STATUS, Step
from .ledger import Component, Ledger


def exempt(c: Component, ledger: Ledger) -> None:
    D = c.rates.denominator
    with_asset = c.options.childbirth_asset
    total = 0
    for r in ledger.rows:
        if not r.birth:
            continue
        total += (r.inc_net + r.pc_net * D + (r.ast_net if with_asset else 0)) * r.n
        r.inc_net = 0
        r.pc_net = 0
        if with_asset:
            r.ast_net = 0
    ledger.childbirth += total


def exempt_columns(c: Component, L) -> None:
    """The column form, over the rows in the 産前産後期間 alone."""
    r = L.np.flatnonzero(L.birth)
    if not len(r):
        return
    asset = L.ast_net[r] if c.options.childbirth_asset else 0
    L.childbirth += L.sum_rows(r, (L.inc_net[r] + L.pc_net[r] * c.rates.denominator + asset)
                               * L.n[r])
    L.with_rows("inc_net", r, 0)
    L.with_rows("pc_net", r, 0)
    if c.options.childbirth_asset:
        L.with_rows("ast_net", r, 0)


STEP = Step(CHILDBIRTH, exempt, ("options.childbirth_asset",), STATUS,
            columns=exempt_columns)
