"""The batch on a Dask cluster: national scale (about 17 million households) on an
existing distributed engine.

The population is cut into partitions by household: for a folder of Parquet tables (the
layout `levyrules batch` reads), ``partition_size`` rows of the households table a
partition, each read with the rows of the other tables in its household_id range by
:func:`levyrules.batch.tables.read_population` (``part=…``, as `batch`'s worker processes
read their parts) and evaluated as columns (levyrules.batch.assess_columns); for JSON
Lines, ``partition_size`` lines a partition, a byte range of the file read by the task,
through the same chunk evaluator as `levyrules batch`
(:func:`levyrules.population.runner.run_chunk`). Each partition is one plain task (no
DataFrame, no pandas) writing its rows with `batch`'s writer (population.sink) as
partitioned Parquet with the schema of the assessment file, and its rejects beside; in
partition order, rows and rejects are those of `batch`. The household ids of JSON Lines
are checked to be unique across partitions as `batch` checks them (population.unique):
each partition returns its ids' 64-bit hashes and a repeat stops the run with `batch`'s
error. The output folder appears only when every partition has been written and checked. :func:`households_frame` and :func:`_evaluate`
give the same over a Dask DataFrame of (``source``, ``payload``) for other sources.

    from dask.distributed import Client, LocalCluster
    from levyrules import dask as lrdask
    with Client(LocalCluster(n_workers=16, threads_per_worker=1)):
        lrdask.run("city-tables/", "iwaki/2025", "out/", partition_size=50_000)

Needs the ``dask`` extra (dask[dataframe], distributed, pyarrow). docs/scale.md tells how
to size a cluster.
"""

from __future__ import annotations

import json
import os
import shutil
from itertools import islice
from pathlib import Path
from typing import Iterable

from ..version import __version__
from ..errors import InputError, TariffError
from .tables import tables_parts
from ..population import rows as rowmod, sink, sources, unique
from ..population.evaluate import evaluate_read
from ..population.extras import need
from ..population.rejects import Reject
from ..population.pool import worker_memory
from ..population.runner import COLUMN_CHUNK, EVALUATOR, run_chunk
from ..tariff.loader import load_tariff

CHUNK = 2_000       # households parsed at once within a partition


def _line_ranges(path: Path, partition_size: int) -> list[tuple[int, int, int]]:
    """(first byte, end byte, first line number) of every `partition_size` lines."""
    parts = []
    start, first, n = 0, 1, 0
    with open(path, "rb") as f:
        pos = 0
        for line in f:
            pos += len(line)
            n += 1
            if n - first + 1 == partition_size:
                parts.append((start, pos, first))
                start, first = pos, n + 1
        if pos > start:
            parts.append((start, pos, first))
    return parts


