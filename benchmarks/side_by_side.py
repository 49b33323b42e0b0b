"""Scalar speed of this checkout against an earlier commit, side by side in ONE process.

    git worktree add /tmp/base c2e87b0                  # the commit to compare with
    python benchmarks/side_by_side.py --base /tmp/base/src [--n 20000] [--rounds 15]

The earlier package is imported a second time under another name (its modules import
each other relatively, and it finds its tariffs from its own files), so both engines
see the same load: the phases alternate in chunks of `--chunk` households, in turns
(base first in even rounds, this checkout first in odd ones), each timed with
time.process_time (CPU time, not wall time: other processes on the machine do not
count). Reported per phase: households/s of each (the median chunk) and the speed-up,
the median over the rounds of base time / this checkout's time; single-call latency
alternates call by call (time.thread_time_ns), medians. Figures are printed, never
asserted. The households come from levyrules.population.synth (the generator of
benchmarks/population.py), read by each engine's own Household.from_json.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import levyrules
from levyrules.population.synth import DEFAULT_SEED, generate, is_full_year

PHASES = ("from_json", "mixed", "full_year")


def _import_base(src: str):
    """The package under `src`/levyrules, imported as `levyrules_base`."""
    pkg = Path(src).resolve() / "levyrules"
    if not (pkg / "__init__.py").is_file():
        raise SystemExit(f"{src}: no levyrules package there")
    home = tempfile.mkdtemp(prefix="levyrules-base-")
    os.symlink(pkg, Path(home) / "levyrules_base")
    sys.path.insert(0, home)
    import levyrules_base
    return levyrules_base


def _timed(engine, phase: str, raw: list, households: list, full: list, tariff,
           a: int, fa: int, chunk: int) -> float:
    """CPU seconds per household of one chunk of one phase."""
    clock = time.process_time
    if phase == "from_json":
        read = engine.Household.from_json
        items = raw[a:a + chunk]
        t0 = clock()
        for d in items:
            read(d)
    else:
        assess = engine.assess
        items = households[a:a + chunk] if phase == "mixed" else full[fa:fa + chunk]
        t0 = clock()
        for h in items:
            assess(h, tariff)
    return (clock() - t0) / len(items)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, help="the src/ directory of the earlier checkout")
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--tariff", default="koriyama/2025")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--chunk", type=int, default=2_000)
    ap.add_argument("--latency-calls", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    a = ap.parse_args(argv)
    engines = {"base": _import_base(a.base), "this": levyrules}
    fy = levyrules.load_tariff(a.tariff).fiscal_year
    raw = generate(a.n, fy, a.seed)
    full_idx = [i for i, d in enumerate(raw) if is_full_year(d)]
    chunk = min(a.chunk, len(full_idx))
    state = {}
    for name, engine in engines.items():
        tariff = engine.load_tariff(a.tariff)
        hs = [engine.Household.from_json(d) for d in raw]
        state[name] = (engine, tariff, hs, [hs[i] for i in full_idx])
    times: dict = {(name, ph): [] for name in engines for ph in PHASES}
    rng = random.Random(1)
    for r in range(a.rounds):
        start, fstart = rng.randrange(len(raw) - chunk + 1), rng.randrange(len(full_idx) - chunk + 1)
        order = ("base", "this") if r % 2 == 0 else ("this", "base")
        for ph in PHASES:
            for name in order:
                engine, tariff, hs, full = state[name]
                times[(name, ph)].append(_timed(engine, ph, raw, hs, full, tariff, start,
                                                fstart, chunk))
    lat: dict = {"base": [], "this": []}
    clock = time.thread_time_ns
    for j in range(a.latency_calls):
        for name in (("base", "this") if j % 2 else ("this", "base")):
            engine, tariff, _, full = state[name]
            h = full[j % len(full)]
            t0 = clock()
            engine.assess(h, tariff)
            lat[name].append(clock() - t0)
    print(f"{a.n:,} households ({len(full_idx):,} full-year), {a.tariff}, {a.rounds} rounds "
          f"of {chunk:,}; CPU time; base = {a.base}")
    for ph in PHASES:
        b, t = times[("base", ph)], times[("this", ph)]
        ratio = statistics.median(x / y for x, y in zip(b, t))
        print(f"  {ph:<18} base {1 / statistics.median(b):9,.0f}/s   this "
              f"{1 / statistics.median(t):9,.0f}/s   speed-up {ratio:.2f}")
    b = statistics.median(times[("base", "from_json")]) + statistics.median(times[("base", "mixed")])
    t = statistics.median(times[("this", "from_json")]) + statistics.median(times[("this", "mixed")])
    print(f"  {'from_json + mixed':<18} base {1 / b:9,.0f}/s   this {1 / t:9,.0f}/s   "
          f"speed-up {b / t:.2f}")
    lb, lt = statistics.median(lat["base"]) / 1000, statistics.median(lat["this"]) / 1000
    print(f"  {'latency (median)':<18} base {lb:8.1f} µs   this {lt:8.1f} µs   "
          f"speed-up {lb / lt:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
