"""Disputes: the buyer's page on their order, the organiser's answers, and the billing handler's console pages.
Thin: parse, call a service, render."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from groupket.accounts.photos import uploads_kept_in_memory
from groupket.accounts.services.sessions import client_ip
from groupket.orders.dispute_uploads import DisputeUploadHandler
from groupket.orders.forms.disputes import DisputeAnswerForm, DisputeForm
from groupket.orders.models import Dispute, DisputeImage
from groupket.orders.selectors import my_receipt
from groupket.orders.services import disputes as dispute_services
from groupket.orders.views.organiser import _organiser_order
from groupket.spaces.views.common import member_action
from groupket.staff.permissions import staff_view
from groupket.staff.roles import ANSWER_ORDER_DISPUTES


@uploads_kept_in_memory(DisputeUploadHandler)
@member_action("GET", "HEAD", "POST")
def my_dispute(request: HttpRequest, number: str) -> HttpResponse:
    line = my_receipt(request.user, number)
    if line is None:
        raise Http404
    bound = request.method == "POST"
    form = DisputeForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        data = form.cleaned_data
        dispute_services.open_dispute(actor=request.user, line=line, text=data["text"], images=data["images"])
        messages.success(request, _("Your dispute is sent. The organiser and our billing staff will answer."))
        return redirect("orders:my_dispute", number=number)
    status = (503 if form.scanner_unavailable() else 400) if bound else 200
    disputes = Dispute.objects.filter(line=line).prefetch_related("answers", "images").order_by("-created_at")
    context = {"line": line, "order": line.order, "form": form, "disputes": disputes, "images_for": "buyer"}
    return render(request, "orders/my_dispute.html", context, status=status)


def _photo(image: DisputeImage | None) -> HttpResponse:
    """A dispute photo as its bytes: never cached, since a photo is its buyer's personal data (P7.5)."""
    if image is None:
        raise Http404
    return HttpResponse(bytes(image.content), content_type=image.content_type)


@never_cache
@member_action("GET")
def my_dispute_image(request: HttpRequest, number: str, image_id: int) -> HttpResponse:
    return _photo(DisputeImage.objects.filter(pk=image_id, buyer=request.user, dispute__number=number).first())


@never_cache
@member_action("GET")
def order_dispute_image(request: HttpRequest, slug: str, order_id: int, image_id: int) -> HttpResponse:
    """The organiser sees the photos of disputes on the orders they run, and no other order's."""
    order = _organiser_order(request, slug, order_id)
    return _photo(DisputeImage.objects.filter(pk=image_id, dispute__line__order=order).first())


@member_action("GET", "HEAD", "POST")
def order_disputes(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    order = _organiser_order(request, slug, order_id)
    form = DisputeAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not Dispute.objects.filter(pk=data["dispute"], line__order=order).exists():
            raise Http404
        dispute_services.answer_as_organiser(
            actor=request.user, order=order, dispute_id=data["dispute"], text=data["text"]
        )
        messages.success(request, _("Your answer is sent to the buyer."))
        return redirect("orders:order_disputes", slug=slug, order_id=order.pk)
    disputes = Dispute.objects.filter(line__order=order).prefetch_related("answers", "images").order_by("-created_at")
    context = {"order": order, "space": order.space, "disputes": disputes, "form": form, "images_for": "organiser"}
    return render(request, "orders/order_disputes.html", context, status=400 if request.method == "POST" else 200)


@staff_view(ANSWER_ORDER_DISPUTES)
def staff_disputes(request: HttpRequest) -> HttpResponse:
    """The list shows numbers and states only; a dispute's text opens on its own page, logged."""
    disputes = Dispute.objects.select_related("line__order").order_by("status", "-created_at")[:200]
    return render(request, "orders/staff_disputes.html", {"disputes": disputes})


@staff_view(ANSWER_ORDER_DISPUTES)
def staff_dispute(request: HttpRequest, dispute_id: int) -> HttpResponse:
    form = DisputeAnswerForm(request.POST or None, initial={"dispute": dispute_id})
    answering = request.method == "POST" and form.is_valid() and form.cleaned_data["dispute"] == dispute_id
    if answering:
        if not Dispute.objects.filter(pk=dispute_id).exists():
            raise Http404
        text = form.cleaned_data["text"]
        dispute_services.answer_as_billing(handler=request.user, dispute_id=dispute_id, text=text)
        messages.success(request, _("Your answer is sent to the buyer."))
        return redirect("orders:staff_dispute", dispute_id=dispute_id)
    try:
        dispute = dispute_services.read_dispute_as_billing(
            handler=request.user, dispute_id=dispute_id, ip_address=client_ip(request)
        )
    except Dispute.DoesNotExist:
        raise Http404 from None
    context = {"dispute": dispute, "form": form, "images_for": "staff"}
    return render(request, "orders/staff_dispute.html", context, status=400 if request.method == "POST" else 200)


@never_cache
@staff_view(ANSWER_ORDER_DISPUTES)
def staff_dispute_image(request: HttpRequest, dispute_id: int, image_id: int) -> HttpResponse:
    try:
        image = dispute_services.read_dispute_image_as_billing(
            handler=request.user, dispute_id=dispute_id, image_id=image_id, ip_address=client_ip(request)
        )
    except DisputeImage.DoesNotExist:
        raise Http404 from None
    return _photo(image)
