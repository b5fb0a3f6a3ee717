from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "groupket.privacy"
    label = "privacy"
    verbose_name = "Privacy engine"
