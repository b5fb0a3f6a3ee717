"""Forms of deliveries: the organiser's delivery entry and the partner's webhook body, each refusing bad input."""

import re
from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9-]{4,40}$")
EVENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ORDER_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,20}$")


class DeliveryEntryForm(forms.Form):
    """The organiser enters a line's tracking number, or that it was delivered."""

    row = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40, required=False)
    delivered = forms.BooleanField(label=_("Delivered"), required=False)

    def clean_tracking_number(self) -> str:
        number = self.cleaned_data["tracking_number"].strip()
        if number and not TRACKING_NUMBER.match(number):
            raise forms.ValidationError(_("A tracking number is 4 to 40 letters, digits or hyphens."), code="tracking")
        return number

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not (data.get("tracking_number") or data.get("delivered")):
            raise forms.ValidationError(_("Enter a tracking number or tick Delivered."), code="empty")
        return data


class PartnerWebhookForm(forms.Form):
    """A delivery webhook's JSON body, after its signature was verified."""

    eventId = forms.CharField(max_length=64)  # noqa: N815 (the partner's names)
    reference = forms.CharField(max_length=20)
    status = forms.ChoiceField(choices=[("DELIVERED", "DELIVERED"), ("IN_TRANSIT", "IN_TRANSIT")])
    trackingNumber = forms.CharField(max_length=40, required=False)  # noqa: N815
    deliveredAt = forms.CharField(max_length=40, required=False)  # noqa: N815

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        if not EVENT_ID.match(data["eventId"]) or not ORDER_NUMBER.match(data["reference"]):
            raise forms.ValidationError("bad event id or reference")
        if data["trackingNumber"] and not TRACKING_NUMBER.match(data["trackingNumber"]):
            raise forms.ValidationError("bad tracking number")
        delivered_at = None
        if data["deliveredAt"]:
            try:
                delivered_at = datetime.fromisoformat(data["deliveredAt"])
            except ValueError:
                raise forms.ValidationError("bad deliveredAt") from None
            if delivered_at.tzinfo is None:
                raise forms.ValidationError("deliveredAt needs a time zone")
        if data["status"] == "DELIVERED" and delivered_at is None:
            raise forms.ValidationError("a DELIVERED event needs deliveredAt")
        data["delivered_at"] = delivered_at if data["status"] == "DELIVERED" else None
        return data
