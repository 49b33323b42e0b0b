"""`levyrules batch`: a whole population through the chunk evaluator, on N processes.

The input is read as a stream and cut into chunks of households; each chunk is parsed and
evaluated (in this process, or in a pool of worker processes forked from a fork server,
population.forking, with the tariff this process loaded; at most two chunks in flight per
worker, four parts of a tables folder), and the rows are written in input order. With
Parquet tables each worker reads its own parts
(planned from the files' footers) and writes their rows as a Parquet file, which this
process appends to the result as it is (parquet_join: the column chunks copied, one
footer written), or, for a CSV result, as an Arrow IPC file (sink.Spool) read back by
memory map: no pickled rows, no work per household here. Memory stays flat whatever the
input size, and the values written are the same whatever the chunk size or the number
of workers. Outputs (result, rejects, sidecar) are renamed into place only when the run
has succeeded.
"""

from __future__ import annotations

import os
import shutil
from itertools import islice
from pathlib import Path
from typing import Callable, Iterator

import attrs

from ..version import __version__
from ..errors import InputError
from . import rows as rowmod, sink, sources, unique
from . import evaluate as evaluating, forking, phases
from .evaluate import evaluate
from .pool import join_workers, pooled, system_pool, worker_tariff
from .pool import worker_memory  # noqa: F401 (benchmarks/ take it from here, as from an earlier checkout)
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

def run_chunk(items: list, tariff=None) -> tuple[list, list]:
    """Parse and evaluate one chunk of items: (rows, rejects), both in input order."""
    tariff = tariff or worker_tariff()
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


def _results(chunks: Iterator[list], tariff,
             workers: int) -> Iterator[tuple[int, tuple[list, list]]]:
    if workers <= 1:
        for c in chunks:
            yield len(c), run_chunk(c, tariff)
        return
    yield from pooled(((run_chunk, c) for c in chunks), tariff, workers)


def run_part(directory: str, part, chunk: int, encoding: str | None, spool: str,
             fmt: str = "parquet", compatible: bool = False) -> tuple:
    """Read and evaluate a part of a tables folder (batch.tables.parts) in a worker: its
    rows to the file `spool`, written only if there is a row: for a Parquet result a
    Parquet file of the result's settings, which the parent joins to the result as it is
    (sink.PartFile; `compatible`: sink.parquet_options); otherwise an Arrow file
    (sink.Spool). → (rows, rejects, items read,
    the Parquet file's footer cut for joining or None); or ("error", field, message), the
    InputError that stops the run (its args do not rebuild it across processes)."""
    from ..batch.tableopen import keep_open
    clock = phases.Clock()
    keep_open()         # a worker's process: its next parts read the same tables
    tariff = worker_tariff()
    schema = rowmod.schema(tariff)
    parquet = fmt == "parquet"
    out = sink.ResultWriter(Path(spool), fmt, schema, tmp=Path(spool),
                            compatible=compatible) if parquet else \
        sink.Spool(spool, sink.arrow_schema(schema))
    rejects, items = [], 0
    try:
        for c in _column_chunks(directory, part, chunk, encoding, tariff, clock):
            if c.arrays is not None:
                if parquet:
                    out.write_columns(c.arrays)
                else:
                    out.write(sink.arrow_table(c.arrays, out.arrow))
            rejects += c.rejects
            items += c.items
            clock.lap("write")
    except InputError as e:
        if parquet:
            out.abort()
        return "error", e.field, e.message
    finally:
        if not parquet:
            out.close()
    if not parquet:
        return out.rows, rejects, items, None
    if not out.count:
        out.abort()
        return 0, rejects, items, None
    out.close()
    from .parquet_join import relocatable
    footer = relocatable(spool)
    clock.lap("write")
    phases.mark("worker", "part", rows=out.count, **clock.rounded())
    return out.count, rejects, items, footer


def _column_chunks(directory: str, part, chunk: int, encoding: str | None,
                   tariff, clock: phases.Clock | None = None
                   ) -> Iterator[evaluating.ColumnChunk]:
    """The chunks of a tables folder (of `part`), read and evaluated; their CPU by phase
    (read, evaluate) on `clock`."""
    from ..batch.tables import read_population
    from ..batch.tablefiles import resolve
    clock = clock or phases.Clock()
    if part is not None:
        part = resolve(directory, part)     # its prev, read here rather than in the parent
    for read in read_population(directory, tariff.fiscal_year, encoding=encoding,
                                chunk=chunk, part=part):
        clock.lap("read")
        done = evaluating.evaluate_read(read, tariff)
        clock.lap("evaluate")
        yield done


