"""Where `assess_columns` spends its time: an exclusive timer on each of its parts
(benchmarks/columns.py --breakdown), and why households go to the per-household engine.

The timers wrap the functions `assess_columns` calls, by replacing them in the modules
that call them for the time of a run (nothing in levyrules changes): each part's time is
its own, the parts it calls counted apart, in CPU time (time.process_time: other work on
the machine does not count). The steps of each component are timed one by
one through `pipeline.run_columns`. Only for measuring: the wrappers cost ~1 µs per call.
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict

from levyrules.batch import columns as colmod, components, evaluate, judge
try:                                # absent before 世帯主変更 was taken into the columns
    from levyrules.batch import head_change
except ImportError:                 # (to measure an earlier checkout: --breakdown)
    head_change = None
from levyrules.population import rows as rowmod
from levyrules.steps import pipeline

# (module, attribute, part): what assess_columns calls, by the module it calls it from
PARTS = (
    (evaluate, "assess_columns", "other (assess_columns itself)"),
    (evaluate, "_routed", "routing (tariff, municipality)"),
    (evaluate, "member_columns", "member columns"),
    (evaluate, "income_columns", "income columns"),
    (evaluate, "_unemployment_income", "income columns"),
    (evaluate, "_too_large", "routing (headroom, unknown)"),
    (evaluate, "_unknown_components", "routing (headroom, unknown)"),
    (evaluate, "judgement_dates", "判定日"),
    (evaluate, "judge_columns", "判定日 (who counts)"),
    (evaluate, "_view", "view (cut to the column households)"),
    (head_change, "plan", "世帯主変更: parts"),
    (head_change, "expand", "世帯主変更: view of parts"),
    (head_change, "combine", "世帯主変更: parts folded back"),
    (evaluate, "notices", "totals (100円, 期別) of notices"),
    (judge, "judge", "判定 (tier, 特定世帯)"),
    (components, "rows_of", "components (rows)"),
    (components, "levy", "components (ledger, output fields)"),
    (evaluate, "household_columns", "household output columns"),
    (colmod, "installment_columns", "installment columns"),
    (colmod, "notices", "totals (100円, 期別) of notices"),
    (evaluate, "merge_scalar", "merge (+ reading fallback households)"),
    (colmod, "assess", "scalar fallback: assess"),
    (rowmod, "row", "scalar fallback: row"),
)


class Timer:
    def __init__(self):
        self.own = defaultdict(float)
        self.stack = []

    def wrap(self, label, fn):
        def timed(*a, **k):
            self.stack.append(0.0)
            t0 = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                total = time.process_time() - t0
                inner = self.stack.pop()
                self.own[label] += total - inner
                if self.stack:
                    self.stack[-1] += total
        return timed


@contextlib.contextmanager
def timers():
    """A Timer whose `own` maps part -> seconds, while the wrappers are in place."""
    t = Timer()
    parts = [(m, a, label) for m, a, label in PARTS if m is not None and hasattr(m, a)]
    saved = [(m, a, getattr(m, a)) for m, a, _ in parts]
    saved.append((pipeline, "run_columns", pipeline.run_columns))
    for m, a, label in parts:
        setattr(m, a, t.wrap(label, getattr(m, a)))

    def run_columns(c, L, status):
        for step in pipeline.column_plan(c.tariff_flags, status):
            t.wrap(f"step {step.__module__.rsplit('.', 1)[-1]}.{step.__name__}", step)(c, L)
    pipeline.run_columns = run_columns
    t.saved = saved
    try:
        yield t
    finally:
        for m, a, fn in saved:
            setattr(m, a, fn)


@contextlib.contextmanager
def paused(t: Timer):
    """The functions unwrapped for a while (work that is not assess_columns')."""
    wrapped = [(m, a, getattr(m, a)) for m, a, _ in t.saved]
    for m, a, fn in t.saved:
        setattr(m, a, fn)
    try:
        yield
    finally:
        for m, a, fn in wrapped:
            setattr(m, a, fn)


def fallback_reasons(np, pop, tariff) -> dict:
    """Households sent to `assess`, by the first reason (the order of assess_columns)."""
    from levyrules.engine.members import member_columns
    from levyrules.engine.income import income_columns
    out = {}
    taken = np.zeros(pop.size, bool)

    def add(label, mask):
        new = mask & ~taken
        out[label] = int(new.sum())
        taken[:] |= mask
    add("tariff or municipality", evaluate._routed(np, pop, tariff) & ~pop.scalar)
    facts = member_columns(pop)
    liable = np.zeros(pop.size, np.int64)
    np.bitwise_or.at(liable, pop.household, facts.insured)
    add("no insured month", liable == 0)
    income = income_columns(pop, tariff.national, pop.fiscal_year)
    income_u = evaluate._unemployment_income(np, pop, tariff, facts, income)
    add("headroom", evaluate._too_large(np, pop, tariff, income, income_u))
    add("unknown component", evaluate._unknown_components(np, pop, tariff, facts))
    if head_change is None:
        add("reader (世帯主変更, 条例減免, other year)", pop.scalar)
        return out
    changes = head_change.plan(np, pop, tariff, pop.scalar & ~taken, liable)
    out["世帯主変更 taken into the columns"] = int(changes.taken.sum())
    add("reader (条例減免, other year, 世帯主変更 refused)", pop.scalar & ~changes.taken)
    return out
