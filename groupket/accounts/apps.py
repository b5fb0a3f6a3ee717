from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "groupket.accounts"
    label = "accounts"
    verbose_name = "Members"

    def ready(self) -> None:
        from django.core import checks

        from groupket.accounts.checks import check_argon2_costs

        checks.register(check_argon2_costs, checks.Tags.security)
