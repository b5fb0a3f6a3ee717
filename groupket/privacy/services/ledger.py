"""The consent ledger and the destruction log: append-only records."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from groupket.privacy.models import ConsentEvent, DestructionLog


def record_consent(
    *, member: "AbstractBaseUser", document: str, version: int | None, granted: bool, channel: str
) -> ConsentEvent:
    """Append one consent event; the ledger is never edited (P3.1, P4.1)."""
    with transaction.atomic():
        return ConsentEvent.objects.create(
            member=member, document=document, version=version, granted=granted, channel=channel
        )


def record_destruction(*, category: str, count: int, method: str, basis: str) -> DestructionLog:
    """Log that personal items were destroyed: what kind, how many, how; never the data (P8.5)."""
    with transaction.atomic():
        return DestructionLog.objects.create(category=category, count=count, method=method, basis=basis)
