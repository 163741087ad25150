"""Benchmark pages registered by dashboard modules.

Each module here imports the benchmark's registry and the dashboard it measures
and calls `register(BenchPage(...), ...)`, one `BenchPage` a page, its fields in
order; `registry.registered_pages()` imports
every module in this package (`core` first), so dashboards never import the
benchmark.
"""
