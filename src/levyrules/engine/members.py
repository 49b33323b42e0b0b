"""Each person's facts for the fiscal year, derived once before the 判定 and the steps:
the months insured (資格取得月から資格喪失月の前月まで; 75歳到達 ends 国保), the 介護 months
(40歳以上65歳未満), 後期高齢者医療 (特定同一世帯所属者), 未就学児 / 18歳未満, and the special
statuses as month masks (非自発的失業, 産前産後, 旧被扶養者, 介護保険適用除外施設); then the
household's 判定日 and who counts on it (地方税法703条の5: 軽減 judged on the 賦課期日, 4月1日,
or on the day the 納税義務 arises).

Each has a column form next to it for the columnar evaluator (levyrules.batch):
member_columns, judgement_dates and judge_columns compute the same for every person and
household of a Population at once."""

from __future__ import annotations

from datetime import date

import attrs

from .calendar import (FULL_YEAR, anniversary, anniversary_columns, care_age_mask,
                       care_age_mask_columns, fy_month, fy_start, is_preschool,
                       is_65_at_income_year_end, is_preschool_columns, is_under18,
                       is_under18_columns, key_day_columns,
                       key_range_mask_columns, mask_union_columns, month_key_columns,
                       period_mask)
from .household import NO_STATUSES, Person
from .income import PersonIncome
from ..rules import care_exempt, childbirth, former_dependent, unemployment


# the facts of a birth date in a fiscal year (75th birthday, 介護 age months, 未就学児,
# 18歳未満, 65歳以上 at the income year's end): pure functions of (birth, fy), so computed
# once per pair (bounded)
_BIRTH_FACTS: dict[tuple, tuple] = {}


def _birth_facts(birth: date, fy: int) -> tuple:
    key = (birth, fy)
    facts = _BIRTH_FACTS.get(key)
    if facts is None:
        if len(_BIRTH_FACTS) >= 65536:
            _BIRTH_FACTS.clear()
        facts = _BIRTH_FACTS[key] = (anniversary(birth, 75), care_age_mask(fy, birth),
                                     is_preschool(fy, birth), is_under18(fy, birth),
                                     is_65_at_income_year_end(fy, birth))
    return facts


class Member:
    """A person's facts for the year, derived once."""
    __slots__ = ("person", "index", "insured", "care", "cut", "late_date", "income",
                 "preschool", "under18", "over65", "on", "late", "counted",
                 "income_u", "unemployed", "unemployment_period", "birth", "fd_exempt",
                 "fd_half", "care_exempt", "notes")

    def __init__(self, person: Person, index: int, fy: int):
        self.person = person
        self.index = index
        birth = person.birth_date
        at75, care_age, self.preschool, self.under18, self.over65 = \
            _BIRTH_FACTS.get((birth, fy)) or _birth_facts(birth, fy)
        cut = at75
        late = person.late_elderly_since
        if late is not None and late < cut:
            cut = late
        self.cut = cut
        mask = 0
        reaches_75 = False
        for per in person.insured:
            start = per.start
            if start >= cut:
                continue
            until = per.until
            if until is None or until > cut:
                until = cut
                reaches_75 = late is None
            mask |= period_mask(fy, start, until)
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
        cut = self.cut
        for per in self.person.insured:      # insured_on(d), inline: once per person
            if per.start <= d < cut and (per.until is None or d < per.until):
                self.on = self.counted = True
                self.late = False
                return
        self.on = False
        self.late = late = self.late_date is not None and self.late_date <= d
        self.counted = late or is_head


def judgement_date(members: list[Member], fy: int, window: int = FULL_YEAR) -> date:
    """判定日: 4月1日 (or the first day of `window`'s months), or the day the household's
    納税義務 starts when that is later."""
    first = (window & -window).bit_length() - 1
    if first:
        y, mo = fy_month(fy, first)
        start = date(y, mo, 1)
    else:
        start = fy_start(fy)
    for m in members:
        if m.insured_on(start):
            return start
    # a period covers its own first day (until > from): one pass, linear in the periods
    return min(per.start for m in members for per in m.person.insured
               if start < per.start < m.cut and (per.until is None or per.until > per.start))


# ---------------------------------------------------------------- column forms

