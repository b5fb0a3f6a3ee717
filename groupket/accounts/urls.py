from django.urls import path

from groupket.accounts.views import login, me, password, profile, sessions, signup, unregister

app_name = "accounts"

urlpatterns = [
    path("accounts/signup/", signup.signup, name="signup"),
    path("accounts/signup/declined/", signup.declined, name="signup_declined"),
    path("accounts/signup/done/", signup.done, name="signup_done"),
    path("accounts/verify/<str:token>/", signup.verify_email, name="verify_email"),
    path("accounts/verify-resend/", signup.resend_verification, name="resend_verification"),
    path("accounts/login/", login.login_view, name="login"),
    path("accounts/logout/", login.logout_view, name="logout"),
    path("accounts/password-reset/", password.reset_request, name="password_reset"),
    path("accounts/password-reset/<str:token>/", password.reset_confirm, name="password_reset_confirm"),
    path("me/", me.my_information, name="me"),
    path("me/edit/", profile.edit, name="edit"),
    path("me/photo/", profile.photo, name="photo"),
    path("me/email/cancel/", profile.cancel_email_change, name="email_change_cancel"),
    path("me/password/", password.change, name="password_change"),
    path("me/password/remind-later/", password.snooze_reminder, name="password_snooze"),
    path("me/sessions/", sessions.sessions, name="sessions"),
    path("me/unregister/", unregister.unregister, name="unregister"),
    path("me/unregister/done/", unregister.done, name="unregister_done"),
]
