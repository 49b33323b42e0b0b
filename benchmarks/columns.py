"""Benchmark of the columnar evaluator (levyrules.batch.assess_columns) against `assess`,
one process, one thread (issue 10).

    python benchmarks/columns.py [--n 1000000] [--chunk 100000] [--tariff koriyama/2025]
                                 [--check] [--json PATH] [--kinds full_year,mixed]
                                 [--synth FOLDER] [--breakdown] [--base SRC]

For each kind of population — `full_year` (everybody insured all year, no special status)
and `mixed` (mid-year joins and losses, 75歳到達, special statuses, 世帯主変更: the
generator's city=True) — N synthetic households in chunks of --chunk distinct households
(each chunk its own seed; built once and kept in benchmarks/.cache, since generating a
million households takes minutes and is not levyrules' work):

  batch      assess_columns over every chunk, three times; the median per chunk, summed
             → households/s (wall) and µs per household of CPU time (process_time: what a
             busy machine does not inflate)
  scalar     `assess` over the first 20,000 households of the kind, three times, median
             → households/s, and the batch/scalar ratio of this run
  latency    single `assess` calls of full-year households, one timer per call → median µs
  memory     tracemalloc peak while assessing one chunk, per household (the evaluator's
             working memory), and the population columns' own bytes per household
  --check    every row of every chunk compared with `assess` on its household (slow):
             the count of households that differ (must be 0)
  --synth    also the kind `synth`: the tables folder FOLDER of `levyrules synth --format
             parquet` (its fiscal year must be the tariff's), read with
             batch.tables.read_population in the chunks `levyrules batch` uses
             (population/runner.py COLUMN_CHUNK), read anew for each run so the households
             the columns send to `assess` are read from their rows as in the batch
  --breakdown  per kind, µs per household of each part of assess_columns (exclusive
             times, one more run with timers: benchmarks/column_parts.py) and the
             households sent to `assess`, by reason
  --base     also the evaluator of an earlier checkout (SRC: its src/ folder, imported
             as `levyrules_base`, as benchmarks/side_by_side.py does) on the same
             chunks in the same run, alternating (each chunk three times each, the
             order swapped each time), with a batch worker's memory settings: CPU µs
             per household of both (the median per chunk, summed) and base/this; the
             figure to compare on a shared machine

Nothing is asserted about speed; figures go in the README (median of three runs).
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import levyrules  # noqa: E402
from levyrules.batch.evaluate import assess_columns  # noqa: E402
from levyrules.batch.population import from_households  # noqa: E402
from levyrules.batch.tables import read_population  # noqa: E402
from levyrules.population.runner import COLUMN_CHUNK  # noqa: E402
from levyrules.population.rows import row  # noqa: E402
from population import generate  # noqa: E402
import column_parts  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"


def chunk(kind: str, fy: int, size: int, k: int):
    """Chunk k of a kind: (households, Population), built once and kept on disk."""
    path = CACHE / f"columns-{kind}-{fy}-{size}-{k}.pickle"
    if path.exists():
        with open(path, "rb") as f:
            return pickle.load(f)
    data = generate(size, fy, seed=1000 + k, id_prefix=f"C{k}",
                    full_year_only=kind == "full_year", city=kind == "mixed")
    hs = [levyrules.Household.from_json(d) for d in data]
    pop = from_households(hs, fy)
    CACHE.mkdir(exist_ok=True)
    with open(path, "wb") as f:
        pickle.dump((hs, pop), f, protocol=pickle.HIGHEST_PROTOCOL)
    return hs, pop


def timed(fn, runs: int = 3, cpu: list | None = None) -> float:
    """The median wall time of `runs` calls; with `cpu`, their median CPU time appended."""
    times, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    if cpu is not None:
        cpu.append(statistics.median(cpus))
    return statistics.median(times)


def population_bytes(pop) -> int:
    """Bytes held by the population's numpy columns (ids and Household objects aside)."""
    import attrs
    total = 0
    for f in attrs.fields(type(pop)):
        v = getattr(pop, f.name)
        values = v.values() if isinstance(v, dict) else (v,)
        total += sum(getattr(a, "nbytes", 0) for a in values)
    return total


