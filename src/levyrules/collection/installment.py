"""One payment of the annual tax (期別の税額) and a year's payments (Schedule).

The kinds of payment: 普通徴収 期別 (paid on the 条例's 納期 with the 納税通知書), 特別徴収
仮徴収 and 本徴収 (withheld from the pension, 地方税法706条・718条の2以下), and 随時 (an
amount due at once when no 納期 of the 条例 is left: a liability that starts after the
last 納期, or a 更正 that raises the tax then). Amounts are whole yen, never negative.
"""

from __future__ import annotations

from datetime import date

import attrs

from ..errors import InputError

ORDINARY = "ordinary"                      # 普通徴収 期別
SPECIAL_PROVISIONAL = "special_provisional"  # 特別徴収 仮徴収 (4・6・8月)
SPECIAL_FINAL = "special_final"            # 特別徴収 本徴収 (10・12・2月)
AT_ONCE = "at_once"                        # 随時: due at once (no 納期 left)
KINDS = (ORDINARY, SPECIAL_PROVISIONAL, SPECIAL_FINAL, AT_ONCE)
KIND_JA = {ORDINARY: "普通徴収", SPECIAL_PROVISIONAL: "特別徴収（仮徴収）",
           SPECIAL_FINAL: "特別徴収（本徴収）", AT_ONCE: "随時（直ちに納付）"}


@attrs.frozen(slots=True)
class Installment:
    """One payment of the annual tax: a 普通徴収 期別, a 特別徴収 payment, or an amount
    due at once. `(kind, period)` identifies it within a year."""
    period: int
    due: date
    amount: int
    kind: str = ORDINARY

    @property
    def special(self) -> bool:
        return self.kind in (SPECIAL_PROVISIONAL, SPECIAL_FINAL)

    def to_json(self) -> dict:
        """Contract §4: {"period", "due", "amount"}; "kind" only when not 普通徴収."""
        out = {"period": self.period, "due": self.due.isoformat(), "amount": self.amount}
        if self.kind != ORDINARY:
            out["kind"] = self.kind
        return out

    @staticmethod
    def from_json(data: object, path: str = "installments") -> "Installment":
        if not isinstance(data, dict):
            raise InputError(path, "must be an object {period, due, amount}")
        for key in data:
            if key not in ("period", "due", "amount", "kind"):
                raise InputError(f"{path}.{key}", "unknown field")
        period, amount = data.get("period"), data.get("amount")
        if isinstance(period, bool) or not isinstance(period, int) or period < 1:
            raise InputError(f"{path}.period", "must be a period number (1, 2, ...)")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise InputError(f"{path}.amount", "must be a whole, non-negative number of yen")
        due = data.get("due")
        try:
            d = date.fromisoformat(due) if isinstance(due, str) and len(due) == 10 else None
        except ValueError:
            d = None
        if d is None:
            raise InputError(f"{path}.due", "must be a date written YYYY-MM-DD")
        kind = data.get("kind", ORDINARY)
        if kind not in KINDS:
            raise InputError(f"{path}.kind", "must be one of " + ", ".join(KINDS))
        return Installment(period, d, amount, kind)


@attrs.frozen(slots=True)
class Schedule:
    """A year's payments; `overpaid` is what was collected beyond the annual tax
    (refunded: 過誤納)."""
    installments: tuple[Installment, ...]
    overpaid: int = 0

    @property
    def total(self) -> int:
        return sum(i.amount for i in self.installments)

    def to_json(self) -> dict:
        return {"installments": [i.to_json() for i in self.installments],
                "overpaid": self.overpaid}
