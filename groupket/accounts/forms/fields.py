"""Form fields shared by the accounts forms."""

import re
from collections.abc import Sequence

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from groupket.accounts import photos

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._-]{3,30}$")
# What a phone's keyboard and password manager need: no capital first letter, no spelling fixes, the right keys.
NO_CORRECTION = {"autocapitalize": "none", "autocorrect": "off", "spellcheck": "false"}


class UsernameField(forms.CharField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            max_length=30,
            label=_("ID (username)"),
            help_text=_("3 to 30 letters, digits, dots, hyphens or underscores."),
            error_messages={"required": _("Choose an ID.")},
            widget=forms.TextInput(attrs={"autocomplete": "username", **NO_CORRECTION}),
            **kwargs,
        )

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and not USERNAME_PATTERN.match(value):
            raise forms.ValidationError(
                _("Use 3 to 30 letters (A-Z), digits, dots, hyphens or underscores."), code="username_invalid"
            )


class NameField(forms.CharField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            max_length=100,
            label=_("Name"),
            error_messages={"required": _("Enter your name.")},
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
            **kwargs,
        )


class MemberEmailField(forms.EmailField):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", _("Email address"))
        super().__init__(
            max_length=254,
            error_messages={"required": _("Enter your email address."), "invalid": _("Enter a valid email address.")},
            widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email", **NO_CORRECTION}),
            **kwargs,
        )


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one file input (a dispute's, a post's); the form checks each with photos.check_upload."""

    widget = MultiplePhotoInput

    def clean(self, data: object, initial: object = None) -> list:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultiplePhotoField, self).clean(upload, initial) for upload in files]


def checked_photos(uploads: Sequence[UploadedFile], *, most: int, too_many: Promise | str) -> list[photos.ProfilePhoto]:
    """A MultiplePhotoField's files, each checked as a profile photo is: more than `most` refused before any is
    decoded or scanned, and the first file refused refuses them all, with its reason (ValidationError)."""
    if len(uploads) > most:
        raise forms.ValidationError(too_many, code="too_many")
    try:
        return [photos.check_upload(upload) for upload in uploads]
    except photos.PhotoRejected as rejected:
        raise forms.ValidationError(rejected.message, code=rejected.code) from None
