"""[Download my data] (P6.1): request, build in the background, download for 24 hours, destroy after 7 days.

The archive is a zip of data.json (for programs; docs/export-schema.md) and
index.html (the same for people, readable offline). It is sealed under the
member's own data key, so Unregister destroys it with everything else.
"""

import io
import json
import logging
import zipfile
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from groupket.privacy import export_sections
from groupket.privacy.models import DataExport

logger = logging.getLogger(__name__)


SCHEMA = "groupket-export/1"


def export_language(language: str | None) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    language = language or translation.getexport_language() or settings.LANGUAGE_CODE
    return language if language in codes else settings.LANGUAGE_CODE


def build_export(*, export_id: int, language: str) -> None:
    """Build, seal and store the archive; on any failure the export is marked failed, never half-ready."""
    export = _start_building(export_id)
    if export is None:
        return
    try:
        archive = _make_archive(export, export_language(language))
        _finish(export, archive)
    except Exception as error:
        # The exception's text could carry personal data, so only its type is logged.
        logger.error("data export %s failed: %s", export_id, type(error).__name__)
        _mark_failed(export_id)


def _start_building(export_id: int) -> DataExport | None:
    with transaction.atomic():
        export = DataExport.objects.select_for_update().defer("archive").filter(pk=export_id).first()
        if export is None or export.status != DataExport.PENDING:
            return None  # destroyed meanwhile, or already taken by another worker
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
    section_labels = {name: str(getattr(function, "export_label", name)) for name, function in functions}
    tables = [
        export_sections.as_table(name, function, document["sections"][name], section_labels)
        for name, function in functions
    ]
    context = {
        "tables": tables,
        "generated_at": export_sections.local_time(document["generated_at"]),
        "time_zone": timezone.get_current_timezone_name(),
        "schema": SCHEMA,
        "language": language,
    }
    return render_to_string("privacy/member/archive_index.html", context)


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
