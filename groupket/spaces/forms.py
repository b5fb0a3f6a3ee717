"""The forms of spaces, posts and comments: every limit a clear, translated error (never a 500)."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from groupket.accounts import photos
from groupket.accounts.forms.fields import MultiplePhotoField, MultiplePhotoInput, checked_photos
from groupket.spaces.models import Post, Space
from groupket.spaces.permissions import MAX_POST_IMAGES
from groupket.spaces.screening import ScreeningRefused
from groupket.spaces.services.spaces import SpaceDetails

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
RULES_MAX = 20
RULE_MAX_LENGTH = 300
# "1. Be kind" and "2) No ads" are numbered by the page already.
RULE_NUMBER = re.compile(r"^\s*\d{1,2}\s*[.)]\s*")
TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 20_000
COMMENT_MAX_LENGTH = 5_000
SLOW_MODE_CHOICES = [
    (0, _("Off")),
    (1, _("1 minute")),
    (5, _("5 minutes")),
    (10, _("10 minutes")),
    (30, _("30 minutes")),
    (60, _("1 hour")),
    (1440, _("1 day")),
]


class TextField(forms.CharField):
    """Text as people see it: CRLF from browsers counted as one line break."""

    def to_python(self, value: object) -> str:
        return super().to_python(value).replace("\r\n", "\n")


class RulesField(TextField):
    widget = forms.Textarea(attrs={"rows": 5})

    def clean(self, value: object) -> tuple[str, ...]:
        text = super().clean(value)
        rules = tuple(RULE_NUMBER.sub("", line).strip() for line in text.split("\n"))
        rules = tuple(rule for rule in rules if rule)
        if len(rules) > RULES_MAX:
            raise forms.ValidationError(_("A space can have at most 20 rules."), code="too_many_rules")
        if any(len(rule) > RULE_MAX_LENGTH for rule in rules):
            raise forms.ValidationError(_("Each rule can be at most 300 characters."), code="rule_too_long")
        return rules


class SpaceSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = TextField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    rules = RulesField(
        label=_("Rules"),
        required=False,
        help_text=_("One rule a line, at most 20. They are numbered in this order."),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"), choices=Space.VISIBILITY_CHOICES, widget=forms.RadioSelect
    )
    joining = forms.ChoiceField(label=_("How to join"), choices=Space.JOINING_CHOICES, widget=forms.RadioSelect)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("visibility") == Space.HIDDEN and data.get("joining") not in (None, Space.INVITATION):
            self.add_error("joining", _("A hidden space can be joined by invitation only."))
        return data

    def details(self) -> SpaceDetails:
        data = self.cleaned_data
        return SpaceDetails(
            name=data["name"],
            description=data["description"],
            rules=data["rules"],
            visibility=data["visibility"],
            joining=data["joining"],
        )

    @classmethod
    def initial_of(cls, space: Space) -> dict:
        return {
            "name": space.name,
            "description": space.description,
            "rules": "\n".join(space.rules),
            "visibility": space.visibility,
            "joining": space.joining,
        }


class SpaceForm(SpaceSettingsForm):
    slug = forms.CharField(
        label=_("Address"),
        max_length=40,
        help_text=_("3 to 40 small letters (a-z), digits or hyphens: the space will be at /s/address/."),
    )
    field_order = ["name", "slug", "description", "rules", "visibility", "joining"]

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        if not SLUG_PATTERN.match(slug) or "--" in slug:
            raise forms.ValidationError(
                _("Use 3 to 40 small letters (a-z), digits or hyphens, starting and ending with a letter or digit."),
                code="slug_invalid",
            )
        if Space.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Another space has this address. Choose another."), code="slug_taken")
        return slug


class SlowModeForm(forms.Form):
    minutes = forms.TypedChoiceField(label=_("Slow mode"), choices=SLOW_MODE_CHOICES, coerce=int)


class ScreenedForm(forms.Form):
    """A form whose text is screened before it is stored: screening's refusal is shown as the form's error.

    `confirm` appears only after screening warned about what looks like personal information: ticking it
    posts anyway, and the writing is held for review (P10.1).
    """

    confirm = forms.BooleanField(
        label=_("Post it anyway: it is not anyone's personal information, or they agreed. It will be held for review."),
        required=False,
    )
    asks_confirmation = False

    def refuse(self, refused: "ScreeningRefused") -> None:
        self.add_error(None, refused.message)
        self.asks_confirmation = refused.confirmable

    def confirmed(self) -> bool:
        return bool(self.cleaned_data.get("confirm"))


class PostPhotosUploadHandler(photos.PhotosUploadHandler):
    """A post form's photos, held in memory only and at most MAX_POST_IMAGES of them (P7.2)."""

    field_name_accepted = "images"
    most = MAX_POST_IMAGES


