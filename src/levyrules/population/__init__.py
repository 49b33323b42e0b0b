"""Whole populations: `levyrules batch`, the assessment file, statistics, a synthetic city.

- :mod:`.layout`, :mod:`.tables`, :mod:`.sources`, :mod:`.convert` — population input
  (JSON Lines or the columnar tables, CSV or Parquet) and the converter;
- :mod:`.evaluate` — the chunk evaluator, the one place results are computed;
- :mod:`.rows` — the assessment-file row (いわき市's record fields);
- :mod:`.runner`, :mod:`.sink`, :mod:`.rejects` — the batch run, its outputs and rejects;
- :mod:`.stats`, :mod:`.report` — the statistics and the summary page;
- :mod:`.synth`, :mod:`.archetypes` — the synthetic city;
- :mod:`levyrules.dask` — the same batch over a Dask cluster.

Nothing here is imported by ``import levyrules``; pyarrow, matplotlib and dask are
imported only by the features that need them.
"""
