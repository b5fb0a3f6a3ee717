from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "groupket.accounts"
    label = "accounts"
    verbose_name = "Members"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks

        from groupket.accounts.checks import check_argon2_costs
        from groupket.accounts.services.sessions import note_last_login

        checks.register(check_argon2_costs, checks.Tags.security)
        # Django's receiver saves the member to write last_login, compiling the UPDATE at every sign-in; ours
        # writes the same column with a statement made once (core.rows). The reset links' tokens read it.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(note_last_login, dispatch_uid="groupket.accounts.note_last_login")
