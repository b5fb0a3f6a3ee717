from django import forms
from django.utils.translation import gettext_lazy as _

from groupket.accounts.forms.fields import MemberEmailField
from groupket.accounts.models import Member
from groupket.accounts.passwords import password_errors
from groupket.core.throttling import TooManyAttempts, paused_message

PAUSED = "too_many_attempts"


class NewPasswordForm(forms.Form):
    """A new password typed twice, checked against every rule with the member as the user (P7.9)."""

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a new password.")},
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type the new password again.")},
    )

    def __init__(self, member: Member, *args: object, **kwargs: object) -> None:
        self.member = member
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        password1, password2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if password1 and password2 and password1 != password2:
            self.add_error("new_password2", _("The two passwords differ."))
        elif password1:
            for error in password_errors(password1, self.member):
                self.add_error("new_password1", error)
        return cleaned


class PasswordChangeForm(NewPasswordForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Type your current password.")},
    )
    field_order = ["old_password", "new_password1", "new_password2"]

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        try:
            right = self.member.check_current_password(old_password)
        except TooManyAttempts as refused:
            raise forms.ValidationError(paused_message(refused), code=PAUSED) from None
        if not right:
            raise forms.ValidationError(_("That is not your current password."), code="password_incorrect")
        return old_password

    def paused(self) -> bool:
        """Whether the current password went unchecked because the member's ID is paused (answer 429)."""
        return self.has_error("old_password", PAUSED)

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("old_password") and cleaned.get("old_password") == cleaned.get("new_password1"):
            self.add_error("new_password1", _("Choose a password different from the current one."))
        return cleaned


class PasswordResetRequestForm(forms.Form):
    email = MemberEmailField()
