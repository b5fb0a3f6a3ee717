"""The privacy officer's request desk: the list by due date, one request, and the steps on it (P6.2, P11.1).

The list shows no personal item. A request's page shows the requester's items the staff
member's roles allow (roles.py) and writes an access-log row listing them each time it is
shown; a requester who is not a member is logged as member 0. Steps are POSTs that call
services.requests and come back to the request's page.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from groupket.accounts.models import Member
from groupket.accounts.selectors import member_by_id
from groupket.accounts.services.sessions import client_ip
from groupket.staff.forms.desk import (
    ACTION_LABELS,
    ITEM_LABELS,
    AnswerForm,
    CorrectionForm,
    DeletionForm,
    NotesForm,
)
from groupket.staff.models import REQUEST_KIND_LABELS, REQUEST_STATUS_LABELS, PrivacyRequest, RequestAttachment
from groupket.staff.permissions import StaffActionDenied, staff_view
from groupket.staff.roles import WORK_REQUESTS, items_of
from groupket.staff.services import requests as desk
from groupket.staff.services.access_log import MEMBER_REQUEST, log_member_view

PAGE_SIZE = 50
_LIST_FIELDS = ("pk", "kind", "channel", "status", "received_at", "due_on", "member_id", "requester_verified_at")
_DONE = (PrivacyRequest.ANSWERED, PrivacyRequest.CLOSED)


def _allowed_items(request: HttpRequest) -> frozenset[str]:
    return items_of(request.staff_roles)


def _reference(filed: PrivacyRequest) -> str:
    return f"privacy request {filed.pk}"


@staff_view(WORK_REQUESTS)
@require_safe
def request_list(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    requests = PrivacyRequest.objects.only(*_LIST_FIELDS).order_by("due_on", "pk")
    if not show_all:
        requests = requests.exclude(status=PrivacyRequest.CLOSED)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "request": filed,
            "kind": REQUEST_KIND_LABELS[filed.kind],
            "status": REQUEST_STATUS_LABELS[filed.status],
            "overdue": filed.due_on < today and filed.status not in _DONE,
        }
        for filed in page
    ]
    return render(request, "staff/requests.html", {"rows": rows, "page": page, "show_all": show_all})


def _shown_items(filed: PrivacyRequest, allowed: set[str], has_attachments: bool) -> list[str]:
    """The requester's items this page shows: only those present and allowed to the roles (P7.8)."""
    present = ["request_name", "request_email", "request_body"]
    if filed.officer_notes is not None:
        present.append("request_notes")
    if filed.answer is not None:
        present.append("request_answer")
    if has_attachments:
        present.append("request_attachment_name")
    return [key for key in present if key in allowed]


