"""Arbitrary input never escapes as anything but a LevyError (issue 9 §1).

Arbitrary JSON values, arbitrary bytes, and valid households (tests/strategies.py) with
1–3 mutations (a value replaced by another type or an extreme number or date, a key
dropped or added, a value wrapped in a list, a list emptied or doubled) go through `read_json`,
`Household.from_json`, `assess` (with the trace) and `revise` against a possibly
mutated earlier assessment. Whatever is refused must be refused with a LevyError
subclass; whatever is accepted must give results that serialise to strict JSON.

The default run draws a few hundred cases per property; the `slow` variants draw
thousands (`pytest -m slow tests/test_fuzz.py`).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import levyrules
from levyrules.collection.earlier import FIELD_NAMES as EARLIER_NAMES
from levyrules.engine.household import Household, read_json
from levyrules.engine.household_read import FIELD_NAMES as HOUSEHOLD_NAMES
from levyrules.collection.revision import revise
from strategies import households

KEYS = sorted(HOUSEHOLD_NAMES | EARLIER_NAMES | {"disaster", "drop", "detention", "x"})
EXTREME = (
    0, -1, 1, 2 ** 63, -2 ** 63, 10 ** 15 - 1, 10 ** 15, 10 ** 40, 1.5, 1e308, float("inf"),
    float("nan"), True, False, None, "", " ", "\n", "\x00", "\ud800", "\u202e",
    "0001-01-01", "9999-12-31", "1849-12-31", "1850-01-01", "2200-12-31", "2025-02-29",
    "2024-02-29", "2025-04-01", "2025-04-02", "2025-10-15", "2026-03-31", "2026-04-01",
    "2025-W30-1", "20250701", "2025-07-01\n", "p1", "p2", "H", "T-0001", "123456789018",
    "1234-5678-9018", "koriyama", "11", "31", "全壊", "半壊", "山田太郎 090-1234-5678",
    [], {}, [{"from": "2025-04-01"}], [{"from": "2025-05-01", "until": "2025-04-01"}],
    {"disaster": {"grade": "全壊"}}, {"drop": {"previous_income": 3000000, "current_income": 0}},
    {"detention": {"person": "p1", "periods": [{"from": "2025-07-15", "until": None}]}},
    [{"date": "2025-09-01", "head": "p2"}], [{"date": "2025-09-01", "head": "p1"}],
)

def _fresh(value):
    """A copy of a shared EXTREME value, so that later mutations cannot change it."""
    return json.loads(json.dumps(value)) if isinstance(value, (list, dict)) else value


scalars = (st.none() | st.booleans() | st.integers() | st.integers(-10 ** 30, 10 ** 30)
           | st.floats() | st.text(max_size=12) | st.sampled_from(EXTREME).map(_fresh))
keys = st.sampled_from(KEYS) | st.text(max_size=8)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(keys, inner, max_size=4), max_leaves=20)


def _paths(value, path=()):
    """Every (container path, key) of a JSON value, and the containers themselves."""
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, path + (i,))


def _at(value, path):
    for k in path:
        value = value[k]
    return value


@st.composite
def mutated(draw, base):
    data = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(data))))
        op = draw(st.sampled_from(("replace", "replace", "wrap", "drop", "add", "empty",
                                   "double")))
        if not path:
            if op == "add" and isinstance(data, dict):
                data[draw(keys)] = draw(json_values)
            continue
        parent, key = _at(data, path[:-1]), path[-1]
        if op == "replace":
            parent[key] = draw(json_values)
        elif op == "wrap":                  # the value inside a list or an object
            parent[key] = draw(st.sampled_from(([parent[key]], {"x": parent[key]})))
        elif op == "drop":
            del parent[key]
        elif op == "add" and isinstance(parent[key], dict):
            parent[key][draw(keys)] = draw(json_values)
        elif op == "empty" and isinstance(parent[key], (list, dict)):
            parent[key] = type(parent[key])()
        elif op == "double" and isinstance(parent[key], list):
            parent[key] = parent[key] * 2
        else:
            parent[key] = _fresh(draw(st.sampled_from(EXTREME)))
    return data


@pytest.fixture(scope="module")
def tariffs(relief_tariff):
    """koriyama/2025 and its child with one relief rule of each kind (conftest.py)."""
    return levyrules.load_tariff("koriyama/2025"), relief_tariff


def _strict(value) -> None:
    json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")


def _through_everything(data, earlier, tariff, as_of) -> None:
    """The pipeline; only LevyError may come out of it."""
    try:
        household = Household.from_json(data)
        result = levyrules.assess(household, tariff, trace=True, partial=True)
        _strict(result.to_json())
        _strict(household.to_json())
        if earlier is not None:
            _strict(revise(earlier, household, tariff, as_of).to_json())
    except levyrules.LevyError as e:
        text = str(e)
        assert "\n" not in text and "山田太郎" not in text and "123456789018" not in text


def _earlier_for(base, tariff):
    try:
        out = levyrules.assess(Household.from_json(base), tariff).to_json()
    except levyrules.LevyError:
        return None
    out.pop("trace", None)
    return out


AS_OF = st.sampled_from((date(2025, 4, 1), date(2025, 11, 15), date(2026, 3, 31),
                         date(2032, 1, 1), date(2020, 1, 1)))


# handmade households for the paths the strategy does not draw: 条例減免, 世帯主変更
HANDMADE = [
    {"id": "R1", "fiscal_year": 2025, "head": "p1", "persons": [
        {"id": "p1", "birth_date": "1970-05-05", "insured": [{"from": "2025-04-01"}],
         "income": {"business_income": 3000000}},
        {"id": "p2", "birth_date": "1990-01-01", "insured": [{"from": "2025-06-10",
                                                              "until": "2026-01-15"}]}],
     "relief": {"disaster": {"grade": "半壊"}, "drop": {"previous_income": 3000000,
                                                      "current_income": 1000000},
                "detention": {"person": "p2", "periods": [{"from": "2025-07-15",
                                                           "until": "2025-12-20"}]}}},
    {"id": "C1", "fiscal_year": 2025, "head": "p1", "persons": [
        {"id": "p1", "birth_date": "1950-10-10", "insured": [{"from": "2020-04-01"}]},
        {"id": "p2", "birth_date": "1960-02-29", "insured": [{"from": "2025-04-01"}],
         "income": {"pension_revenue": 2000000}}],
     "head_changes": [{"date": "2025-10-10", "head": "p2"}]},
]


@pytest.fixture(scope="module")
def pool():
    """Valid koriyama/2025 households: drawn once from tests/strategies.py, plus HANDMADE."""
    out = list(HANDMADE)

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(households(("koriyama/2025",), statuses=True))
    def collect(case):
        out.append(case[1])
    collect()
    return out


def _mutated_households(tariffs, pool, data):
    base = data.draw(st.sampled_from(HANDMADE) | st.sampled_from(pool))
    tariff = data.draw(st.sampled_from((tariffs[1], tariffs[1], tariffs[1], tariffs[0])))
    earlier = _earlier_for(base, tariff)
    if earlier is not None and data.draw(st.booleans()):
        earlier = data.draw(mutated(earlier))
    household = data.draw(mutated(base))
    as_of = data.draw(AS_OF)
    _through_everything(household, earlier, tariff, as_of)
    try:                                # the same, as JSON text through the one reader
        text = json.dumps(household, ensure_ascii=data.draw(st.booleans()))
        _through_everything(read_json(text, "household"), earlier, tariff, as_of)
    except levyrules.LevyError:
        pass


def _arbitrary(tariffs, value):
    _through_everything(value, value, tariffs[1], date(2025, 11, 15))
    try:
        read_json(json.dumps(value), "household")
    except levyrules.LevyError:
        pass


def _raw(blob):
    try:
        read_json(blob, "household")
    except levyrules.LevyError as e:
        assert "\n" not in str(e)


FAST = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
SLOW = settings(FAST, max_examples=2000, derandomize=False)


@FAST
@given(data=st.data())
def test_mutated_households_only_raise_levy_errors(tariffs, pool, data):
    _mutated_households(tariffs, pool, data)


@FAST
@given(value=json_values)
def test_arbitrary_json_only_raises_levy_errors(tariffs, value):
    _arbitrary(tariffs, value)


@FAST
@given(blob=st.binary(max_size=200) | st.text(max_size=200)
       | st.lists(st.sampled_from(list('{}[]":,0-9eE.tfn \\u"')), max_size=60).map("".join))
def test_arbitrary_text_only_raises_levy_errors(blob):
    _raw(blob)


@pytest.mark.slow
@SLOW
@given(data=st.data())
def test_mutated_households_only_raise_levy_errors_thousands(tariffs, pool, data):
    _mutated_households(tariffs, pool, data)


@pytest.mark.slow
@SLOW
@given(value=json_values)
def test_arbitrary_json_only_raises_levy_errors_thousands(tariffs, value):
    _arbitrary(tariffs, value)


@pytest.mark.slow
@SLOW
@given(blob=st.binary(max_size=400) | st.text(max_size=400))
def test_arbitrary_text_only_raises_levy_errors_thousands(blob):
    _raw(blob)
