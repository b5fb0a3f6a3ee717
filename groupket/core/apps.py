from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "groupket.core"
    label = "core"
    verbose_name = "Groupket core"

    def ready(self) -> None:
        from django.core import checks

        from groupket.core.checks import check_network_lists, check_proxy_is_named

        checks.register(check_network_lists, checks.Tags.security)
        checks.register(check_proxy_is_named, checks.Tags.security, deploy=True)