def _column_results(src: Path, tariff, workers: int,
                    chunk: int, encoding: str | None, spool: Path | None,
                    fmt: str, compatible: bool = False) -> Iterator[tuple]:
    """(items, columns, a worker's Parquet file (sink.PartFile) or the Path of its Arrow
    file, rejects) of the chunks of a tables folder read and evaluated as columns: Parquet
    tables split into parts among the workers (planned by one of them, plan_parts), each
    reading its own and writing its rows to a file in `spool`; otherwise (or when the
    tables cannot be cut into parts) in this process."""
    if in_parts(src, workers):
        ext = "parquet" if fmt == "parquet" else "arrow"
        planned = []

        def calls(plan):
            if isinstance(plan, tuple):         # ("error", field, message)
                raise InputError(plan[1], plan[2])
            planned.append(plan)
            phases.mark("main", "planned", parts=len(plan or ()))
            return ((run_part, str(src), p, chunk, encoding, str(spool / f"part-{k}.{ext}"),
                     fmt, compatible) for k, p in enumerate(plan or ()))
        # a part's result is a file and its footer: four per worker in flight cost no
        # memory, and a worker done with its parts before the one ahead takes the next
        first = (plan_parts, str(src), chunk, 2 * workers)
        for k, (_, out) in enumerate(pooled(calls, tariff, workers, depth=4, first=first)):
            if isinstance(out[0], str):
                raise InputError(out[1], out[2])
            rows, rejects, items, footer = out
            path = spool / f"part-{k}.{ext}"
            phases.mark("main", "received", part=k, rows=rows)
            yield items, (None if not rows else sink.PartFile(path, footer)
                          if footer is not None else path), rejects
        if planned[0] is not None:
            return
    for c in _column_chunks(str(src), None, chunk, encoding, tariff):
        yield c.items, c.arrays, c.rejects


def in_parts(source: str | os.PathLike, workers: int) -> bool:
    """Whether `source` is read in parts by the workers, the main process converting no
    value itself (in_parts: its tables are Parquet files, more than one worker); told
    without reading a file."""
    src = Path(source)
    if workers <= 1 or not src.is_dir():
        return False
    try:
        paths = sources.table_paths(src)
    except InputError:          # a table missing: the run says so, in its order
        return False
    return all(p.suffix == ".parquet" for p in paths.values() if p is not None)


def plan_parts(directory: str, chunk: int, n: int):
    """In a worker: the parts of a tables folder (batch.tables.parts from the files'
    footers; `n` last row groups a part each, the rest in about `n` parts), None when
    they cannot be cut so, or ("error", field, message): the InputError that stops the
    run."""
    from ..batch.tables import parts
    try:
        return parts(directory, chunk, check=False, tail=n, split=n)
    except InputError as e:     # its args do not rebuild it across processes
        return "error", e.field, e.message


def _outputs(src: Path, tariff, workers: int, chunk: int,
             encoding: str | None, columnar: bool, spool: Path | None,
             fmt: str, compatible: bool = False) -> Iterator[tuple]:
    """(items read, rows, columns or a spool file, rejects) of each chunk, in input
    order."""
    if columnar:
        yield from _column_results(src, tariff, workers, chunk, encoding,
                                   spool, fmt, compatible)
        return
    chunks = _chunks(sources.items(src, encoding), chunk)
    for n, (rows, rej) in _results(chunks, tariff, workers):
        yield n, rows, rej


# ---------------------------------------------------------------- the run

def _write(outputs: Iterator[tuple], writer: sink.ResultWriter, rejects: sink.RejectWriter,
           progress: Callable[[int], None] | None, ids: unique.Ids | None = None) -> int:
    """Each chunk's rows, columns or worker's file and rejects to the writers; → items
    read. `ids`: the household ids of the rows are kept there (JSON Lines)."""
    read = 0
    for n, out, rej in outputs:
        if isinstance(out, dict):
            writer.write_columns(out)
        elif isinstance(out, sink.PartFile):
            writer.write_part(out)
        elif isinstance(out, Path):
            writer.write_spool(out)
        elif out is not None:
            writer.write(out)
            if ids is not None:
                ids.add(out)
        rejects.write(rej)
        read += n
        if progress is not None:
            progress(read)
    return read


