from django.apps import AppConfig


class CasefindingConfig(AppConfig):
    name = "joinedup.casefinding"
    label = "casefinding"
    verbose_name = "Case finding"
