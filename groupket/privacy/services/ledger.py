"""The consent ledger and the destruction log: append-only records."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from groupket.core.actors import Actor, actor_label, actor_ref
from groupket.privacy.models import ConsentEvent, DestructionLog


def record_consent(
    *, member: "AbstractBaseUser", document: str, version: int | None, granted: bool, channel: str
) -> ConsentEvent:
    """Append one consent event; the ledger is never edited (P3.1, P4.1)."""
    with transaction.atomic():
        return ConsentEvent.objects.create(
            member=member, document=document, version=version, granted=granted, channel=channel
        )


def record_destruction(
    *, category: str, count: int, method: str, basis: str, caused_by: Actor | None = None
) -> DestructionLog:
    """Log that personal items were destroyed: what kind, how many, how; never the data (P8.5).

    caused_by names the staff member or operator whose action destroyed them; a member's own Unregister
    and the scheduled sweeps leave it out, their basis saying who.
    """
    with transaction.atomic():
        return DestructionLog.objects.create(
            category=category,
            count=count,
            method=method,
            basis=basis,
            actor_ref=actor_ref(caused_by) if caused_by else None,
            actor_operator=actor_label(caused_by) if caused_by else "",
        )