@attrs.define(slots=True, eq=False)
class MemberColumns:
    """The Member facts of every person row of a Population (int64 / bool arrays)."""
    insured: object               # 12-bit month masks (bit 0 = April)
    care: object                  # 介護 months, without the 適用除外施設 ones
    cut: object                   # ordinal: 75th birthday or 後期高齢者医療, the earlier
    late_date: object             # ordinal or NONE: 特定同一世帯所属者 since
    preschool: object             # bool
    under18: object               # bool
    unemployed: object            # 非自発的失業 months insured
    unemployment_period: object   # the 特例 months, insured or not
    birth: object                 # 産前産後 months
    fd_exempt: object             # 旧被扶養者: 所得割・資産割 months
    fd_half: object               # 旧被扶養者: 均等割・平等割 5割 months
    care_exempt: object           # 介護保険適用除外施設 months (of the 介護 months)
    period_end: object = None     # per insured period: its end clipped to `cut` (ordinal)


def member_columns(pop) -> MemberColumns:
    """Column form of Member over every person of `pop` (a batch.population.Population)."""
    import numpy as np
    from ..batch.population import NONE
    fy, birth, late = pop.fiscal_year, pop.birth, np.asarray(pop.late_since, dtype=np.int64)
    n = len(birth)
    if not n:                   # no person (from_households([]) has no fiscal year)
        ints, flags = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
        return MemberColumns(*([ints] * 4), flags, flags, *([ints] * 6))
    at75, care_age = _birth_fact_columns(fy, birth)
    # the earlier of late (NONE: none) and at75, ordinals ≥ 1: as unsigned, NONE is 2^63
    cut = np.minimum(late.view(np.uint64), at75.view(np.uint64)).view(np.int64)
    per = pop.periods
    owner, start, until = per["person"], per["start"], per["until"]
    pcut = cut[owner]
    live = start < pcut
    clipped = (until == NONE) | (until > pcut)
    end = np.where(clipped, pcut, until)            # no open end left
    masks = key_range_mask_columns(fy, month_key_columns(start), month_key_columns(end))
    masks[~live] = 0
    masks += (live & clipped) * np.int64(1 << 12)   # bit 12: 国保 ended by the 75th birthday
    insured = mask_union_columns(n, owner, masks)
    reaches = insured > FULL_YEAR
    insured &= FULL_YEAR
    # 特定同一世帯所属者 since: 後期高齢者医療 when given, else the 75th birthday reached
    late_date = np.where(reaches & (late == NONE), at75, late)
    facts = MemberColumns(insured, insured & care_age, cut, late_date,
                          is_preschool_columns(fy, birth), is_under18_columns(fy, birth),
                          *(np.zeros(n, dtype=np.int64) for _ in range(6)), end)
    _status_columns(pop, facts)
    return facts


# the birth-date facts of the column form (75th birthday, 介護 age months): pure functions
# of (birth, fy), so worked out once per day of the span of birth dates seen (a chunk has
# about 4 persons per distinct birth date) and gathered for every person
_DAY_FACTS: dict[int, tuple] = {}
_SPAN_MAX = 1 << 17                  # days (about 360 years) a table may span


def _birth_fact_columns(fy: int, birth) -> tuple:
    """(anniversary_columns(birth, 75), care_age_mask_columns(fy, birth)) of every person
    (`birth` non-empty), read from a table of every day of a span for the fiscal year:
    the same column functions, computed once per day (the table grows to new dates)."""
    import numpy as np
    lo, hi = int(birth.min()), int(birth.max())
    t = _DAY_FACTS.get(fy)
    if t is None or lo < t[0] or hi >= t[0] + len(t[1]):
        if t is not None and max(hi, t[0] + len(t[1]) - 1) - min(lo, t[0]) < _SPAN_MAX:
            lo, hi = min(lo, t[0]), max(hi, t[0] + len(t[1]) - 1)   # keep what it had
        if hi - lo >= _SPAN_MAX:                    # dates too far apart: per person
            kd = key_day_columns(birth)
            return anniversary_columns(birth, 75, kd), care_age_mask_columns(fy, birth, kd)
        days = np.arange(lo, hi + 1, dtype=np.int64)
        kd = key_day_columns(days)
        if len(_DAY_FACTS) >= 8:
            _DAY_FACTS.clear()
        t = _DAY_FACTS[fy] = (lo, anniversary_columns(days, 75, kd),
                              care_age_mask_columns(fy, days, kd).astype(np.int16))
    at = birth - t[0]
    return t[1][at], t[2][at]


