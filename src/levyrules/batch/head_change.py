"""世帯主変更 in columns (rulebook §10.6): the column form of `engine.assess._head_change_parts`.

A household whose 世帯主 changes during the year is one *part* per 納税義務者 (the months
`engine.head_change.household_parts` gives each; a part with no insured month is left out), each judged
on its own 判定日 (the day of the change when someone is insured on it, else the first
day the part's months give, as `members.judgement_date`), after a change with no
特定同一世帯所属者 and no 特定世帯, and each rounded on its own notice. The household's
row is then the parts combined as `engine.head_change.combine` and `population.rows.row` do: the
first part's 判定 and 世帯主, the money of every part summed (期別税額 too: each part's
notice is spread from its own 判定日), and who counts as the last part judged it (for
`provisional`).

`plan` picks the households (flagged `scalar` for a 世帯主変更 alone: its changes are rows
of the population, Population.head_changes, and no Household is read) and their parts;
`expand` makes the view of their parts alone, which the 判定 and the components run on
apart (every household, these included as if their 世帯主 had not changed, runs once in
the main view); `combine` writes the parts' columns, folded, over those households' places
in the main view's columns. Integers only."""

from __future__ import annotations

import types

import attrs
from datetime import date

from ..engine.head_change import head_parts
from ..engine.calendar import fy_month, fy_start
from ..errors import LevyError
from ..engine.members import judge_columns, judgement_dates
from .groups import ranges
from .population import NONE


class Plan(types.SimpleNamespace):
    """taken: bool[H] (the households the columns take); for their parts, in household
    order: house (population row), head (person row), since (ordinal or NONE), first
    (the first day of the part's months), window (12-bit mask); changes: int per
    household taken (the length of its head_changes)."""


def plan(np, pop, tariff, candidates, liable) -> Plan:
    """The households of bool[H] `candidates` whose only such fact is a 世帯主変更
    (Population.head_changes) the engine accepts, and their parts. `liable`: each
    household's insured months (mask)."""
    fy = pop.fiscal_year
    person, day = pop.head_changes["person"], pop.head_changes["date"]
    house = pop.household[person]
    o = np.lexsort((day, house))                    # by household, then date
    house, person, day = house[o], person[o], day[o]
    sel = np.flatnonzero(candidates[house] & (pop.head[house] >= 0))
    house, person, day = house[sel], person[sel], day[sel]
    taken = np.zeros(pop.size, bool)
    parts: list = []
    changes: list = []
    bounds = np.flatnonzero(np.diff(house, prepend=-1, append=-1)).tolist()
    house, person, day = house.tolist(), person.tolist(), day.tolist()
    for a, b in zip(bounds, bounds[1:]):
        i = house[a]
        mine = _parts(pop, i, list(zip(map(date.fromordinal, day[a:b]), person[a:b])),
                      int(liable[i]), fy)
        if mine:
            taken[i] = True
            parts += mine
            changes.append(b - a)
    cols = list(zip(*parts)) or [(), (), (), (), ()]
    return Plan(taken=taken, changes=np.array(changes, np.int64),
                **{k: np.array(c, np.int64) for k, c in
                   zip(("house", "head", "since", "first", "window"), cols)})


def _parts(pop, i: int, changes: list, liable: int, fy: int) -> list:
    """[(row, head person row, since, first day, window)] of household row `i` with
    `changes` [(date, the new 世帯主's person row)] in date order, or [] when the engine
    refuses its changes (it words the error, per household)."""
    try:
        split = head_parts(int(pop.head[i]), changes, fy)
    except LevyError:
        return []
    out = []
    for head, since, window in split:
        if not window & liable:             # no insured month: no notice (assess)
            continue
        first = (window & -window).bit_length() - 1
        y, mo = fy_month(fy, first)
        day = date(y, mo, 1) if first else fy_start(fy)
        out.append((i, head, NONE if since is None else since.toordinal(),
                    day.toordinal(), window))
    return out


def expand(np, pop, facts, v, p: Plan, groups_of):
    """The view of the parts of the households taken by `p`, and of them alone: `v`'s
    columns (batch/evaluate.py _view) gathered for the persons of each part (a household's
    persons once per part), months cut to each part's window, 判定日 and who counts per
    part. `house`: each part's household in `v`; `take`: each of its persons' row in `v`.
    The parts are few: every other household is evaluated in `v`, once, as it is, and
    `combine` writes the parts' sums over the places of theirs."""
    q = np.searchsorted(v.index, p.house)           # each part's household in the view
    starts, sizes = v.groups.starts, v.groups.ends - v.groups.starts + 1
    lengths = sizes.take(q)
    take = ranges(np, starts.take(q), lengths)     # the persons of every part, in v
    J = len(q)
    pstart = np.cumsum(lengths) - lengths           # each part's first person in w
    w = types.SimpleNamespace(house=q, take=take, size=J)
    w.hh = np.repeat(np.arange(J), lengths)
    w.head = pstart + (p.head - pop.start[p.house])
    w.groups = groups_of(w.hh, J)

    def cut(obj):
        return types.SimpleNamespace(**{k: c.take(take) for k, c in vars(obj).items()})
    w.facts, w.income = cut(v.facts), cut(v.income)
    w.income_u = w.income if v.income_u is v.income else cut(v.income_u)
    for k in ("base_x", "asset", "on", "late", "counted"):     # (birth: read of v alone)
        setattr(w, k, getattr(v, k).take(take))
    w.judged = v.judged.take(q)
    window = np.repeat(p.window, lengths)
    w.facts.insured &= window
    w.facts.care &= window
    after = np.flatnonzero(p.since != NONE)
    if len(after):
        _judge_after(np, pop, facts, p, after, w, pstart, lengths)
    return w


