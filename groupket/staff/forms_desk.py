"""Forms of the contact page and of the privacy officer's request desk (P6.2, P11.1)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from groupket.accounts.forms.fields import MemberEmailField, NameField
from groupket.accounts.forms.profile import BIO_MAX_LENGTH, ProfileForm
from groupket.accounts.models import Member
from groupket.staff.models import REQUEST_KIND_LABELS
from groupket.staff.services.requests import CORRECTABLE_ITEMS, DELETABLE_ITEMS

ITEM_LABELS = {
    "name": _("Name"),
    "email": _("Email address"),
    "phone": _("Phone number"),
    "bio": _("Short bio"),
    "photo": _("Profile photo"),
    "account": _("The whole account (Unregister)"),
}
ACTION_LABELS = {
    "received": _("Received"),
    "attachments_refused": _("Attachments not kept"),
    "notes_saved": _("Notes saved"),
    "verification_sent": _("Verification link sent"),
    "requester_verified": _("Requester confirmed their address"),
    "answered": _("Answered"),
    "closed": _("Closed"),
    "corrected": _("Correction carried out"),
    "correction_unchanged": _("Correction asked, nothing differed"),
    "deleted_item": _("Item deleted"),
    "deletion_unchanged": _("Deletion asked, nothing was held"),
    "unregistered": _("Member unregistered"),
}
ANSWER_MAX_LENGTH = 10_000
NOTES_MAX_LENGTH = 10_000


class ContactForm(forms.Form):
    """A request or complaint to the privacy officer; a signed-in member's name and address are fixed."""

    kind = forms.ChoiceField(
        label=_("What is it about?"),
        choices=list(REQUEST_KIND_LABELS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what your request is about."), "invalid_choice": _("Choose one.")},
    )
    name = NameField()
    email = MemberEmailField(help_text=_("We answer at this address."))
    message = forms.CharField(
        label=_("Your message"),
        max_length=settings.GROUPKET_REQUEST_MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": settings.GROUPKET_REQUEST_MESSAGE_MAX_CHARS}),
        help_text=_("At most 5,000 characters. Say what you would like us to do."),
        error_messages={"required": _("Write your message.")},
    )

    def __init__(self, *args: object, member: Member | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if member is not None:
            # Disabled fields take the member's own values and ignore whatever is posted.
            for field, value in (("name", member.name), ("email", member.email)):
                self.fields[field].disabled = True
                self.fields[field].initial = value
                self.fields[field].help_text = _("From your account. Change it in Edit Profile.")

    def clean_message(self) -> str:
        return self.cleaned_data["message"].replace("\r\n", "\n").strip()


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Officer's notes"),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Seen only on this desk. Leave empty to delete them."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the requester"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Emailed to the requester, and the request is marked answered."),
        error_messages={"required": _("Write the answer first.")},
    )


class CorrectionForm(forms.Form):
    """One item of the member's account and its new value, checked by Edit Profile's own rules."""

    item = forms.ChoiceField(
        label=_("Item to correct"),
        choices=[(key, ITEM_LABELS[key]) for key in CORRECTABLE_ITEMS],
        error_messages={"required": _("Choose the item."), "invalid_choice": _("Choose one of the listed items.")},
    )
    value = forms.CharField(
        label=_("New value"),
        required=False,
        max_length=BIO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A new email address is used only once the member opens the confirmation link sent to it."),
    )

    def __init__(self, *args: object, member: Member | None, **kwargs: object) -> None:
        self.member = member
        # Its own ids: the deletion form on the same page has an "item" field too.
        kwargs.setdefault("auto_id", "correction_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        item, value = cleaned.get("item"), cleaned.get("value", "")
        if item is None or self.member is None:
            return cleaned
        member = self.member
        data = {"name": member.name, "email": member.email, "phone": member.phone or "", "bio": member.bio or ""}
        data[item] = value
        profile = ProfileForm(data, {}, member=member)
        if profile.is_valid():
            cleaned["value"] = profile.cleaned_data[item] or ""
        else:
            for error in profile.errors.get(item, []):
                self.add_error("value", error)
        return cleaned


class DeletionForm(forms.Form):
    item = forms.ChoiceField(
        label=_("What to delete"),
        choices=[(key, ITEM_LABELS[key]) for key in (*DELETABLE_ITEMS, "account")],
        error_messages={
            "required": _("Choose what to delete."),
            "invalid_choice": _("Choose one of the listed items."),
        },
    )
    confirm = forms.BooleanField(
        label=_("I have checked the request: carry out this deletion now. It cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the deletion.")},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "deletion_%s")
        super().__init__(*args, **kwargs)
