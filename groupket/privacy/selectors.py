"""Reads of the privacy engine that other apps and pages need."""

from django.db.models import QuerySet
from django.utils import timezone

from groupket.privacy.models import ConsentEvent, PolicyDocument


def current_document(kind: str) -> PolicyDocument:
    """The version of a document in force now."""
    document = PolicyDocument.objects.filter(kind=kind, effective_at__lte=timezone.now()).order_by("-version").first()
    if document is None:
        raise PolicyDocument.DoesNotExist(f"no {kind} document is in force; run migrations")
    return document


def document_versions(kind: str) -> QuerySet[PolicyDocument]:
    return PolicyDocument.objects.filter(kind=kind).order_by("-version")


def member_consents(member_id: int) -> QuerySet[ConsentEvent]:
    return ConsentEvent.objects.filter(member_id=member_id).order_by("-created_at", "-pk")


def has_consent(member_id: int, document: str) -> bool:
    """Whether the latest event for this document grants it."""
    latest = ConsentEvent.objects.filter(member_id=member_id, document=document).order_by("-created_at", "-pk").first()
    return bool(latest and latest.granted)
