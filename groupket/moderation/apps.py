from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "groupket.moderation"
    label = "moderation"
    verbose_name = "Moderation"
