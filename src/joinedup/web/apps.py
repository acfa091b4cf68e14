from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "joinedup.web"
    label = "web"
    verbose_name = "Web pages"

    def ready(self) -> None:
        from joinedup.record.signals import lake_loaded
        from joinedup.web.overview import warm_overview

        lake_loaded.connect(warm_overview, dispatch_uid="joinedup.web.warm_overview")
