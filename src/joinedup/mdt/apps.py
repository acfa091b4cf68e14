from django.apps import AppConfig


class MdtConfig(AppConfig):
    name = "joinedup.mdt"
    label = "mdt"
    verbose_name = "MDT meetings"
