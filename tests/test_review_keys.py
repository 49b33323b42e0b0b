"""Review: tablecells.mark_runs and same_keys on keys of one byte width (compared as two
integers) whose text is not ASCII: multi-byte UTF-8, embedded NUL, characters past the
BMP; the marks and the order are those of the strings."""

import random

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

from levyrules.batch import tablecells, tablecursor  # noqa: E402

PIECES = ["a", "z", "\x00", "é", "ÿ", "あ", "\uffff", "😀", "\x7f"]


def _key(rng, width: int) -> str:
    out = ""
    while len(out.encode()) < width:
        p = rng.choice(PIECES)
        if len((out + p).encode()) <= width:
            out += p
    return out


@pytest.mark.parametrize("seed", range(30))
def test_non_ascii_keys_of_one_width_order_as_their_text(seed):
    rng = random.Random(seed)
    width = rng.randint(8, 16)
    keys = sorted(_key(rng, width) for _ in range(rng.randint(2, 30)))
    keys = [k for k in keys for _ in range(rng.randint(1, 2))]
    for _ in range(rng.randint(0, 2)):
        i, j = rng.randrange(len(keys)), rng.randrange(len(keys))
        keys[i], keys[j] = keys[j], keys[i]
    arr = pa.array(keys, pa.string())
    assert tablecells.words(arr, len(keys)) is not None
    first = np.zeros(len(keys), bool)
    down = tablecells.mark_runs(arr, first)
    assert first[1:].tolist() == [a != b for a, b in zip(keys[1:], keys)]
    below = [i for i in range(1, len(keys)) if keys[i] < keys[i - 1]]
    assert down == (below[0] if below else None)
    at = np.arange(len(keys))
    assert tablecursor.same_keys(arr, at, pa.array(keys, pa.string()))