def _judge_after(np, pop, facts, p: Plan, after, w, pstart, lengths) -> None:
    """The 判定日 and who counts of the parts after a change (`after`: their indexes in
    `p` and in `w`; per part: `pstart` its first person in `w`, `lengths` its number
    of persons): the day of the change when someone is insured on it, else the first day the
    part's months give; no 特定同一世帯所属者 (their status ended with the change), so
    only the insured and the part's 世帯主 count. Judged on the taken households alone
    (`sub`), one layer per change (a household's k-th change in layer k)."""
    sub, subfacts, local = _households(np, pop, facts, p.house[after])
    layer = np.arange(len(after)) - np.searchsorted(local, local)
    day0 = fy_start(pop.fiscal_year).toordinal()
    for k in range(int(layer.max()) + 1):
        mine = np.flatnonzero(layer == k)
        hs = local[mine]
        parts = after[mine]
        since = np.full(sub.size, day0, np.int64)
        since[hs] = p.since[parts]
        covered = np.zeros(sub.size, bool)
        judgement_dates(sub, subfacts, since, covered)
        month = np.full(sub.size, day0, np.int64)
        month[hs] = p.first[parts]
        judged = np.where(covered, since, judgement_dates(sub, subfacts, month))
        on = judge_columns(sub, subfacts, judged)[0]
        w.judged[parts] = judged[hs]
        mine_p = ranges(np, pstart[parts], lengths[parts])
        mine_s = ranges(np, sub.start[hs], lengths[parts])
        w.on[mine_p] = on[mine_s]
        w.late[mine_p] = False
        w.counted[mine_p] = on[mine_s] | (np.repeat(w.head[parts], lengths[parts]) == mine_p)


def _households(np, pop, facts, rows):
    """A population of the households at (sorted, repeated) `rows` alone, for the column
    forms of members.py, and the position of each of `rows` in it."""
    hs, local = np.unique(rows, return_inverse=True)
    sizes = pop.start[hs + 1] - pop.start[hs]
    persons = ranges(np, pop.start[hs], sizes)
    new = np.full(len(pop.birth), -1, np.int64)
    new[persons] = np.arange(len(persons))
    per = pop.periods
    sel = np.flatnonzero(new[per["person"]] >= 0)
    sub = types.SimpleNamespace(
        size=len(hs), fiscal_year=pop.fiscal_year,
        start=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        household=np.repeat(np.arange(len(hs)), sizes), birth=pop.birth[persons],
        head=new[pop.head[hs]],
        periods={"person": new[per["person"][sel]], "start": per["start"][sel],
                 "until": per["until"][sel]})
    subfacts = types.SimpleNamespace(cut=facts.cut[persons], late_date=facts.late_date[persons])
    return sub, subfacts, local.reshape(-1)


def combine(np, v, w, parts: dict, money: tuple, w_parts: dict, w_money: tuple) -> tuple:
    """The parts' columns (`w`: `expand`; `w_parts`, `w_money`) folded onto their
    households in `v`'s columns (`parts`, `money`: each household evaluated as if its
    世帯主 had not changed), as engine.head_change.combine does: the first part's 判定,
    判定日 and 世帯主 in the household's place, who counts as the last part judged it,
    every amount summed, and the 平等割 part of the 7割・5割・2割軽減 of every part
    when the household has any (population.rows._split). `money`: (total, 端数, 期別税額
    [H, n], 随時). Returns (parts, money) per household of `v`."""
    lead = np.ones(len(w.house), bool)                  # the first part of its household
    lead[1:] = w.house[1:] != w.house[:-1]
    first = np.flatnonzero(lead)
    put = _writer(w.house.take(first))
    v.judgement = attrs.evolve(v.judgement, **{
        f.name: put(getattr(v.judgement, f.name), getattr(w.judgement, f.name).take(first))
        for f in attrs.fields(type(v.judgement))})
    v.judged = put(v.judged, w.judged.take(first))
    v.head = put(v.head.copy(), w.take.take(w.head.take(first)))  # (v.head: pop.head)
    last = np.ones(len(w.house), bool)                  # the last part of its household
    last[:-1] = lead[1:]
    sel = np.flatnonzero(last.take(w.hh))
    v.counted[w.take.take(sel)] = w.counted.take(sel)   # (v's own: judge_columns made it)

    def total(col, wcol):
        return put(col, np.add.reduceat(wcol, first, axis=0), wcol)
    out = {}
    for name, cols in parts.items():
        mine = w_parts[name]
        raw = np.add.reduceat(mine.pop("statutory_household_all"), first)
        statutory = np.add.reduceat(mine["statutory_per_capita"] + mine[
            "statutory_per_household"], first)
        hh_part = raw * (statutory != 0)
        own = {"statutory_per_household": hh_part, "statutory_per_capita": statutory - hh_part}
        out[name] = {k: put(c, own[k]) if k in own else total(c, mine[k])
                     for k, c in cols.items()}
    return out, tuple(total(c, wc) for c, wc in zip(money, w_money))


def _writer(at):
    """put(col, values, source=None): `col` with `values` at the positions `at` (the
    households with parts). Every column of the households is written there, each with
    its own values, so an array is written in place the first time it is met (an array
    standing for two columns keeps the other's values everywhere else); met again, it
    is the same result for the same `source` array of the parts, else a copy is
    written. A read-only array (the shared zeros of components._fields) is copied."""
    written: dict = {}                  # id -> (source, the array written)

    def put(col, values, source=None):
        known = written.get(id(col))
        if known is not None:
            if source is not None and known[0] is source:
                return known[1]
            col = col.copy()
        elif not col.flags.writeable:
            col = col.copy()
        col[at] = values
        written[id(col)] = (source, col)
        return col
    return put
