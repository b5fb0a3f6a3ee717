from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "groupket.spaces"
    label = "spaces"
    verbose_name = "Spaces"
