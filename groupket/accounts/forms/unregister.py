from django import forms
from django.utils.translation import gettext_lazy as _


class UnregisterForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Type your password to confirm.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and my data will be destroyed and cannot be restored."),
        error_messages={"required": _("Tick the box to confirm that you want to unregister.")},
    )
