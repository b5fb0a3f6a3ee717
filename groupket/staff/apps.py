from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "groupket.staff"
    label = "staff"
    verbose_name = "Staff console"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from groupket.staff.middleware import remember_sign_in

        # Learned at sign-in, so ordinary members' later requests pay nothing for the staff session limits (P7.7).
        user_logged_in.connect(remember_sign_in, dispatch_uid="groupket.staff.remember_sign_in")
