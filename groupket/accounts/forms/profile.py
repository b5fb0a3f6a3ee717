"""[Edit Profile]: name, email, and the optional phone, bio and photo (P1.2, P2.3, P6.1, P7.2)."""

import phonenumbers
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from groupket.accounts import photos
from groupket.accounts.forms.fields import MemberEmailField, NameField
from groupket.accounts.models import Member
from groupket.accounts.normalise import normalise_email_key
from groupket.accounts.services.profile import ProfileChanges

# Korean numbers first: a number typed without a country code is read as Korean.
PHONE_REGION = "KR"
BIO_MAX_LENGTH = 500
SENSITIVE_NOTICE = _(
    "Please do not write sensitive information here, such as health, beliefs or ideology, political views, "
    "criminal records, race or ethnicity, place of origin, or sex life."
)


class BioField(forms.CharField):
    def to_python(self, value: object) -> str:
        # Browsers send line breaks as CRLF; counted as one character each, as the member sees them.
        return super().to_python(value).replace("\r\n", "\n")


class ProfileForm(forms.Form):
    name = NameField()
    email = MemberEmailField(
        help_text=_(
            "If you change it, we send a link to the new address. Your current address stays in use "
            "until you open that link."
        ),
    )
    phone = forms.CharField(
        required=False,
        max_length=32,
        label=_("Phone number"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        help_text=_(
            "For example 010-1234-5678; numbers outside Korea start with + and the country code. "
            "Leave empty to delete it."
        ),
    )
    bio = BioField(
        required=False,
        max_length=BIO_MAX_LENGTH,
        label=_("Short bio"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": BIO_MAX_LENGTH, "aria-describedby": "sensitive-notice"}),
        help_text=_("At most 500 characters. Leave empty to delete it."),
    )
    photo = forms.FileField(
        required=False,
        label=_("Profile photo"),
        widget=forms.FileInput(attrs={"accept": photos.ACCEPT}),
        help_text=_("JPEG, PNG or WebP, at most 5 MB. We store a smaller copy without location or camera data."),
    )
    remove_photo = forms.BooleanField(required=False, label=_("Delete my profile photo"))

    def __init__(self, *args: object, member: Member, **kwargs: object) -> None:
        self.member = member
        kwargs.setdefault(
            "initial", {"name": member.name, "email": member.email, "phone": member.phone, "bio": member.bio}
        )
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if normalise_email_key(email) == normalise_email_key(self.member.email):
            return email
        if Member.objects.with_email(email).exclude(pk=self.member.pk).exists():
            raise forms.ValidationError(
                _("Another account uses this email address. Choose another."), code="email_taken"
            )
        return email

    def clean_phone(self) -> str | None:
        typed = self.cleaned_data["phone"]
        if not typed:
            return None
        try:
            number = phonenumbers.parse(typed, PHONE_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(
                _("Enter a valid phone number, for example 010-1234-5678 or +82 10-1234-5678."), code="phone_invalid"
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean_bio(self) -> str | None:
        return self.cleaned_data["bio"] or None

    def clean_photo(self) -> photos.ProfilePhoto | None:
        upload = self.cleaned_data["photo"]
        if not upload:
            return None
        try:
            if upload.size > settings.GROUPKET_PHOTO_MAX_BYTES:
                raise photos.PhotoRejected("too_big")
            return photos.make_profile_photo(upload.read())
        except photos.PhotoRejected as rejected:
            raise forms.ValidationError(rejected.message, code=rejected.code) from None

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("photo") and cleaned.get("remove_photo"):
            self.add_error("remove_photo", _("Choose a new photo or delete the photo, not both."))
        return cleaned

    def scanner_unavailable(self) -> bool:
        return self.has_error("photo", code="scanner_unavailable")

    def to_changes(self) -> ProfileChanges:
        data = self.cleaned_data
        return ProfileChanges(
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            bio=data["bio"],
            photo=data["photo"],
            remove_photo=data["remove_photo"],
        )
