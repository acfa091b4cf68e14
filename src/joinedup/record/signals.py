"""Signals the record sends, so apps that depend on it can react without it depending on them."""

from django.dispatch import Signal

# Sent after a lake has been loaded (summary=LoadSummary); e.g. the web app warms its caches.
lake_loaded = Signal()
