from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "joinedup.transfers"
    label = "transfers"
    verbose_name = "Transfer of care hub"

    def ready(self) -> None:
        """The `spell` path converter, before any URLconf that uses it is imported."""
        from django.urls import register_converter

        from joinedup.transfers.spell_urls import SpellIdConverter

        register_converter(SpellIdConverter, "spell")
