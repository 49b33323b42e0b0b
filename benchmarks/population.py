"""Deterministic synthetic NHI (国民健康保険) population for benchmarks.

The generator lives in the package (:mod:`levyrules.population.synth`, also behind
``levyrules synth``); this module re-exports it for the benchmark scripts and keeps the
self-check:

    from benchmarks.population import generate, is_full_year
    households = generate(100_000, fiscal_year=2025, seed=20250401)
    full = generate(20_000, full_year_only=True)

Run ``python benchmarks/population.py --check`` to confirm that every household
is read by ``Household.from_json`` and assessed without error.
"""

from __future__ import annotations

from levyrules.population.synth import (DEFAULT_SEED, KINDS, generate, insured_months,
                                        is_full_year)

__all__ = ["generate", "is_full_year", "insured_months", "KINDS", "DEFAULT_SEED"]

# ---------------------------------------------------------------- self-check

def _check(n: int, fiscal_year: int, tariff_id: str, seed: int) -> int:
    import collections
    import json
    import traceback

    import levyrules

    tariff = levyrules.load_tariff(tariff_id)
    bad = 0
    levy_errors: collections.Counter = collections.Counter()
    full = 0
    stats: collections.Counter = collections.Counter()
    for flag in (False, True):
        for data in generate(n, fiscal_year, seed, full_year_only=flag):
            full += is_full_year(data)
            try:
                h = levyrules.Household.from_json(data)
                res = levyrules.assess(h, tariff)
                traced = levyrules.assess(h, tariff, trace=True)
                json.dumps(traced.to_json(), ensure_ascii=False)
                if traced.total != res.total:
                    raise AssertionError("trace=True changes the total")
                if levyrules.Household.from_json(h.to_json()) != h:
                    raise AssertionError("Household.to_json does not round-trip")
                stats[f"tier {res.reduction.tier}"] += 1
                if res.specified_household:
                    stats["特定/特定継続"] += 1
            except levyrules.LevyError as e:
                levy_errors[type(e).__name__ + ": " + str(e)[:90]] += 1
            except Exception:
                bad += 1
                if bad <= 3:
                    print("UNEXPECTED EXCEPTION for household:")
                    print(json.dumps(data, ensure_ascii=False))
                    traceback.print_exc()
    print(f"{2 * n} households checked ({full} full-year), {bad} unexpected exceptions")
    for k, v in sorted(stats.items()):
        print(f"  {k}: {v}")
    for msg, c in levy_errors.most_common():
        print(f"  LevyError x{c}: {msg}")
    return 1 if bad or levy_errors else 0


if __name__ == "__main__":
    import argparse
    import sys

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--fiscal-year", type=int, default=2025)
    ap.add_argument("--tariff", default=None, help="default koriyama/<fiscal year>")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--check", action="store_true", help="read and assess every household")
    ap.add_argument("--dump", type=int, default=0, help="print the first N households as JSON")
    a = ap.parse_args()
    if a.dump:
        import json
        for h in generate(a.dump, a.fiscal_year, a.seed):
            print(json.dumps(h, ensure_ascii=False))
    if a.check:
        sys.exit(_check(a.n, a.fiscal_year, a.tariff or f"koriyama/{a.fiscal_year}", a.seed))
