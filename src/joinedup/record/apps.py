from django.apps import AppConfig


class RecordConfig(AppConfig):
    """The base app: every other app depends on it, it depends on none of them."""

    name = "joinedup.record"
    label = "record"
    verbose_name = "Integrated record"
