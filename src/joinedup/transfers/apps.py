from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "joinedup.transfers"
    label = "transfers"
    verbose_name = "Transfer of care hub"
