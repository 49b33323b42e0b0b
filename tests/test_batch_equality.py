"""The columnar evaluator equals `assess`, household by household and field by field
(issue 10: one definition of each rule, two speeds).

For random populations of one tariff (mid-year joins and losses, 75歳到達, 特定同一世帯
所属者, 擬制世帯主, undeclared incomes, every special status, 世帯主変更 (in columns:
batch/head_change.py) and another municipality on a few, which the columns hand to
`assess`), under random tariff options
and rounding modes, every assessment-file column of `assess_columns` equals
`population.rows.row(household, assess(household, tariff, partial=True))`, and the
households `assess` refuses are the ones the columns reject, with the same field.
"""

from __future__ import annotations

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import levyrules
from levyrules.errors import LevyError
from levyrules.population.rows import row

from strategies import FY, TARIFF_IDS, households

np = pytest.importorskip("numpy")
from levyrules.batch.evaluate import assess_columns  # noqa: E402
from levyrules.batch.population import from_households  # noqa: E402

# a tariff with 納期 (期別税額 columns); its households are drawn as for koriyama/2025
WITH_INSTALLMENTS = ("iwaki/2025",)
SAME_YEAR = {"iwaki/2025": "koriyama/2025"}
OPTIONS = {"fictitious_head_counts_as_earner": st.booleans(),
           "specified_household_child": st.booleans(),
           "unemployment_adjustment": st.sampled_from(("after", "before")),
           "former_dependent_timing": st.sampled_from(("after_cap", "before_cap")),
           "childbirth_asset": st.booleans(), "statuses_on_child": st.booleans(),
           "cap_policy": st.sampled_from(("A", "A", "A", "B"))}
ROUNDING = {"yen": st.sampled_from(("per_component", "per_element")),
            "hundred": st.sampled_from(("per_component", "total", "none", "per_component",
                                        "per_person")),
            "income_base": st.sampled_from(("none", "floor_1000_per_person"))}


@st.composite
def tariffs(draw):
    """A shipped tariff with options and rounding drawn (the shipped values now and then)."""
    tid = draw(st.sampled_from(TARIFF_IDS + WITH_INSTALLMENTS))
    t = levyrules.load_tariff(tid)
    tid = SAME_YEAR.get(tid, tid)        # households drawn as for a tariff of its year
    if draw(st.booleans()):
        t = attrs.evolve(t, options=attrs.evolve(
            t.options, **{k: draw(s) for k, s in OPTIONS.items()}),
            rounding=attrs.evolve(t.rounding, **{k: draw(s) for k, s in ROUNDING.items()}))
    return tid, t


@st.composite
def populations(draw):
    tid, tariff = draw(tariffs())
    n = draw(st.integers(1, 8))
    out = []
    for i in range(n):
        _, h = draw(households((tid,), statuses=True))
        h = dict(h, id=f"H-{i:04d}")
        head_ids = [p["id"] for p in h["persons"]]
        if len(head_ids) > 1 and draw(st.integers(0, 9)) == 0:
            day = draw(st.dates(min_value=levyrules.engine.calendar.fy_start(FY[tid]).replace(day=2),
                                max_value=levyrules.engine.calendar.fy_end(FY[tid])))
            h["head_changes"] = [{"date": day.isoformat(), "head": head_ids[1]}]
        if draw(st.integers(0, 19)) == 0:
            h["municipality"] = "999999"
        out.append(levyrules.Household.from_json(h))
    return tariff, out


def _expected(household, tariff):
    try:
        return row(household, levyrules.assess(household, tariff, partial=True), tariff), None
    except LevyError as e:
        return None, e


def assert_equal(tariff, hs) -> None:
    cols = assess_columns(from_households(hs), tariff)
    got = dict(zip(cols.index.tolist(), cols.rows()))
    refused = {i: e for i, e in cols.rejects}
    for i, h in enumerate(hs):
        exp, err = _expected(h, tariff)
        if err is not None:
            assert i in refused and refused[i].field == err.field, h.id
            continue
        assert i in got, h.id
        diff = [(n, a, b) for n, a, b in zip(cols.names, exp, got[i]) if a != b]
        assert not diff, (h.id, diff)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(populations())
def test_columns_equal_assess(case):
    tariff, hs = case
    assert_equal(tariff, hs)


@pytest.mark.parametrize("tid", TARIFF_IDS)
def test_synthetic_city_equal_assess(tid):
    """A generated city of every shape (statuses, 世帯主変更) under each test tariff."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from population import generate
    tariff = levyrules.load_tariff(tid)
    hs = [levyrules.Household.from_json(d)
          for d in generate(400, fiscal_year=tariff.fiscal_year, city=True)]
    assert_equal(tariff, hs)


def test_assess_many_is_the_public_api():
    """levyrules.assess_many: Household objects in, the same columns as assess_columns."""
    tariff = levyrules.load_tariff("koriyama/2025")
    h = levyrules.Household.from_json(
        open(levyrules_root() / "docs/examples/koriyama-2025-household.json").read())
    cols = levyrules.assess_many([h, h], tariff)
    assert len(cols) == 2 and cols.rows()[0] == row(h, levyrules.assess(h, tariff), tariff)
    with pytest.raises(TypeError, match="Household"):
        levyrules.assess_many([{"id": "x"}], tariff)
    with pytest.raises(TypeError, match="Tariff"):
        levyrules.assess_many([h], "koriyama/2025")


def levyrules_root():
    from pathlib import Path
    return Path(__file__).resolve().parents[1]


def test_every_step_has_a_column_form_or_is_sent_to_assess():
    """A rule the columns cannot evaluate must route its households to `assess`
    (pipeline.NOT_IN_COLUMNS); every other step has its column form beside it."""
    from levyrules.steps import pipeline
    for step in pipeline.PIPELINE:
        if step.columns is None:
            assert (step.needs | step.when) & pipeline.NOT_IN_COLUMNS, step.rule.id
            assert not (step.when & ~pipeline.NOT_IN_COLUMNS), step.rule.id


@pytest.mark.parametrize("birth", ["1960-04-01", "1960-04-02", "1960-04-03", "1960-01-01",
                                   "1956-02-29", "1985-04-01", "1985-04-02"])
def test_ages_on_the_edges_equal_assess(birth):
    """A single member born on the edges of 65 on 1 April (世帯の類型), of 40 and 65 in the
    year (介護 months) and of 29 February: 年齢計算ニ関スル法律 (an age is attained the day
    before the birthday), in columns as in `assess`."""
    tariff = levyrules.load_tariff("koriyama/2025")
    h = levyrules.Household.from_json({
        "id": "H-1", "fiscal_year": 2025, "head": "p1",
        "persons": [{"id": "p1", "birth_date": birth, "insured": [{"from": "2020-04-01"}],
                     "income": {"pension_revenue": 1_800_000}}]})
    assert_equal(tariff, [h])
