"""Command line: `levyrules assess`, `revise`, `check`, `show`, `diff`, `test` and `list`
(also `python -m levyrules`), and the population commands `batch`, `stats`, `synth` and
`convert` (levyrules.cli.population).

Bad input of any kind ends with one line on stderr naming the field and a
non-zero exit status; never a traceback, never a number. The exit statuses are
in EXIT_CODES (printed by --help).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from ..version import __version__
from ..errors import InputError, LevyError, TariffError, one_line

# the engine and the tariffs are imported by the commands that use them, after main() has
# started what `batch --workers N` needs first (_start_batch_workers)

EXIT_FAILED = 1          # check found an error, a tariff test failed
EXIT_BAD_INPUT = 2
EXIT_NOTHING_COMPUTED = 3
EXIT_INTERNAL = 70
EXIT_CODES = f"""exit status:
  0   done (assess: a partial result, with a component unknown, is printed with a warning)
  {EXIT_FAILED}   check found an error in a tariff, or a tariff test failed
  {EXIT_BAD_INPUT}   bad input: household, tariff, arguments (one line on stderr names the field)
  {EXIT_NOTHING_COMPUTED}   assess: no component could be computed (the tariff knows none of them)
  {EXIT_INTERNAL}  internal error of levyrules (please report it)

tariffs are looked up in $LEVYRULES_TARIFFS (folders separated by '{os.pathsep}'), then among
the shipped ones; `levyrules list` shows every id."""


POPULATION_COMMANDS = ("batch", "stats", "synth", "convert")   # levyrules.cli.population


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, like every other bad input
        self.exit(EXIT_BAD_INPUT, f"levyrules: error: {one_line(message)}\n")


def print_result(value, tariff, render=None) -> None:
    """`value` on stdout: in Japanese words by `render(value, tariff)` (--explain), or
    `value.to_json()` indented with the Japanese as is."""
    if render is not None:
        sys.stdout.write(render(value, tariff))
    else:
        json.dump(value.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")


def _read_household(path: str):
    """The household file (`-` = stdin) through the one JSON reader (levyrules.engine.jsonread)."""
    from ..engine.household import Household
    from ..engine.jsonread import read_json_file
    return Household.from_json(read_json_file(path, "household"))


def _overrides(items: list[str]) -> list[tuple[str, object]]:
    from ..tariff import yamlmarks
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


def _tariff_for(household, args):
    """--tariff, else the household's own municipality and fiscal year; with --set."""
    from ..tariff.loader import find_for_municipality, load_tariff
    ref = args.tariff
    if ref is None:
        if not household.municipality:
            raise InputError("municipality", "the household names no municipality: give --tariff")
        ref = find_for_municipality(household.municipality, household.fiscal_year)
    return load_tariff(ref, _overrides(args.set or []))


def _other_town_allowed(household, tariff, args) -> bool:
    """--tariff of another municipality: a warning, or with --strict a refusal."""
    from ..tariff.applies import other_municipality
    problem = other_municipality(household, tariff)
    if problem is None:
        return False
    if args.strict:
        raise InputError("municipality", problem + " (without --strict this is a warning)")
    print(f"levyrules: warning: {problem}; assessed with it because --tariff asked for it",
          file=sys.stderr)
    return True


def cmd_assess(args) -> int:
    from ..engine.assess import assess
    household = _read_household(args.household)
    tariff = _tariff_for(household, args)
    result = assess(household, tariff, trace=True, partial=not args.strict,
                    allow_other_municipality=_other_town_allowed(household, tariff, args))
    if args.explain:
        from ..render.explain import render
        print_result(result, tariff, render)
    else:
        print_result(result, tariff)
    if result.total is None:
        missing = [c.missing for c in result.components.values() if c.missing]
        if all(c.missing for c in result.components.values()):
            print("levyrules: error: no component could be computed: " + "; ".join(missing),
                  file=sys.stderr)
            return EXIT_NOTHING_COMPUTED
        print("levyrules: warning: incomplete assessment: " + "; ".join(missing), file=sys.stderr)
    return 0


def cmd_check(args) -> int:
    from ..authoring.check import run
    lines, failed = run(args.paths, args.lang, args.verbose)
    for line in lines:
        print(line)
    return 1 if failed else 0


def cmd_show(args) -> int:
    from ..render.show import render
    sys.stdout.write(render(args.tariff, args.format, internal=args.internal))
    return 0


def cmd_diff(args) -> int:
    from ..authoring.diff import render
    sys.stdout.write(render(args.old, args.new, args.lang))
    return 0


def cmd_test(args) -> int:
    from ..authoring.tariff_tests import run
    lines, passed = run(args.paths)
    for line in lines:
        print(line)
    return 0 if passed else 1


def cmd_list(args) -> int:
    from ..authoring.listing import render
    sys.stdout.write(render(fmt=args.format))
    return 0


