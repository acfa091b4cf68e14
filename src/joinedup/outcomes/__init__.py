"""The partnership's outcome dashboards: stored metric results, charts, league tables and the
Audit Commission calculation, for commissioners and team managers (aggregates only)."""
