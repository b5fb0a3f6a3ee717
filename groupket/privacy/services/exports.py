"""[Download my data] (P6.1): request, build in the background, download for 24 hours, destroy after 7 days.

The archive is a zip of data.json (for programs; docs/export-schema.md) and
index.html (the same for people, readable offline). It is sealed under the
member's own data key, so Unregister destroys it with everything else.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from groupket.core.tasks import enqueue
from groupket.privacy import tasks
from groupket.privacy.delivery.exports import export_language
from groupket.privacy.models import DataExport
from groupket.privacy.services.ledger import record_destruction

logger = logging.getLogger(__name__)

IN_PROGRESS = (DataExport.PENDING, DataExport.BUILDING)
# A build that has not finished in this time is taken to have died with its worker.
STALE_AFTER = timedelta(hours=1)
DESTRUCTION_METHOD = "rows deleted (archive sealed under the member's data key)"
DESTRUCTION_BASIS = "the 7 days a data export is kept ended"


class WrongPassword(Exception):
    """The password typed to request an export is not the member's."""


class ExportInProgress(Exception):
    """The member already has an export being prepared."""


class ExportNotYours(PermissionDenied):
    """The export does not exist or belongs to another member."""


class ExportUnavailable(Exception):
    """The export is the member's, but cannot be downloaded: not ready, failed, or past its download time."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"export cannot be downloaded: {reason}")
        self.reason = reason


def is_building(export: DataExport, now: datetime | None = None) -> bool:
    return export.status in IN_PROGRESS and export.created_at > (now or timezone.now()) - STALE_AFTER


def request_export(*, member: AbstractBaseUser, password: str, language: str | None = None) -> DataExport:
    """Check the password, record the request and build the archive after commit.

    The archive's labels are in `language`, by default the language of the request.
    core.throttling.TooManyAttempts, with nothing checked or recorded, while the member's ID is paused:
    the password is checked in the sign-in throttle's window, through the user model (P7.1).
    """
    if not member.check_current_password(password):
        raise WrongPassword("the confirmation password did not match")
    language = export_language(language)
    with transaction.atomic():
        # Locking the member serialises two requests from two browsers, so only one export builds at a time.
        locked = get_user_model()._default_manager.select_for_update().get(pk=member.pk)
        now = timezone.now()
        in_progress = DataExport.objects.filter(
            member_id=locked.pk, status__in=IN_PROGRESS, created_at__gt=now - STALE_AFTER
        )
        if in_progress.exists():
            raise ExportInProgress(f"member {locked.pk} already has an export being prepared")
        export = DataExport.objects.create(
            member_id=locked.pk,
            data_key_id=locked.data_key_id,
            destroy_after=now + timedelta(days=settings.GROUPKET_EXPORT_KEEP_DAYS),
        )
        transaction.on_commit(lambda: enqueue(tasks.build_data_export, export.pk, language))
    return export


def ensure_own_export(*, member: AbstractBaseUser, export: DataExport | None) -> DataExport:
    """The one permission check of a download: only the member it was made for may have it."""
    if export is None or export.member_id != member.pk:
        raise ExportNotYours("this export is not the signed-in member's")
    return export


def downloadable_archive(*, member: AbstractBaseUser, export_id: int) -> bytes:
    """The archive's bytes, opened with the member's key, while it may be downloaded."""
    export = ensure_own_export(member=member, export=DataExport.objects.filter(pk=export_id).first())
    if export.status == DataExport.FAILED:
        raise ExportUnavailable("failed")
    if export.status != DataExport.READY:
        raise ExportUnavailable("not_ready")
    if export.download_until is None or export.download_until <= timezone.now():
        raise ExportUnavailable("expired")
    return export.archive


def destroy_expired_exports() -> int:
    """Scheduled job: delete exports past their 7 days and log how many; the number destroyed."""
    with transaction.atomic():
        deleted, _ = DataExport.objects.filter(destroy_after__lte=timezone.now()).delete()
        if deleted:
            record_destruction(
                category="data exports", count=deleted, method=DESTRUCTION_METHOD, basis=DESTRUCTION_BASIS
            )
    return deleted