def check(hs, cols, tariff) -> int:
    got = dict(zip(cols.index.tolist(), cols.rows()))
    refused = {i for i, _ in cols.rejects}
    bad = 0
    for i, h in enumerate(hs):
        try:
            exp = row(h, levyrules.assess(h, tariff, partial=True), tariff)
        except levyrules.LevyError:
            bad += i not in refused
            continue
        bad += got.get(i) != exp
    return bad


def synth_chunks(folder: str) -> list:
    """The populations of a `levyrules synth` tables folder, as `levyrules batch` reads them."""
    return [r.population for r in read_population(folder, chunk=COLUMN_CHUNK)]


def kind_chunks(kind: str, args, fy: int):
    """(k, households or None, Population) of a kind; `synth` is read anew at each call."""
    if kind == "synth":
        for k, pop in enumerate(synth_chunks(args.synth)):
            yield k, None, pop
        return
    for k in range(max(1, args.n // args.chunk)):
        hs, pop = chunk(kind, fy, args.chunk, k)
        yield k, hs, pop


def run_kind(kind: str, args, tariff) -> dict:
    fy = tariff.fiscal_year
    differ = checked = households = 0
    cpu: list = []
    if kind == "synth":         # read anew for each run: the median of the three totals
        totals, cpus = [], []
        for run in range(3):
            total = total_cpu = 0.0
            for k, _, pop in kind_chunks(kind, args, fy):
                t0, c0 = time.perf_counter(), time.process_time()
                cols = assess_columns(pop, tariff)
                total += time.perf_counter() - t0
                total_cpu += time.process_time() - c0
                if run == 0:
                    households += pop.size
                    if args.check:
                        differ += check(pop.households, cols, tariff)
                        checked += pop.size
                    if k == 0:
                        first = (list(pop.households[:20_000]), pop)
            totals.append(total)
            cpus.append(total_cpu)
        batch = statistics.median(totals)
        cpu.append(statistics.median(cpus))
    else:                       # each chunk three times: the median per chunk, summed
        batch = 0.0
        for k, hs, pop in kind_chunks(kind, args, fy):
            cols = None

            def once():
                nonlocal cols
                cols = assess_columns(pop, tariff)
            batch += timed(once, cpu=cpu)
            households += pop.size
            if args.check:
                differ += check(hs, cols, tariff)
                checked += len(hs)
            if k == 0:
                first = (hs, pop)
    hs, pop = first
    sample = hs[:20_000]
    scalar_cpu: list = []
    scalar = timed(lambda: [levyrules.assess(h, tariff) for h in sample], cpu=scalar_cpu)
    tracemalloc.start()
    assess_columns(pop, tariff)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    out = {"households": households, "batch_per_s": households / batch,
           "batch_us_per_household": batch / households * 1e6,
           "batch_cpu_us_per_household": sum(cpu) / households * 1e6,
           "scalar_cpu_us_per_household": scalar_cpu[0] / len(sample) * 1e6,
           "scalar_per_s": len(sample) / scalar, "scalar_routed": int(pop.scalar.sum()),
           "evaluator_peak_bytes_per_household": peak / pop.size,
           "columns_bytes_per_household": population_bytes(pop) / pop.size}
    out["batch_over_scalar"] = out["batch_per_s"] / out["scalar_per_s"]
    out["batch_over_scalar_cpu"] = (out["scalar_cpu_us_per_household"]
                                    / out["batch_cpu_us_per_household"])
    if args.check:
        out["checked"], out["differ"] = checked, differ
    if args.breakdown:
        out["breakdown_us"], out["fallback"] = breakdown(kind, args, tariff)
    if args.base:
        out["side_by_side"] = side_by_side(kind, args, tariff)
    return out


def _base_reader(base, kind: str, args, fy: int):
    """A chunk of a kind as `base` reads it (k -> its Population): the cached pickle with
    its classes taken from `base`; for `synth`, the folder read by base's own reader."""
    from importlib import import_module
    if kind == "synth":
        reader = import_module(base.__name__ + ".batch.tables")
        return lambda: [r.population for r in reader.read_population(
            args.synth, chunk=COLUMN_CHUNK)]

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if module == "levyrules" or module.startswith("levyrules."):
                module = base.__name__ + module[len("levyrules"):]
            return super().find_class(module, name)

    def read(k):
        chunk(kind, fy, args.chunk, k)                 # made (and cached) if absent
        with open(CACHE / f"columns-{kind}-{fy}-{args.chunk}-{k}.pickle", "rb") as f:
            return Unpickler(f).load()[1]
    return read


def side_by_side(kind: str, args, tariff) -> dict:
    """CPU µs per household of `assess_columns` here and in the --base checkout, each
    chunk three times each, alternating (base first on even runs): the median per
    chunk, summed. The memory settings of a batch worker process (runner.worker_memory:
    numpy's large arrays from the heap, not a fresh mmap each) hold for both."""
    from importlib import import_module
    from side_by_side import _import_base
    from levyrules.population.runner import worker_memory
    worker_memory()
    if not _BASE:
        _BASE.append(_import_base(args.base))
    base = _BASE[0]
    fy = tariff.fiscal_year
    fns = {"this": (assess_columns, tariff),
           "base": (import_module(base.__name__ + ".batch.evaluate").assess_columns,
                    base.load_tariff(args.tariff))}
    read_base = _base_reader(base, kind, args, fy)
    cpu: dict = {"this": {}, "base": {}}

    def timed_run(name, k, pop):
        fn, t = fns[name]
        c0 = time.process_time()
        fn(pop, t)
        cpu[name].setdefault(k, []).append(time.process_time() - c0)
    n = 0
    if kind == "synth":         # read anew for each run (the scalar households' rows)
        loads = {"this": lambda: synth_chunks(args.synth), "base": read_base}
        for r in range(3):
            for name in (("base", "this") if r % 2 == 0 else ("this", "base")):
                for k, pop in enumerate(loads[name]()):
                    n += pop.size if name == "this" and not r else 0
                    timed_run(name, k, pop)
    else:
        for k in range(max(1, args.n // args.chunk)):
            pops = {"this": chunk(kind, fy, args.chunk, k)[1], "base": read_base(k)}
            n += pops["this"].size
            for r in range(3):
                for name in (("base", "this") if r % 2 == 0 else ("this", "base")):
                    timed_run(name, k, pops[name])
            del pops
    cpu = {name: [statistics.median(v) for v in runs.values()] for name, runs in cpu.items()}
    b, t = sum(cpu["base"]) / n * 1e6, sum(cpu["this"]) / n * 1e6
    return {"base_cpu_us_per_household": round(b, 4), "this_cpu_us_per_household": round(t, 4),
            "base_over_this": round(b / t, 3)}


_BASE: list = []


def breakdown(kind: str, args, tariff) -> tuple[dict, dict]:
    """µs per household of each part (one run with timers), and the fallback reasons."""
    import numpy as np
    n, reasons = 0, {}
    with column_parts.timers() as t:
        for _, _, pop in kind_chunks(kind, args, tariff.fiscal_year):
            n += pop.size
            assess_columns(pop, tariff)
            with column_parts.paused(t):
                for k, v in column_parts.fallback_reasons(np, pop, tariff).items():
                    reasons[k] = reasons.get(k, 0) + v
    parts = {k: round(v / n * 1e6, 3) for k, v in sorted(t.own.items(), key=lambda kv: -kv[1])}
    parts["total"] = round(sum(t.own.values()) / n * 1e6, 3)
    reasons["share"] = sum(v for k, v in reasons.items() if "taken" not in k) / n
    return parts, reasons


def latency(tariff, size: int, n: int = 2000) -> float:
    hs, _ = chunk("full_year", tariff.fiscal_year, size, 0)
    times = []
    for h in hs[:n]:
        t0 = time.perf_counter_ns()
        levyrules.assess(h, tariff)
        times.append(time.perf_counter_ns() - t0)
    return statistics.median(times) / 1000


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--chunk", type=int, default=100_000)
    ap.add_argument("--tariff", default="koriyama/2025")
    ap.add_argument("--kinds", default="full_year,mixed")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--json", default=None)
    ap.add_argument("--synth", default=None, metavar="FOLDER")
    ap.add_argument("--breakdown", action="store_true")
    ap.add_argument("--base", default=None, metavar="SRC")
    args = ap.parse_args(argv)
    tariff = levyrules.load_tariff(args.tariff)
    report = {"tariff": tariff.id, "chunk": args.chunk}
    kinds = [k for k in args.kinds.split(",") if k] + (["synth"] if args.synth else [])
    for kind in kinds:
        report[kind] = run_kind(kind, args, tariff)
        print(kind, json.dumps(report[kind]), flush=True)
    report["scalar_latency_median_us"] = latency(tariff, args.chunk)
    print("latency_us", report["scalar_latency_median_us"])
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
