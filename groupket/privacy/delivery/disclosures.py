"""Disclosures: the one recorded path by which personal items leave Groupket (P1.3, P5.1-P5.4).

`record_disclosure` is the only writer of privacy.Disclosure; the model's manager
refuses every other way of creating a row, and a test scans the source tree for
any other writer. The code that owns a transfer (a partner hand-off, billing, a
legal request) calls it in the same transaction as the transfer is queued.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from groupket.core.mail import send_in_both_languages
from groupket.privacy.models import Disclosure
from groupket.privacy.selectors import DISCLOSURE_BASIS_LABELS, inventory_labels


def deliver_disclosure_notice(*, disclosure_id: int) -> None:
    """Email the member that their items were given to someone (P1.3), in English and Korean."""
    disclosure = Disclosure.objects.select_related("member").filter(pk=disclosure_id, member_notified=True).first()
    if disclosure is None or not disclosure.member.is_active:
        return
    member = disclosure.member
    send_in_both_languages(
        to=getattr(member, member.get_email_field_name()),
        subject=lambda: _("Your information was given to another party"),
        template="privacy/member/email/disclosure_notice.txt",
        context={
            "disclosure": disclosure,
            "items": inventory_labels(disclosure.items),
            "basis": DISCLOSURE_BASIS_LABELS[disclosure.basis],
            "link": settings.SITE_URL + reverse("privacy:my_disclosures"),
        },
    )
