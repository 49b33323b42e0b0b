"""Benchmark of levyrules on a synthetic population (one process, one thread).

    python benchmarks/run.py [--n 100000] [--tariff koriyama/2025] [--trace]
                             [--latency-calls 20000] [--json [PATH]] [--profile [N]]

Phases, each timed with time.perf_counter / perf_counter_ns (nothing is asserted):

  generate     build the household dicts (benchmarks/population.py; not levyrules)
  from_json    Household.from_json over the whole batch                 → households/s
  assess       assess() over the whole batch (mixed) and over its
               full-year subset                                          → households/s
  latency      assess() of single full-year households, one timer per call → median, p99
  memory       peak RSS of the process (getrusage) after the timed phases, then
               tracemalloc: bytes held by the parsed batch and the peak while assessing
  profile      optional cProfile of assess() over full-year households (top 25 by tottime)

Households whose assessment raises levyrules.LevyError are counted (the generator
is meant to produce none); any other exception is a bug and is printed with the
household JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import levyrules  # noqa: E402
from population import DEFAULT_SEED, generate, is_full_year  # noqa: E402


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def _percentile(sorted_values: list[int], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an ascending list."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, math.ceil(q / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


def _assess_batch(households, tariff, trace: bool, raw, bugs: list, levy_errors: dict):
    """Assess every household once; returns elapsed seconds. Errors are collected."""
    assess = levyrules.assess
    LevyError = levyrules.LevyError
    t0 = time.perf_counter()
    for i, h in enumerate(households):
        try:
            assess(h, tariff, trace=trace)
        except LevyError as e:
            key = f"{type(e).__name__}: {e}"
            levy_errors[key] = levy_errors.get(key, 0) + 1
        except Exception:                                   # a bug in the engine
            bugs.append((raw[i], traceback.format_exc()))
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="levyrules throughput / latency benchmark")
    ap.add_argument("--n", type=int, default=100_000, help="households in the batch")
    ap.add_argument("--tariff", default="koriyama/2025")
    ap.add_argument("--fiscal-year", type=int, default=None,
                    help="default: the tariff's fiscal year")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--trace", action="store_true", help="assess with trace=True")
    ap.add_argument("--latency-calls", type=int, default=20_000,
                    help="single-call timings of assess on full-year households")
    ap.add_argument("--warmup", type=int, default=2_000)
    ap.add_argument("--no-memory", action="store_true", help="skip the tracemalloc phase")
    ap.add_argument("--profile", type=int, nargs="?", const=20_000, default=0, metavar="N",
                    help="cProfile assess over N full-year households (default 20000)")
    ap.add_argument("--profile-top", type=int, default=25)
    ap.add_argument("--profile-out", default=None, help="also save the pstats file here")
    ap.add_argument("--json", nargs="?", const="-", default=None, metavar="PATH",
                    help="write the figures as JSON (to stdout when no PATH)")
    a = ap.parse_args(argv)
    out = sys.stderr if a.json == "-" else sys.stdout

    def say(*args):
        print(*args, file=out, flush=True)

    tariff = levyrules.load_tariff(a.tariff)
    fy = a.fiscal_year or tariff.fiscal_year
    res: dict = {"engine": f"levyrules {levyrules.__version__}", "tariff": tariff.id,
                 "fiscal_year": fy, "n": a.n, "seed": a.seed, "trace": a.trace,
                 "python": platform.python_version(), "implementation":
                 platform.python_implementation(), "machine": platform.machine(),
                 "cpus": os.cpu_count()}

    # ---- generate (not part of levyrules)
    t0 = time.perf_counter()
    raw = generate(a.n, fy, a.seed)
    res["generate_s"] = time.perf_counter() - t0
    full_idx = [i for i, d in enumerate(raw) if is_full_year(d)]
    res["n_full_year"] = len(full_idx)
    res["persons"] = sum(len(d["persons"]) for d in raw)

    # ---- from_json
    from_json = levyrules.Household.from_json
    for d in raw[:a.warmup]:
        from_json(d)
    t0 = time.perf_counter()
    households = [from_json(d) for d in raw]
    t = time.perf_counter() - t0
    res["from_json_s"] = t
    res["from_json_per_s"] = _rate(len(raw), t)

    full = [households[i] for i in full_idx]
    full_raw = [raw[i] for i in full_idx]

    # ---- assess throughput
    bugs: list = []
    levy_errors: dict = {}
    _assess_batch(households[:a.warmup], tariff, a.trace, raw, [], {})
    t = _assess_batch(households, tariff, a.trace, raw, bugs, levy_errors)
    res["assess_mixed_s"] = t
    res["assess_mixed_per_s"] = _rate(len(households), t)
    t = _assess_batch(full, tariff, a.trace, full_raw, [], {})
    res["assess_full_year_s"] = t
    res["assess_full_year_per_s"] = _rate(len(full), t)
    res["parse_and_assess_mixed_per_s"] = _rate(len(raw), res["from_json_s"]
                                                 + res["assess_mixed_s"])
    res["levy_errors"] = levy_errors
    res["unexpected_exceptions"] = len(bugs)

    # ---- single-call latency on full-year households
    assess = levyrules.assess
    ns = time.perf_counter_ns
    lat: list[int] = []
    if full and a.latency_calls:
        m = len(full)
        for j in range(a.latency_calls):
            h = full[j % m]
            t0 = ns()
            assess(h, tariff, trace=a.trace)
            lat.append(ns() - t0)
        lat.sort()
        res["latency_calls"] = len(lat)
        res["latency_median_us"] = statistics.median(lat) / 1000
        res["latency_p90_us"] = _percentile(lat, 90) / 1000
        res["latency_p99_us"] = _percentile(lat, 99) / 1000
        res["latency_max_us"] = lat[-1] / 1000
        res["latency_mean_us"] = sum(lat) / len(lat) / 1000

    # ---- memory
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    if not a.no_memory:
        gc.collect()
        tracemalloc.start()
        held = [from_json(d) for d in raw]
        cur, _ = tracemalloc.get_traced_memory()
        res["households_held_mb"] = cur / 2**20
        res["households_bytes_each"] = cur / max(1, len(held))
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        k = min(len(full), 10_000)
        for h in full[:k]:
            assess(h, tariff, trace=a.trace)
        _, peak = tracemalloc.get_traced_memory()
        res["assess_peak_extra_kb"] = (peak - base) / 1024
        kept = [assess(h, tariff, trace=a.trace) for h in full[:k]]
        cur2, _ = tracemalloc.get_traced_memory()
        res["result_bytes_each"] = (cur2 - base) / max(1, len(kept))
        tracemalloc.stop()
        del held, kept

    # ---- report
    say(_table(res))
    for h, tb in bugs[:3]:
        say("\nUNEXPECTED EXCEPTION (not a LevyError) for household:")
        say(json.dumps(h, ensure_ascii=False))
        say(tb)
    if levy_errors:
        say("\nLevyError raised (the generator should produce none):")
        for k, v in sorted(levy_errors.items(), key=lambda kv: -kv[1])[:10]:
            say(f"  {v:7d} × {k}")

    # ---- profile
    if a.profile and full:
        import cProfile
        import io
        import pstats
        sample = (full * (a.profile // len(full) + 1))[:a.profile]
        prof = cProfile.Profile()
        prof.enable()
        for h in sample:
            assess(h, tariff, trace=a.trace)
        prof.disable()
        s = io.StringIO()
        st = pstats.Stats(prof, stream=s).strip_dirs().sort_stats("tottime")
        st.print_stats(a.profile_top)
        if a.profile_out:
            st.dump_stats(a.profile_out)
        say(f"\ncProfile of assess over {len(sample)} full-year households "
            f"(top {a.profile_top} by tottime):")
        say(s.getvalue())

    if a.json is not None:
        text = json.dumps(res, ensure_ascii=False, indent=2)
        if a.json == "-":
            print(text)
        else:
            Path(a.json).write_text(text + "\n", encoding="utf-8")
    return 1 if bugs else 0


def _table(r: dict) -> str:
    rows = [
        ("engine / tariff", f"{r['engine']} / {r['tariff']} (FY{r['fiscal_year']})"
                            + (", trace=True" if r["trace"] else "")),
        ("python", f"{r['implementation']} {r['python']} on {r['machine']}"),
        ("households (persons)", f"{r['n']:,} ({r['persons']:,}); full-year {r['n_full_year']:,}"),
        ("generate (not timed engine)", f"{r['generate_s']:.2f} s"),
        ("Household.from_json", f"{r['from_json_per_s']:,.0f} /s  ({r['from_json_s']:.2f} s)"),
        ("assess, mixed", f"{r['assess_mixed_per_s']:,.0f} /s  ({r['assess_mixed_s']:.2f} s)"),
        ("assess, full-year", f"{r['assess_full_year_per_s']:,.0f} /s  "
                              f"({r['assess_full_year_s']:.2f} s)"),
        ("from_json + assess, mixed", f"{r['parse_and_assess_mixed_per_s']:,.0f} /s"),
    ]
    if "latency_median_us" in r:
        rows.append(("latency, full-year", f"median {r['latency_median_us']:.1f} µs, p90 "
                                           f"{r['latency_p90_us']:.1f}, p99 "
                                           f"{r['latency_p99_us']:.1f}, max "
                                           f"{r['latency_max_us']:.0f} "
                                           f"({r['latency_calls']:,} calls)"))
    rows.append(("peak RSS", f"{r['peak_rss_mb']:.1f} MiB"))
    if "households_held_mb" in r:
        rows.append(("parsed batch (tracemalloc)", f"{r['households_held_mb']:.1f} MiB "
                                                   f"({r['households_bytes_each']:,.0f} B each)"))
        rows.append(("assess peak extra", f"{r['assess_peak_extra_kb']:.1f} KiB; a kept result "
                                          f"{r['result_bytes_each']:,.0f} B"))
    rows.append(("LevyError / unexpected", f"{sum(r['levy_errors'].values())} / "
                                           f"{r['unexpected_exceptions']}"))
    w = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{w}}  {v}" for k, v in rows)


if __name__ == "__main__":
    sys.exit(main())
