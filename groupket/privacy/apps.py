from django.apps import AppConfig
from django.core import checks


class PrivacyConfig(AppConfig):
    name = "groupket.privacy"
    label = "privacy"
    verbose_name = "Privacy engine"

    def ready(self) -> None:
        from groupket.privacy.checks import check_privacy_inventory

        # Tagged "models" so it runs wherever model checks run: check, migrate, runserver (P1.4, P2.3).
        checks.register(check_privacy_inventory, checks.Tags.models, "privacy")