def _check_arguments(out: str | os.PathLike, workers: int, chunk_size: int | None) -> None:
    """`run`'s arguments that need no file read: one InputError naming the option."""
    if chunk_size is not None and chunk_size < 1:
        raise InputError("--chunk-size", "must be at least 1")
    if workers < 1:
        raise InputError("--workers", "must be at least 1")
    out = Path(out)
    if not out.parent.is_dir():
        raise InputError("--out", f"{out.parent} is not a folder")
    if out.is_dir():
        raise InputError("--out", f"{out} is a folder: give a file name such as result.parquet")


def _sidecar(tariff, overrides: tuple, src: Path, writer: sink.ResultWriter,
             counts: dict) -> dict:
    """The run's sidecar (``<stem>.meta.json``)."""
    return {"tariff": {"id": tariff.id, "sha256": tariff.sha256, "status": tariff.status,
                       "overrides": [f"{k}={v}" for k, v in overrides]},
            "engine": f"levyrules {__version__}", "evaluator": EVALUATOR,
            "input": src.name, "format": writer.fmt,
            **({"parquet_compatible": writer.compatible} if writer.fmt == "parquet" else {}),
            "counts": counts, "columns": [{"name": n, "kind": k} for n, k in writer.schema]}


def run(source: str | os.PathLike, tariff_ref: str, out: str | os.PathLike, *,
        fmt: str | None = None, workers: int = 1, chunk_size: int | None = None,
        overrides: tuple = (), encoding: str | None = None,
        progress: Callable[[int], None] | None = None,
        compatible: bool = False) -> Summary:
    """Assess every household of `source` under one tariff; write `out` (Parquet or CSV),
    ``<stem>.rejects.csv`` and ``<stem>.meta.json``. A tables folder is read and
    evaluated as columns when the columnar evaluator is there (chunks of COLUMN_CHUNK
    households rows by default), JSON Lines household by household (chunks of CHUNK).
    `compatible`: a Parquet result that any Parquet reader opens, old ones included, in
    pyarrow's default encodings (sink.parquet_options), at a little more CPU."""
    _check_arguments(out, workers, chunk_size)
    src, out = Path(source), Path(out)
    fmt = fmt or ("csv" if out.suffix == ".csv" else "parquet")
    phases.mark("main", "run")
    forking.start(workers)      # the fork server imports while the tariff is loaded
    phases.mark("main", "fork_server_asked")
    from ..tariff.loader import load_tariff
    tariff = load_tariff(tariff_ref, list(overrides) or None)
    phases.mark("main", "tariff")
    columnar = sources.kind(src) == "tables" and evaluating.columns_evaluator() is not None
    chunk_size = chunk_size or (COLUMN_CHUNK if columnar else CHUNK)
    schema = rowmod.schema(tariff)
    outputs = Outputs.beside(out)
    sources.refuse_overwrite(src, (outputs.result, outputs.rejects, outputs.sidecar))
    writer = sink.ResultWriter(out, fmt, schema, compatible=compatible)
    rejects = sink.RejectWriter(outputs.rejects)
    spool = sink.spool_folder(out) if columnar and workers > 1 else None
    outputs_ = _outputs(src, tariff, workers, chunk_size,
                        encoding, columnar, spool, fmt, compatible)
    ids = None if columnar or sources.kind(src) != "jsonl" else unique.Ids()
    try:
        with system_pool(columnar and not in_parts(src, workers)):
            read = _write(outputs_, writer, rejects, progress, ids)
        phases.mark("main", "pool_closed")
        writer.close()
        rejects.close()
        if ids is not None:
            ids.check(src)          # an id twice stops the run: nothing is renamed
        phases.mark("main", "written")
    except BaseException:
        writer.abort()
        rejects.abort()
        raise
    finally:
        outputs_.close()            # the worker pool shut down before its folder goes
        join_workers()              # their exit overlapped the closing of the outputs
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
    meta = _sidecar(tariff, overrides, src, writer, {"read": read, "assessed": writer.count,
                                                     "rejected": rejects.count})
    meta_tmp = sink.write_json(outputs.sidecar, meta)
    os.replace(writer.tmp, out)
    os.replace(rejects.tmp, outputs.rejects)
    os.replace(meta_tmp, outputs.sidecar)
    phases.mark("main", "done")
    return Summary(outputs, read, writer.count, rejects.count, meta)