def _lines(part: tuple, path: str) -> tuple[list, list]:
    """(source, text) of the lines of a byte range, as `batch` reads them: a BOM allowed on
    line 1, text None for a line that is not UTF-8 (rejected), blank lines left out."""
    start, end, first = part
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    name = Path(path).name
    where, payloads = [], []
    for i, raw in enumerate(data.split(b"\n")):
        try:
            text = raw.decode("utf-8-sig" if first + i == 1 else "utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or text.strip():
            where.append(f"{name}:{first + i}")
            payloads.append(text)
    return where, payloads


def _read_part(part: tuple, path: str):
    """One partition of the households frame: the JSON lines of a byte range."""
    import pandas as pd
    where, payloads = _lines(part, path)
    return pd.DataFrame({"source": pd.array(where, dtype="string"),
                         "payload": pd.array(payloads, dtype="string")})


def _items(where, payloads) -> Iterable:
    """(source, payload or the Reject of a line that is not UTF-8) of each line."""
    return ((src, Reject.of("", src, "", "the line is not valid UTF-8")
             if payload is None else payload) for src, payload in zip(where, payloads))


def households_frame(path: str | os.PathLike, partition_size: int = 50_000):
    """A Dask DataFrame of a JSON Lines population, `partition_size` households a partition."""
    dd = need("dask.dataframe", "dask", "the Dask batch")
    src = _jsonl(path)
    parts = _line_ranges(src, partition_size)
    return dd.from_map(_read_part, parts, path=str(src), meta=_read_part((0, 0, 1), str(src)))


def _jsonl(path) -> Path:
    src = Path(path)
    if not src.is_file():
        raise InputError("", f"{src}: no such file (the Dask path reads JSON Lines; convert "
                             "tables with `levyrules convert --format jsonl`)")
    return src


def _result_meta(schema):
    pa = need("pyarrow", "batch", "the Dask batch")
    import pandas as pd
    table = pa.Table.from_pylist([], schema=sink.arrow_schema(schema))
    return table.to_pandas(types_mapper=pd.ArrowDtype)


class _RemoteInputError(InputError):
    """An InputError raised on a worker, pickled as its field and message (so the client
    gets the InputError itself)."""

    def __reduce__(self):
        return InputError, (self.field, self.message)


_TARIFFS: dict = {}     # per worker process: (ref, overrides, sha256) -> Tariff


def _tariff(ref: str, overrides: tuple, sha: str):
    """The tariff of the run on a worker, loaded once per process (and checked to be the
    client's, by its sha256); the worker's allocator set for numpy the first time."""
    if not _TARIFFS:
        worker_memory()
    if (ref, overrides, sha) not in _TARIFFS:
        tariff = load_tariff(ref, list(overrides) or None)
        if tariff.sha256 != sha:
            raise TariffError(f"tariff {tariff.id} differs on this worker (sha256)")
        _TARIFFS[ref, overrides, sha] = tariff
    return _TARIFFS[ref, overrides, sha]


def _write_rejects(rejects: list, rejects_dir: str, number: int) -> None:
    if rejects and rejects_dir:
        w = sink.RejectWriter(Path(rejects_dir) / f"part.{number:05d}.csv")
        w.write(rejects)
        w.close()
        os.replace(w.tmp, w.path)


def _finish(tables: list, rejects: list, schema, rejects_dir: str, number: int):
    """A partition's rows (Arrow tables of the result schema) as one pandas frame (Arrow
    int64, never float); its rejects to ``rejects_dir/part.N.csv``."""
    import pandas as pd
    pa = need("pyarrow", "batch", "the Dask batch")
    _write_rejects(rejects, rejects_dir, number)
    arrow = sink.arrow_schema(schema)
    table = pa.concat_tables(tables) if tables else arrow.empty_table()
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _assess(items: Iterable, ref: str, overrides: tuple, sha: str, rejects_dir: str,
            number: int):
    """Items of one partition → its rows as a pandas frame; parses at most CHUNK
    households at once."""
    tariff = _tariff(ref, overrides, sha)
    schema = rowmod.schema(tariff)
    arrow = sink.arrow_schema(schema)
    tables, rejects = [], []
    items = iter(items)
    try:
        while chunk := list(islice(items, CHUNK)):
            rows, rej = run_chunk(chunk, tariff)
            tables.append(sink.rows_table(rows, arrow))
            rejects += rej
    except InputError as e:
        raise _RemoteInputError(e.field, e.message) from None
    return _finish(tables, rejects, schema, rejects_dir, number)


def _evaluate(df, ref: str, overrides: tuple, sha: str, rejects_dir: str,
              partition_info=None):
    """map_partitions over JSON Lines: a partition of (source, payload) → its rows."""
    import pandas as pd
    number = (partition_info or {}).get("number", 0)
    payloads = [None if p is pd.NA else p for p in df["payload"]]
    return _assess(_items(df["source"], payloads), ref, overrides, sha, rejects_dir, number)


def _write_part(number: int, chunks: Iterable, tariff, rejects_dir: str,
                results_dir: str, compatible: bool = False) -> int:
    """A partition's chunks, (columns or rows, rejects) each, to
    ``results_dir/part.N.parquet`` by `batch`'s writer (Arrow, no pandas; renamed into
    place when complete; `compatible`: sink.parquet_options) and its rejects beside; →
    its rows."""
    writer = sink.ResultWriter(Path(results_dir) / f"part.{number}.parquet", "parquet",
                               rowmod.schema(tariff), compatible=compatible)
    rejects = []
    try:
        for out, rej in chunks:
            if isinstance(out, dict):
                writer.write_columns(out)
            elif out:
                writer.write(out)
            rejects += rej
        writer.close()
    except InputError as e:       # a table out of order
        writer.abort()
        raise _RemoteInputError(e.field, e.message) from None
    except BaseException:
        writer.abort()
        raise
    os.replace(writer.tmp, writer.path)
    _write_rejects(rejects, rejects_dir, number)
    return writer.count


def _evaluate_tables(number: int, part, directory: str, ref: str, overrides: tuple,
                     sha: str, rejects_dir: str, results_dir: str,
                     compatible: bool = False) -> int:
    """Partition `number` of the table layout, a Part (levyrules.dask.tables), read as
    columns by read_population and evaluated by assess_columns as `batch`'s workers read
    and evaluate their parts (levyrules.population.runner), written by _write_part."""
    from ..batch.tables import read_population
    tariff = _tariff(ref, overrides, sha)
    reads = read_population(directory, tariff.fiscal_year, chunk=COLUMN_CHUNK, part=part)
    return _write_part(number, ((c.arrays, c.rejects) for c in
                                (evaluate_read(r, tariff) for r in reads)),
                       tariff, rejects_dir, results_dir, compatible)


def _hashing(chunks: Iterable, ids: unique.Ids) -> Iterable:
    """The chunks (rows, rejects) unchanged, their rows' ids added to `ids`."""
    for rows, rej in chunks:
        ids.add(rows)
        yield rows, rej


def _evaluate_lines(number: int, part: tuple, path: str, ref: str, overrides: tuple,
                    sha: str, rejects_dir: str, results_dir: str,
                    compatible: bool = False) -> bytes:
    """Partition `number` of a JSON Lines file, a byte range (_line_ranges), parsed and
    evaluated CHUNK households at a time as `batch` does (runner.run_chunk), written by
    _write_part: no DataFrame, no pandas. → the 64-bit hashes of the ids assessed (8
    bytes a household), for the check that no id repeats across partitions."""
    tariff = _tariff(ref, overrides, sha)
    items = _items(*_lines(part, path))
    chunks = iter(lambda: list(islice(items, CHUNK)), [])
    ids = unique.Ids()
    _write_part(number, _hashing((run_chunk(c, tariff) for c in chunks), ids), tariff,
                rejects_dir, results_dir, compatible)
    return ids.hashes.tobytes()


def _check_ids(path: Path, hashes: Iterable[bytes]) -> None:
    """InputError, `batch`'s, when two households of the JSON Lines file have one id: the
    partitions' hashes gathered and checked by population.unique (which reads the file
    again only when two hashes are equal)."""
    ids = unique.Ids()
    for h in hashes:
        ids.merge(h)
    ids.check(path)


def run(source: str | os.PathLike, tariff_ref: str, out: str | os.PathLike, *,
        partition_size: int = 50_000, overrides: tuple = (),
        compatible: bool = False) -> dict:
    """Assess a population (a JSON Lines file or a folder of Parquet tables) on the
    current Dask client (or the local scheduler); write ``OUT/results/part.N.parquet``,
    ``OUT/rejects/part.N.csv`` and ``OUT/meta.json``. Returns the sidecar. `compatible`:
    results in Parquet encodings any reader opens, as `batch --compatible-parquet`."""
    pq = need("pyarrow.parquet", "batch", "the Dask batch")
    out = Path(out)
    if out.exists():
        raise InputError("--out", f"{out} exists: give a new folder")
    if partition_size < 1:
        raise InputError("partition_size", "must be at least 1")
    tariff = load_tariff(tariff_ref, list(overrides) or None)
    schema = rowmod.schema(tariff)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    (tmp / "rejects").mkdir(parents=True)
    try:
        args = (tariff_ref, tuple(overrides), tariff.sha256, str(tmp / "rejects"))
        # plain tasks writing Arrow: no DataFrame (nor its import and pandas round trip)
        dask = need("dask", "dask", "the Dask batch")
        (tmp / "results").mkdir()
        if sources.kind(Path(source)) == "tables":
            task, parts, path = _evaluate_tables, tables_parts(source, partition_size), source
        else:
            path = _jsonl(source)
            task, parts = _evaluate_lines, _line_ranges(path, partition_size)
        done = dask.compute(*(dask.delayed(task, pure=False)(k, p, str(path), *args,
                                                             str(tmp / "results"),
                                                             compatible)
                              for k, p in enumerate(parts)))
        if task is _evaluate_lines:
            _check_ids(path, done)
        partitions = len(parts)
        assessed = sum(pq.ParquetFile(p).metadata.num_rows
                       for p in (tmp / "results").glob("*.parquet"))
        rejected = sum(sum(1 for _ in open(p, encoding="utf-8")) - 1
                       for p in (tmp / "rejects").glob("*.csv"))
        meta = {"tariff": {"id": tariff.id, "sha256": tariff.sha256, "status": tariff.status,
                           "overrides": [f"{k}={v}" for k, v in overrides]},
                "engine": f"levyrules {__version__}", "evaluator": EVALUATOR + " (Dask)",
                "input": Path(source).name, "format": "parquet (partitioned)",
                "parquet_compatible": compatible,
                "partitions": partitions,
                "counts": {"read": assessed + rejected, "assessed": assessed,
                           "rejected": rejected},
                "columns": [{"name": n, "kind": k} for n, k in schema]}
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.replace(tmp, out)
    return meta
