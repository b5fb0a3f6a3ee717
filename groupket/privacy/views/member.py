"""The member's own privacy pages: disclosures of their items, and the download of all their data (P1.3, P6.1)."""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from groupket.core.throttling import TooManyAttempts, paused_message
from groupket.privacy import inventory
from groupket.privacy.models import DataExport
from groupket.privacy.selectors import member_disclosures, member_exports
from groupket.privacy.services import exports

STATUS_LABELS: dict[str, Promise] = {
    DataExport.PENDING: gettext_lazy("Waiting to start"),
    DataExport.BUILDING: gettext_lazy("Being prepared"),
    DataExport.READY: gettext_lazy("Ready"),
    DataExport.FAILED: gettext_lazy("Could not be prepared"),
}


class ExportRequestForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": gettext_lazy("Type your password to confirm.")},
    )


@dataclass(frozen=True)
class ExportRow:
    export: DataExport
    status_label: Promise
    building: bool
    downloadable: bool


def _export_rows(member_id: int) -> list[ExportRow]:
    now = timezone.now()
    return [
        ExportRow(
            export=export,
            status_label=STATUS_LABELS[export.status],
            building=exports.is_building(export, now),
            downloadable=export.status == DataExport.READY
            and bool(export.download_until and export.download_until > now),
        )
        for export in member_exports(member_id)
    ]


@login_required
def my_disclosures(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/member/disclosures.html", {"disclosures": member_disclosures(request.user.pk)})


@login_required
def export(request: HttpRequest) -> HttpResponse:
    form = ExportRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = _request_export(request, form)
        if status is None:
            return redirect("privacy:export")
    rows = _export_rows(request.user.pk)
    context = {
        "form": form,
        "rows": rows,
        # The page reloads itself while an archive is being prepared, so no script is needed.
        "refresh": any(row.building for row in rows),
        "inventory": inventory.items_by_category(),
        "download_hours": settings.GROUPKET_EXPORT_DOWNLOAD_HOURS,
        "keep_days": settings.GROUPKET_EXPORT_KEEP_DAYS,
    }
    return render(request, "privacy/member/export.html", context, status=status)


def _request_export(request: HttpRequest, form: ExportRequestForm) -> int | None:
    """Ask for an export; None when it was recorded, else the status of the page that says why not."""
    if not form.is_valid():
        return 400
    try:
        exports.request_export(member=request.user, password=form.cleaned_data["password"], language=get_language())
    except exports.WrongPassword:
        form.add_error("password", _("That is not your password. Nothing was changed."))
        return 400
    except TooManyAttempts as refused:
        form.add_error("password", paused_message(refused))
        return 429
    except exports.ExportInProgress:
        form.add_error(None, _("A download is already being prepared. Wait until it is ready, then ask for another."))
        return 409
    messages.success(request, _("Your download is being prepared. This page shows when it is ready."))
    return None


@login_required
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    try:
        archive = exports.downloadable_archive(member=request.user, export_id=export_id)
    except exports.ExportNotYours:
        # Another member's export is answered like one that never existed.
        raise Http404 from None
    except exports.ExportUnavailable as unavailable:
        status = 410 if unavailable.reason == "expired" else 409
        return render(request, "privacy/member/export_unavailable.html", {"reason": unavailable.reason}, status=status)
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="groupket-export-{timezone.localdate():%Y%m%d}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response
