"""A member's own orders (/me/orders/), a receipt for each, and their word that a refund arrived."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from groupket.orders.forms import ChoiceOfRowForm
from groupket.orders.selectors import my_order_lines, my_receipt
from groupket.orders.services import payments as payment_services
from groupket.orders.views.cards import allow_payment_window
from groupket.spaces.views.common import member_action


@login_required
@require_safe
def my_orders(request: HttpRequest) -> HttpResponse:
    return render(request, "orders/my_orders.html", {"lines": my_order_lines(request.user)})


@login_required
@require_safe
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    line = my_receipt(request.user, number)
    if line is None:
        raise Http404
    return allow_payment_window(render(request, "orders/receipt.html", {"line": line, "order": line.order}))


@member_action("POST")
def refund_received(request: HttpRequest, number: str) -> HttpResponse:
    line = my_receipt(request.user, number)
    if line is None:
        raise Http404
    form = ChoiceOfRowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a refund on the receipt."))
    elif payment_services.confirm_refund_received(actor=request.user, refund_id=form.cleaned_data["row"]):
        messages.success(request, _("Thank you: the refund is confirmed received."))
    else:
        messages.info(request, _("That was marked already; nothing was changed."))
    return redirect("orders:receipt", number=number)
