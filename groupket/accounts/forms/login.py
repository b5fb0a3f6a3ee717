from django import forms
from django.utils.translation import gettext_lazy as _

from groupket.accounts.forms.fields import NO_CORRECTION


class LoginForm(forms.Form):
    """ID and password; no check here says whether the ID exists (P7.1)."""

    username = forms.CharField(
        label=_("ID (username)"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", **NO_CORRECTION, "autofocus": True}),
        error_messages={"required": _("Enter your ID.")},
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )
    shared_computer = forms.BooleanField(
        required=False,
        label=_("This is a shared computer"),
        help_text=_("You are signed out when the browser closes, or after 30 minutes without activity."),
    )
