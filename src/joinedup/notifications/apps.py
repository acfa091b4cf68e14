from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "joinedup.notifications"
    label = "notifications"
    verbose_name = "Notifications"
