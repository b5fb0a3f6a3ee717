"""Records kept after withdrawal, as the records custodian sees them: found by reference, opened for a purpose (P8.3).

Looking a record up shows only what it is (category, basis, destruction date, references); its contents open only
for one of the purposes the law allows, and every opening writes an access-log row in the same transaction.

The access log is about live members (log_member_view checks inventory items against the viewer's roles), and a
retained record belongs to nobody who still exists. So a read is logged as a row of the same hash chain with
member_ref 0, items ["retained:<category>"], the purpose's reason and the record's reference.
"""

import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from groupket.core.actors import acting
from groupket.privacy.models import RetainedRecord
from groupket.privacy.services.retention import READ_PURPOSES, RetainedReadRefused, read_retained_record
from groupket.staff.permissions import check_action
from groupket.staff.roles import READ_RETAINED_RECORDS
from groupket.staff.selectors import active_role_slugs
from groupket.staff.services import access_log

PURPOSES: dict[str, Promise] = {
    "dispute": _("A dispute with the former member"),
    "settlement": _("Settling a payment"),
    "delivery_confirmation": _("Confirming a delivery"),
    "legal": _("A legal obligation or a request from an authority"),
}
if set(PURPOSES) != READ_PURPOSES:
    raise ImproperlyConfigured("staff.services.retained.PURPOSES must name exactly retention.READ_PURPOSES")

# The access log's reasons are fewer than the purposes: settling a payment and confirming a delivery are both
# the handling of a claim about an order, which the log calls a dispute.
PURPOSE_REASONS: dict[str, str] = {
    "dispute": access_log.DISPUTE,
    "settlement": access_log.DISPUTE,
    "delivery_confirmation": access_log.DISPUTE,
    "legal": access_log.LEGAL_REQUEST,
}
NOT_A_MEMBER = 0
LIST_LIMIT = 200


def parse_reference(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip())
    except (AttributeError, ValueError):
        return None


def find_retained_records(reference: uuid.UUID) -> list[RetainedRecord]:
    """Held records with this record reference or subject reference; never their contents (one query)."""
    rows = RetainedRecord.objects.filter(Q(record_ref=reference) | Q(subject_ref=reference))
    rows = rows.filter(destroy_on__gte=timezone.localdate()).defer("payload")
    return list(rows.order_by("destroy_on", "pk")[:LIST_LIMIT])


def _log_read(*, custodian: AbstractBaseUser, category: str, record_ref: str, purpose: str, ip_address: str) -> None:
    """Append the read to the access log's hash chain, beside the member views."""
    access_log.append_entry(
        staff_ref=custodian.pk,
        member_ref=NOT_A_MEMBER,
        items=[f"retained:{category}"],
        reason=PURPOSE_REASONS[purpose],
        reference=record_ref,
        ip_address=ip_address,
    )


@acting("custodian")
def read_for_purpose(
    *, custodian: AbstractBaseUser, record_ref: uuid.UUID, purpose: str, ip_address: str
) -> dict[str, Any]:
    """Open one retained record for a stated purpose and log the read; raises RetainedRecord.DoesNotExist.

    The read and its log row commit together: a record is never shown without its row.
    """
    check_action(active_role_slugs(custodian.pk), READ_RETAINED_RECORDS)
    if purpose not in PURPOSES:
        raise RetainedReadRefused(_("Choose why you need to read this record; nothing was opened."))
    with transaction.atomic():
        record = read_retained_record(record_ref=record_ref, purpose=purpose)
        _log_read(
            custodian=custodian,
            category=record["category"],
            record_ref=record["record_ref"],
            purpose=purpose,
            ip_address=ip_address,
        )
    return record