def _render_request(
    request: HttpRequest, pk: int, *, bound: dict[str, forms.Form] | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    filed = get_object_or_404(PrivacyRequest, pk=pk)
    allowed = _allowed_items(request)
    attachments = list(RequestAttachment.objects.filter(request=filed).only("pk", "data_key", "size", "filename"))
    shown = _shown_items(filed, allowed, bool(attachments))
    if shown:
        log_member_view(
            staff=request.user,
            member_id=filed.member_id or 0,
            items=shown,
            reason=MEMBER_REQUEST,
            reference=_reference(filed),
            ip_address=client_ip(request),
        )
    forms_by_name = {
        "notes_form": NotesForm(initial={"notes": filed.officer_notes}),
        "answer_form": AnswerForm(),
        "correction_form": CorrectionForm(member=None),
        "deletion_form": DeletionForm(),
        **(bound or {}),
    }
    context = {
        "privacy_request": filed,
        "shown": set(shown),
        "allowed": allowed,
        "attachments": attachments if "request_attachment_name" in shown else [],
        "actions": [(step, ACTION_LABELS.get(step.action, step.action)) for step in filed.actions.all()],
        "kind": REQUEST_KIND_LABELS[filed.kind],
        "status": REQUEST_STATUS_LABELS[filed.status],
        "overdue": filed.due_on < timezone.localdate() and filed.status not in _DONE,
        "closed": filed.status == PrivacyRequest.CLOSED,
        "error": error,
        **forms_by_name,
    }
    response = render(request, "staff/requests_detail.html", context, status=status)
    add_never_cache_headers(response)
    return response


@staff_view(WORK_REQUESTS)
@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_request(request, pk)


def _run_step(
    request: HttpRequest, pk: int, form: forms.Form, name: str, step: Callable[[dict], object], done: str
) -> HttpResponse:
    """Validate, run the service, and come back: a refusal or bad input shows the page again with 400."""
    get_object_or_404(PrivacyRequest.objects.only("pk"), pk=pk)
    if not form.is_valid():
        return _render_request(request, pk, bound={name: form}, status=400)
    try:
        step(form.cleaned_data)
    except desk.RequestActionRefused as refusal:
        return _render_request(request, pk, bound={name: form}, error=str(refusal), status=400)
    messages.success(request, done)
    return redirect("staff:request", pk=pk)


@staff_view(WORK_REQUESTS)
@require_POST
def save_notes(request: HttpRequest, pk: int) -> HttpResponse:
    def step(data: dict) -> object:
        return desk.save_officer_notes(officer=request.user, request_id=pk, notes=data["notes"])

    return _run_step(request, pk, NotesForm(request.POST), "notes_form", step, _("The notes are saved."))


@staff_view(WORK_REQUESTS)
@require_POST
def send_verification(request: HttpRequest, pk: int) -> HttpResponse:
    def step(data: dict) -> object:
        return desk.send_verification_link(officer=request.user, request_id=pk)

    done = _("A verification link is on its way to the requester.")
    return _run_step(request, pk, forms.Form(request.POST), "verify_form", step, done)


@staff_view(WORK_REQUESTS)
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    def step(data: dict) -> object:
        return desk.answer_request(officer=request.user, request_id=pk, answer=data["answer"])

    done = _("The answer is saved and on its way to the requester.")
    return _run_step(request, pk, AnswerForm(request.POST), "answer_form", step, done)


@staff_view(WORK_REQUESTS)
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    def step(data: dict) -> object:
        return desk.close_request(officer=request.user, request_id=pk)

    return _run_step(request, pk, forms.Form(request.POST), "close_form", step, _("The request is closed."))


def _requester_member(pk: int) -> Member | None:
    return member_by_id(PrivacyRequest.objects.filter(pk=pk).values_list("member_id", flat=True).first())


@staff_view(WORK_REQUESTS)
@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    def step(data: dict) -> object:
        return desk.carry_out_correction(officer=request.user, request_id=pk, item=data["item"], value=data["value"])

    form = CorrectionForm(request.POST, member=_requester_member(pk))
    done = _("The correction is carried out.")
    return _run_step(request, pk, form, "correction_form", step, done)


@staff_view(WORK_REQUESTS)
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    member = _requester_member(pk)

    def step(data: dict) -> object:
        if data["item"] != "account":
            return desk.delete_member_item(officer=request.user, request_id=pk, item=data["item"])
        if member is None:
            raise desk.RequestActionRefused(_("This request is not from a member, so there is no account to change."))
        return desk.unregister_member_by_request(officer=request.user, member=member, request_id=pk)

    form = DeletionForm(request.POST)
    item = form.data.get("item")
    done = _("The deletion is carried out: %(item)s.") % {"item": ITEM_LABELS.get(item, "")}
    return _run_step(request, pk, form, "deletion_form", step, done)


@staff_view(WORK_REQUESTS)
@require_safe
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """A file sent with a request, only ever downloaded: never shown inline, never sniffed, never cached."""
    if "request_attachment" not in _allowed_items(request):
        raise StaffActionDenied("no role allows the files of requests")
    sent = get_object_or_404(RequestAttachment.objects.select_related("request"), pk=attachment_id, request_id=pk)
    log_member_view(
        staff=request.user,
        member_id=sent.request.member_id or 0,
        items=["request_attachment", "request_attachment_name"],
        reason=MEMBER_REQUEST,
        reference=_reference(sent.request),
        ip_address=client_ip(request),
    )
    response = HttpResponse(sent.content, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, sent.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    add_never_cache_headers(response)
    return response
