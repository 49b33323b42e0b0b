"""世帯主変更 in columns (rulebook §10.6; batch/head_change.py) equals `assess`, and the
columns take these households instead of sending them to `assess`.

A household with one to three changes of 世帯主 on any day of the year (in April, on
the 1st of a month, on a day nobody is insured, to a member in 後期高齢者医療 or with no
insured month, back to an earlier head; now and then a change the engine refuses: on 1
April, to the current head): one part per 納税義務者, each judged on its own 判定日
(after a change: no 特定同一世帯所属者, no 特定世帯), each rounded on its own notice and
spread over the 納期 from its own 判定日; the row is the first part's 判定 and the sum
of the money (assess._combine, population.rows.row).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import levyrules
from levyrules.engine.calendar import fy_end, fy_start

from strategies import households
from test_batch_equality import assert_equal, tariffs

np = pytest.importorskip("numpy")
from levyrules.batch import columns as colmod  # noqa: E402
from levyrules.batch.evaluate import assess_columns  # noqa: E402
from levyrules.batch.population import from_households  # noqa: E402


@st.composite
def changes(draw, ids: list, head: str, fy: int) -> list:
    """1–3 changes in date order, each to another member (now and then one the engine
    refuses: to the current head, or on 1 April)."""
    days = sorted(draw(st.lists(st.integers(0, 364), min_size=1, max_size=3, unique=True)))
    out, current = [], head
    for d in days:
        day = fy_start(fy) + timedelta(days=d)
        if day > fy_end(fy):
            day = fy_end(fy)
        others = [i for i in ids if i != current]
        if draw(st.integers(0, 24)) == 0 or not others:
            others = [current]                   # refused: already the 世帯主
        new = draw(st.sampled_from(others))
        out.append({"date": day.isoformat(), "head": new})
        current = new
    return out


@st.composite
def populations(draw):
    tid, tariff = draw(tariffs())
    out = []
    for i in range(draw(st.integers(1, 6))):
        _, h = draw(households((tid,), statuses=True))
        h = dict(h, id=f"H-{i:04d}")
        ids = [p["id"] for p in h["persons"]]
        if len(ids) > 1 and draw(st.integers(0, 4)):
            h["head_changes"] = draw(changes(ids, h["head"], tariff.fiscal_year))
        out.append(levyrules.Household.from_json(h))
    return tariff, out


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(populations())
def test_head_changes_in_columns_equal_assess(case):
    tariff, hs = case
    assert_equal(tariff, hs)


def _household(changes_: list, late_head: bool = False) -> levyrules.Household:
    p2 = {"id": "p2", "birth_date": "1980-06-01", "insured": [{"from": "2020-04-01"}],
          "income": {"salary_revenue": 2_400_000}}
    if late_head:     # p2 left 国保 for 後期高齢者医療: a 特定同一世帯所属者 until a change
        p2 = {"id": "p2", "birth_date": "1948-06-01", "insured": [],
              "late_elderly_since": "2023-06-01", "income": {"pension_revenue": 1_500_000}}
    return levyrules.Household.from_json({
        "id": "H-1", "fiscal_year": 2025, "head": "p1", "head_changes": changes_,
        "persons": [{"id": "p1", "birth_date": "1975-02-01",
                     "insured": [{"from": "2019-04-01"}],
                     "income": {"business_income": 1_200_000}}, p2]})


@pytest.mark.parametrize("changes_, late_head", [
    ([{"date": "2025-09-15", "head": "p2"}], False),
    ([{"date": "2025-04-02", "head": "p2"}], False),               # no part before it
    ([{"date": "2025-07-01", "head": "p2"},
      {"date": "2026-01-20", "head": "p1"}], False),               # back to the first head
    ([{"date": "2025-10-10", "head": "p2"}], True),                # to a 特定同一世帯所属者
])
def test_head_change_households_are_taken_by_the_columns(monkeypatch, changes_, late_head):
    """The columns take the household (no `assess` call) and equal `assess` (iwaki/2025:
    its 納期 spread each notice from its own 判定日)."""
    tariff = levyrules.load_tariff("iwaki/2025")
    h = _household(changes_, late_head)
    calls = []
    monkeypatch.setattr(colmod, "assess", lambda *a, **k: calls.append(a))
    cols = assess_columns(from_households([h]), tariff)
    assert calls == [] and len(cols) == 1
    monkeypatch.undo()
    assert_equal(tariff, [h])


def test_a_change_the_engine_refuses_is_its_reject():
    """A change to the current 世帯主 is refused by `assess`, with its field, in columns too."""
    tariff = levyrules.load_tariff("iwaki/2025")
    h = _household([{"date": "2025-09-15", "head": "p1"}])
    cols = assess_columns(from_households([h]), tariff)
    assert len(cols) == 0 and cols.rejects[0][1].field == "head_changes[0].head"


def test_who_counts_for_provisional_is_the_last_part():
    """An undeclared 特定同一世帯所属者 counts in the first part, not after the change (its
    status ended with it): `provisional` reads who counts as the last part judged it."""
    tariff = levyrules.load_tariff("iwaki/2025")
    h = levyrules.Household.from_json({
        "id": "H-1", "fiscal_year": 2025, "head": "p1",
        "head_changes": [{"date": "2025-08-10", "head": "p3"}],
        "persons": [
            {"id": "p1", "birth_date": "1962-05-01", "insured": [{"from": "2019-04-01"}],
             "income": {"pension_revenue": 1_200_000}},
            {"id": "p2", "birth_date": "1947-06-01", "insured": [],
             "late_elderly_since": "2022-06-01", "income": {"declared": False}},
            {"id": "p3", "birth_date": "1990-06-01", "insured": [{"from": "2019-04-01"}],
             "income": {"salary_revenue": 2_000_000}}]})
    assert levyrules.assess(h, tariff).provisional is False
    assert_equal(tariff, [h])


def test_from_households_gives_the_changes_as_rows():
    """Population.head_changes (the new 世帯主's person row, the date) of each 世帯主変更
    from the Household objects; none for a Household made by hand whose changes are out
    of date order (the engine takes it per household, in its own order: the same rows)."""
    import attrs
    from datetime import date
    tariff = levyrules.load_tariff("iwaki/2025")
    h = _household([{"date": "2025-07-01", "head": "p2"}, {"date": "2026-01-20", "head": "p1"}])
    pop = from_households([h, attrs.evolve(h, id="H-2")])
    c = pop.head_changes
    assert list(zip(c["person"].tolist(), c["date"].tolist())) == [
        (1, date(2025, 7, 1).toordinal()), (0, date(2026, 1, 20).toordinal()),
        (3, date(2025, 7, 1).toordinal()), (2, date(2026, 1, 20).toordinal())]
    swapped = attrs.evolve(h, head_changes=h.head_changes[::-1])
    assert len(from_households([swapped]).head_changes["person"]) == 0
    assert_equal(tariff, [swapped])


def test_parts_written_over_the_households_places_without_touching_another_column():
    """head_change._writer: an array standing for two columns is written in place for the
    first and copied for the second (other values), kept for the same source; a
    read-only array is copied; positions other than the households' are never written."""
    from levyrules.batch.head_change import _writer
    put = _writer(np.array([1, 3]))
    shared = np.arange(5, dtype=np.int64)
    src_a, src_b = np.array([10, 30]), np.array([20, 40])
    a = put(shared, src_a, src_a)
    b = put(shared, src_b, src_b)
    again = put(shared, src_a, src_a)
    assert a.tolist() == [0, 10, 2, 30, 4] and b.tolist() == [0, 20, 2, 40, 4]
    assert again is a and b is not a
    frozen = np.zeros(5, np.int64)
    frozen.flags.writeable = False
    assert put(frozen, np.array([7, 8])).tolist() == [0, 7, 0, 8, 0]
    assert not frozen.any()
