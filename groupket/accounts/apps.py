from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "groupket.accounts"
    label = "accounts"
    verbose_name = "Members"
