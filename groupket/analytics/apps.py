from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "groupket.analytics"
    label = "analytics"
    verbose_name = "Cookies and analytics"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from groupket.analytics.middleware import note_sign_in

        # A browser with no cookie choice of its own takes the member's from the ledger at sign-in (P9.2).
        user_logged_in.connect(note_sign_in, dispatch_uid="groupket.analytics.note_sign_in")
