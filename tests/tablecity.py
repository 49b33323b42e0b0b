"""A synthetic city as Parquet tables in small row groups (parts for `batch`'s workers),
for the tests of `levyrules batch` on tables."""

from __future__ import annotations

from levyrules.population import synth


def regroup(src, folder, group: int, edit=None):
    """The Parquet tables of `src` rewritten to `folder` in row groups of `group` rows;
    `edit`: a function changing the households table first."""
    import pyarrow.parquet as pq
    folder.mkdir()
    for f in src.iterdir():
        t = pq.read_table(f)
        if edit is not None and f.stem == "households":
            t = edit(t)
        pq.write_table(t, folder / f.name, row_group_size=group)
    return folder


def parquet_city(base, households: int, seed: int, group: int):
    """A synthetic city (fiscal year 2025) as Parquet tables in `base`/pq."""
    synth.write(base / "raw", households, 2025, seed, "parquet")
    return regroup(base / "raw", base / "pq", group)


def both_formats(base, households: int, seed: int):
    """`base` with a synthetic city (fiscal year 2025) as Parquet tables in `base/pq` and
    as CSV tables in `base/csv`: the same households in both."""
    synth.write(base / "pq", households, 2025, seed, "parquet")
    synth.write(base / "csv", households, 2025, seed, "csv")
    return base
