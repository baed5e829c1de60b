"""Benchmarks at mission scale and beyond (issue 7): `make bench` runs `python -m bench`; see docs/performance.md.

`bench/load.py` (the load test of issue 8) lives here too but is a script of its own, run by `make load`.
"""
