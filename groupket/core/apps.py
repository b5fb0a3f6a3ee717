from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "groupket.core"
    label = "core"
    verbose_name = "Groupket core"
