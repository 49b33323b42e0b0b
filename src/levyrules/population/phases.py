"""Where the time of a `levyrules batch` run goes, process by process: with the environment
variable ``LEVYRULES_BATCH_TRACE`` naming a file, each process of the run (the main
process, the fork server, each worker) appends one JSON line per event to it: its pid and
role, the event, the wall clock (``time.time()``), the process's CPU seconds so far
(start-up and imports included) and any figures of the event (a part's CPU seconds per
phase: read, evaluate, write). Nothing is written without the variable; no household
data is ever written (counts and seconds only). ``benchmarks/batch.py --breakdown`` sets
it and prints the timeline."""

from __future__ import annotations

import json
import os
import time

ENV = "LEVYRULES_BATCH_TRACE"
_PATH = os.environ.get(ENV) or None


def enabled() -> bool:
    return _PATH is not None


def mark(role: str, event: str, **figures) -> None:
    """One line for `event` of this process (nothing when tracing is off)."""
    if _PATH is None:
        return
    line = {"pid": os.getpid(), "role": role, "event": event, "t": time.time(),
            "cpu": time.process_time(), **figures}
    with open(_PATH, "a", encoding="utf-8") as f:       # one short write: lines whole
        f.write(json.dumps(line) + "\n")


class Clock:
    """CPU seconds of this thread summed by phase (`time.thread_time`)."""

    def __init__(self):
        self.spent: dict = {}
        self._t = time.thread_time()

    def lap(self, phase: str) -> None:
        """The time since the last lap (or the start) to `phase`."""
        now = time.thread_time()
        self.spent[phase] = self.spent.get(phase, 0.0) + now - self._t
        self._t = now

    def rounded(self) -> dict:
        return {k: round(v, 4) for k, v in self.spent.items()}
