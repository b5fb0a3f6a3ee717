"""Forms of the role desk, the member lookup and the access review (P7.6, P7.8, P10.2)."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from groupket.staff.roles import ROLES
from groupket.staff.services.access_log import REASON_CHOICES

_REFERENCE_LIMIT = 200


class GrantRoleForm(forms.Form):
    username = forms.CharField(
        label=_("Member's ID (username), exactly"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Type the exact ID of the member to grant the role to.")},
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(slug, role.label) for slug, role in ROLES.items()],
        error_messages={"required": _("Pick a role."), "invalid_choice": _("Pick one of the listed roles.")},
    )
    reason = forms.CharField(
        label=_("Why this member needs the role"),
        max_length=300,
        error_messages={"required": _("Say why the member needs this role.")},
    )


class RevokeRoleForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the role ends"),
        max_length=300,
        error_messages={"required": _("Say why the role is revoked.")},
    )


class ResetAuthenticatorForm(forms.Form):
    username = forms.CharField(
        label=_("Staff member's ID (username), exactly"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Type the exact ID of the staff member whose authenticator is lost.")},
    )
    reason = forms.CharField(
        label=_("Why, and how you confirmed who asked"),
        max_length=300,
        error_messages={"required": _("Say why the authenticator is reset.")},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        # Its own ids: the grant form on the same page has "username" and "reason" fields too.
        kwargs.setdefault("auto_id", "reset_%s")
        super().__init__(*args, **kwargs)


class MemberLookupForm(forms.Form):
    """One member by exact ID or email, with the reason and a note or request reference (P7.8)."""

    query = forms.CharField(
        label=_("The member's exact ID (username) or email address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Type the member's exact ID or email address.")},
    )
    reason = forms.ChoiceField(
        label=_("Reason for looking"),
        choices=[("", _("Pick a reason")), *REASON_CHOICES],
        error_messages={"required": _("Pick the reason for looking."), "invalid_choice": _("Pick a listed reason.")},
    )
    reference = forms.CharField(
        label=_("Request reference"),
        required=False,
        max_length=80,
        help_text=_("For example the number of the member's request or of the legal request."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=110)

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not (data.get("reference") or data.get("note")):
            raise forms.ValidationError(_("Give a request reference or a note, so the look can be reviewed later."))
        return data

    def log_reference(self) -> str:
        """What the access log keeps as the reference: the request reference and the note, together."""
        parts = [self.cleaned_data["reference"], self.cleaned_data["note"]]
        return " · ".join(part for part in parts if part)[:_REFERENCE_LIMIT]


class ReviewMonthForm(forms.Form):
    month = forms.RegexField(
        regex=r"^2\d{3}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("Give the month as YYYY-MM, for example 2025-03.")},
    )

    def first_day(self) -> date:
        year, month = self.cleaned_data["month"].split("-")
        return date(int(year), int(month), 1)
