"""Legal requests from authorities: the list, recording one, and its release (P1.3, P5.2).

No page here shows a member's items: the scope is shown as a count. The only view of them is the release file,
and the release writes an access-log row for each member in it.
"""

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from groupket.accounts.services.sessions import client_ip
from groupket.privacy.selectors import inventory_labels
from groupket.staff.forms.legal import LegalRequestForm
from groupket.staff.models import LegalRequest
from groupket.staff.permissions import staff_view
from groupket.staff.roles import RECORD_LEGAL_REQUESTS
from groupket.staff.services.legal import LegalRequestRefused, record_legal_request, release_legal_request

LIST_LIMIT = 200


@staff_view(RECORD_LEGAL_REQUESTS)
def legal_requests(request: HttpRequest) -> HttpResponse:
    requests = LegalRequest.objects.all()[:LIST_LIMIT]
    rows = [(legal_request, inventory_labels(legal_request.items)) for legal_request in requests]
    return render(request, "staff/legal_list.html", {"rows": rows})


@staff_view(RECORD_LEGAL_REQUESTS)
def new_legal_request(request: HttpRequest) -> HttpResponse:
    form = LegalRequestForm(request.POST if request.method == "POST" else None, officer_id=request.user.pk)
    if request.method == "POST" and form.is_valid():
        try:
            legal_request = record_legal_request(officer=request.user, draft=form.draft())
        except LegalRequestRefused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))
        else:
            messages.success(request, _("The legal request was recorded. Nothing has been released yet."))
            return redirect("staff:legal_request", legal_request.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "staff/legal_form.html", {"form": form}, status=status)


def _detail(request: HttpRequest, legal_request: LegalRequest, error: str = "", status: int = 200) -> HttpResponse:
    context = {"legal_request": legal_request, "item_labels": inventory_labels(legal_request.items), "error": error}
    return render(request, "staff/legal_detail.html", context, status=status)


@staff_view(RECORD_LEGAL_REQUESTS)
def legal_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(LegalRequest, pk=pk))


@never_cache
@staff_view(RECORD_LEGAL_REQUESTS)
@require_POST  # inside the gate: outsiders get the ordinary 404, not a 405 that gives the page away
def release(request: HttpRequest, pk: int) -> HttpResponse:
    """The release answers with the file itself, once: it is not stored, so it cannot be fetched again."""
    legal_request = get_object_or_404(LegalRequest, pk=pk)
    try:
        content = release_legal_request(
            officer=request.user, legal_request_id=legal_request.pk, ip_address=client_ip(request)
        )
    except LegalRequestRefused as refusal:
        legal_request.refresh_from_db()
        return _detail(request, legal_request, str(refusal), status=400)
    body = json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=True)
    response = HttpResponse(body.encode(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="legal-request-{legal_request.pk}-release.json"'
    return response
