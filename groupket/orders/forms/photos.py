"""The item photos of a group order's forms: up to 4, each checked as a profile photo is (item_photos.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from groupket.accounts import photos
from groupket.accounts.forms.fields import MultiplePhotoField, MultiplePhotoInput
from groupket.orders.item_photos import FIELD, ItemPhoto, TooManyPhotos, check_item_photos

PHOTOS_HELP = _(
    "Up to 4 photos of the item (JPEG, PNG or WebP, 5 MB each), without people in them. Every member of the space "
    "sees them; camera and location details are removed."
)


def item_photos_field(label: object) -> MultiplePhotoField:
    return MultiplePhotoField(
        label=label,
        required=False,
        help_text=PHOTOS_HELP,
        widget=MultiplePhotoInput(attrs={"accept": photos.ACCEPT}),
    )


class ItemPhotosMixin:
    """clean_photos for a form with the `photos` field: every file checked, or one clear error and none kept."""

    def clean_photos(self) -> list[ItemPhoto]:
        uploads = self.files.getlist(FIELD) if hasattr(self.files, "getlist") else []
        try:
            return check_item_photos(uploads)
        except TooManyPhotos:
            raise forms.ValidationError(_("Add at most 4 photos."), code="too_many") from None
        except photos.PhotoRejected as rejected:
            raise forms.ValidationError(rejected.message, code=rejected.code) from None

    def scanner_unavailable(self) -> bool:
        return self.has_error(FIELD, code="scanner_unavailable")


class OrderPhotosForm(ItemPhotosMixin, forms.Form):
    """New photos in place of the item's photos, or none."""

    photos = item_photos_field(_("New photos of the item"))
    remove = forms.BooleanField(label=_("Remove the photos and add none"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if "photos" in data and not data["photos"] and not data.get("remove"):
            self.add_error("photos", _("Choose up to 4 photos, or tick the box to remove the photos."))
        if data.get("photos") and data.get("remove"):
            self.add_error("remove", _("Either choose new photos or remove them, not both."))
        return data