def _status_columns(pop, facts: MemberColumns) -> None:
    """Member._statuses over the rows that have each status (the others keep 0)."""
    import numpy as np
    from ..batch.population import NONE
    fy, st, birth, insured = pop.fiscal_year, pop.statuses, pop.birth, facts.insured
    sep = st["unemployment_separation"]
    rows = np.flatnonzero(sep != NONE)
    if len(rows):
        reasons = st["unemployment_reason"]
        codes = (reasons[rows] if hasattr(reasons, "dtype")
                 else [reasons[i] for i in rows.tolist()])    # the status holders only
        rows = rows[~unemployment.ineligible_columns(codes, sep[rows], birth[rows])]
        period = unemployment.period_mask_columns(fy, sep[rows])
        facts.unemployment_period[rows] = period
        facts.unemployed[rows] = period & insured[rows]
    expected, actual = st["childbirth_expected"], st["childbirth_actual"]
    rows = np.flatnonzero((expected != NONE) | (actual != NONE))
    if len(rows):
        facts.birth[rows] = insured[rows] & childbirth.exempt_mask_columns(
            fy, expected[rows], actual[rows], st["childbirth_multiple"][rows])
    since = st["former_dependent_since"]
    rows = np.flatnonzero(since != NONE)
    if len(rows):
        rows = rows[former_dependent.eligible_columns(birth[rows], since[rows])]
        facts.fd_exempt[rows] = former_dependent.exempt_mask_columns(fy, since[rows]) & insured[rows]
        facts.fd_half[rows] = former_dependent.half_mask_columns(fy, since[rows]) & insured[rows]
    ce = pop.care_exempt
    if len(ce["person"]):                           # over the persons with a facility only
        rows, person = np.unique(ce["person"], return_inverse=True)
        exempt = care_exempt.facility_mask_columns(fy, len(rows), person, ce["start"],
                                                   ce["until"]) & facts.care[rows]
        facts.care_exempt[rows] = exempt
        facts.care[rows] &= ~exempt


def _period_end(pop, facts):
    """Per insured period: its end clipped to the person's `cut` (facts.period_end, or
    worked out here for facts that do not carry it: a sub-population's)."""
    import numpy as np
    from ..batch.population import NONE
    end = getattr(facts, "period_end", None)
    if end is None:
        per = pop.periods
        pcut, until = facts.cut[per["person"]], per["until"]
        end = np.where((until == NONE) | (until > pcut), pcut, until)
    return end


def _live_on(pop, facts: MemberColumns, day):
    """Per insured period: covers `day` (an ordinal per period), as Member.insured_on:
    start ≤ day < until and day < cut."""
    return (pop.periods["start"] <= day) & (day < _period_end(pop, facts))


def judgement_dates(pop, facts: MemberColumns, first=None, covered_out=None):
    """Column form of judgement_date for the full year (households with no 世帯主変更):
    int64[H] ordinals. A household with no insured month gets 4月1日 (it has no 判定日;
    the caller does not ask for one). `first` (int64[H] ordinals): each household's
    first day instead of 4月1日 (judgement_date's `window` starting that month; a
    世帯主変更's day); `covered_out` (bool[H]): set True where someone is insured on it."""
    import numpy as np
    if not pop.size:
        return np.zeros(0, dtype=np.int64)
    owner, start = pop.periods["person"], pop.periods["start"]
    hh = pop.household[owner]
    if first is None:
        day = fy_start(pop.fiscal_year).toordinal()
        out = np.full(len(pop.start) - 1, day, dtype=np.int64)
    else:
        out = day = np.array(first, dtype=np.int64)
        day = day[hh]                                   # per period
    covered = np.zeros(len(out), dtype=bool) if covered_out is None else covered_out
    end = _period_end(pop, facts)
    covered[hh[(start <= day) & (day < end)]] = True    # _live_on
    # a period covers its own first day: start < until and start < cut
    later = (start > day) & (start < end) & ~covered[hh]
    if later.any():
        top = np.iinfo(np.int64).max
        earliest = np.full(len(out), top, dtype=np.int64)
        np.minimum.at(earliest, hh[later], start[later])
        out = np.where(~covered & (earliest != top), earliest, out)
    return out


def judge_columns(pop, facts: MemberColumns, judged) -> tuple:
    """Column form of Member.judge_on on each household's 判定日 `judged` (int64[H]):
    (on, late, counted) bool[P]; the 世帯主 is the person row pop.head[household]."""
    import numpy as np
    from ..batch.population import NONE
    n = len(pop.birth)
    day = judged[pop.household]
    owner = pop.periods["person"]
    on = np.zeros(n, dtype=bool)
    on[owner[_live_on(pop, facts, day[owner])]] = True
    late = ~on & (facts.late_date != NONE) & (facts.late_date <= day)
    head = np.zeros(n, dtype=bool)
    head[pop.head[pop.head >= 0]] = True
    return on, late, on | late | head
