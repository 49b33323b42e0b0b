"""The start of `levyrules batch --workers N` (population/forking.py, preload.py,
extras.arrow_without_pandas, cli._start_batch_workers) and the lazy ``import levyrules``
(PEP 562) it relies on: what each process imports, and that the contract names of
/work/shared/spec/contract.md §5 still work. Each check runs in a fresh interpreter, since
what it looks at is what a process has imported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tablecity import parquet_city


def _python(code: str, *args: str, env: dict | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_import_levyrules_imports_no_engine_numpy_pyarrow_or_pandas():
    out = _python("""
import json, sys, levyrules
print(json.dumps([m for m in ("numpy", "pyarrow", "pandas", "yaml", "jsonschema",
                              "levyrules.engine", "levyrules.tariff") if m in sys.modules]))
""")
    assert json.loads(out) == []


def test_the_contract_names_work_through_the_lazy_package():
    """§5 of the contract: levyrules.load_tariff, Household.from_json, assess; `from
    levyrules import assess`; the errors; __all__, dir() and star-imports; a name that
    is not there is an AttributeError."""
    out = _python("""
import json, levyrules
from levyrules import assess, Household, Person, Tariff, load_tariff, InputError
import levyrules.engine.assess as engine_assess
tariff = levyrules.load_tariff("iwaki/2025")
assert isinstance(tariff, Tariff) and assess is engine_assess.assess
assert levyrules.assess is assess and levyrules.Household is Household
assert issubclass(InputError, levyrules.LevyError)
h = levyrules.Household.from_json({"id": "H-1", "fiscal_year": 2025, "head": "p1",
    "persons": [{"id": "p1", "birth_date": "1960-01-01",
                 "insured": [{"from": "2025-04-01", "until": None}],
                 "income": {"salary_revenue": 3000000}}]})
assert isinstance(h.persons[0], Person)
r = levyrules.assess(h, tariff)
assert set(levyrules.__all__) <= set(dir(levyrules))
ns = {}
exec("from levyrules import *", ns)
assert ns["assess"] is assess and ns["assess_many"] is levyrules.assess_many
assert levyrules.engine.household.Household is Household     # subpackages as attributes
try:
    levyrules.no_such_name
except AttributeError:
    print(json.dumps(r.total))
""")
    assert json.loads(out) > 0


def test_the_fork_server_is_started_before_the_cli_imports_the_engine():
    """`batch … --workers 2`: the fork server runs before the parser, the engine or
    NumPy is imported in the main process; not for one worker, nor another command."""
    out = _python("""
import json, sys
from multiprocessing import forkserver
from levyrules.cli import _start_batch_workers
_start_batch_workers(sys.argv[1:])
print(json.dumps([forkserver._forkserver._forkserver_pid is not None] +
                 [m in sys.modules for m in ("levyrules.engine", "numpy", "pyarrow")]))
""", "batch", "city", "--tariff", "iwaki/2025", "--out", "r.parquet", "--workers=2")
    assert json.loads(out) == [True, False, False, False]
    for argv in (["batch", "city", "--workers", "1"], ["batch", "city", "--workers", "x"],
                 ["assess", "--workers", "2"]):
        out = _python("""
import sys
from multiprocessing import forkserver
from levyrules.cli import _start_batch_workers
_start_batch_workers(sys.argv[1:])
print(forkserver._forkserver._forkserver_pid is not None)
""", *argv)
        assert out.strip() == "False", argv


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    pytest.importorskip("pyarrow")
    return parquet_city(tmp_path_factory.mktemp("city"), 120, 3, 32)


def test_batch_workers_never_import_pandas(city, tmp_path):
    """A run with 2 workers, then a worker forked from the same fork server converts
    NumPy arrays to Arrow as the workers do: pandas, installed here, is never imported
    (pyarrow would import it at its first conversion, 0.2 CPU-s a process), nor
    jsonschema (the workers get the tariff loaded); the main process of a library call is
    left as it was."""
    pytest.importorskip("pandas")
    out = _python("""
