"""Benchmark pages registered by dashboard modules.

Each module here imports `analytics.bench` and the dashboard it measures and
calls `bench.register(BenchPage(...))`; `bench.registered_pages()` imports
every module in this package, so dashboards never import the benchmark.
"""
