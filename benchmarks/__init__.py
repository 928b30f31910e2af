"""Benchmarks: speed and memory targets, measured by ``make bench`` (never by timed unit tests)."""
