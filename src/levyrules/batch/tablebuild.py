"""The columns of a chunk of households from their table rows (population/layout.py), with
every check of the household reader (levyrules.engine.household_read) done as a column check.

:func:`build` takes the rows of V households (the households rows, and for each other table
its rows with the household each belongs to, grouped and in household order, as the tables
are sorted) and returns the :class:`Built` columns: ``bad[v]`` is True for a household the
household reader might refuse (a bad cell, no person, more than 100, a duplicate person id,
a head or period naming no person, periods out of order or overlapping, a date before the
birth date, 収入 and 所得 both given …). Those households are read again by that reader
(population.sources.parse), which decides and words the reject; the rest become a
:class:`Population` without a dict or a Household per row.
"""

from __future__ import annotations

import attrs

from ..engine.fields import MAX_ITEMS, MAX_PERSONS
from ..engine.household import _AMOUNTS
from . import tablecells as cells, tablestatus
from .population import FLAGS, NONE, OPTIONAL_AMOUNTS, Population, Texts

MUNICIPALITY = r"^([a-z0-9-]{1,40}|[0-9]{6})$"
FLAG_DEFAULTS = {"declared": True}


def _np():
    return cells._libs()[0]


def col(table, name: str):
    """The column `name` of an arrow table as one array (large text as text), or None
    when it is absent."""
    if table is None or table.schema.get_field_index(name) < 0:
        return None
    c = table.column(name)
    if hasattr(c, "num_chunks"):
        pa = cells._libs()[1]
        c = c.chunk(0) if c.num_chunks == 1 else pa.concat_arrays(c.chunks) if c.num_chunks \
            else c.combine_chunks()
    return c.cast("string") if cells._libs()[1].types.is_large_string(c.type) else c


def pick(values, idx):
    """values[i] for each i of the index array `idx`, as a list (Texts: as Texts)."""
    np = _np()
    if isinstance(values, Texts):
        return values.take(idx)
    arr = np.empty(len(values), object)
    arr[:] = values
    return arr[idx].tolist()


@attrs.define(slots=True, eq=False)
class Built:
    bad: object                 # bool[V]
    fiscal_year: object         # int64[V] (NONE where unreadable)
    household_ids: object       # Texts
    municipality: list
    head: object                # int64[V]: person row of the 世帯主 (-1: none)
    household: object           # int64[P]: household of each person row
    person_ids: object          # Texts
    person: dict                # birth, late_since, fixed_asset_tax, income{…}, statuses{…}
    rows: dict                  # periods, separate, care_exempt, head_changes: columns
                                # with "person"

    def population(self, keep, fiscal_year: int, scalar) -> Population:
        """The Population of the households where `keep` is True (`scalar`: as
        Population.scalar); its households are set by the caller."""
        np = _np()
        if keep.all():
            return self._all(fiscal_year, scalar)
        kept = np.flatnonzero(keep)
        keep_p = keep[self.household]
        at = np.flatnonzero(keep_p)
        new_p = np.cumsum(keep_p) - 1
        counts = np.bincount(self.household[keep_p], minlength=len(keep))[kept]
        start = np.zeros(len(kept) + 1, np.int64)
        np.cumsum(counts, out=start[1:])
        hh = np.repeat(np.arange(len(kept), dtype=np.int64), counts)

        def rows(d: dict) -> dict:
            m = keep_p[d["person"]]
            out = {k: v[m] for k, v in d.items()}
            out["person"] = new_p[out["person"]]
            return out

        def persons(x):
            return pick(x, at) if isinstance(x, (list, Texts)) else x[keep_p]
        p = self.person
        return Population(
            fiscal_year, pick(self.household_ids, kept), start,
            new_p[self.head[kept]], scalar[kept], persons(self.person_ids), hh,
            p["birth"][keep_p], p["late_since"][keep_p], p["fixed_asset_tax"][keep_p],
            {k: v[keep_p] for k, v in p["income"].items()}, rows(self.rows["separate"]),
            rows(self.rows["periods"]), {k: persons(v) for k, v in p["statuses"].items()},
            rows(self.rows["care_exempt"]), pick(self.municipality, kept),
            rows(self.rows["head_changes"]))

    def _all(self, fiscal_year: int, scalar) -> Population:
        np = _np()
        n = len(scalar)
        start = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(self.household, minlength=n), out=start[1:])
        p, r = self.person, self.rows
        return Population(
            fiscal_year, self.household_ids, start, self.head, scalar, self.person_ids,
            self.household, p["birth"], p["late_since"], p["fixed_asset_tax"], p["income"],
            r["separate"], r["periods"], p["statuses"], r["care_exempt"], self.municipality,
            r["head_changes"])


