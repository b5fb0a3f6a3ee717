"""[Download my data] (P6.1): request, build in the background, download for 24 hours, destroy after 7 days.

The archive is a zip of data.json (for programs; docs/export-schema.md) and
index.html (the same for people, readable offline). It is sealed under the
member's own data key, so Unregister destroys it with everything else.
"""

import io
import json
import logging
import zipfile
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from groupket.privacy import export_sections
from groupket.privacy.models import DataExport
from groupket.privacy.services.ledger import record_destruction

logger = logging.getLogger(__name__)

SCHEMA = "groupket-export/1"
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


def _language(language: str | None) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return language if language in codes else settings.LANGUAGE_CODE


def request_export(*, member: AbstractBaseUser, password: str, language: str | None = None) -> DataExport:
    """Check the password, record the request and build the archive after commit.

    The archive's labels are in `language`, by default the language of the request.
    """
    if not member.check_password(password):
        raise WrongPassword("the confirmation password did not match")
    language = _language(language)
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
        transaction.on_commit(lambda: _enqueue_build(export.pk, language))
    return export


def _enqueue_build(export_id: int, language: str) -> None:
    from groupket.privacy.tasks import build_data_export

    build_data_export.delay(export_id, language)


def build_export(*, export_id: int, language: str) -> None:
    """Build, seal and store the archive; on any failure the export is marked failed, never half-ready."""
    export = _start_building(export_id)
    if export is None:
        return
    try:
        archive = _make_archive(export, _language(language))
        _finish(export, archive)
    except Exception as error:
        # The exception's text could carry personal data, so only its type is logged.
        logger.error("data export %s failed: %s", export_id, type(error).__name__)
        _mark_failed(export_id)


def _start_building(export_id: int) -> DataExport | None:
    with transaction.atomic():
        export = DataExport.objects.select_for_update().defer("archive").filter(pk=export_id).first()
        # BUILDING: a worker took it and died (tasks are acknowledged late, so the broker hands the task out
        # again); the archive is stored only whole, at the end, so the build simply starts over.
        if export is None or export.status not in (DataExport.PENDING, DataExport.BUILDING):
            return None  # destroyed meanwhile, or already finished
        export.status, export.progress = DataExport.BUILDING, 0
        export.save(update_fields=["status", "progress"])
    return export


def _set_progress(export: DataExport, progress: int) -> None:
    export.progress = progress
    export.save(update_fields=["progress"])


def _make_archive(export: DataExport, language: str) -> bytes:
    member = get_user_model()._default_manager.get(pk=export.member_id)
    functions = export_sections.section_functions()
    sections = {}
    with translation.override(language):
        for done, (name, function) in enumerate(functions, start=1):
            sections[name] = function(member)
            # The last tenth is the packing and sealing.
            _set_progress(export, 90 * done // len(functions))
        document = {
            "schema": SCHEMA,
            "generated_at": export_sections.timestamp(timezone.now()),
            "language": language,
            "sections": sections,
        }
        data_json = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        index_html = _render_index(json.loads(data_json), functions, language)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", data_json)
        archive.writestr("index.html", index_html)
    return buffer.getvalue()


def _render_index(document: dict, functions: list, language: str) -> str:
    """index.html shows the values of data.json as they are there, laid out as tables."""
    tables = [export_sections.as_table(name, function, document["sections"][name]) for name, function in functions]
    return render_to_string(
        "privacy/member/archive_index.html",
        {"tables": tables, "generated_at": document["generated_at"], "schema": SCHEMA, "language": language},
    )


def _finish(export: DataExport, archive: bytes) -> None:
    now = timezone.now()
    with transaction.atomic():
        export.archive = archive
        export.status, export.progress, export.finished_at = DataExport.READY, 100, now
        export.download_until = now + timedelta(hours=settings.GROUPKET_EXPORT_DOWNLOAD_HOURS)
        export.save(update_fields=["archive", "status", "progress", "finished_at", "download_until"])


def _mark_failed(export_id: int) -> None:
    with transaction.atomic():
        DataExport.objects.filter(pk=export_id).update(status=DataExport.FAILED, finished_at=timezone.now())


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
