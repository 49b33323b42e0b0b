"""Where the worker processes of `levyrules batch --workers N` come from: forked from a
fork server that imported the modules they run once (population.preload; no import per
worker, no fork of the possibly threaded main process), or spawned where there is no fork
server (the same behaviour on every platform).

Light on purpose (multiprocessing alone): the CLI starts the fork server with
:func:`start` before it imports the engine, so that the server's imports overlap those of
the main process instead of following them."""

from __future__ import annotations

import importlib.util
import multiprocessing

PRELOAD = ["levyrules.population.runner", "levyrules.population.preload"]


def context():
    """The multiprocessing context of the workers: forkserver where there is one, with
    the preload (the columnar modules only where pyarrow is installed), else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD if importlib.util.find_spec("pyarrow") is not None
                               else PRELOAD[:1])
    return ctx


def start(workers: int) -> None:
    """Starts the fork server now (for more than one worker), so that it imports while
    this process goes on; nothing where there is none, or it runs already."""
    if workers > 1 and "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver
        context()
        forkserver.ensure_running()
