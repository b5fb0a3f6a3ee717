"""Forms of disputes: the buyer's text and photos, and an answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from groupket.accounts import photos
from groupket.accounts.forms.fields import MultiplePhotoField, MultiplePhotoInput, checked_photos
from groupket.orders.dispute_uploads import MAX_IMAGES

TEXT_MAX = 4000


class DisputeForm(forms.Form):
    text = forms.CharField(label=_("What went wrong"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    images = MultiplePhotoField(
        label=_("Photos (up to 3)"),
        required=False,
        widget=MultiplePhotoInput(attrs={"accept": photos.ACCEPT}),
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if "\x00" in text or not text:
            raise forms.ValidationError(_("Write what went wrong."), code="text")
        return text

    def clean_images(self) -> list[photos.ProfilePhoto]:
        uploads = self.files.getlist("images") if hasattr(self.files, "getlist") else []
        return checked_photos(uploads, most=MAX_IMAGES, too_many=_("Send at most 3 photos."))

    def scanner_unavailable(self) -> bool:
        return self.has_error("images", code="scanner_unavailable")


class DisputeAnswerForm(forms.Form):
    dispute = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Your answer"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if "\x00" in text or not text:
            raise forms.ValidationError(_("Write an answer."), code="text")
        return text