def build_parser(population_only: bool = False) -> argparse.ArgumentParser:
    """The parser of every command; `population_only`: of the population commands alone
    (batch, stats, synth, convert: what main() builds for them, without importing the
    engine's, the simulator's and the server's parsers first)."""
    p = _Parser(prog="levyrules", description="国民健康保険税 assessment, exact and explained",
                epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"levyrules {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser, required=True)
    if not population_only:
        _add_commands(sub)
    from .population import add_parsers as add_population_parsers   # batch, stats, synth
    add_population_parsers(sub)
    return p


def _add_commands(sub) -> None:
    """assess, check, revise, simulate, serve, show, diff, test, list."""
    a = sub.add_parser("assess", help="assess one household (JSON) and print the assessment",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("household", help="household JSON file (- for stdin)")
    a.add_argument("--tariff", help="tariff id (slug/FY) or path; default: the household's "
                                    "municipality and fiscal year (another municipality's "
                                    "tariff is used with a warning)")
    a.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override one tariff value for this run, e.g. "
                        "components.medical.income_rate=7.25%%")
    a.add_argument("--explain", action="store_true",
                   help="print the 納税通知書 breakdown in Japanese instead of JSON")
    a.add_argument("--strict", action="store_true",
                   help="fail when the tariff lacks a component (default: report it as "
                        "unknown) or is another municipality's")
    a.set_defaults(func=cmd_assess)
    c = sub.add_parser("check", help="check tariff files: FILE:LINE:COLUMN: severity: message")
    c.add_argument("paths", nargs="*", help="files or folders (default: every shipped tariff, "
                                            "one line each, then any error or warning)")
    c.add_argument("--lang", choices=("ja", "en"), default="en")
    c.add_argument("--verbose", action="store_true",
                   help="without files: print every finding, notes included, not one line "
                        "a tariff")
    c.set_defaults(func=cmd_check)
    from .revise import add_parser as add_revise_parser   # `revise` (更正)
    add_revise_parser(sub)
    from .simulate import add_parser as add_simulate_parser   # `simulate` (税率シミュレーション)
    add_simulate_parser(sub)
    from .serve import add_parser as add_serve_parser   # `serve` (HTTP)
    add_serve_parser(sub)
    s = sub.add_parser("show", help="print a tariff as the rate table a city publishes")
    s.add_argument("tariff", help="tariff id (slug/FY) or path")
    s.add_argument("--format", choices=("md", "html"), default="md",
                   help="Markdown (default) or a standalone HTML page")
    view = s.add_mutually_exclusive_group()
    view.add_argument("--public", dest="internal", action="store_false",
                      help="the table a city publishes (default): no engine internals")
    view.add_argument("--internal", dest="internal", action="store_true",
                      help="add the engine's view: tariff id, sha256, files, options, key paths")
    s.set_defaults(func=cmd_show, internal=False)
    d = sub.add_parser("diff", help="what changed between two tariffs, value by value")
    d.add_argument("old", help="tariff id (slug/FY) or path")
    d.add_argument("new", help="tariff id (slug/FY) or path")
    d.add_argument("--lang", choices=("en", "ja"), default="en",
                   help="headings and notes in English (default) or Japanese")
    d.set_defaults(func=cmd_diff)
    t = sub.add_parser("test", help="run the example tests beside the tariffs (tests/*.yaml)")
    t.add_argument("paths", nargs="*", help="test files or folders (default: all shipped)")
    t.set_defaults(func=cmd_test)
    ls = sub.add_parser("list", help="every tariff id on the search path, with its status")
    ls.add_argument("--format", choices=("text", "md"), default="text")
    ls.set_defaults(func=cmd_list)


class _Quiet(argparse.ArgumentParser):
    def error(self, message: str):
        raise ValueError(message)


def _start_batch_workers(argv: list[str]) -> None:
    """`batch … --workers N` (N > 1): its workers' fork server started before anything
    else is imported here (the parser imports the engine, the tariffs, the simulator), so
    that the server's imports (NumPy, pyarrow, the columnar evaluator) run beside them on
    another core instead of after them. Anything unclear is left to the run itself, which
    starts the server where this did not."""
    if not argv or argv[0] != "batch":
        return
    from ..population import forking, phases
    phases.mark("main", "command")
    pre = _Quiet(add_help=False, allow_abbrev=False)
    pre.add_argument("--workers", type=int, default=1)
    try:
        workers = pre.parse_known_args(argv[1:])[0].workers
    except (ValueError, argparse.ArgumentError):    # the real parser will say it
        return
    forking.start(workers)
    phases.mark("main", "fork_server_started")


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    _start_batch_workers(given)
    parser = build_parser(population_only=bool(given) and given[0] in POPULATION_COMMANDS)
    if not (sys.argv[1:] if argv is None else argv):
        sys.stderr.write(parser.format_usage())
        print("levyrules: error: give a command; `levyrules --help` lists them", file=sys.stderr)
        return EXIT_BAD_INPUT
    args = parser.parse_args(argv)
    args.own_process = argv is None     # the command line of this process, not a caller's
    try:
        return args.func(args)
    except LevyError as e:
        print(f"levyrules: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return 0
    except OSError as e:    # a file named on the command line cannot be read or written
        if os.environ.get("LEVYRULES_DEBUG"):
            raise
        name = str(e.filename) if e.filename is not None else ""
        name = name if len(name) <= 100 else name[:97] + "..."
        print(f"levyrules: error: {one_line(name + ': ' if name else '')}"
              f"{e.strerror or 'a file cannot be read or written'}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as e:  # a bug of ours: say so in one line, no data in it
        if os.environ.get("LEVYRULES_DEBUG"):
            raise
        print(f"levyrules: internal error ({type(e).__name__}); please report it with "
              "LEVYRULES_DEBUG=1 output", file=sys.stderr)
        return EXIT_INTERNAL

