"""Benchmarks: `make bench` (quick) and `make bench-full`; see bench/run.py."""