def build(hh, rows: dict) -> Built:
    """The columns and checks of V households (`hh`, an arrow table) with their rows of
    the other tables ({table: (arrow table, row numbers, household of each row)})."""
    np = _np()
    n = hh.num_rows
    bad = cells.bad_ids(col(hh, "household_id"), n)    # the head: a person's id, below
    fy, fy_bad = cells.ints(col(hh, "fiscal_year"), n)
    bad |= fy_bad | (fy < 2000) | (fy > 2100)
    muni = col(hh, "municipality")
    named = cells.present(muni, n)
    if named.any():
        bad |= named & ~cells.matches(muni, MUNICIPALITY, n)
    persons, _, v_persons = rows["persons"]
    p_bad, person, pid_codes = _persons(persons)
    counts = np.bincount(v_persons, minlength=n)
    bad |= (counts == 0) | (counts > MAX_PERSONS)
    bad[v_persons[p_bad]] = True            # a household with a bad row is bad
    index = _PersonIndex(v_persons, *pid_codes, n)
    bad[v_persons[index.duplicate]] = True
    head = index.row(np.arange(n), col(hh, "head"))
    bad |= head < 0
    t, _, v = rows["insured_periods"]
    prow = index.row(v, col(t, "person_id"))
    periods, q_bad = spans(prow, col(t, "from"), col(t, "until"), person["birth"])
    bad[v[q_bad]] = True
    out = {"periods": periods}
    for name, read in (("separate_incomes", tablestatus.separate),
                       ("statuses", tablestatus.statuses)):
        t, _, v = rows.get(name) or (None, None, np.zeros(0, np.int64))
        prow = index.row(v, col(t, "person_id")) if t is not None else v
        r_bad = read(t, prow, person, out)
        bad[v[r_bad]] = True
    t, _, v = rows.get("head_changes") or (None, None, np.zeros(0, np.int64))
    bad[v[tablestatus.head_changes(t, v, index, out)]] = True
    pids = col(persons, "person_id")
    return Built(bad, np.where(fy_bad, NONE, fy), Texts(col(hh, "household_id")),
                 _municipalities(muni, n), head, v_persons,
                 Texts(pids) if pids is not None else [None] * persons.num_rows, person, out)


def _municipalities(muni, n: int) -> list:
    """The municipality of each household (None where empty), one str per distinct one."""
    np, _, pc = cells._libs()
    if muni is None or not cells.is_text(muni) or muni.null_count == n:
        return [None] * n
    enc = pc.dictionary_encode(muni)
    names = np.array([m or None for m in enc.dictionary.to_pylist()] + [None], object)
    return names[cells.codes(enc.indices, n)].tolist()


class _PersonIndex:
    """The person row of a (household, person id) pair, by integer keys v * width + id
    code: a table of every key when the ids are few (person ids such as p1, p2 repeat
    from household to household), else sorted keys searched."""

    def __init__(self, v, codes, dictionary, n: int):
        np = _np()
        self.dictionary = dictionary
        self.width = len(dictionary) + 1
        key = v * self.width + codes
        if len(key) < 2 or (key[1:] >= key[:-1]).all():     # in order (ids p1, p2 …)
            self.order, self.keys = np.arange(len(key)), key
        else:
            self.order = np.argsort(key, kind="stable")
            self.keys = key[self.order]
        self.duplicate = np.zeros(len(key), bool)
        self.duplicate[self.order[1:]] = self.keys[1:] == self.keys[:-1]
        self.table = None
        if n * self.width <= 8 * len(key) + 1024:
            # row + 1 of every key (0: none), zeroed by the allocator rather than filled
            self.table = np.zeros(n * self.width + 1,
                                  np.int32 if len(key) < 2 ** 31 - 1 else np.int64)
            first = np.flatnonzero(~self.duplicate & (codes >= 0))
            self.table[key[first]] = first + 1  # (a duplicate's first row, as sorted)

    def row(self, v, ids):
        """The person row named by each id cell of households `v` (-1: none)."""
        np = _np()
        codes = _codes(ids, self.dictionary, len(v))
        if not len(self.keys):
            return np.full(len(v), -1, np.int64)
        k = v * self.width + codes
        if self.table is not None:
            return self.table[np.where(codes >= 0, k, len(self.table) - 1)].astype(np.int64) - 1
        i = np.minimum(np.searchsorted(self.keys, k), len(self.keys) - 1)
        found = (codes >= 0) & (self.keys[i] == k)
        return np.where(found, self.order[i], -1)


