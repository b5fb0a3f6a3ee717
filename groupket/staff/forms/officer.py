"""Forms of the officer's pages (news, policy versions) and of the records custodian's reads (P3.1, P4.1, P8.3)."""

import hashlib
import json

from django import forms
from django.utils.translation import gettext_lazy as _

from groupket.privacy.models import MassNotice, PolicyDocument
from groupket.privacy.services.documents import start_of_day
from groupket.staff.services.retained import PURPOSES

SUBJECT_LIMIT = MassNotice._meta.get_field("subject_en").max_length
DOCUMENT_LABELS = {PolicyDocument.TERMS: _("Terms of Use"), PolicyDocument.PRIVACY: _("Privacy Policy")}


class OneLineField(forms.CharField):
    """A mail subject: a line break in it would be a header injection."""

    def validate(self, value: str) -> None:
        super().validate(value)
        if "\n" in value or "\r" in value:
            raise forms.ValidationError(_("A subject is one line."))


class NewsForm(forms.Form):
    subject_en = OneLineField(label=_("Subject in English"), max_length=SUBJECT_LIMIT)
    subject_ko = OneLineField(label=_("Subject in Korean"), max_length=SUBJECT_LIMIT)
    body_en = forms.CharField(label=_("Message in English"), widget=forms.Textarea(attrs={"rows": 8}))
    body_ko = forms.CharField(label=_("Message in Korean"), widget=forms.Textarea(attrs={"rows": 8}))


class PolicyForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Document"),
        choices=list(DOCUMENT_LABELS.items()),
    )
    effective_on = forms.DateField(
        label=_("Takes effect on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    material = forms.BooleanField(
        label=_("Material change"),
        required=False,
        help_text=_("Every member is emailed now and asked to agree again from that day (7 days' notice)."),
    )
    disadvantageous = forms.BooleanField(
        label=_("Disadvantageous to members"),
        required=False,
        help_text=_("A material change against members' interest: 30 days' notice."),
    )
    summary_en = forms.CharField(
        label=_("What changes, in English"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary_ko = forms.CharField(
        label=_("What changes, in Korean"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body_en = forms.CharField(label=_("Full text in English"), widget=forms.Textarea(attrs={"rows": 16}))
    body_ko = forms.CharField(label=_("Full text in Korean"), widget=forms.Textarea(attrs={"rows": 16}))
    preview_digest = forms.CharField(required=False, widget=forms.HiddenInput)

    def digest(self) -> str:
        """A fingerprint of what was previewed: publishing needs the same text the officer saw the changes of."""
        data = {name: str(value) for name, value in self.cleaned_data.items() if name != "preview_digest"}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def publication(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "body_en": data["body_en"],
            "body_ko": data["body_ko"],
            "effective_at": start_of_day(data["effective_on"]),
            "material": data["material"] or data["disadvantageous"],
            "disadvantageous": data["disadvantageous"],
            "summary_en": data["summary_en"],
            "summary_ko": data["summary_ko"],
        }


class RetainedReadForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Why you need to read it"),
        choices=list(PURPOSES.items()),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose why you need to read this record; nothing was opened."),
            "invalid_choice": _("Choose why you need to read this record; nothing was opened."),
        },
    )
