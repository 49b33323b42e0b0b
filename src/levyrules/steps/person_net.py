"""Each person's net levies by run of months, after every reduction a person-month
carries: what the cap by month (`options.cap_policy: B`) and the 100円 cut per person
(`rounding.hundred: per_person`) work on (地方税法703条の4・条例の月割). A 旧被扶養者
減免 taken after the cap stays in until the cap."""

from __future__ import annotations

from ..rules import MONTHS
from . import NETS, Step
from .ledger import Component, Ledger


def net(c: Component, ledger: Ledger) -> None:
    D = c.rates.denominator
    keep_fd = c.fd_after_cap
    ledger.person_net += tuple(
        (r.inc_net + r.ast_net + r.pc_net * D + (r.fd_here if keep_fd else 0), r.months)
        for r in ledger.rows)


STEP = Step(MONTHS, net, ("options.former_dependent_timing",), when=NETS)
