"""The one error a metrics run raises for anything the user asked that cannot be done."""


class MetricsError(ValueError):
    """An unknown metric or engine, or periods that do not fit the lake; one clear line."""
