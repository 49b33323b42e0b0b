"""Command line: `levyrules assess`, `check`, `show`, `diff` and `test`.

Bad input of any kind ends with one line on stderr naming the field and a
non-zero exit status; never a traceback, never a number.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .assess import assess
from .errors import InputError, LevyError, TariffError
from .household import Household
from .tariff.loader import find_for_municipality, load_tariff
from .tariff import yamlmarks

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, like every other bad input
        self.exit(EXIT_BAD_INPUT, f"levyrules: error: {message}\n")


def _read_household(path: str) -> Household:
    try:
        text = Path(path).read_text(encoding="utf-8") if path != "-" else sys.stdin.read()
    except FileNotFoundError:
        raise InputError("", f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError("", f"{path}: cannot be read ({type(e).__name__})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError("", f"{path}: not valid JSON at line {e.lineno} column {e.colno}: "
                             f"{e.msg}") from None
    return Household.from_json(data)


def _overrides(items: list[str]) -> list[tuple[str, object]]:
    out = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not all(part.isidentifier() for part in key.split(".")):
            raise TariffError(f"--set {item}: write PATH=VALUE, e.g. "
                              "components.medical.income_rate=7.25%")
        try:
            out.append((key, yamlmarks.scalar_text(value)))
        except Exception:
            raise TariffError(f"--set {key}: the value is not a single YAML scalar") from None
    return out


def _tariff_for(household: Household, args):
    """--tariff, else the household's own municipality and fiscal year; with --set."""
    ref = args.tariff
    if ref is None:
        if not household.municipality:
            raise InputError("municipality", "the household names no municipality: give --tariff")
        ref = find_for_municipality(household.municipality, household.fiscal_year)
    return load_tariff(ref, _overrides(args.set or []))


def cmd_assess(args) -> int:
    household = _read_household(args.household)
    tariff = _tariff_for(household, args)
    result = assess(household, tariff, trace=True, partial=not args.strict)
    if args.explain:
        from .explain import render
        sys.stdout.write(render(result, tariff))
    else:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    if result.total is None:
        missing = [c.missing for c in result.components.values() if c.missing]
        print("levyrules: warning: incomplete assessment: " + "; ".join(missing), file=sys.stderr)
    return 0


def cmd_check(args) -> int:
    from .check import run
    lines, failed = run(args.paths, args.lang)
    for line in lines:
        print(line)
    return 1 if failed else 0


def cmd_show(args) -> int:
    from .show import render
    sys.stdout.write(render(args.tariff, args.format))
    return 0


def cmd_diff(args) -> int:
    from .diff import render
    sys.stdout.write(render(args.old, args.new))
    return 0


def cmd_test(args) -> int:
    from .tariff_tests import run
    lines, passed = run(args.paths)
    for line in lines:
        print(line)
    return 0 if passed else 1


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="levyrules", description="国民健康保険税 assessment, exact and explained")
    p.add_argument("--version", action="version", version=f"levyrules {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser, required=True)
    a = sub.add_parser("assess", help="assess one household (JSON) and print the assessment")
    a.add_argument("household", help="household JSON file (- for stdin)")
    a.add_argument("--tariff", help="tariff id (slug/FY) or path; default: the household's "
                                    "municipality and fiscal year")
    a.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override one tariff value for this run, e.g. "
                        "components.medical.income_rate=7.25%%")
    a.add_argument("--explain", action="store_true",
                   help="print the 納税通知書 breakdown in Japanese instead of JSON")
    a.add_argument("--strict", action="store_true",
                   help="fail when the tariff lacks a component (default: report it as unknown)")
    a.set_defaults(func=cmd_assess)
    c = sub.add_parser("check", help="check tariff files: FILE:LINE:COLUMN: severity: message")
    c.add_argument("paths", nargs="*", help="files or folders (default: all shipped tariffs)")
    c.add_argument("--lang", choices=("ja", "en"), default="en")
    c.set_defaults(func=cmd_check)
    from .revise_cli import add_parser as add_revise_parser   # `revise` (更正)
    add_revise_parser(sub)
    s = sub.add_parser("show", help="print a tariff as the rate table a city publishes")
    s.add_argument("tariff", help="tariff id (slug/FY) or path")
    s.add_argument("--format", choices=("md", "html"), default="md",
                   help="Markdown (default) or a standalone HTML page")
    s.set_defaults(func=cmd_show)
    d = sub.add_parser("diff", help="what changed between two tariffs, value by value")
    d.add_argument("old", help="tariff id (slug/FY) or path")
    d.add_argument("new", help="tariff id (slug/FY) or path")
    d.set_defaults(func=cmd_diff)
    t = sub.add_parser("test", help="run the example tests beside the tariffs (tests/*.yaml)")
    t.add_argument("paths", nargs="*", help="test files or folders (default: all shipped)")
    t.set_defaults(func=cmd_test)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LevyError as e:
        print(f"levyrules: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return 0
    except Exception as e:  # a bug of ours: say so in one line, no data in it
        if os.environ.get("LEVYRULES_DEBUG"):
            raise
        print(f"levyrules: internal error ({type(e).__name__}); please report it with "
              "LEVYRULES_DEBUG=1 output", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
