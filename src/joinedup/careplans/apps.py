from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "joinedup.careplans"
    label = "careplans"
    verbose_name = "Shared care plans"
