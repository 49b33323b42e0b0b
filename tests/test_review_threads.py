"""Review: the tables reader's look-up tables made at first use (batch/tablecells.py
_libs, _calendar, _id_bytes) in a multi-threaded host (Dask's threads, the service): two
threads at the first use each get the whole table, never half of it or two of it."""

import threading
import time

import pytest

pytest.importorskip("numpy")
pytest.importorskip("pyarrow")

from levyrules.batch import tablecells  # noqa: E402
from levyrules.population import extras  # noqa: E402


def _race(monkeypatch, fn, n: int = 4) -> list:
    """fn() in `n` threads started together, extras.need slowed (the first import)."""
    real = extras.need

    def slow(*a, **k):
        time.sleep(0.02)
        return real(*a, **k)
    monkeypatch.setattr(extras, "need", slow)
    out, errors = [], []
    gate = threading.Barrier(n)

    def run():
        gate.wait()
        try:
            out.append(len(fn()))
        except Exception as e:          # noqa: BLE001 (the failure reported below)
            errors.append(repr(e))
    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    return out


def test_libs_whole_in_every_thread_at_first_use(monkeypatch):
    monkeypatch.setattr(tablecells, "_LIBS", [])
    assert _race(monkeypatch, tablecells._libs) == [3] * 4


def test_calendar_and_id_bytes_made_once_whole(monkeypatch):
    tablecells._libs()
    monkeypatch.setattr(tablecells, "_CALENDAR", [])
    monkeypatch.setattr(tablecells, "_ID_BYTES", [])
    real = tablecells.date

    class Slow(real):                   # the calendar's years made slowly
        def toordinal(self):
            time.sleep(0.0001)
            return real.toordinal(self)
    monkeypatch.setattr(tablecells, "date", Slow)
    assert _race(monkeypatch, tablecells._calendar) == [4] * 4
    assert _race(monkeypatch, tablecells._id_bytes) == [2] * 4
