from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "joinedup.people"
    label = "people"
    verbose_name = "The shared person record"