def _codes(arr, dictionary, n: int):
    """The index of each text cell in `dictionary` (-1: absent or not there); of a
    dictionary array (tableopen.PERSON_IDS), its dictionary's values looked up once."""
    np, pa, pc = cells._libs()
    if arr is not None and pa.types.is_dictionary(arr.type):
        return _through(arr, lambda d: _codes(d, dictionary, len(d)), n)
    if arr is None or not cells.is_text(arr) or dictionary is None:
        return np.full(n, -1, np.int64)
    return cells.codes(pc.index_in(arr, value_set=dictionary), n)


def _through(arr, of_values, n: int):
    """int64 per cell of the dictionary array `arr`: `of_values` of its dictionary
    (int64 per value) taken at each cell's index, -1 where the cell is null."""
    np = _np()
    per_value = np.append(of_values(arr.dictionary), -1)   # [-1]: a null cell
    return per_value[cells.codes(arr.indices, n)]


def _distinct(pid, n: int) -> tuple:
    """(code per cell, -1 where null; the distinct ids) of a text array, or of a
    dictionary array (tableopen.PERSON_IDS) through its dictionary's values, made
    distinct first: a file's dictionary may repeat a value."""
    pa, pc = cells._libs()[1:]
    if pa.types.is_dictionary(pid.type):
        enc = pc.dictionary_encode(pid.dictionary)
        return _through(pid, lambda d: cells.codes(enc.indices, len(d)), n), enc.dictionary
    enc = pc.dictionary_encode(pid)
    return cells.codes(enc.indices, n), enc.dictionary


def _persons(t):
    """(bad[P], the person columns, (id code per row, the dictionary of ids))."""
    np, pa, pc = cells._libs()
    n = t.num_rows
    pid = col(t, "person_id")
    if pid is not None and n and (cells.is_text(pid) or pa.types.is_dictionary(pid.type)):
        codes, dictionary = _distinct(pid, n)
        bad = np.append(cells.bad_ids(dictionary, len(dictionary)), True)[codes]  # -1: null
    else:
        codes, dictionary = np.full(n, -1, np.int64), pa.array([], pa.string())
        bad = cells.bad_ids(pid, n)
    birth, b_bad = cells.dates(col(t, "birth_date"), n)
    late, l_bad = cells.dates(col(t, "late_elderly_since"), n)
    bad |= b_bad | l_bad | (birth == NONE) | ((late != NONE) & (late < birth))
    asset, a_bad = cells.ints(col(t, "fixed_asset_tax"), n, 0)
    bad |= a_bad
    income = {}
    for a in _AMOUNTS:
        income[a], v_bad = cells.ints(col(t, a), n, NONE if a in OPTIONAL_AMOUNTS else 0)
        bad |= v_bad
    for revenue, amount in (("salary_revenue", "salary_income"),
                            ("pension_revenue", "pension_income")):
        bad |= (income[revenue] != NONE) & (income[amount] != NONE)
    for f in FLAGS:
        income[f], f_bad = cells.bools(col(t, f), n, FLAG_DEFAULTS.get(f, False))
        bad |= f_bad
    bad |= income["is_family_employee"] & (income["family_employee_salary_paid"] != 0)
    person = {"birth": birth, "late_since": late,
              "fixed_asset_tax": asset, "income": income}
    return bad, person, (codes, dictionary)


