"""Reads of the privacy engine that other apps and pages need."""

import difflib
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from groupket.privacy import inventory
from groupket.privacy.documents.configured import PROCESSOR_ARTICLE, PROCESSOR_HEADING
from groupket.privacy.models import (
    ConsentEvent,
    DataExport,
    DestructionLog,
    Disclosure,
    MassNotice,
    PolicyDocument,
    RetainedRecord,
)


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


DISCLOSURE_BASIS_LABELS: dict[str, Promise] = {
    Disclosure.CONSENT: _("Your consent"),
    Disclosure.LAW: _("Required by law"),
    Disclosure.BILLING: _("Billing for the service you used"),
}


def inventory_labels(keys: list[str]) -> list[Promise | str]:
    """The inventory labels of item keys; a key no longer declared shows as itself."""
    labels: list[Promise | str] = []
    for key in keys:
        try:
            labels.append(inventory.get_item(key).label)
        except KeyError:
            labels.append(key)
    return labels


@dataclass(frozen=True)
class MemberDisclosure:
    """A disclosure as its member sees it: the recorded row with readable item and basis labels."""

    disclosure: Disclosure

    @property
    def item_labels(self) -> list[Promise | str]:
        return inventory_labels(self.disclosure.items)

    @property
    def basis_label(self) -> Promise | str:
        return DISCLOSURE_BASIS_LABELS.get(self.disclosure.basis, self.disclosure.basis)


def member_disclosures(member_id: int) -> list[MemberDisclosure]:
    """The member's disclosures they may see, newest first, in one query (P1.3, P5.2).

    A disclosure whose notice the law withholds stays hidden until its notice is due.
    """
    visible = Q(member_notified=True) | Q(notice_due_on__lte=timezone.localdate())
    rows = Disclosure.objects.filter(visible, member_id=member_id).order_by("-created_at", "-pk")
    return [MemberDisclosure(disclosure) for disclosure in rows]


def member_exports(member_id: int) -> QuerySet[DataExport]:
    # The archive can be megabytes and the list never shows it.
    return DataExport.objects.filter(member_id=member_id).defer("archive").order_by("-created_at", "-pk")


# --- Policy versions and re-consent (P3.1) -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduledVersion:
    """A material version of a document and when it takes effect: all the agreement check and the banner need."""

    kind: str
    version: int
    effective_at: datetime


def material_schedule() -> list[ScheduledVersion]:
    """Every material version, newest first, in one query (a handful of rows a year, so no limit is needed)."""
    rows = PolicyDocument.objects.filter(material=True).order_by("-version")
    return [ScheduledVersion(*row) for row in rows.values_list("kind", "version", "effective_at")]


def material_versions_in_force(schedule: list[ScheduledVersion] | None = None) -> dict[str, int]:
    """For each document that has a material version in force, the newest such version."""
    now = timezone.now()
    in_force: dict[str, int] = {}
    for entry in material_schedule() if schedule is None else schedule:
        if entry.effective_at <= now and entry.version > in_force.get(entry.kind, 0):
            in_force[entry.kind] = entry.version
    return in_force


def upcoming_material_changes(schedule: list[ScheduledVersion] | None = None) -> list[ScheduledVersion]:
    """Material versions published but not yet in force, soonest first; pass a schedule already read to save a query."""
    now = timezone.now()
    entries = material_schedule() if schedule is None else schedule
    return sorted((entry for entry in entries if entry.effective_at > now), key=lambda entry: entry.effective_at)


@dataclass(frozen=True)
class ProcessorArticle:
    """Where the Privacy Policy names the payment processor (Article 5-2), for the terms' reference to it (P5.3)."""

    version: int
    in_force: bool
    effective_at: datetime
    anchor: str = PROCESSOR_ARTICLE


def processor_article() -> ProcessorArticle | None:
    """The version in force if it names the processor, else the first published version after it that does (not in
    force yet), else None: a version older than the one in force is never pointed at, it no longer applies."""
    current = current_document(PolicyDocument.PRIVACY)
    naming = PolicyDocument.objects.filter(
        kind=PolicyDocument.PRIVACY, version__gte=current.version, body_en__contains="\n" + PROCESSOR_HEADING["en"]
    )
    found = naming.order_by("version").values_list("version", "effective_at").first()
    if found is None:
        return None
    version, effective_at = found
    return ProcessorArticle(version=version, in_force=version == current.version, effective_at=effective_at)


