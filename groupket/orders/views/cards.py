"""Card payments: the trip to the payment processor's window and back, and its webhooks (services/cards.py)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from groupket.orders import permissions
from groupket.orders.models import OrderLine
from groupket.orders.selectors import my_receipt
from groupket.orders.services import cards
from groupket.spaces.views.common import member_action

RETURN_MESSAGES = {
    cards.PAID: (messages.SUCCESS, lambda: _("Your card payment is confirmed.")),
    cards.PENDING: (
        messages.WARNING,
        lambda: _(
            "The card company has not answered yet. Your order shows the payment as soon as it is confirmed; "
            "do not pay again."
        ),
    ),
    cards.DECLINED: (
        messages.ERROR,
        lambda: _("The card was refused, so nothing was charged. You can pay again with another card."),
    ),
    cards.NOT_CONFIRMED: (
        messages.ERROR,
        lambda: _("The card payment could not be confirmed, so nothing was charged. You can pay again."),
    ),
}


def allow_payment_window(response: HttpResponse) -> HttpResponse:
    """A page whose forms lead to the payment window: its CSP lets a form's redirect navigate to the gateway's
    origin (form-action), and to nothing else of it: no script, frame, font or request goes there."""
    if cards.card_payments_offered():
        parts = urlsplit(settings.GROUPKET_PAYMENT_URL)
        response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
    return response


def window_redirect(request: HttpRequest, line: OrderLine) -> HttpResponse:
    """Send the buyer to the processor's payment window (a top-level navigation), or back to the order saying why."""
    try:
        url = cards.open_payment_window(
            actor=request.user,
            number=line.number,
            success_url=request.build_absolute_uri(reverse("orders:card_success", args=[line.number])),
            fail_url=request.build_absolute_uri(reverse("orders:card_fail", args=[line.number])),
        )
    except permissions.OrderActionDenied as denied:
        messages.error(request, denied.args[0])
        return redirect("orders:receipt", number=line.number)
    return HttpResponseRedirect(url)


def _line_or_404(request: HttpRequest, number: str) -> OrderLine:
    line = my_receipt(request.user, number)
    if line is None:
        raise Http404
    return line


@member_action("POST")
def pay_by_card(request: HttpRequest, number: str) -> HttpResponse:
    return window_redirect(request, _line_or_404(request, number))


@member_action("GET", "HEAD")
def card_success(request: HttpRequest, number: str) -> HttpResponse:
    line = _line_or_404(request, number)
    query = {name: request.GET.get(name, "") for name in ("paymentKey", "orderId", "amount")}
    try:
        outcome = cards.confirm_card_payment(actor=request.user, number=line.number, query=query).outcome
    except permissions.OrderActionDenied as denied:
        messages.error(request, denied.args[0])
        return redirect("orders:receipt", number=line.number)
    level, text = RETURN_MESSAGES[outcome]
    messages.add_message(request, level, text())
    return redirect("orders:receipt", number=line.number)


@member_action("GET", "HEAD")
def card_fail(request: HttpRequest, number: str) -> HttpResponse:
    line = _line_or_404(request, number)
    messages.error(request, _("The card payment was cancelled or refused, so nothing was charged. You can pay again."))
    return redirect("orders:receipt", number=line.number)


@csrf_exempt
@require_POST
def payment_webhook(request: HttpRequest) -> HttpResponse:
    """The gateway's PAYMENT_STATUS_CHANGED: acted on only after the payment is fetched back (never signed)."""
    if cards.handle_webhook(request.body):
        return HttpResponse(status=200)
    return HttpResponse(status=503)
