"""`levyrules revise EARLIER.json HOUSEHOLD.json --as-of DATE`: the 更正 as JSON, or
with --explain as a 更正通知書 in Japanese. Registered by cli.build_parser."""

from __future__ import annotations

from datetime import date

from ..engine.fields import a_date
from ..engine.jsonread import read_json_file


def _as_of(text: str) -> date:
    return a_date(text, "--as-of")          # YYYY-MM-DD only, like every date of the input


def cmd_revise(args) -> int:
    from . import _other_town_allowed, _read_household, _tariff_for, print_result
    from ..collection.revision import revise
    from ..render.revision import render

    as_of = _as_of(args.as_of)
    earlier = read_json_file(args.earlier, "earlier")
    household = _read_household(args.household)
    tariff = _tariff_for(household, args)
    rev = revise(earlier, household, tariff, as_of, paid=args.paid, fraud=args.fraud,
                 allow_other_municipality=_other_town_allowed(household, tariff, args))
    print_result(rev, tariff, render if args.explain else None)
    return 0


def add_parser(sub) -> None:
    r = sub.add_parser("revise", help="更正: recompute the year with the facts now known and "
                                      "compare it with an earlier assessment")
    r.add_argument("earlier", help="the earlier assessment JSON (as `levyrules assess` printed "
                                   "it, with installments) or an earlier revision's JSON")
    r.add_argument("household", help="household JSON with the facts as now known")
    r.add_argument("--as-of", required=True, metavar="DATE",
                   help="the day of the revision (YYYY-MM-DD): periods due on or before it "
                        "have fallen due")
    r.add_argument("--tariff", help="tariff id (slug/FY) or path; default: the household's "
                                    "municipality and fiscal year (another municipality's "
                                    "tariff is used with a warning)")
    r.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override one tariff value for this run")
    r.add_argument("--paid", type=_yen, metavar="YEN",
                   help="amount actually paid so far (default: everything that has fallen due)")
    r.add_argument("--fraud", action="store_true",
                   help="偽りその他不正の行為: 7-year period of 地方税法17条の5")
    r.add_argument("--explain", action="store_true",
                   help="print the 更正通知書 in Japanese instead of JSON")
    r.add_argument("--strict", action="store_true",
                   help="fail when the tariff is another municipality's (default: a warning)")
    r.set_defaults(func=cmd_revise)


def _yen(text: str) -> int:
    if not text.isdigit():
        import argparse
        raise argparse.ArgumentTypeError("is not a whole, non-negative number of yen")
    return int(text)
