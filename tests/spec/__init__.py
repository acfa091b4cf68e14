"""Spec tests of docs/metrics.md: hand-made lakes, expected rows worked out by hand, each engine."""
