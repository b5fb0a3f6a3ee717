"""The organiser's pages: opening a group order, and its quantities, payments, refunds and pickups."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groupket.orders import permissions
from groupket.orders.forms import ChoiceOfRowForm, GroupOrderForm, OrderStateForm, PickupCodeForm
from groupket.orders.models import GroupOrder
from groupket.orders.selectors import organiser_view
from groupket.orders.services import group_orders as order_services
from groupket.orders.services import payments as payment_services
from groupket.orders.views.common import item_photo_uploads_in_memory, order_or_404
from groupket.spaces.views.common import member_action, space_or_404


@item_photo_uploads_in_memory
@member_action("GET", "HEAD", "POST")
def new_order(request: HttpRequest, slug: str) -> HttpResponse:
    space, membership = space_or_404(request, slug)
    permissions.check_can_open_order(space, membership)
    bound = request.method == "POST"
    form = GroupOrderForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        order = order_services.open_order(
            actor=request.user,
            space=space,
            terms=form.terms(),
            account=form.account(),
            photos=form.cleaned_data["photos"],
        )
        messages.success(request, _("The group order is open. Members of the space can order now."))
        return redirect("orders:manage", slug=slug, order_id=order.pk)
    # A refused photo: everything typed stays in the form. The scanner being down is ours (503), not the file's.
    status = (503 if form.scanner_unavailable() else 400) if bound else 200
    return render(request, "orders/order_form.html", {"space": space, "form": form}, status=status)


def _organiser_order(request: HttpRequest, slug: str, order_id: int) -> GroupOrder:
    order, membership = order_or_404(request, slug, order_id)
    permissions.check_runs_order(order, membership, request.user.pk)
    return order


def render_manage(
    request: HttpRequest, order: GroupOrder, *, pickup_form: PickupCodeForm | None = None
) -> HttpResponse:
    context = {
        "order": order,
        "space": order.space,
        "view": organiser_view(order),
        "pickup_form": pickup_form or PickupCodeForm(),
    }
    return render(request, "orders/manage.html", context, status=400 if pickup_form else 200)


@member_action("GET", "HEAD")
def manage(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    return render_manage(request, _organiser_order(request, slug, order_id))


def _row_action(
    request: HttpRequest, slug: str, order_id: int, act: Callable[..., bool], done: str, key: str
) -> HttpResponse:
    order = _organiser_order(request, slug, order_id)
    form = ChoiceOfRowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an order on the list."))
    elif act(actor=request.user, order=order, **{key: form.cleaned_data["row"]}):
        messages.success(request, done)
    else:
        messages.info(request, _("That was marked already; nothing was changed."))
    return redirect("orders:manage", slug=slug, order_id=order.pk)


@member_action("POST")
def mark_received(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    done = _("The payment is marked received.")
    return _row_action(request, slug, order_id, payment_services.mark_payment_received, done, "line_id")


@member_action("POST")
def mark_refunded(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    done = _("The refund is marked sent. The buyer is asked to confirm it arrived.")
    return _row_action(request, slug, order_id, payment_services.mark_refund_sent, done, "refund_id")


@member_action("POST")
def check_off_pickup(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    order = _organiser_order(request, slug, order_id)
    form = PickupCodeForm(request.POST)
    if not form.is_valid():
        return render_manage(request, order, pickup_form=form)
    try:
        line = payment_services.check_off_pickup(actor=request.user, order=order, code=form.cleaned_data["code"])
    except permissions.OrderActionDenied as denied:
        form.add_error("code", denied.args[0])
        return render_manage(request, order, pickup_form=form)
    messages.success(request, _("Order %(number)s is handed over.") % {"number": line.number})
    return redirect("orders:manage", slug=slug, order_id=order.pk)


STATE_SERVICES = {
    GroupOrder.SHIPPED: (order_services.ship_order, gettext_lazy("The group order is marked shipped.")),
    GroupOrder.COMPLETED: (order_services.complete_order, gettext_lazy("The group order is marked completed.")),
    GroupOrder.CANCELLED: (
        order_services.cancel_order,
        gettext_lazy("The group order is cancelled. Refund every payment received."),
    ),
}


@member_action("POST")
def change_state(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    order = _organiser_order(request, slug, order_id)
    form = OrderStateForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["confirm"]:
        messages.error(request, _("Tick the box to confirm."))
        return redirect("orders:manage", slug=slug, order_id=order.pk)
    service, done = STATE_SERVICES[form.cleaned_data["to"]]
    service(actor=request.user, order=order)
    messages.success(request, str(done))
    return redirect("orders:manage", slug=slug, order_id=order.pk)
