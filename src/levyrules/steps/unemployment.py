"""非自発的失業者の特例: in the months of the 特例 the 所得割 is computed on the 給与所得
taken at 30/100 (地方税法703条の5の2, 施行令56条の89の3). The 所得割 on the normal base
stays the element; the difference is shown as a reduction inside the levy."""

from __future__ import annotations

from ..rules.unemployment import UNEMPLOYMENT
from . import STATUS, Step
from .ledger import Component, Ledger


def reduce(c: Component, ledger: Ledger) -> None:
    k = c.rates.k_income
    total = 0
    for r in ledger.rows:
        if r.unemployed:
            total += (r.base_n - r.base_x) * k * r.n
            r.inc_net = r.base_x * k
    ledger.involuntary_unemployment += total


def reduce_columns(c: Component, L) -> None:
    """The column form, over the rows in the 特例's months alone."""
    k, r = c.rates.k_income, L.np.flatnonzero(L.unemployed)
    if not len(r):
        return
    base_x = L.base_x[r]
    L.involuntary_unemployment += L.sum_rows(r, (L.base_n[r] - base_x) * k * L.n[r])
    L.with_rows("inc_net", r, base_x * k)


STEP = Step(UNEMPLOYMENT, reduce, ("options.unemployment_adjustment",), STATUS,
            columns=reduce_columns)
