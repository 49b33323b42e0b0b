"""The population commands of the CLI: `batch`, `stats`, `synth` and `convert`.

Registered on the main parser by :func:`add_parsers` (one hook in levyrules.cli)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ..errors import InputError


def _progress():
    """A progress line on stderr when it is a terminal; None otherwise."""
    if not sys.stderr.isatty():
        return None
    start = time.monotonic()
    last = [0.0]

    def show(n: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5:
            last[0] = now
            rate = n / max(now - start, 1e-9)
            sys.stderr.write(f"\rlevyrules batch: {n:,} households ({rate:,.0f}/s)")
            sys.stderr.flush()
    return show


def cmd_batch(args) -> int:
    from . import _overrides
    from ..population import runner
    if getattr(args, "own_process", False) and not runner.in_parts(args.input, args.workers):
        # this process's pyarrow without pandas (0.2 CPU-s at its first conversion that
        # the batch does not use); not when main() is called by another program, nor
        # when the workers read the input in parts: this process imports no pyarrow then
        from ..population.extras import arrow_without_pandas
        arrow_without_pandas()
    progress = _progress()
    summary = runner.run(args.input, args.tariff, args.out, fmt=args.format,
                         workers=args.workers, chunk_size=args.chunk_size,
                         overrides=tuple(_overrides(args.set or [])), encoding=args.encoding,
                         progress=progress, compatible=args.compatible_parquet)
    if progress is not None:
        sys.stderr.write("\n")
    o = summary.outputs
    _say(f"{summary.assessed} households assessed, {summary.rejected} rejected "
         f"(of {summary.read} read): {o.result}, {o.rejects}, {o.sidecar}")
    if args.stats:
        _stats(o.result, None)
    if getattr(args, "own_process", False):
        _end_process()
    return 0


def _end_process() -> None:
    """Ends this process at once, status 0, once `batch` has renamed every output into
    place and its workers have exited (runner.run returns only then): the exit handlers
    run (multiprocessing's among them: its semaphores unlinked) and stdout and stderr
    flushed, then no interpreter teardown, which spent some 40 ms freeing NumPy's,
    pyarrow's and the engine's objects one by one for nothing (mypy ends the same way,
    for the same reason: mypy.util.hard_exit). The command line's own process only, never
    a program that called main(); where the interpreter has no atexit._run_exitfuncs the
    process ends as usual."""
    import atexit
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:
        return
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:     # the reader went away: as main() treats it
            pass
    os._exit(0)


def _stats(result: Path, out: str | None) -> None:
    from ..population import report, stats
    folder = Path(out) if out else result.with_name(
        (result.name[: -len(result.suffix)] if result.suffix else result.name) + ".stats")
    meta_path = result.with_name((result.name[: -len(result.suffix)] if result.suffix
                                  else result.name) + ".meta.json")
    meta = _sidecar(meta_path) if meta_path.is_file() else None
    st = stats.compute(result)
    folder.mkdir(parents=True, exist_ok=True)     # after the file is read: no empty folder
    stats.write_csv(st, folder / "stats.csv")
    written = report.write(st, meta, folder)
    _say(f"statistics of {st.households} households: {folder / 'stats.csv'}, "
         + ", ".join(str(p) for p in written if p.suffix != ".png"))


def _say(line: str) -> None:
    """A line on stdout. A reader that went away (a closed pipe) does not stop the command
    halfway: `batch --stats` still writes its statistics after its summary line could not
    be printed (with an unbuffered stdout the line itself raised)."""
    try:
        print(line)
    except BrokenPipeError:
        pass


def _sidecar(path: Path) -> dict:
    """The meta.json beside a result, read by the one JSON reader and its shape checked
    (the summary quotes its tariff and counts)."""
    from ..engine.jsonread import read_json_file
    meta = read_json_file(str(path), "meta")
    if not (isinstance(meta, dict) and all(isinstance(meta.get(k), dict)
                                           for k in ("tariff", "counts"))):
        raise InputError("meta", f"{path.name} is not the sidecar `levyrules batch` writes")
    return meta


def cmd_stats(args) -> int:
    _stats(Path(args.result), args.out)
    return 0


def cmd_synth(args) -> int:
    from ..population.synth import write
    if args.households < 1:
        raise InputError("--households", "must be at least 1")
    target = write(args.out, args.households, args.fiscal_year, args.seed, args.format)
    print(f"{args.households} synthetic households (fiscal year {args.fiscal_year}, seed "
          f"{args.seed}): {target}")
    return 0


def cmd_convert(args) -> int:
    from ..population.convert import convert
    written, rejected = convert(args.input, args.out, args.format, encoding=args.encoding,
                                out_encoding=args.out_encoding)
    print(f"{written} households written to {args.out}, {rejected} rejected")
    return 0


def add_parsers(sub) -> None:
    b = sub.add_parser("batch", help="assess a whole population: the assessment file, "
                                     "rejects and a sidecar")
    b.add_argument("input", help="population: a .jsonl file or a folder of tables "
                                 "(households, persons, insured_periods … as .parquet or .csv)")
    b.add_argument("--tariff", required=True, help="tariff id (slug/FY) or path")
    b.add_argument("--out", required=True, help="the assessment file to write (.parquet or .csv)")
    b.add_argument("--format", choices=("parquet", "csv"),
                   help="default: from the --out suffix (.csv → csv, else parquet)")
    b.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    b.add_argument("--chunk-size", type=int, help="households per chunk (default 2000, or "
                                                  "65536 for tables read as columns)")
    b.add_argument("--encoding", help="encoding of CSV tables (default UTF-8, BOM or not; "
                                      "e.g. shift_jis)")
    b.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override one tariff value for this run")
    b.add_argument("--stats", action="store_true", help="also write the statistics")
    b.add_argument("--compatible-parquet", action="store_true",
                   help="write the Parquet result in encodings any Parquet reader opens "
                        "(dictionary, PLAIN, Snappy), for a reader older than pyarrow 17 "
                        "or Spark 4; a little slower, and a larger file")
    b.set_defaults(func=cmd_batch)
    s = sub.add_parser("stats", help="statistics of an assessment file: CSV and a summary page")
    s.add_argument("result", help="assessment file written by batch (.parquet or .csv)")
    s.add_argument("--out", help="folder (default: RESULT.stats beside it)")
    s.set_defaults(func=cmd_stats)
    y = sub.add_parser("synth", help="write a synthetic city (synthetic data, for demos)")
    y.add_argument("--households", type=int, required=True)
    y.add_argument("--fiscal-year", type=int, required=True)
    y.add_argument("--seed", type=int, default=1)
    y.add_argument("--out", required=True, help="folder")
    y.add_argument("--format", choices=("jsonl", "parquet", "csv"), default="jsonl")
    y.set_defaults(func=cmd_synth)
    c = sub.add_parser("convert", help="convert a population between JSON Lines and tables")
    c.add_argument("input", help="a .jsonl file or a folder of tables")
    c.add_argument("--out", required=True, help="a .jsonl file, or a folder for tables")
    c.add_argument("--format", choices=("jsonl", "parquet", "csv"), required=True)
    c.add_argument("--encoding", help="encoding of the input CSV tables")
    c.add_argument("--out-encoding", help="encoding of the output CSV tables (default UTF-8)")
    c.set_defaults(func=cmd_convert)
