"""Deliveries: the organiser's page (CSV hand-off, delivery entry), the buyer's receipt confirmation and the
partner's signed webhook. Thin: parse, call a service, answer."""

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from groupket.core.actors import SystemActor
from groupket.orders.forms import ChoiceOfRowForm
from groupket.orders.forms.delivery import DeliveryEntryForm, PartnerWebhookForm
from groupket.orders.partner.client import partner_api, signature_is_valid
from groupket.orders.selectors import delivery_rows, my_receipt
from groupket.orders.services import delivery as delivery_services
from groupket.orders.views.organiser import _organiser_order
from groupket.spaces.views.common import member_action

WEBHOOK_BODY_MAX_BYTES = 16 * 1024


def _render_deliveries(request: HttpRequest, order, *, form: DeliveryEntryForm | None = None) -> HttpResponse:
    context = {
        "order": order,
        "space": order.space,
        "rows": delivery_rows(order),
        "csv": partner_api(order.shipping_partner) is None,
        "form": form,
    }
    return render(request, "orders/deliveries.html", context, status=400 if form else 200)


@member_action("GET", "HEAD", "POST")
def deliveries(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    """The organiser's deliveries; a POST enters a line's tracking number or its delivery."""
    if request.method == "POST":
        return _enter_delivery(request, slug, order_id)
    return _render_deliveries(request, _organiser_order(request, slug, order_id))


@never_cache
@member_action("GET")
def handoff_csv(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    order = _organiser_order(request, slug, order_id)
    text = delivery_services.handoff_csv(actor=request.user, order=order)
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="order-{order.pk}-deliveries.csv"'
    return response


def _enter_delivery(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    order = _organiser_order(request, slug, order_id)
    form = DeliveryEntryForm(request.POST)
    if not form.is_valid():
        return _render_deliveries(request, order, form=form)
    data = form.cleaned_data
    confirmation = delivery_services.DeliveryConfirmation(
        tracking_number=data["tracking_number"],
        delivered_at=delivery_services.timezone.now() if data["delivered"] else None,
    )
    if delivery_services.enter_delivery(
        actor=request.user, order=order, line_id=data["row"], confirmation=confirmation
    ):
        messages.success(request, _("The delivery is recorded."))
    else:
        messages.info(request, _("That was marked already; nothing was changed."))
    return redirect("orders:deliveries", slug=slug, order_id=order.pk)


@member_action("POST")
def receipt_confirmed(request: HttpRequest, number: str) -> HttpResponse:
    line = my_receipt(request.user, number)
    if line is None or not ChoiceOfRowForm({"row": line.pk}).is_valid():
        raise Http404
    delivery_services.confirm_receipt(actor=request.user, line=line)
    messages.success(request, _("Thank you: your order is confirmed received."))
    return redirect("orders:receipt", number=number)


@csrf_exempt
@require_POST
def partner_webhook(request: HttpRequest, partner: str) -> HttpResponse:
    """The partner's delivery webhook: signed with HMAC-SHA256; anything unsigned or malformed is a 400."""
    api = partner_api(partner)
    if api is None:
        raise Http404
    body = request.body
    if len(body) > WEBHOOK_BODY_MAX_BYTES or not signature_is_valid(
        api, body, request.headers.get("X-Partner-Signature", "")
    ):
        return HttpResponse(status=400)
    try:
        payload = json.loads(body)
    except ValueError:
        return HttpResponse(status=400)
    form = PartnerWebhookForm(payload if isinstance(payload, dict) else {})
    if not isinstance(payload, dict) or not form.is_valid():
        return HttpResponse(status=400)
    data = form.cleaned_data
    if data["delivered_at"] is not None:
        event = delivery_services.PartnerEvent(
            partner=partner,
            event_id=data["eventId"],
            reference=data["reference"],
            tracking_number=data["trackingNumber"],
            delivered_at=data["delivered_at"],
        )
        delivery_services.record_partner_delivery(actor=SystemActor(f"shipping partner {partner}"), event=event)
    return HttpResponse(status=200)
