"""Forms of the staff safeguards: the authenticator code and the backup codes (P7.7)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AuthenticatorCodeForm(forms.Form):
    """The 6-digit code an authenticator app shows now, to confirm it is set up."""

    code = forms.CharField(
        label=_("6-digit code from the app"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none", "autofocus": True}
        ),
        error_messages={"required": _("Type the 6-digit code your authenticator app shows now.")},
    )


class VerificationForm(forms.Form):
    """A current authenticator code, or one of the backup codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}
        ),
        error_messages={"required": _("Type the code from your authenticator app, or a backup code.")},
    )
