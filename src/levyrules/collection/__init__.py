"""Collection (徴収): 期割 of the annual tax, 仮算定, 特別徴収 (年金天引き), and 更正's 期割.

Every function here is pure: the tariff's :class:`InstallmentPlan` gives the 納期 (set by
the city's 条例), the caller gives the amounts and the facts the engine cannot know (the
pension, last year's tax or withholding). Amounts are whole yen and every list of
installments adds up to the amount it splits; nothing is ever negative.

- :mod:`.installment` — one payment (:class:`Installment`, its kinds) and a year's
  (:class:`Schedule`).
- :mod:`.ordinary` — 普通徴収 期割 (地方税法20条の4の2第6項, rulebook §11.4): each period
  floor(total ÷ n) to the plan's unit, the remainder to the period the plan names, over
  the 納期 still open on the day liability starts; :func:`ordinary_installments` for one
  household and :func:`installment_columns`, its column form, for a population.
- :mod:`.provisional` — 仮算定 (暫定賦課) from last year's tax, then 本算定 over the
  remaining periods (:func:`provisional_installments`, :func:`final_installments`).
- :mod:`.special` — the five conditions of 特別徴収 and the 75-in-year rule (§12.1,
  :func:`special_eligibility`); 仮徴収 / 本徴収 / 平準化 / first year (§12.2,
  :func:`special_schedule`).
- :mod:`.reschedule` — spread a changed annual tax over the periods not yet due (更正,
  §11.4; 特別徴収 after a change, §12.2); used by :mod:`levyrules.collection.revision`.
"""

from __future__ import annotations

from .installment import (AT_ONCE, KIND_JA, KINDS, ORDINARY, SPECIAL_FINAL,
                          SPECIAL_PROVISIONAL, Installment, Schedule)
from .ordinary import (installment_columns, installments_json, installments_text,
                       ordinary_installments, spread)
from .provisional import final_installments, provisional_installments
from .reschedule import Respread, match_installments, reschedule
from .special import (FAILURE_CODES, PENSION_MINIMUM, Eligibility, Failure, PensionFacts,
                      special_eligibility, special_schedule)

__all__ = [
    "AT_ONCE", "KIND_JA", "KINDS", "ORDINARY", "SPECIAL_FINAL", "SPECIAL_PROVISIONAL",
    "Installment", "Schedule",
    "installment_columns", "installments_json", "installments_text",
    "ordinary_installments", "spread",
    "final_installments", "provisional_installments",
    "Respread", "match_installments", "reschedule",
    "FAILURE_CODES", "PENSION_MINIMUM", "Eligibility", "Failure", "PensionFacts",
    "special_eligibility", "special_schedule",
]
