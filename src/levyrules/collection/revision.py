"""更正 (revision): the year recomputed with the facts as now known, against what was
assessed before (rulebook §11.4, §13.3; functions.md 21).

    rev = revise(earlier_json, household, tariff, as_of=date(2023, 11, 15))
    rev.to_json()          # what changed, per component and per period, and why
    levyrules.render.revision.render(rev)   # the same as a 更正通知書 in Japanese

`earlier_json` is the assessment as `levyrules assess` printed it (with its
`installments`), or the JSON of an earlier revision (its `assessment` is used). The
engine has no clock: `as_of` decides which periods have fallen due. Revising again with
the same facts changes nothing: an unchanged annual tax keeps every installment.

The reasons are derived by comparing the earlier assessment's `persons` (months, care
months, 所得割 base, role) and 軽減 with the new ones; they say what changed, not which
document reported it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from ..engine.assess import assess
from ..engine.calendar import fy_month, fy_start, months_ja
from . import (ORDINARY, Installment, match_installments, ordinary_installments,
               reschedule)
from .earlier import read_earlier
from ..errors import InputError
from ..engine.household import Household
from .limitation import LimitationExpired, period_end
from ..rules.reductions import tier_label
from ..engine.result import NO_INSURED_MONTH, NO_INSURED_MONTH_JA, Assessment
from ..tariff.model import Tariff


@attrs.frozen(slots=True)
class Reason:
    code: str             # joined | left | months_changed | care_started | care_ended |
    #                       no_insured_month |
    #                       income_changed | role_changed | removed | reduction_tier |
    #                       specified_household | tariff_changed | engine_changed | other
    text: str             # short English-style line, e.g. "p3: 資格取得 2025-10 (months ...)"
    ja: str               # the 更正通知書 wording
    person: str | None = None

    def to_json(self) -> dict:
        out = {"code": self.code, "text": self.text, "ja": self.ja}
        if self.person is not None:
            out["person"] = self.person
        return out


@attrs.frozen(slots=True)
class PeriodChange:
    kind: str
    period: int
    due: date
    before: int
    after: int
    fallen_due: bool

    def to_json(self) -> dict:
        out: dict[str, Any] = {"period": self.period, "due": self.due.isoformat()}
        if self.kind != ORDINARY:
            out["kind"] = self.kind
        out.update(before=self.before, after=self.after, difference=self.after - self.before,
                   fallen_due=self.fallen_due)
        return out


@attrs.frozen(slots=True)
class Revision:
    household: str
    fiscal_year: int
    as_of: date
    change: str                       # increase | decrease | none
    components: dict                  # name -> (before, after)
    before_total: int
    after_total: int
    periods: tuple[PeriodChange, ...]
    installments: tuple[Installment, ...]   # after
    fallen_due: int
    paid: int
    refund: int
    due_at_once: int
    special_stopped: bool
    reasons: tuple[Reason, ...]
    limitation: dict | None
    assessment: Assessment
    earlier_tariff: dict

    @property
    def difference(self) -> int:
        return self.after_total - self.before_total

    def assessment_json(self) -> dict:
        """The new assessment with the revised installments: a valid EARLIER for the
        next revision."""
        out = self.assessment.to_json()
        out.pop("trace", None)
        out["installments"] = [i.to_json() for i in self.installments]
        return out

    def to_json(self) -> dict:
        a = self.assessment
        return {
            "household": self.household,
            "fiscal_year": self.fiscal_year,
            "as_of": self.as_of.isoformat(),
            "tariff": {"id": a.tariff_id, "sha256": a.tariff_sha256, "status": a.tariff_status},
            "earlier_tariff": self.earlier_tariff,
            "engine": a.engine,
            "change": self.change,
            "components": {k: {"before": b, "after": n, "difference": n - b}
                           for k, (b, n) in self.components.items()},
            "total": {"before": self.before_total, "after": self.after_total,
                      "difference": self.difference},
            "installments": [p.to_json() for p in self.periods],
            "fallen_due": self.fallen_due,
            "paid": self.paid,
            "refund": self.refund,
            "due_at_once": self.due_at_once,
            "special_stopped": self.special_stopped,
            "reasons": [r.to_json() for r in self.reasons],
            "limitation": self.limitation,
            "assessment": self.assessment_json(),
        }


# ---------------------------------------------------------------- reading the earlier JSON

def _earlier_assessment(data: Any) -> dict:
    return read_earlier(data)       # every field checked: levyrules.collection.earlier


def _mask(text: str) -> int:
    return sum(1 << i for i, c in enumerate(text) if c == "1")


def _low(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


def _high(mask: int) -> int:
    return mask.bit_length() - 1


# ---------------------------------------------------------------- reasons

_ROLE_JA = {"insured": "被保険者", "fictitious_head": "擬制世帯主", "late_elderly": "特定同一世帯所属者",
            "other": "世帯員（国保外）"}


def _ym(fy: int, index: int) -> str:
    y, m = fy_month(fy, index)
    return f"{y}-{m:02d}"


def _ym_ja(fy: int, index: int) -> str:
    y, m = fy_month(fy, index)
    return f"{y}年{m}月"


def _mj(fy: int, mask: int) -> str:
    """Months as a notice writes them (「2025年4月〜8月」), never as 12 flags."""
    return months_ja(fy, mask)


def _tier_ja(t) -> str:
    return tier_label(t or 0)


def reasons(earlier: dict, new: dict) -> tuple[Reason, ...]:
    """What changed between two assessments (JSON), as the events a 更正通知書 names."""
    fy = new["fiscal_year"]
    out: list[Reason] = []
    old_p = {p["id"]: p for p in earlier.get("persons", [])}
    new_p = {p["id"]: p for p in new.get("persons", [])}
    for pid in list(new_p) + [k for k in old_p if k not in new_p]:
        o, n = old_p.get(pid), new_p.get(pid)
        if n is None:
            out.append(Reason("removed", f"{pid}: no longer in the household "
                                         f"(months {o.get('months', '0' * 12)} before)",
                              f"{pid}: 世帯の構成から外れました", pid))
            continue
        om = _mask((o or {}).get("months", "0" * 12))
        nm = _mask(n.get("months", "0" * 12))
        _month_reasons(out, fy, pid, o, n, om, nm)
        _care_reasons(out, fy, pid, o, n, om, nm)
        if o is not None:
            _person_reasons(out, pid, o, n, om, nm)
    if NO_INSURED_MONTH in (new.get("notes") or ()):
        out.append(Reason("no_insured_month", NO_INSURED_MONTH, NO_INSURED_MONTH_JA))
    o_red, n_red = earlier.get("reduction") or {}, new.get("reduction") or {}
    if o_red.get("tier") is not None and o_red.get("tier") != n_red.get("tier"):
        out.append(Reason("reduction_tier",
                          f"reduction tier {o_red.get('tier')} → {n_red.get('tier')}",
                          f"軽減区分 {_tier_ja(o_red.get('tier'))} → {_tier_ja(n_red.get('tier'))}"
                          f"（軽減判定所得 {o_red.get('judgement_income', 0):,}円 → "
                          f"{n_red.get('judgement_income', 0):,}円）"))
    if earlier.get("specified_household") != new.get("specified_household") and \
            "specified_household" in earlier:
        out.append(Reason("specified_household",
                          f"specified household {earlier.get('specified_household')} → "
                          f"{new.get('specified_household')}",
                          f"特定世帯区分 {earlier.get('specified_household') or 'なし'} → "
                          f"{new.get('specified_household') or 'なし'}"))
    ot, nt_ = earlier.get("tariff") or {}, new.get("tariff") or {}
    if ot.get("sha256") and ot.get("sha256") != nt_.get("sha256"):
        out.append(Reason("tariff_changed",
                          f"tariff {ot.get('id')} ({ot.get('sha256', '')[:12]}) → "
                          f"{nt_.get('id')} ({nt_.get('sha256', '')[:12]})",
                          f"税率表 {ot.get('id')} → {nt_.get('id')}（内容が異なります）"))
    if earlier.get("engine") and earlier.get("engine") != new.get("engine"):
        out.append(Reason("engine_changed", f"engine {earlier.get('engine')} → {new.get('engine')}",
                          f"計算エンジン {earlier.get('engine')} → {new.get('engine')}"))
    return tuple(out)


def _month_reasons(out: list, fy: int, pid: str, o, n: dict, om: int, nm: int) -> None:
    """資格取得 / 資格喪失, or months that changed otherwise."""
    nt = n.get("months", "0" * 12)
    if om != nm:
        found = False
        if nm and (not om or _low(nm) != _low(om)):
            out.append(Reason("joined", f"{pid}: 資格取得 {_ym(fy, _low(nm))} (months {nt})",
                              f"{pid}: {_ym_ja(fy, _low(nm))} 資格取得（加入月 {_mj(fy, nm)}）",
                              pid))
            found = True
        if om and not nm:
            out.append(Reason("left", f"{pid}: 資格喪失 {_ym(fy, _low(om))} (months {nt})",
                              f"{pid}: {_ym_ja(fy, _low(om))} 資格喪失（加入月 {_mj(fy, nm)}）",
                              pid))
            found = True
        elif nm and _high(nm) < 11 and (not om or _high(nm) != _high(om)):
            out.append(Reason("left", f"{pid}: 資格喪失 {_ym(fy, _high(nm) + 1)} (months {nt})",
                              f"{pid}: {_ym_ja(fy, _high(nm) + 1)} 資格喪失"
                              f"（加入月 {_mj(fy, nm)}）",
                              pid))
            found = True
        if not found:
            ot = (o or {}).get("months", "0" * 12)
            out.append(Reason("months_changed", f"{pid}: months {ot} → {nt}",
                              f"{pid}: 加入月 {_mj(fy, om)} → {_mj(fy, nm)}", pid))


def _care_reasons(out: list, fy: int, pid: str, o, n: dict, om: int, nm: int) -> None:
    """介護分 months gained or lost within months insured in both assessments."""
    oc = _mask((o or {}).get("care_months", "0" * 12))
    nc = _mask(n.get("care_months", "0" * 12))
    gained = nc & ~oc & om         # months already insured before that now carry 介護分
    lost = oc & ~nc & nm           # months still insured that no longer do
    if gained:
        out.append(Reason("care_started", f"{pid}: 介護分 from {_ym(fy, _low(gained))}",
                          f"{pid}: {_ym_ja(fy, _low(gained))}から介護分の対象"
                          f"（介護分の月 {_mj(fy, nc)}）", pid))
    if lost:
        out.append(Reason("care_ended", f"{pid}: no 介護分 from {_ym(fy, _low(lost))}",
                          f"{pid}: {_ym_ja(fy, _low(lost))}から介護分の対象外"
                          f"（介護分の月 {_mj(fy, nc)}）", pid))


def _person_reasons(out: list, pid: str, o: dict, n: dict, om: int, nm: int) -> None:
    """A changed role, or a changed income (所得の更正)."""
    if o.get("role") != n.get("role") and o.get("role") is not None:
        out.append(Reason("role_changed", f"{pid}: role {o.get('role')} → {n.get('role')}",
                          f"{pid}: {_ROLE_JA.get(o.get('role'), o.get('role'))} → "
                          f"{_ROLE_JA.get(n.get('role'), n.get('role'))}", pid))
    ob, nb = o.get("income_base"), n.get("income_base")
    if om and nm and isinstance(ob, int) and ob != nb:
        out.append(Reason("income_changed", f"{pid}: income base {ob} → {nb}",
                          f"{pid}: 所得割の算定基礎額 {ob:,}円 → {nb:,}円（所得の更正）",
                          pid))
    else:
        oj, nj = o.get("judgement_income"), n.get("judgement_income")
        if isinstance(oj, int) and isinstance(nj, int) and oj != nj:
            out.append(Reason("income_changed", f"{pid}: judgement income {oj} → {nj}",
                              f"{pid}: 軽減判定の所得 {oj:,}円 → {nj:,}円（所得の更正）",
                              pid))


# ---------------------------------------------------------------- the revision

def revise(earlier: Any, household: Household, tariff: Tariff, as_of: date, *,
           paid: int | None = None, fraud: bool = False,
           allow_other_municipality: bool = False) -> Revision:
    """更正: assess `household` under `tariff` and compare it with `earlier` (JSON).

    As `assess`, a household that names another municipality than the tariff's is
    refused unless allow_other_municipality=True (another town's tariff on purpose)."""
    new = assess(household, tariff, allow_other_municipality=allow_other_municipality)
    return revise_assessment(earlier, new, tariff, as_of, paid=paid, fraud=fraud)


def _earlier_installments(old: dict, plan) -> list:
    """The earlier 期別税額: as the earlier JSON lists them, or (none listed) the tariff's
    納期 applied to the earlier total; they must add up to that total."""
    old_total = old["total"]
    raw = old.get("installments") or []
    if not isinstance(raw, list):
        raise InputError("earlier.installments", "must be a list")
    before = [Installment.from_json(x, f"earlier.installments[{i}]") for i, x in enumerate(raw)]
    if not before and plan is not None:
        before = ordinary_installments(old_total, plan)
    if before and sum(i.amount for i in before) != old_total:
        raise InputError("earlier.installments", f"add up to {sum(i.amount for i in before)}, "
                                                 f"not to the earlier total {old_total}")
    return before


def _change_kind(comps: dict, old_total: int, new_total: int) -> str:
    """"increase" when any component or the total grows (増額更正: the 期間制限 of an
    increase applies), "decrease" when anything else changes, else "none"."""
    if any(n > b for b, n in comps.values()) or new_total > old_total:
        return "increase"
    if any(n != b for b, n in comps.values()) or new_total != old_total:
        return "decrease"
    return "none"


def revise_assessment(earlier: Any, new: Assessment, tariff: Tariff, as_of: date, *,
                      paid: int | None = None, fraud: bool = False) -> Revision:
    """更正 of an already computed new Assessment against `earlier` (JSON)."""
    old = _earlier_assessment(earlier)
    fy = new.fiscal_year
    if old["fiscal_year"] != fy:
        raise InputError("earlier.fiscal_year", f"is {old['fiscal_year']} but the household is "
                                                f"for fiscal year {fy}")
    if old["household"] != new.household:
        raise InputError("earlier.household", "names another household")
    if new.total is None:
        raise InputError("total", "the new assessment is incomplete: a 更正 needs every component")
    if as_of < fy_start(fy):
        raise InputError("as_of", f"is before fiscal year {fy} begins ({fy_start(fy).isoformat()})")
    if paid is not None and (isinstance(paid, bool) or not isinstance(paid, int) or paid < 0):
        raise InputError("paid", "must be a whole, non-negative number of yen")
    plan = tariff.installments
    old_total = old["total"]
    before = _earlier_installments(old, plan)
    names = list(new.components) + [k for k in old["components"] if k not in new.components]
    comps = {k: (old["components"].get(k, {}).get("amount", 0) or 0,
                 new.components[k].amount if k in new.components else 0) for k in names}
    new_total = new.total
    change = _change_kind(comps, old_total, new_total)

    limitation = None
    if change != "none":
        first_due = plan.periods[0].due if plan is not None else None
        ends = period_end(fy, change, first_due, fraud)
        limitation = {"kind": change, "statutory_due": (first_due or date(fy, 7, 31)).isoformat(),
                      "ends": ends.isoformat(), "fraud": fraud, "within": as_of <= ends}
        if as_of > ends:
            raise LimitationExpired(fy, change, ends, as_of)

    if before or plan is not None:
        rs = reschedule(before, old_total, new_total, as_of, plan, paid=paid)
        after, fallen, paid_amount, refund, at_once, stopped = (
            rs.installments, rs.fallen_due, rs.paid, rs.refund, rs.at_once, rs.special_stopped)
    else:                                   # no 納期 known: totals only
        after, fallen, at_once, stopped = (), 0, 0, False
        paid_amount = paid or 0
        refund = max(0, paid_amount - new_total)
    periods = tuple(PeriodChange(kind, n, due, b, a, due <= as_of)
                    for (kind, n), b, a, due in match_installments(before, after))
    new_json = new.to_json()
    return Revision(new.household, fy, as_of, change, comps, old_total, new_total, periods,
                    tuple(after), fallen, paid_amount, refund, at_once, stopped,
                    reasons(old, new_json) if change != "none" else (), limitation, new,
                    dict(old.get("tariff") or {}))
