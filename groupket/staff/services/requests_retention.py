"""Requests to the privacy officer are destroyed 3 years after they are answered (P8.2, P8.5).

The inventory keeps request items as complaint and dispute records (inventory.REQUEST_RETENTION).
A request's period runs from its answer; from its closing when it was closed without an answer
(close_request writes a "closed" RequestAction in the closing transaction, and a closed request takes
no more steps); and from its arrival when it was neither. Each request is sealed under its own data
key, so destroying that key deletes the request, its attachments and its actions by cascade.
"""

from datetime import date, datetime, time

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from groupket.core.keys import destroy_data_key
from groupket.privacy import inventory
from groupket.privacy.services.ledger import record_destruction
from groupket.staff.models import PrivacyRequest, RequestAction

DESTRUCTION_CATEGORY = "privacy officer requests"
DESTRUCTION_METHOD = "request data key destroyed (crypto-shredding, AES-256-GCM) and rows deleted"
CLOSED_ACTION = "closed"


def _with_period_start() -> QuerySet[PrivacyRequest]:
    closed_at = RequestAction.objects.filter(request=OuterRef("pk"), action=CLOSED_ACTION).order_by("-created_at")
    return PrivacyRequest.objects.annotate(
        closed_at=Subquery(closed_at.values("created_at")[:1]),
        period_start=Coalesce("answered_at", "closed_at", "received_at"),
    )


def destroy_expired_requests(today: date | None = None) -> int:
    """Destroy every request whose 3 years have run out (scheduled daily); how many were destroyed."""
    rule = inventory.RETENTION_RULES[inventory.DISPUTE_RECORDS]
    today = today or timezone.localdate()
    # Coarse bound in the database; each candidate is then checked with the rule's own arithmetic.
    bound = timezone.make_aware(datetime.combine(rule.earliest_kept(today), time.min))
    with transaction.atomic():
        candidates = (
            _with_period_start()
            .filter(period_start__lt=bound)
            .select_for_update(of=("self",))
            .order_by("pk")
            .values_list("data_key_id", "period_start")
        )
        expired = [key_id for key_id, start in candidates if rule.keep_until(timezone.localdate(start)) < today]
        for key_id in expired:
            destroy_data_key(key_id)
        if expired:
            record_destruction(
                category=DESTRUCTION_CATEGORY, count=len(expired), method=DESTRUCTION_METHOD, basis=rule.stored_basis
            )
    return len(expired)
