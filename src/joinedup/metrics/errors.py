"""The one error a metrics run raises for anything the user asked that cannot be done."""

from joinedup.errors import UserError


class MetricsError(UserError):
    """An unknown metric or engine, or periods that do not fit the lake; one clear line."""
