"""The batch on a Dask cluster: national scale (about 17 million households) on an
existing distributed engine.

The population is a Dask DataFrame with one row per household, partitioned by
household: for a folder of Parquet tables (the layout `levyrules batch` reads), the rows
of the households table, each partition reading the rows of the other tables in its
household_id range inside ``map_partitions`` (row groups chosen by their statistics);
for JSON Lines, (``source``, ``payload``: the household's JSON text). Each partition goes
through the same chunk evaluator as `levyrules batch`
(:func:`levyrules.population.runner.run_chunk`), and the rows are written as partitioned
Parquet with the schema of the assessment file. Rejects of a partition are written
beside it; in partition order, rows and rejects are those of `batch`. The output folder
appears only when every partition has been written.

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
from typing import Iterable, Iterator

from . import __version__
from .errors import InputError, TariffError
from .population import layout, rows as rowmod, sink, sources, tables
from .population.extras import need
from .population.rejects import Reject
from .population.runner import EVALUATOR, run_chunk
from .tariff.loader import load_tariff

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


def _read_part(part: tuple, path: str):
    """One partition of the households frame: the JSON lines of a byte range."""
    import pandas as pd
    start, end, first = part
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    name = Path(path).name
    where, payloads = [], []
    for i, raw in enumerate(data.split(b"\n")):
        try:        # as `batch` reads them: a BOM on line 1, a line not UTF-8 rejected
            text = raw.decode("utf-8-sig" if first + i == 1 else "utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or text.strip():
            where.append(f"{name}:{first + i}")
            payloads.append(text)
    return pd.DataFrame({"source": pd.array(where, dtype="string"),
                         "payload": pd.array(payloads, dtype="string")})


def households_frame(path: str | os.PathLike, partition_size: int = 50_000):
    """A Dask DataFrame of a JSON Lines population, `partition_size` households a partition."""
    dd = need("dask.dataframe", "dask", "the Dask batch")
    src = Path(path)
    if not src.is_file():
        raise InputError("", f"{src}: no such file (the Dask path reads JSON Lines; convert "
                             "tables with `levyrules convert --format jsonl`)")
    parts = _line_ranges(src, partition_size)
    return dd.from_map(_read_part, parts, path=str(src), meta=_read_part((0, 0, 1), str(src)))


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


def _assess(items: Iterable, ref: str, overrides: tuple, sha: str, rejects_dir: str,
            number: int):
    """Items of one partition → its rows as a pandas frame (Arrow int64, never float);
    its rejects to ``rejects_dir/part.N.csv``. Parses at most CHUNK households at once."""
    import pandas as pd
    pa = need("pyarrow", "batch", "the Dask batch")
    tariff = load_tariff(ref, list(overrides) or None)
    if tariff.sha256 != sha:
        raise TariffError(f"tariff {tariff.id} differs on this worker (sha256)")
    schema = rowmod.schema(tariff)
    rows, rejects = [], []
    items = iter(items)
    try:
        while chunk := list(islice(items, CHUNK)):
            r, j = run_chunk(chunk, tariff)
            rows += r
            rejects += j
    except InputError as e:       # a table out of order
        raise _RemoteInputError(e.field, e.message) from None
    if rejects and rejects_dir:
        w = sink.RejectWriter(Path(rejects_dir) / f"part.{number:05d}.csv")
        w.write(rejects)
        w.close()
        os.replace(w.tmp, w.path)
    arrow = sink.arrow_schema(schema)
    cols = list(zip(*rows)) if rows else [() for _ in schema]
    table = pa.Table.from_arrays([pa.array(c, type=t) for c, t in zip(cols, arrow.types)],
                                 schema=arrow)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _evaluate(df, ref: str, overrides: tuple, sha: str, rejects_dir: str,
              partition_info=None):
    """map_partitions over JSON Lines: a partition of (source, payload) → its rows."""
    import pandas as pd
    number = (partition_info or {}).get("number", 0)
    items = ((src, Reject.of("", src, "", "the line is not valid UTF-8")
              if payload is pd.NA else payload)
             for src, payload in zip(df["source"], df["payload"]))
    return _assess(items, ref, overrides, sha, rejects_dir, number)


# ---------------------------------------------------------------- the table layout

def _string_keys(f, path: Path, table: str) -> None:
    pa = need("pyarrow", "batch", "the Dask batch")
    kind = f.schema_arrow.field("household_id").type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise InputError(f"{table}.household_id", f"{path.name}: the Dask path needs "
                                                  f"household_id as a text column, not {kind}")


def _table_files(directory: Path) -> dict[str, Path]:
    """The Parquet file of every table present, each checked as `batch` checks it (columns,
    integer money columns) and with household_id as text."""
    pq = need("pyarrow.parquet", "batch", "the Dask batch")
    found = {t: tables.find(directory, t) for t in layout.TABLES}
    for t in layout.REQUIRED_TABLES:
        if found[t] is None:
            raise InputError(t, f"{directory} has no {t}.parquet or {t}.csv")
    files = {}
    for t, path in found.items():
        if path is None:
            continue
        if path.suffix != ".parquet":
            raise InputError(t, f"{path.name}: the Dask path reads Parquet tables (convert "
                                "CSV tables with `levyrules convert DIR --out TABLES "
                                "--format parquet`)")
        next(tables.read(path, t), None)         # the header and column types, as batch
        _string_keys(pq.ParquetFile(path), path, t)
        files[t] = path
    return files


def _text_keys(column) -> list[str]:
    return ["" if k is None else k for k in column.to_pylist()]


def _groups(f) -> list[tuple[int, int, int]]:
    """(index, first row, rows) of the non-empty row groups of a Parquet file."""
    out, first = [], 0
    for g in range(f.metadata.num_row_groups):
        n = f.metadata.row_group(g).num_rows
        if n:
            out.append((g, first, n))
        first += n
    return out


def _read(f, groups: list[tuple], first: int, end: int):
    """Rows first..end−1 (0-based) of a Parquet file, from those of its row groups
    ((index, first row, rows, …), in file order) that hold them: an Arrow table."""
    sel = [x for x in groups if x[1] < end and x[1] + x[2] > first]
    if not sel:
        return f.schema_arrow.empty_table()
    return f.read_row_groups([x[0] for x in sel]).slice(first - sel[0][1], end - first)


def _row_groups(path: Path, table: str) -> tuple:
    """(index, first row, rows, least key, greatest key) of every non-empty row group of a
    child table, from the Parquet statistics (or from the column where they are missing or
    there are nulls: a missing household_id reads as "", as in `batch`). Refuses row
    groups out of order."""
    pq = need("pyarrow.parquet", "batch", "the Dask batch")
    f = pq.ParquetFile(path)
    col = f.metadata.schema.names.index("household_id")
    out, top = [], None
    for g, first, n in _groups(f):
        st = f.metadata.row_group(g).column(col).statistics
        if st is not None and st.has_min_max and st.has_null_count and st.null_count == 0:
            least, most = st.min, st.max
        else:
            keys = _text_keys(f.read_row_group(g, columns=["household_id"]).column(0))
            least, most = min(keys), max(keys)
        if top is not None and least < top:
            raise InputError(f"{table}.household_id", f"the {table} table is not sorted by "
                                                      f"household_id (at {path.name}:row "
                                                      f"{first + 1})")
        out.append((g, first, n, least, most))
        top = most
    return tuple(out)


def _household_parts(path: Path, partition_size: int) -> list[tuple]:
    """(first row, end row, low, high) of every partition of the households table: `high`
    is the greatest household id up to the partition's end (None for the last); the
    partition takes the rows of the other tables whose key k has low < k ≤ high."""
    pq = need("pyarrow.parquet", "batch", "the Dask batch")
    pc = need("pyarrow.compute", "batch", "the Dask batch")
    f = pq.ParquetFile(path)
    cuts, start, row, top = [], 0, 0, None
    for g, _, _ in _groups(f):
        keys = f.read_row_group(g, columns=["household_id"]).column(0)
        i = 0
        while i < len(keys):
            take = min(partition_size - (row - start), len(keys) - i)
            most = pc.max(keys.slice(i, take)).as_py()
            if most and (top is None or most > top):
                top = most
            row, i = row + take, i + take
            if row - start == partition_size:
                cuts.append((start, row, top))
                start = row
    if row > start or not cuts:
        cuts.append((start, row, top))
    lows = [None] + [c[2] for c in cuts[:-1]]
    return [(a, b, low, high if k < len(cuts) - 1 else None)
            for k, ((a, b, high), low) in enumerate(zip(cuts, lows))]


def _read_households(part: tuple, path: str):
    """One partition of the households frame: its rows and their ``source``."""
    import pandas as pd
    pa = need("pyarrow", "batch", "the Dask batch")
    pq = need("pyarrow.parquet", "batch", "the Dask batch")
    f = pq.ParquetFile(path)
    t = _read(f, _groups(f), part[0], part[1])
    name = Path(path).name
    sources = [f"{name}:row {n}" for n in range(part[0] + 1, part[0] + t.num_rows + 1)]
    t = t.append_column("source", pa.array(sources, pa.string()))
    return t.to_pandas(types_mapper=pd.ArrowDtype)


def _select(groups: tuple, low, high) -> tuple:
    """The row groups that may hold household ids k with low < k ≤ high (None: open)."""
    return tuple(x for x in groups if (low is None or x[4] > low)
                 and (high is None or x[3] <= high))


def _rows(t) -> Iterator[dict]:
    """The rows of an Arrow table as dicts, made a batch at a time; a column empty over a
    batch is left out of its rows (row.get(c) is None either way), as `batch` reads them."""
    names = t.column_names
    for batch in t.to_batches(max_chunksize=tables.BATCH):
        keep = [i for i, col in enumerate(batch.columns)
                if col.null_count < len(col) or names[i] == "household_id"]
        keys = [names[i] for i in keep]
        for values in zip(*(batch.column(i).to_pylist() for i in keep)):
            yield dict(zip(keys, values))


def _child_rows(path: Path, table: str, sel: tuple, low, high) -> Iterator[tuple[str, dict]]:
    """(source, row) of the rows of a child table whose household_id k has low < k ≤ high,
    read from its row groups `sel` (:func:`_select`); a table out of order is refused
    (at once: the rows are then made as they are consumed)."""
    pq = need("pyarrow.parquet", "batch", "the Dask batch")
    pc = need("pyarrow.compute", "batch", "the Dask batch")
    if not sel:
        return iter(())
    first = sel[0][1]
    t = _read(pq.ParquetFile(path), sel, first, sel[-1][1] + sel[-1][2])
    # in Arrow (byte order of UTF-8 = the order of the text); a missing id reads as ""
    keys = pc.fill_null(t.column("household_id"), "").combine_chunks()
    if len(keys) > 1:
        down = pc.less(keys.slice(1), keys.slice(0, len(keys) - 1))
        if pc.any(down).as_py():
            i = pc.index(down, True).as_py() + 1
            raise InputError(f"{table}.household_id", f"the {table} table is not sorted by "
                                                      f"household_id (at {path.name}:row "
                                                      f"{first + i + 1})")
    a = 0 if low is None else pc.sum(pc.less_equal(keys, low)).as_py() or 0
    b = len(keys) if high is None else pc.sum(pc.less_equal(keys, high)).as_py() or 0
    where = (f"{path.name}:row {n}" for n in range(first + a + 1, first + b + 1))
    return zip(where, _rows(t.slice(a, b - a)))


def _merge(households: Iterable, children: dict, prev: str | None):
    """Items of one partition: its households with their rows of the other tables, and the
    rejects, in the order `batch` reads them (levyrules.population.sources._tables; `prev`
    is the greatest household id of the partitions before)."""
    for src, row in households:
        hid = row.get("household_id")
        hid = "" if hid is None else str(hid)
        if not hid:
            yield src, Reject.of("", src, "households.household_id", "is required")
            continue
        if prev is not None and hid <= prev:
            if hid == prev:
                yield src, Reject.of(hid, src, "households.household_id",
                                     "is used by another household")
                continue
            raise InputError("households.household_id", "the households table is not sorted "
                                                        f"by household_id (at {src})")
        prev = hid
        groups: dict[str, list] = {"households": [(src, row)]}
        for t, g in children.items():
            yield from sources._orphans(g, lambda k: k < hid)
            if g.key == hid:
                groups[t] = g.take()
        yield src, groups
    for g in children.values():
        yield from sources._orphans(g, lambda k: True)


def _evaluate_tables(df, directory: str, ranges: tuple, ref: str, overrides: tuple, sha: str,
                     rejects_dir: str, partition_info=None):
    """map_partitions over the table layout: a partition of the households table, joined
    with the rows of the other tables in its household_id range → its rows. `ranges` has
    per partition (low, high, {table: row groups to read})."""
    pa = need("pyarrow", "batch", "the Dask batch")
    number = (partition_info or {}).get("number", 0)
    low, high, groups = ranges[number]
    households = zip(df["source"], _rows(pa.Table.from_pandas(df.drop(columns="source"),
                                                              preserve_index=False)))
    try:
        children = {t: sources._Groups(_child_rows(Path(directory) / f"{t}.parquet", t,
                                                   g, low, high), t)
                    for t, g in groups.items()}
    except InputError as e:
        raise _RemoteInputError(e.field, e.message) from None
    return _assess(_merge(households, children, low), ref, overrides, sha, rejects_dir, number)


def tables_frame(directory: str | os.PathLike, partition_size: int = 50_000):
    """The households table of a folder of Parquet tables as a Dask DataFrame,
    `partition_size` households a partition, and what each partition needs to read its
    rows of the other tables: (frame, ranges) with per partition (low, high, {table: row
    groups to read}) as :func:`_evaluate_tables` takes them."""
    dd = need("dask.dataframe", "dask", "the Dask batch")
    directory = Path(directory)
    files = _table_files(directory)
    groups = {t: _row_groups(p, t) for t, p in files.items() if t != "households"}
    parts = _household_parts(files["households"], partition_size)
    path = str(files["households"])
    meta = _read_households((0, 0, None, None), path)
    ranges = tuple((low, high, {t: _select(g, low, high) for t, g in groups.items()})
                   for _, _, low, high in parts)
    return dd.from_map(_read_households, parts, path=path, meta=meta), ranges


def run(source: str | os.PathLike, tariff_ref: str, out: str | os.PathLike, *,
        partition_size: int = 50_000, overrides: tuple = ()) -> dict:
    """Assess a population (a JSON Lines file or a folder of Parquet tables) on the
    current Dask client (or the local scheduler); write ``OUT/results/part.N.parquet``,
    ``OUT/rejects/part.N.csv`` and ``OUT/meta.json``. Returns the sidecar."""
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
        if sources.kind(Path(source)) == "tables":
            delayed = need("dask", "dask", "the Dask batch").delayed
            frame, ranges = tables_frame(source, partition_size)
            # computed once and sent to each worker once, not embedded in every task
            fn, args = _evaluate_tables, (str(source), delayed(ranges, pure=True))
        else:
            frame, fn, args = households_frame(source, partition_size), _evaluate, ()
        results = frame.map_partitions(fn, *args, tariff_ref, tuple(overrides), tariff.sha256,
                                       str(tmp / "rejects"), meta=_result_meta(schema))
        results.to_parquet(str(tmp / "results"), write_index=False)
        assessed = sum(pq.ParquetFile(p).metadata.num_rows
                       for p in (tmp / "results").glob("*.parquet"))
        rejected = sum(sum(1 for _ in open(p, encoding="utf-8")) - 1
                       for p in (tmp / "rejects").glob("*.csv"))
        meta = {"tariff": {"id": tariff.id, "sha256": tariff.sha256, "status": tariff.status,
                           "overrides": [f"{k}={v}" for k, v in overrides]},
                "engine": f"levyrules {__version__}", "evaluator": EVALUATOR + " (Dask)",
                "input": Path(source).name, "format": "parquet (partitioned)",
                "partitions": frame.npartitions,
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
