"""What people read for the ledger's codes: the documents one agrees to, and how an answer was given."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DOCUMENT_LABELS: dict[str, Promise] = {
    "terms": _("Terms of Use"),
    "privacy": _("Privacy Policy"),
    "marketing": _("News of new services and events"),
}

# How each event was recorded, in the member's words; a channel not listed shows as recorded.
CHANNEL_LABELS: dict[str, Promise] = {
    "web": _("When you signed up"),
    "settings": _("On this page"),
    "unsubscribe link": _("With the unsubscribe link in an email"),
    "renewal": _("When you were asked again after a change"),
}
