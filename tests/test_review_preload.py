"""Review: population/preload.py ends the fork server without its teardown
(atexit os._exit), and only the fork server: a program that imports the module keeps its
exit status and its output."""

import subprocess
import sys

import pytest

pytest.importorskip("pyarrow")


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_a_program_importing_preload_keeps_its_exit_status():
    got = _run("import sys, levyrules.population.preload\nprint('out')\nsys.exit(3)")
    assert got.returncode == 3
    assert got.stdout == "out\n"


def test_a_program_importing_preload_fails_as_it_fails():
    got = _run("import levyrules.population.preload\nraise ValueError('boom')")
    assert got.returncode == 1
    assert "ValueError" in got.stderr


def test_the_fork_server_still_ends_at_once():
    code = ("import multiprocessing as mp, os\n"
            "from levyrules.population import forking\n"
            "ctx = forking.context()\n"
            "if ctx.get_start_method() == 'forkserver':\n"
            "    with ctx.Pool(1) as p: print(p.apply(os.getpid) != os.getpid())\n"
            "else:\n"
            "    print(True)\n")
    got = _run(code)
    assert got.returncode == 0, got.stderr
    assert got.stdout == "True\n"
