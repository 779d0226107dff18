"""Benchmarks for CWS Assistant (`python -m bench --help`); figures go in BENCHMARKS.md."""
