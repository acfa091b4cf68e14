from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "joinedup.teams"
    label = "teams"
    verbose_name = "Team workspaces"
