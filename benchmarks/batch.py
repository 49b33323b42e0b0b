"""Benchmark of `levyrules batch` on a synthetic city: households/s and peak memory.

    python benchmarks/batch.py                    # 100,000 households, 1 and 2 workers
    python benchmarks/batch.py --n 1000000        # the issue's size (long on 2 cores)
    python benchmarks/batch.py --dask             # also the Dask path (JSON Lines and Parquet
                                                  # tables) on a 2-worker LocalCluster
    python benchmarks/batch.py --dask tables      # the Dask path on the Parquet tables only
    python benchmarks/batch.py --n 1000000 --read --workers ''   # the columnar table reader alone
    python benchmarks/batch.py --n 200000 --read --csv --workers ''  # ... over CSV tables too
    python benchmarks/batch.py --n 1000000 --workers 2 --repeat 5 --against ../main/src
                                  # this code and another checkout's, alternately (CPU-s)

The city is written once by `levyrules synth --format parquet` (and converted to JSON Lines
for Dask), outside the timing. Each figure is the median of three runs of the whole command path
(read Parquet tables → evaluate → write the Parquet assessment file, rejects and sidecar),
each in a fresh process; peak memory is the largest sum of the resident memory of the run's
process tree, sampled every 0.1 s. The CPU seconds of the whole process tree (start-up
included; the fork server that starts `batch`'s workers is stopped and reaped at the end
so that their CPU counts) give households per CPU-second, the per-core throughput, which
holds up better than wall time when other work shares the machine. For `batch` the
main process's CPU seconds and its children's (fork server and workers) are printed
apart, and each process's as sampled every 0.1 s (main, fork_server, each worker). A tables folder is read straight into
columns (levyrules.batch.tables.read_population → assess_columns; with 2 workers each
reads its own parts of the tables), JSON Lines household by household.

``--read`` also measures the columnar table reader alone (levyrules.batch.tables
.read_population over the Parquet tables, in one process, chunks of 65,536 households
rows; with ``--csv`` also over the same city written as CSV tables by ``levyrules synth
--format csv``): households/s of wall time and per CPU-second of the reading loop (start-up and
imports left out), median of three fresh processes, each with the memory settings of
batch's worker processes (population.pool.worker_memory). ``--read-base SRC`` also
measures the reader of the package in SRC (an earlier checkout's ``src/``, imported as
``levyrules_base``), its runs alternating with this checkout's:

    git worktree add /tmp/base main && python benchmarks/batch.py --n 1000000 --read \
        --workers '' --read-base /tmp/base/src
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUN = """
import atexit, json, resource, sys, time
from pathlib import Path
t = time.perf_counter()
out = Path(sys.argv[3])
sys.argv = ["levyrules", "batch", sys.argv[1], "--tariff", sys.argv[2], "--out", sys.argv[3],
            "--workers", sys.argv[4]] + (["--chunk-size", sys.argv[5]] if int(sys.argv[5]) else [])
reported = []


def report():
    # the command's own process ends with os._exit once its exit handlers have run
    # (cli.population._end_process): this one runs among them; an earlier checkout's
    # main() returns, and it is called below
    if reported:
        return
    reported.append(1)
    import concurrent.futures.process as cfp    # the workers gone, as the command's exit
    cfp._python_exit()                          # waits for them (an earlier checkout left
    wall = time.perf_counter() - t              # them to exit as it wrote)
    from multiprocessing import forkserver     # its workers' CPU counts once it is reaped
    if getattr(forkserver._forkserver, "_forkserver_pid", None):
        forkserver._forkserver._stop()
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    meta = json.loads(out.with_name(out.stem + ".meta.json").read_text(encoding="utf-8"))
    print(me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime, wall,
          meta["counts"]["assessed"], flush=True)


import multiprocessing.util         # (its exit handler registered first: it runs after this)
atexit.register(report)
from levyrules.cli import main      # the command itself, as `levyrules batch` runs it
if main():
    raise SystemExit("batch failed")
