"""The form the privacy officer records a legal request with (P1.3, P5.2)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groupket.staff.services.legal import TEXT_LIMITS, LegalRequestDraft, releasable_items

MAX_MEMBERS = 500
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LegalRequestForm(forms.Form):
    agency = forms.CharField(label=_("Agency"), max_length=TEXT_LIMITS["agency"])
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=TEXT_LIMITS["legal_basis"],
        help_text=_("The act and the article, e.g. Criminal Procedure Act, art. 215."),
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=TEXT_LIMITS["reference"],
        help_text=_("The agency's document or case number. Members see it with the disclosure."),
    )
    received_on = forms.DateField(label=_("Received on"), widget=DATE_INPUT)
    usernames = forms.CharField(
        label=_("Members in scope"),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Their IDs (usernames) exactly as the request gives them, one per line."),
    )
    items = forms.MultipleChoiceField(
        label=_("Items in scope"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only what the request asks for: nothing else is released."),
    )
    period_start = forms.DateField(label=_("Period from"), required=False, widget=DATE_INPUT)
    period_end = forms.DateField(
        label=_("Period to"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("For records such as sign-in records: only those dated in the period are released."),
    )
    notice_forbidden = forms.BooleanField(label=_("The request forbids telling the member"), required=False)
    notice_forbidden_until = forms.DateField(
        label=_("Notice forbidden until"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("The member is told on this day."),
    )
    notice_forbidden_reason = forms.CharField(
        label=_("Why notice is forbidden"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, officer_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(item.key, item.label) for item in releasable_items(officer_id)]

    def clean_usernames(self) -> list[int]:
        lines = [(number, line.strip()) for number, line in enumerate(self.cleaned_data["usernames"].splitlines(), 1)]
        lines = [(number, line) for number, line in lines if line]
        if len(lines) > MAX_MEMBERS:
            raise forms.ValidationError(_("At most %(count)s members in one request.") % {"count": MAX_MEMBERS})
        members = get_user_model().objects
        refs, unknown = [], []
        for number, username in lines:
            ref = members.with_username(username).values_list("pk", flat=True).first()
            if ref is None:
                unknown.append(str(number))
            else:
                refs.append(ref)
        if unknown:
            # Line numbers, not the IDs: error text never repeats personal data.
            message = ngettext(
                "No member has the ID on line %(lines)s. Check it; nothing was recorded.",
                "No member has the IDs on lines %(lines)s. Check them; nothing was recorded.",
                len(unknown),
            )
            raise forms.ValidationError(message % {"lines": ", ".join(unknown)})
        return refs

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("notice_forbidden"):
            cleaned["notice_forbidden_until"], cleaned["notice_forbidden_reason"] = None, ""
        elif not cleaned.get("notice_forbidden_until") and "notice_forbidden_until" not in self.errors:
            self.add_error("notice_forbidden_until", _("Give the day until which notice is forbidden."))
        return cleaned

    def draft(self) -> LegalRequestDraft:
        data = self.cleaned_data
        return LegalRequestDraft(
            agency=data["agency"],
            legal_basis=data["legal_basis"],
            reference=data["reference"],
            member_refs=data["usernames"],
            items=data["items"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            received_on=data["received_on"],
            notice_forbidden_until=data["notice_forbidden_until"],
            notice_forbidden_reason=data["notice_forbidden_reason"],
        )
