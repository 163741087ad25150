"""Benchmark the dashboards' query sets: Beatbook's store vs a DuckDB floor vs pandas.

    python -m analytics.bench --rows 1000000 --json bench.json [--store PATH|URI] [--repeat 15]

For each registered dashboard page (the modules of `analytics.bench.pages`) and each
period (`--periods`, default the pages' first view `last_28`, then all time):

- median_ms: the page's analytics function as the page calls it, query cache
  off, after one warm-up run. It includes reading the tables' snapshots.
- cold_ms: the same, once, through a freshly opened store (as a new app server's
  first page): the Delta logs read anew and, on object storage, every file the
  page reads downloaded into an empty file cache.
- duckdb_ms: the floor: the same figures by hand-written DuckDB SQL over one
  compacted Parquet file of current rows per table (written with COPY from the
  current view, same row order), in `analytics.bench.floors`, which may not
  import the pages' code: the fastest straightforward SQL measured, so it shows
  what the pages' own SQL and the store around it cost.
- pandas_ms: the same figures with pandas over DataFrames loaded before timing.
  The three are timed in turn within one loop (store, floor, pandas, store, ...),
  so a change in the machine's load hits them alike.
- load_1m: the machine's 1-minute load average when the page's store and
  floor timings were taken (on a shared machine, read the figures with it).

The three results are compared (headline figures, breakdowns, latest rows)
and the run fails if they differ. Also timed: `store.save` of a valid event
(a fresh submission id each time, on a copy of the events table in a local
scratch folder), and the process's peak RSS. The demo data is generated in a
child process so its memory does not count.

`--store` takes a folder or an object-store URI (`az://`, `abfss://`, `s3://`), with the
storage options from BEATBOOK_STORAGE_OPTIONS as the app takes them: the page figures are
then those of the store's files read through its local file cache (the first run of a
page downloads them; later ones read the local copies).

A page is one `BenchPage` (`registry`): how the store-backed function runs, the
hand-written floor, the pandas version, how to reduce a result to comparable
figures, and the tables (with the columns pandas loads) it reads. Dashboard
modules do not import the benchmark; a module in `analytics/bench/pages/`
imports both and calls `register(BenchPage(...), ...)`, and `registered_pages()`
imports every such module. `floors` holds the floors, `floor` writes their files,
`in_memory` the pandas helpers the pages share, `timing` and `saves` the timings,
`runner` the run.
"""
