from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "joinedup.tasks"
    label = "tasks"
    verbose_name = "Tasks"