def _latest_answers(member_id: int, kinds: list[str]) -> dict[str, tuple[bool, int | None]]:
    """Each document's latest (granted, version) in the member's ledger, in one query."""
    events = (
        ConsentEvent.objects.filter(member_id=member_id, document__in=kinds)
        .order_by("-created_at", "-pk")
        .values_list("document", "granted", "version")
    )
    latest: dict[str, tuple[bool, int | None]] = {}
    for document, granted, version in events:
        latest.setdefault(document, (granted, version))
    return latest


def kinds_awaiting_agreement(member_id: int, in_force: dict[str, int]) -> list[str]:
    """The documents whose material version in force the member has not agreed to (P3.1).

    Agreed means: the latest event for the document grants it, for that version or a later one.
    """
    if not in_force:
        return []
    latest = _latest_answers(member_id, list(in_force))
    return [
        kind
        for kind, material_version in sorted(in_force.items())
        if not (kind in latest and latest[kind][0] and (latest[kind][1] or 0) >= material_version)
    ]


@dataclass(frozen=True)
class PolicyRenewal:
    """A document a member must agree to again: the version in force and the versions published since they agreed."""

    document: PolicyDocument
    changes: list[PolicyDocument]


def policy_renewals(member_id: int) -> list[PolicyRenewal]:
    """What the member is asked to agree to before using the service again, in three queries."""
    pending = kinds_awaiting_agreement(member_id, material_versions_in_force())
    if not pending:
        return []
    agreed = {
        document: version or 0
        for document, version in ConsentEvent.objects.filter(member_id=member_id, document__in=pending, granted=True)
        .order_by("created_at", "pk")
        .values_list("document", "version")
    }
    in_force = PolicyDocument.objects.filter(kind__in=pending, effective_at__lte=timezone.now()).order_by("version")
    versions: dict[str, list[PolicyDocument]] = {}
    for document in in_force:
        versions.setdefault(document.kind, []).append(document)
    return [
        PolicyRenewal(
            document=versions[kind][-1],
            changes=[doc for doc in versions[kind] if doc.version > agreed.get(kind, 0)],
        )
        for kind in pending
    ]


def previous_version(document: PolicyDocument) -> PolicyDocument | None:
    """The version before this one; for a document not yet saved, the newest published version."""
    earlier = PolicyDocument.objects.filter(kind=document.kind)
    if document.version:
        earlier = earlier.filter(version__lt=document.version)
    return earlier.order_by("-version").first()


def document_diff(document: PolicyDocument) -> list[str]:
    """The unified diff of this version's text against the previous one, in the active language; [] for version 1.

    Works on an unsaved document too, so publish_policy can show the diff before anything is stored.
    """
    previous = previous_version(document)
    if previous is None:
        return []
    return list(
        difflib.unified_diff(
            previous.body.splitlines(),
            document.body.splitlines(),
            fromfile=f"v{previous.version}",
            tofile=f"v{document.version or previous.version + 1}",
            lineterm="",
        )
    )


@dataclass(frozen=True)
class UpcomingDestruction:
    month: str  # "YYYY-MM": the month whose key is destroyed once its records are gone
    category: str
    count: int


@dataclass(frozen=True)
class RetentionOverview:
    upcoming: list[UpcomingDestruction]
    recent: list[DestructionLog]

    @property
    def held(self) -> int:
        return sum(row.count for row in self.upcoming)


def retention_overview(*, recent: int = 20) -> RetentionOverview:
    """Retained records still held, by destruction month and category (counts only), and the latest
    destruction-log rows; two queries (P8.2, P8.5). For `retention_report` and the staff console."""
    held = (
        RetainedRecord.objects.values("retention_key__month", "category")
        .annotate(count=Count("pk"))
        .order_by("retention_key__month", "category")
    )
    upcoming = [UpcomingDestruction(row["retention_key__month"], row["category"], row["count"]) for row in held]
    latest = DestructionLog.objects.order_by("-created_at", "-pk")[:recent]
    return RetentionOverview(upcoming=upcoming, recent=list(latest))


def recent_notices(limit: int) -> list[MassNotice]:
    """The latest mass notices, newest first, without their texts."""
    return list(MassNotice.objects.defer("body_en", "body_ko").order_by("-created_at", "-pk")[:limit])


def recent_document_versions(limit: int) -> list[PolicyDocument]:
    """The latest versions of each document, by kind and newest first, without their texts."""
    return list(PolicyDocument.objects.defer("body_en", "body_ko").order_by("kind", "-version")[:limit])


def held_retained_record(record_ref: uuid.UUID) -> RetainedRecord | None:
    """A retained record still held (its destruction day not passed), without its sealed contents."""
    held = RetainedRecord.objects.defer("payload").filter(destroy_on__gte=timezone.localdate())
    return held.filter(record_ref=record_ref).first()