import json, sys
from concurrent.futures import ProcessPoolExecutor
from levyrules.population import forking, runner
s = runner.run(sys.argv[1], "iwaki/2025", sys.argv[2], workers=2)
with ProcessPoolExecutor(1, mp_context=forking.context()) as pool:
    worker = pool.submit(eval, "(__import__('pyarrow').array(__import__('numpy').arange(3)), "
                               "[m in __import__('sys').modules for m in "
                               "('pandas', 'jsonschema')])[1]").result()
print(json.dumps([s.assessed, worker, "pandas" in sys.modules]))
""", str(city), str(tmp_path / "r.parquet"))
    assessed, (worker_pandas, worker_jsonschema), main_pandas = json.loads(out)
    assert assessed == 120 and worker_pandas is False and main_pandas is False
    assert worker_jsonschema is False       # the workers load no tariff: no validator


def test_without_pandas_is_for_this_process_only_and_pandas_stays_usable():
    """arrow_without_pandas: the first conversion imports no pandas; a later to_pandas
    imports it and works. A library caller that imported pandas first keeps it."""
    pytest.importorskip("pandas")
    out = _python("""
import json, sys
import pyarrow as pa
from levyrules.population.extras import arrow_without_pandas
arrow_without_pandas()
before = "pandas" in sys.modules
pa.array([1, 2]); pa.scalar(1)
still = "pandas" in sys.modules
frame = pa.table({"a": [1, 2]}).to_pandas()
print(json.dumps([before, still, int(frame["a"].sum()), "pandas" in sys.modules]))
""")
    assert json.loads(out) == [False, False, 3, True]
    out = _python("""
import sys, pandas, pyarrow as pa
from levyrules.population.extras import arrow_without_pandas
arrow_without_pandas()
print(pa.array(pandas.Series([1, 2])).to_pylist())
""")
    assert out.strip() == "[1, 2]"


def test_the_trace_names_each_process_and_each_part(city, tmp_path):
    """LEVYRULES_BATCH_TRACE (population/phases.py): the main process's events, the fork
    server's preload, each worker's parts with their rows and CPU by phase; counts and
    seconds only."""
    import os
    trace = tmp_path / "trace.jsonl"
    done = subprocess.run([sys.executable, "-m", "levyrules", "batch", str(city), "--tariff",
                           "iwaki/2025", "--out", str(tmp_path / "r.parquet"), "--workers",
                           "2"], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, LEVYRULES_BATCH_TRACE=str(trace)))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(x) for x in trace.read_text(encoding="utf-8").splitlines()]
    events = [(x["role"], x["event"]) for x in lines]
    for want in [("main", "command"), ("main", "fork_server_started"), ("main", "run"),
                 ("main", "planned"), ("fork_server", "preloaded"), ("worker", "forked"),
                 ("main", "done")]:
        assert want in events
    parts = [x for x in lines if x["event"] == "part"]
    assert sum(x["rows"] for x in parts) == 120
    assert all(set(x) == {"pid", "role", "event", "t", "cpu", "rows", "read", "evaluate",
                          "write"} for x in parts)


def test_the_workers_assess_with_the_tariff_the_main_process_loaded(city, tmp_path):
    """`--set` with 2 workers: the workers get the main process's tariff (overrides
    included), so the rows are those of one process with the same override, and not
    those without it."""
    import pyarrow.parquet as pq
    from levyrules.cli import main
    rate = ["--set", "components.medical.income_rate=9.5%"]
    for name, extra in (("w2", ["--workers", "2"] + rate), ("w1", rate), ("plain", [])):
        assert main(["batch", str(city), "--tariff", "iwaki/2025", "--out",
                     str(tmp_path / f"{name}.parquet")] + extra) == 0
    w2, w1, plain = (pq.read_table(tmp_path / f"{n}.parquet") for n in ("w2", "w1", "plain"))
    assert w2.equals(w1) and not w2.equals(plain)
    meta = json.loads((tmp_path / "w2.meta.json").read_text(encoding="utf-8"))
    assert meta["tariff"]["overrides"] == ["components.medical.income_rate=9.5%"]


def _ended(pid: int) -> bool:
    """The process `pid` has exited (gone, or a zombie its parent has not reaped yet)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_command_ends_with_its_workers_and_leaks_nothing(city, tmp_path):
    """The command ends without the interpreter's teardown (cli.population._end_process)
    and its fork server likewise (preload): the summary line is still printed, stderr
    has nothing (multiprocessing's resource tracker would warn there of a semaphore left
    behind), and once the command's stdout and stderr are closed, which a reader waits
    for, no worker of the run is left; run() itself returns only after its workers have
    exited."""
    import os
    trace = tmp_path / "trace.jsonl"
    out = tmp_path / "r.parquet"
    done = subprocess.run([sys.executable, "-m", "levyrules", "batch", str(city), "--tariff",
                           "iwaki/2025", "--out", str(out), "--workers", "2"],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, LEVYRULES_BATCH_TRACE=str(trace)))
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("120 households assessed, 0 rejected")
    assert out.exists() and not list(tmp_path.glob("*.tmp*"))
    lines = [json.loads(x) for x in trace.read_text(encoding="utf-8").splitlines()]
    workers = {x["pid"] for x in lines if x["role"] == "worker"}
    assert len(workers) == 2 and all(_ended(p) for p in workers)
    # run() of a library caller: when it returns its workers have ended (checked in
    # that process, before its own exit could end them)
    import inspect
    code = inspect.getsource(_ended) + """
import json, sys
from levyrules.population import pool, runner
runner.run(sys.argv[1], "iwaki/2025", sys.argv[2], workers=2)
lines = [json.loads(x) for x in open(sys.argv[3], encoding="utf-8")]
pids = {x["pid"] for x in lines if x["role"] == "worker"}
print(json.dumps([len(pids), all(_ended(p) for p in pids), pool.EXITING]))
"""
    trace.unlink()
    env = dict(os.environ, LEVYRULES_BATCH_TRACE=str(trace))
    out = _python(code, str(city), str(tmp_path / "api.parquet"), str(trace), env=env)
    assert json.loads(out) == [2, True, []]


