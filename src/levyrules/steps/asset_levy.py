"""資産割額: the person's 固定資産税額 × the 資産割率, for the months levied
(地方税法703条の4第4項; 条例の月割)."""

from __future__ import annotations

from ..rules import ASSET_LEVY
from . import ASSET, ASSET_TAX, Form, Step
from .ledger import Component, Ledger


def levy(c: Component, ledger: Ledger) -> None:
    k = c.rates.k_asset
    total = 0
    for r in ledger.rows:
        r.ast_net = r.member.person.fixed_asset_tax * k
        total += r.ast_net * r.n
    ledger.asset += total


def levy_columns(c: Component, L) -> None:
    if L.rows_later:                    # at the rows read after the month split alone
        tax, k = L.asset_tax, c.rates.k_asset
        L.ast_net = L.derived(lambda rows: tax.take(rows) * k)
    L.asset += L.sum_once("asset_tax·n", lambda: L.asset_tax * L.n) * c.rates.k_asset


# the household form (steps/compiled.py): Σ 固定資産税額 × months, times the rate
HOUSEHOLD = Form(consts="k_asset = c.rates.k_asset",
                 member="A += m.person.fixed_asset_tax * n",
                 household="asset += A * k_asset", sums=("A",))

STEP = Step(ASSET_LEVY, levy, needs=ASSET, columns=levy_columns, only=ASSET_TAX,
            household=HOUSEHOLD)