report()
"""

READ = """
import importlib, sys, time
sys.path.insert(0, sys.argv[5])     # where the package named argv[4] is (--read-base)
pkg = sys.argv[4]
read_population = importlib.import_module(pkg + ".batch.tables").read_population
importlib.import_module(pkg + ".population.runner").worker_memory()     # as in a worker
import pyarrow.parquet      # imports outside the timing
pyarrow.array([0])          # (pyarrow imports pandas on its first conversion of values)
t, c, n = time.perf_counter(), time.process_time(), 0
for r in read_population(sys.argv[1], int(sys.argv[2]), chunk=int(sys.argv[3])):
    n += r.population.size
print(time.process_time() - c, time.perf_counter() - t, n)
"""

DASK = """
import sys, time
from distributed import Client, LocalCluster
from levyrules import dask as lrdask
if __name__ == "__main__":
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=None) as c, Client(c):
        t = time.perf_counter()
        m = lrdask.run(sys.argv[1], sys.argv[2], sys.argv[3], partition_size=int(sys.argv[4]))
        wall = time.perf_counter() - t
    import resource
    cpu = sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))
    print(cpu, wall, m["counts"]["assessed"])
"""


def _measure(cmd: list[str], env: dict | None = None, trace: bool = False) -> tuple:
    """(wall seconds of the run, households, peak RSS bytes of the process tree, CPU
    seconds of the whole process tree including start-up, of the main process alone or
    None, of the processes it started (fork server and workers) or None, the CPU
    seconds (user + system) of each process of the tree as last sampled, by role, the
    wall seconds from starting the process to its exit, and with `trace` the run's
    timeline (LEVYRULES_BATCH_TRACE, _timeline) or None)."""
    import threading
    import psutil
    env = dict(env or os.environ)
    tracefile = None
    if trace:
        fd, tracefile = tempfile.mkstemp(prefix="levyrules-trace-", suffix=".jsonl")
        os.close(fd)
        env["LEVYRULES_BATCH_TRACE"] = tracefile
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    root = psutil.Process(proc.pid)
    peak, seen, done = [0], {}, threading.Event()

    def sample() -> None:       # every 0.1 s, beside the exact wait below
        while not done.is_set():
            try:
                procs = [root] + root.children(recursive=True)
                peak[0] = max(peak[0], sum(p.memory_info().rss for p in procs
                                           if p.is_running()))
                for p in procs:
                    t = p.cpu_times()
                    seen[p.pid] = (_role(p, root), t.user + t.system)
            except psutil.Error:
                pass
            done.wait(0.1)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    whole = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"run failed ({proc.returncode})")
    timeline = None
    if tracefile:
        timeline = _timeline(tracefile)
        os.unlink(tracefile)
    sampled: dict = {}
    for role, cpu in seen.values():
        sampled.setdefault(role, []).append(round(cpu, 2))
    fields = out.split()
    if len(fields) >= 4 and cmd[2] == RUN:      # main's and its children's CPU apart
        main, kids, seconds, n = fields[-4:]
        return float(seconds), int(n), peak[0], float(main) + float(kids), float(main), \
            float(kids), sampled, whole, timeline
    cpu, seconds, n = fields[-3:]
    return float(seconds), int(n), peak[0], float(cpu), None, None, sampled, whole, timeline


def _timeline(path: str) -> dict | None:
    """A run's trace (levyrules.population.phases) summed up: the main process's CPU at
    each of its events, the fork server's wall time and CPU when its imports were done,
    and for each worker when it was forked and finished (wall seconds from the main
    process's first event), its parts and their CPU by phase. None when the code
    measured writes no trace (an earlier checkout)."""
    lines = [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines()]
    if not lines:
        return None
    t0 = min(x["t"] for x in lines if x["role"] == "main")
    out: dict = {"main": {}, "workers": {}}
    for x in lines:
        at = round(x["t"] - t0, 3)
        if x["role"] == "main" and x["event"] != "received":
            out["main"][x["event"]] = {"at": at, "cpu": round(x["cpu"], 3)}
        elif x["role"] == "fork_server":
            out["fork_server"] = {"at": at, "cpu": round(x["cpu"], 3)}
        elif x["role"] == "worker":
            w = out["workers"].setdefault(x["pid"], {"parts": 0, "rows": 0, "phases": {}})
            if x["event"] == "forked":
                w["forked"] = at
            elif x["event"] == "part":
                w["parts"] += 1
                w["rows"] += x["rows"]
                w["end"], w["cpu"] = at, round(x["cpu"], 3)
                for k in ("read", "evaluate", "write"):
                    w["phases"][k] = round(w["phases"].get(k, 0) + x.get(k, 0), 3)
    out["workers"] = list(out["workers"].values())
    return out


def _role(p, root) -> str:
    """main, fork server, worker (a child of the fork server or of main) or other."""
    if p.pid == root.pid:
        return "main"
    if any("resource_tracker" in a for a in p.cmdline()):
        return "resource_tracker"
    if any("forkserver" in a for a in p.cmdline()):
        return "fork_server" if p.ppid() == root.pid else "worker"
    return "worker" if p.ppid() == root.pid else "other"


def _row(label: str, runs: list) -> dict:
    secs = statistics.median(r[0] for r in runs)
    n = runs[0][1]
    cpu = statistics.median(r[3] for r in runs)
    row = {"run": label, "households": n, "seconds": round(secs, 2),
           "households_per_s": round(n / secs), "peak_mib": round(max(r[2] for r in runs)
                                                              / 2**20),
           "cpu_seconds": round(cpu, 2), "households_per_cpu_s": round(n / cpu)}
    if runs[0][4] is not None:
        row["main_cpu_seconds"] = round(statistics.median(r[4] for r in runs), 2)
        row["children_cpu_seconds"] = round(statistics.median(r[5] for r in runs), 2)
    # each process's CPU as last sampled (every 0.1 s: the last tenth of a second may be
    # missing), of the run with the median wall time
    median = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
    row["sampled_cpu_seconds"] = median[6]
    row["process_seconds"] = round(statistics.median(r[7] for r in runs), 2)
    if median[8] is not None:
        row["timeline"] = median[8]
    print(json.dumps(row), flush=True)
    return row


def _clear(cmd: list[str]) -> list[str]:
    """`cmd` after removing what an earlier run of it wrote (outside the timing: replacing
    an earlier 75 MB result cost the run 0.1 s here, the old file's blocks discarded by
    the file system)."""
    import shutil
    out = Path(cmd[5])
    if cmd[2] == RUN:
        for p in (out, out.with_name(out.stem + ".rejects.csv"),
                  out.with_name(out.stem + ".meta.json")):
            p.unlink(missing_ok=True)
    elif cmd[2] == DASK:
        shutil.rmtree(out, ignore_errors=True)
    return cmd


def bench(label: str, cmd_for, repeat: int, against: str | None = None,
          trace: bool = False) -> list[dict]:
    """Median of `repeat` runs; with `against` (the src folder of another checkout) the
    same command on that code too, run alternately with this one, round by round;
    `trace`: each run's timeline (--breakdown)."""
    if against is None:
        return [_row(label, [_measure(_clear(cmd_for(i)), trace=trace)
                             for i in range(repeat)])]
    env = dict(os.environ, PYTHONPATH=against)
    runs: dict = {"this": [], "against": []}
    for i in range(repeat):
        runs["this"].append(_measure(_clear(cmd_for(i)), trace=trace))
        runs["against"].append(_measure(_clear(cmd_for(i)), env, trace=trace))
    return [_row(label, runs["this"]), _row(f"{label} [{against}]", runs["against"])]


def bench_read(label: str, folder: Path, a, base: str | None) -> list[dict]:
    """The reader alone over `folder`; with `base` (--read-base) also the reader of that
    package, the two run alternately, each run a fresh process."""
    cmds = {"": ("levyrules", "")}
    if base:
        link = Path(tempfile.mkdtemp(prefix="levyrules-base-"))
        os.symlink(Path(base).resolve() / "levyrules", link / "levyrules_base")
        cmds = {" (--read-base)": ("levyrules_base", str(link)), **cmds}
    runs: dict = {k: [] for k in cmds}
    for i in range(a.repeat):
        for k, (pkg, path) in cmds.items():
            runs[k].append(_measure([sys.executable, "-c", READ, str(folder),
                                     str(a.fiscal_year), "65536", pkg, path]))
    return [_row(label + k, runs[k]) for k in cmds]


def _compile(others: list[str]) -> None:
    """The bytecode of this checkout's package (and of `others`, src folders) written
    before anything is timed, as an installed package has it: a checkout's sources are
    otherwise compiled at every start where PYTHONDONTWRITEBYTECODE is set."""
    import compileall
    import levyrules
    for folder in [str(Path(levyrules.__file__).parent)] + [str(Path(o) / "levyrules")
                                                           for o in others]:
        compileall.compile_dir(folder, quiet=1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--tariff", default="iwaki/2025")
    ap.add_argument("--fiscal-year", type=int, default=2025)
    ap.add_argument("--seed", type=int, default=20250401)
    ap.add_argument("--chunk-size", type=int, help="default: the runner's (by path)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--dask", nargs="?", const="both", choices=("both", "tables", "jsonl"),
                    help="also the Dask path: on both layouts (default) or one")
    ap.add_argument("--read", action="store_true", help="also the columnar table reader alone")
    ap.add_argument("--csv", action="store_true",
                    help="with --read: the reader over CSV tables (levyrules synth --format csv)")
    ap.add_argument("--read-base", metavar="SRC",
                    help="with --read: also the reader of an earlier checkout's src/ folder, "
                         "run alternately with this one")
    ap.add_argument("--dir", help="keep the city and outputs here (default: a temp folder)")
    ap.add_argument("--against", metavar="SRC", help="also run each command on the code of "
                    "another checkout's src folder (PYTHONPATH=SRC), alternately, round by "
                    "round: CPU seconds side by side on a shared machine")
    ap.add_argument("--breakdown", action="store_true",
                    help="with batch runs: each process's timeline and each worker's CPU by "
                         "phase (read, evaluate, write), from LEVYRULES_BATCH_TRACE")
    a = ap.parse_args()
    _compile([a.against] if a.against else [])
    from levyrules.population import convert, synth
    work = Path(a.dir or tempfile.mkdtemp(prefix="levyrules-bench-"))
    tables = work / f"city-{a.n}"
    jsonl = work / f"city-{a.n}.jsonl"
    if not tables.exists():
        synth.write(tables, a.n, a.fiscal_year, a.seed, "parquet")
    if a.dask in ("both", "jsonl") and not jsonl.exists():
        convert.convert(tables, jsonl, "jsonl")
    print(f"# {a.n} synthetic households, tariff {a.tariff}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    rows = []
    chunk = str(a.chunk_size or 0)
    if a.read and a.csv:
        csv_tables = work / f"city-{a.n}-csv"
        if not csv_tables.exists():
            synth.write(csv_tables, a.n, a.fiscal_year, a.seed, "csv")
        rows += bench_read("read_population csv (columns), 1 process", csv_tables, a,
                           a.read_base)
    if a.read:
        rows += bench_read("read_population parquet (columns), 1 process", tables, a,
                           a.read_base)
    for w in (int(x) for x in a.workers.split(",") if x):
        rows += bench(f"batch parquet→parquet, {w} worker(s)", lambda i: [
            sys.executable, "-c", RUN, str(tables), a.tariff, str(work / f"out-{w}-{i}.parquet"),
            str(w), chunk], a.repeat, a.against, a.breakdown)
    part = max(1000, a.n // 16)
    if a.dask in ("both", "jsonl"):
        rows += bench("batch jsonl→parquet, 2 workers", lambda i: [
            sys.executable, "-c", RUN, str(jsonl), a.tariff, str(work / f"outj-{i}.parquet"),
            "2", chunk], a.repeat, a.against)
        rows += bench("dask jsonl→parquet, LocalCluster 2×1", lambda i: [
            sys.executable, "-c", DASK, str(jsonl), a.tariff, str(work / f"dask-{i}"),
            str(part)], a.repeat, a.against)
    if a.dask in ("both", "tables"):
        rows += bench("dask parquet→parquet, LocalCluster 2×1", lambda i: [
            sys.executable, "-c", DASK, str(tables), a.tariff, str(work / f"daskt-{i}"),
            str(part)], a.repeat, a.against)
    print(json.dumps({"results": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
