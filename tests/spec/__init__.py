"""Spec tests of METRICS.md: hand-written lakes, expected rows worked out by hand, both engines."""
