"""Each person's facts for the fiscal year, derived once before the 判定 and the steps:
the months insured (資格取得月から資格喪失月の前月まで; 75歳到達 ends 国保), the 介護 months
(40歳以上65歳未満), 後期高齢者医療 (特定同一世帯所属者), 未就学児 / 18歳未満, and the special
statuses as month masks (非自発的失業, 産前産後, 旧被扶養者, 介護保険適用除外施設)."""

from __future__ import annotations

from datetime import date

from .calendar import anniversary, care_age_mask, is_preschool, is_under18, period_mask
from .household import NO_STATUSES, Person
from .income import PersonIncome
from .rules import care_exempt, childbirth, former_dependent, unemployment


# the facts of a birth date in a fiscal year (75th birthday, 介護 age months, 未就学児,
# 18歳未満): pure functions of (birth, fy), so computed once per pair (bounded)
_BIRTH_FACTS: dict[tuple, tuple] = {}


def _birth_facts(birth: date, fy: int) -> tuple:
    key = (birth, fy)
    facts = _BIRTH_FACTS.get(key)
    if facts is None:
        if len(_BIRTH_FACTS) >= 65536:
            _BIRTH_FACTS.clear()
        facts = _BIRTH_FACTS[key] = (anniversary(birth, 75), care_age_mask(fy, birth),
                                     is_preschool(fy, birth), is_under18(fy, birth))
    return facts


class Member:
    """A person's facts for the year, derived once."""
    __slots__ = ("person", "index", "insured", "care", "cut", "late_date", "income",
                 "preschool", "under18", "on", "late", "counted",
                 "income_u", "unemployed", "unemployment_period", "birth", "fd_exempt",
                 "fd_half", "care_exempt", "notes")

    def __init__(self, person: Person, index: int, fy: int):
        self.person = person
        self.index = index
        at75, care_age, self.preschool, self.under18 = _birth_facts(person.birth_date, fy)
        cut = at75
        late = person.late_elderly_since
        if late is not None and late < cut:
            cut = late
        self.cut = cut
        mask = 0
        reaches_75 = False
        for per in person.insured:
            if per.start >= cut:
                continue
            until = per.until
            if until is None or until > cut:
                until = cut
                reaches_75 = late is None
            mask |= period_mask(fy, per.start, until)
        self.insured = mask
        self.care = mask & care_age
        # 特定同一世帯所属者: left 国保 for 後期高齢者医療 (given, or at 75 while insured)
        self.late_date = late if late is not None else (at75 if reaches_75 else None)
        self.income: PersonIncome | None = None
        self.on = self.late = self.counted = False   # set for the 判定日
        # special statuses (rulebook §5, §6, §8, §13.9): month masks, 0 when none
        self.income_u: PersonIncome | None = None    # income under the 非自発的失業 特例
        self.unemployed = self.birth = self.fd_exempt = self.fd_half = self.care_exempt = 0
        self.unemployment_period = 0                 # the 特例 months, insured or not
        self.notes: tuple = ()                       # (rule, text) for the trace
        if person.statuses is not NO_STATUSES:    # even with no month: the 判定 may count them
            self._statuses(person.statuses, fy)

    def _statuses(self, st, fy: int) -> None:
        mask = self.insured
        if st.involuntary_unemployment is not None:
            why = unemployment.ineligible_reason(st.involuntary_unemployment,
                                                 self.person.birth_date)
            if why:
                self.notes += ((unemployment.UNEMPLOYMENT, f"特例の対象外: {why}"),)
            else:
                self.unemployment_period = unemployment.period_mask(fy,
                                                                    st.involuntary_unemployment)
                self.unemployed = self.unemployment_period & mask
        if st.childbirth is not None:
            self.birth = childbirth.exempt_mask(fy, st.childbirth) & mask
        if st.former_dependent_since is not None:
            since = st.former_dependent_since
            if former_dependent.eligible(self.person.birth_date, since):
                self.fd_exempt = former_dependent.exempt_mask(fy, since) & mask
                self.fd_half = former_dependent.half_mask(fy, since) & mask
            else:
                self.notes += ((former_dependent.FORMER_DEPENDENT,
                                   "対象外: 資格取得日に65歳未満"),)
        if st.care_exempt_facility:
            self.care_exempt = care_exempt.facility_mask(fy, st.care_exempt_facility) & self.care
            self.care &= ~self.care_exempt

    @property
    def special(self) -> bool:
        return bool(self.unemployed or self.birth or self.fd_exempt)

    def insured_on(self, d: date) -> bool:
        cut = self.cut
        for per in self.person.insured:
            if per.start <= d < cut and (per.until is None or d < per.until):
                return True
        return False

    def judge_on(self, d: date, is_head: bool) -> None:
        """Who this person is on the 判定日: insured, 特定同一世帯所属者, or neither."""
        self.on = self.insured_on(d)
        self.late = not self.on and self.late_date is not None and self.late_date <= d
        self.counted = self.on or self.late or is_head