class PostForm(ScreenedForm):
    """A new post, or (with `post`) an edit of one: its text, photos to add and, when editing, photos to remove.

    Every photo is checked as a profile photo is (accounts.photos.check_upload) before the form is valid, so a
    refused one leaves the post as it was and the text typed stays in the form.
    """

    title = forms.CharField(label=_("Title"), required=False, max_length=TITLE_MAX_LENGTH)
    body = TextField(
        label=_("Post"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown works: *italic*, **bold**, [a link](https://example.org), @ID to mention a member."),
    )
    images = MultiplePhotoField(
        label=_("Photos (up to 4)"),
        required=False,
        widget=MultiplePhotoInput(attrs={"accept": photos.ACCEPT}),
        help_text=_(
            "JPEG, PNG or WebP, at most 5 MB each, shown under the post in the order chosen (to place one inside "
            "the text, edit the post once it is published). We store smaller copies without location or camera data."
        ),
    )
    remove_images = forms.TypedMultipleChoiceField(
        label=_("Remove these photos"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, post: Post | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.attached = list(post.image_ids) if post is not None else []
        self.fields["remove_images"].choices = [(pk, pk) for pk in self.attached]

    def title_or_none(self) -> str | None:
        return self.cleaned_data["title"] or None

    def _uploads(self) -> list:
        return self.files.getlist("images") if hasattr(self.files, "getlist") else []

    def clean_images(self) -> list[photos.ProfilePhoto]:
        return checked_photos(self._uploads(), most=MAX_POST_IMAGES, too_many=TOO_MANY_PHOTOS)

    def clean(self) -> dict:
        cleaned = super().clean()
        kept = [pk for pk in self.attached if pk not in set(cleaned.get("remove_images") or [])]
        if len(kept) + len(cleaned.get("images") or []) > MAX_POST_IMAGES:
            self.add_error("images", forms.ValidationError(TOO_MANY_PHOTOS, code="too_many"))
        return cleaned

    def removing(self) -> set[int]:
        """The photos ticked for removal, as sent (for showing the form again)."""
        sent = self.data.getlist("remove_images") if hasattr(self.data, "getlist") else []
        return {int(pk) for pk in sent if pk.isdigit()}

    def photos_not_kept(self) -> bool:
        """Photos were sent with a form that is shown again: the browser has forgotten them, so say so."""
        return self.is_bound and bool(self._uploads()) and bool(self.errors)

    def error_status(self) -> int:
        """The scanner being down is our fault, not the file's: 503 (fail closed), otherwise 400."""
        return 503 if self.has_error("images", code="scanner_unavailable") else 400


TOO_MANY_PHOTOS = _("A post can have at most 4 photos. Choose fewer, or remove some first.")


class CommentForm(ScreenedForm):
    body = TextField(label=_("Comment"), max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search spaces"), required=False, max_length=100)


class InviteForm(forms.Form):
    username = forms.CharField(label=_("Member's ID"), max_length=30)

    def clean_username(self) -> AbstractBaseUser:
        invitee = get_user_model().objects.with_username(self.cleaned_data["username"]).first()
        if invitee is None:
            raise forms.ValidationError(_("No member has this ID."), code="no_member")
        return invitee


class MemberChoiceForm(forms.Form):
    """Which member an organiser acts on, by the number the members page gives them."""

    member = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)


class EmailSwitchesForm(forms.Form):
    """One box per kind of notification mail; an unticked box stops that kind's mail."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        from groupket.spaces.notifications.kinds import EMAIL_SWITCHES, SWITCH_LABELS

        super().__init__(*args, **kwargs)
        for switch in EMAIL_SWITCHES:
            self.fields[switch] = forms.BooleanField(label=SWITCH_LABELS[switch], required=False)

    def switched_on(self) -> set[str]:
        return {name for name, on in self.cleaned_data.items() if on}


class MarkReadForm(forms.Form):
    """Which notification to mark read: one by its number, or all of them."""

    notification = forms.IntegerField(required=False, min_value=1, max_value=2**62)
    all = forms.BooleanField(required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("all") and not cleaned.get("notification"):
            raise forms.ValidationError(_("Choose a notification to mark as read."), code="none_chosen")
        return cleaned