def test_a_bad_households_file_stops_a_run_in_parts_with_one_line(city, tmp_path):
    """The parts are planned in a worker (runner.plan_parts): a households.parquet that is
    not Parquet stops the run with the same one line naming the table as with one worker
    (an InputError does not cross processes by itself)."""
    import shutil
    bad = tmp_path / "city"
    shutil.copytree(city, bad)
    (bad / "households.parquet").write_bytes((city / "households.parquet").read_bytes()[:100])
    said = []
    for workers in ("1", "2"):
        done = subprocess.run([sys.executable, "-m", "levyrules", "batch", str(bad),
                               "--tariff", "iwaki/2025", "--out",
                               str(tmp_path / f"r{workers}.parquet"), "--workers", workers],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        said.append(done.stderr)
    assert said[0] == said[1] == \
        "levyrules: error: households: households.parquet is not a Parquet file\n"
    assert not list(tmp_path.glob("r*"))


def test_the_main_process_of_a_run_in_parts_imports_no_numpy_or_pyarrow(city, tmp_path):
    """`batch … --workers 2` over Parquet tables: a worker plans the parts
    (runner.plan_parts), the workers write the rows, the result is joined from their files
    (parquet_join: no Arrow schema made) — the main process, whose imports would run
    beside the fork server's on the other core, imports neither NumPy nor pyarrow."""
    out = _python("""
import json, sys
from levyrules.cli import main
code = main(["batch", sys.argv[1], "--tariff", "iwaki/2025", "--out", sys.argv[2],
             "--workers", "2"])
print(json.dumps([code] + [m in sys.modules for m in ("numpy", "pyarrow")]))
""", str(city), str(tmp_path / "r.parquet"))
    assert json.loads(out.splitlines()[-1]) == [0, False, False]


def test_a_closed_stdout_does_not_stop_batch_stats(city, tmp_path):
    """`batch --stats` whose reader has gone away (its stdout a closed pipe, unbuffered
    so that the summary line itself fails): the statistics are still written, exit 0,
    no traceback (the review of 2026-12-01)."""
    import os
    out = tmp_path / "r.parquet"
    proc = subprocess.Popen([sys.executable, "-m", "levyrules", "batch", str(city),
                             "--tariff", "iwaki/2025", "--out", str(out), "--workers", "2",
                             "--stats"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0 and "Traceback" not in err
    assert (tmp_path / "r.stats" / "stats.csv").is_file() and out.is_file()