def spans(prow, start, until, birth=None):
    """(columns person, start, until sorted by person and start; bad per row) of periods
    [from, until) of persons `prow` (-1: no such person), as household_read._periods
    checks them: from required, until after from, no overlap, at most MAX_ITEMS a person;
    with `birth`, none before the birth date (国保の資格)."""
    np = _np()
    n = len(prow)
    start, s_bad = cells.dates(start, n)
    until, u_bad = cells.dates(until, n)
    bad = (prow < 0) | s_bad | u_bad | (start == NONE) | ((until != NONE) & (until <= start))
    if birth is not None and len(birth):
        bad |= (prow >= 0) & (start < birth[np.maximum(prow, 0)])
    step = (prow[1:] > prow[:-1]) | ((prow[1:] == prow[:-1]) & (start[1:] >= start[:-1]))
    named = prow >= 0                       # a row naming no person: its household is bad
    if step.all() and named.all():          # (mostly in order)
        order, p, s, u = None, prow, start, until
    else:
        order = np.flatnonzero(named)
        if not step.all():                  # by person, then start (NONE first)
            day = np.clip(start[order] - cells.FIRST_DAY + 1, 0, None)
            days = cells.LAST_DAY - cells.FIRST_DAY + 2
            order = order[np.argsort(prow[order] * days + day, kind="stable")]
        p, s, u = prow[order], start[order], until[order]
    overlap = np.flatnonzero((p[1:] == p[:-1]) & ((u[:-1] == NONE) | (u[:-1] > s[1:])))
    if len(overlap):
        at = overlap if order is None else order[overlap]
        bad[at] = True
        bad[at + 1 if order is None else order[overlap + 1]] = True
    if len(p):
        per_person = np.bincount(p)
        if per_person.max() > MAX_ITEMS:
            bad |= per_person[np.maximum(prow, 0)] > MAX_ITEMS
    return {"person": p, "start": s, "until": u}, bad


# ---------------------------------------------------------------- combining populations

def combine(a: Population, order_a, b: Population, order_b) -> tuple[Population, object]:
    """`a` and `b` as one population, households in the order of their keys `order_*`;
    with the permutation of a's then b's households that gives it."""
    np = _np()
    if b.size == 0:
        return a, np.arange(a.size)
    perm = np.argsort(np.concatenate([order_a, order_b]), kind="stable")
    return take(_concat(a, b), perm), perm


def _concat(a: Population, b: Population) -> Population:
    np = _np()
    pa_, ha = len(a.person_ids), a.size

    def cat(x, y, shift=0):
        if isinstance(x, (list, Texts)):
            return list(x) + list(y)
        return np.concatenate([x, y + shift if shift else y])

    def cat_rows(x: dict, y: dict) -> dict:
        return {k: cat(x[k], y[k], pa_ if k == "person" else 0) for k in x}
    return Population(
        a.fiscal_year if a.size else b.fiscal_year, cat(a.household_ids, b.household_ids),
        np.concatenate([a.start, b.start[1:] + pa_]), cat(a.head, b.head, pa_),
        cat(a.scalar, b.scalar), cat(a.person_ids, b.person_ids),
        cat(a.household, b.household, ha), cat(a.birth, b.birth),
        cat(a.late_since, b.late_since), cat(a.fixed_asset_tax, b.fixed_asset_tax),
        cat_rows(a.income, b.income), cat_rows(a.separate, b.separate),
        cat_rows(a.periods, b.periods), cat_rows(a.statuses, b.statuses),
        cat_rows(a.care_exempt, b.care_exempt), cat(a.municipality, b.municipality),
        cat_rows(a.head_changes, b.head_changes), list(a.households or [None] * ha) + list(b.households or [None] * b.size))


def take(pop: Population, perm) -> Population:
    """`pop` with its households in the order `perm` (person rows follow their household,
    period and status rows their person, each in its former order)."""
    np = _np()
    sizes = (pop.start[1:] - pop.start[:-1])[perm]
    start = np.zeros(len(perm) + 1, np.int64)
    np.cumsum(sizes, out=start[1:])
    P = int(start[-1])
    p_perm = np.repeat(pop.start[:-1][perm] - start[:-1], sizes) + np.arange(P)
    inv = np.empty(P, np.int64)
    inv[p_perm] = np.arange(P)

    def persons(x):
        return pick(x, p_perm) if isinstance(x, (list, Texts)) else x[p_perm]

    def rows(d: dict) -> dict:
        person = inv[d["person"]]
        o = np.argsort(person, kind="stable")
        return {k: (person[o] if k == "person" else v[o]) for k, v in d.items()}
    hh = pick(pop.households, perm) if pop.households is not None else None
    return Population(
        pop.fiscal_year, pick(pop.household_ids, perm), start, inv[pop.head[perm]],
        pop.scalar[perm], persons(pop.person_ids),
        np.repeat(np.arange(len(perm), dtype=np.int64), sizes), pop.birth[p_perm],
        pop.late_since[p_perm], pop.fixed_asset_tax[p_perm],
        {k: v[p_perm] for k, v in pop.income.items()}, rows(pop.separate), rows(pop.periods),
        {k: persons(v) for k, v in pop.statuses.items()}, rows(pop.care_exempt),
        pick(pop.municipality, perm), rows(pop.head_changes), hh)
