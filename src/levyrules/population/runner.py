"""`levyrules batch`: a whole population through the chunk evaluator, on N processes.

The input is read as a stream and cut into chunks of households; each chunk is parsed and
evaluated (in this process, or in a pool of spawned worker processes with at most two
chunks in flight per worker), and the rows are written in input order. Memory stays flat
whatever the input size, and the files are the same whatever the chunk size or the
number of workers. Outputs (result, rejects, sidecar) are renamed into place only when the
run has succeeded.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Callable, Iterator

import attrs

from .. import __version__
from ..errors import InputError, TariffError
from ..tariff.loader import load_tariff
from . import rows as rowmod, sink, sources
from . import evaluate as evaluating
from .evaluate import evaluate
from .rejects import Reject

EVALUATOR = "levyrules.batch.assess_columns (columnar; equal to levyrules.assess per household)"
CHUNK = 2_000               # households per chunk read one by one (JSON Lines)
COLUMN_CHUNK = 65_536       # households rows per chunk read as columns (tables)


@attrs.frozen(slots=True)
class Outputs:
    result: Path
    rejects: Path
    sidecar: Path

    @staticmethod
    def beside(result: Path) -> "Outputs":
        stem = result.name[: -len(result.suffix)] if result.suffix else result.name
        return Outputs(result, result.with_name(f"{stem}.rejects.csv"),
                       result.with_name(f"{stem}.meta.json"))


@attrs.frozen(slots=True)
class Summary:
    outputs: Outputs
    read: int
    assessed: int
    rejected: int
    sidecar: dict


# ---------------------------------------------------------------- the worker side

_TARIFF: dict = {}


def _init(ref: str, overrides: tuple, sha: str) -> None:
    _TARIFF["tariff"] = load_tariff(ref, list(overrides) or None)
    _TARIFF["sha"] = sha


def _worker_tariff():
    tariff = _TARIFF["tariff"]
    if tariff.sha256 != _TARIFF["sha"]:
        raise TariffError(f"tariff {tariff.id} changed on disk during the run")
    return tariff


def run_chunk(items: list, tariff=None) -> tuple[list, list]:
    """Parse and evaluate one chunk of items: (rows, rejects), both in input order."""
    tariff = tariff or _worker_tariff()
    households = []
    rejects: list[tuple[int, Reject]] = []
    index = {}
    for i, (source, payload) in enumerate(items):
        parsed = sources.parse(source, payload)
        if isinstance(parsed, Reject):
            rejects.append((i, parsed))
        else:
            index[source] = i
            households.append((source, parsed))
    chunk = evaluate(households, tariff)
    rejects += [(index[r.source], r) for r in chunk.rejects]
    rejects.sort(key=lambda t: t[0])
    return chunk.rows, [r for _, r in rejects]


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    while True:
        chunk = list(islice(items, size))
        if not chunk:
            return
        yield chunk


def _results(chunks: Iterator[list], tariff, ref: str, overrides: tuple,
             workers: int) -> Iterator[tuple[int, tuple[list, list]]]:
    if workers <= 1:
        for c in chunks:
            yield len(c), run_chunk(c, tariff)
        return
    yield from _pool(((run_chunk, c) for c in chunks), tariff, ref, overrides, workers)


def _pool(calls: Iterator[tuple], tariff, ref: str, overrides: tuple,
          workers: int) -> Iterator[tuple[int, object]]:
    """(len of the first argument, result) of each call (function, args…) run in a pool
    of `workers` processes, in order, at most two calls per worker in flight."""
    # spawn: the same behaviour on every platform, and no fork of a threaded parent;
    # a worker that dies ends the run with BrokenProcessPool instead of hanging it
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init,
                             initargs=(ref, overrides, tariff.sha256)) as pool:
        pending: deque = deque()
        for fn, first, *rest in calls:
            size = len(first) if isinstance(first, list) else 0
            pending.append((size, pool.submit(fn, first, *rest)))
            if len(pending) >= 2 * workers:
                n, fut = pending.popleft()
                yield n, fut.result()
        while pending:
            n, fut = pending.popleft()
            yield n, fut.result()


def run_part(directory: str, part, chunk: int, encoding: str | None) -> list:
    """Read and evaluate a part of a tables folder (batch.tables.parts) in a worker: its
    ColumnChunks, or the InputError that stops the run as [(field, message)]."""
    try:
        return list(_column_chunks(directory, part, chunk, encoding, _worker_tariff()))
    except InputError as e:         # its args do not rebuild it across processes
        return [(e.field, e.message)]


def _column_chunks(directory: str, part, chunk: int, encoding: str | None,
                   tariff) -> Iterator[evaluating.ColumnChunk]:
    from ..batch.tables import read_population
    for read in read_population(directory, tariff.fiscal_year, encoding=encoding,
                                chunk=chunk, part=part):
        yield evaluating.evaluate_read(read, tariff)


def _column_results(src: Path, tariff, ref: str, overrides: tuple, workers: int,
                    chunk: int, encoding: str | None) -> Iterator[evaluating.ColumnChunk]:
    """The chunks of a tables folder read and evaluated as columns: Parquet tables split
    into parts among the workers, each reading its own; otherwise in this process."""
    from ..batch.tables import parts
    plan = parts(src, chunk) if workers > 1 else None
    if plan is None:
        yield from _column_chunks(str(src), None, chunk, encoding, tariff)
        return
    calls = ((run_part, str(src), p, chunk, encoding) for p in plan)
    for _, out in _pool(calls, tariff, ref, overrides, workers):
        for c in out:
            if isinstance(c, tuple):
                raise InputError(*c)
            yield c


def _outputs(src: Path, tariff, ref: str, overrides: tuple, workers: int, chunk: int,
             encoding: str | None, columnar: bool) -> Iterator[tuple]:
    """(items read, rows or columns, rejects) of each chunk, in input order."""
    if columnar:
        for c in _column_results(src, tariff, ref, overrides, workers, chunk, encoding):
            yield c.items, c.arrays, c.rejects
        return
    chunks = _chunks(sources.items(src, encoding), chunk)
    for n, (rows, rej) in _results(chunks, tariff, ref, overrides, workers):
        yield n, rows, rej


# ---------------------------------------------------------------- the run

def run(source: str | os.PathLike, tariff_ref: str, out: str | os.PathLike, *,
        fmt: str | None = None, workers: int = 1, chunk_size: int | None = None,
        overrides: tuple = (), encoding: str | None = None,
        progress: Callable[[int], None] | None = None) -> Summary:
    """Assess every household of `source` under one tariff; write `out` (Parquet or CSV),
    ``<stem>.rejects.csv`` and ``<stem>.meta.json``. A tables folder is read and
    evaluated as columns when the columnar evaluator is there (chunks of COLUMN_CHUNK
    households rows by default), JSON Lines household by household (chunks of CHUNK)."""
    if chunk_size is not None and chunk_size < 1:
        raise InputError("--chunk-size", "must be at least 1")
    if workers < 1:
        raise InputError("--workers", "must be at least 1")
    src, out = Path(source), Path(out)
    fmt = fmt or ("csv" if out.suffix == ".csv" else "parquet")
    if not out.parent.is_dir():
        raise InputError("--out", f"{out.parent} is not a folder")
    if out.is_dir():
        raise InputError("--out", f"{out} is a folder: give a file name such as result.parquet")
    tariff = load_tariff(tariff_ref, list(overrides) or None)
    columnar = sources.kind(src) == "tables" and evaluating.columns_evaluator() is not None
    chunk_size = chunk_size or (COLUMN_CHUNK if columnar else CHUNK)
    schema = rowmod.schema(tariff)
    outputs = Outputs.beside(out)
    writer = sink.ResultWriter(out, fmt, schema)
    rejects = sink.RejectWriter(outputs.rejects)
    read = 0
    try:
        for n, out_, rej in _outputs(src, tariff, tariff_ref, tuple(overrides), workers,
                                     chunk_size, encoding, columnar):
            if isinstance(out_, dict):
                writer.write_columns(out_)
            elif out_ is not None:
                writer.write(out_)
            rejects.write(rej)
            read += n
            if progress is not None:
                progress(read)
        writer.close()
        rejects.close()
    except BaseException:
        writer.abort()
        rejects.abort()
        raise
    meta = {"tariff": {"id": tariff.id, "sha256": tariff.sha256, "status": tariff.status,
                       "overrides": [f"{k}={v}" for k, v in overrides]},
            "engine": f"levyrules {__version__}", "evaluator": EVALUATOR,
            "input": src.name, "format": fmt,
            "counts": {"read": read, "assessed": writer.count, "rejected": rejects.count},
            "columns": [{"name": n, "kind": k} for n, k in schema]}
    meta_tmp = sink.write_json(outputs.sidecar, meta)
    os.replace(writer.tmp, out)
    os.replace(rejects.tmp, outputs.rejects)
    os.replace(meta_tmp, outputs.sidecar)
    return Summary(outputs, read, writer.count, rejects.count, meta)
