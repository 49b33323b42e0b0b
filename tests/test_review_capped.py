"""Review: tablecursor.Cursor._capped keeps at most MAX_ROWS + 1 rows of a household,
counting the rows kept from the batches before, whatever the cut of the batches."""

import random

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

from levyrules.batch import tablecursor  # noqa: E402
from levyrules.population import layout  # noqa: E402


@pytest.mark.parametrize("seed", range(40))
def test_capped_keeps_the_first_rows_of_each_household_across_batches(monkeypatch, seed):
    rng = random.Random(seed)
    cap = rng.choice([1, 2, 3, 5])
    monkeypatch.setattr(layout, "MAX_ROWS", cap - 1)
    runs = [rng.choice([1, 1, 2, cap, cap + 1, 3 * cap + 2]) for _ in range(rng.randint(1, 12))]
    keys = [f"H{i:04d}" for i, r in enumerate(runs) for _ in range(r)]
    want, seen = [], {}
    for k, key in enumerate(keys):
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= cap:
            want.append(k)
    c = tablecursor.Cursor.__new__(tablecursor.Cursor)
    c.open, c.tail = 0, None
    got, at = [], 0
    while at < len(keys):
        n = rng.randint(1, 7)
        batch = keys[at:at + n]
        first = np.array([(i == 0 and (c.tail is None or batch[0] != c.tail))
                          or (i > 0 and batch[i] != batch[i - 1]) for i in range(len(batch))])
        table = pa.table({"i": list(range(at, at + len(batch)))})
        t, numbers, _, _ = c._capped(table, np.arange(at, at + len(batch)),
                                     pa.array(batch), first)
        got += numbers.tolist()
        c.tail = batch[-1]
        at += len(batch)
    assert got == want
