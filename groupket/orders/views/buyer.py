"""A space's group orders as its members see them, and a member's checkout, change and cancellation."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from groupket.accounts.services.profile import saved_delivery_details
from groupket.orders import permissions
from groupket.orders.forms import CheckoutForm, QuantityForm, SubmissionForm, new_submission_key
from groupket.orders.models import GroupOrder, Payment
from groupket.orders.partners import get_partner
from groupket.orders.selectors import active_line_of, order_photos, space_orders
from groupket.orders.services import cards
from groupket.orders.services import lines as line_services
from groupket.orders.views.cards import allow_payment_window, window_redirect
from groupket.orders.views.common import members_space_or_404, order_or_404
from groupket.spaces.views.common import member_action


@member_action("GET", "HEAD")
def space_orders_page(request: HttpRequest, slug: str) -> HttpResponse:
    space, membership = members_space_or_404(request, slug)
    context = {"space": space, "membership": membership, "orders": space_orders(space)}
    return render(request, "orders/space_orders.html", context)


def _checkout_initial(request: HttpRequest, order: GroupOrder) -> dict:
    initial = {"submission": new_submission_key(), "quantity": order.min_per_member}
    saved = saved_delivery_details(request.user)
    if saved is not None:
        initial.update(saved.__dict__)
    return initial


def render_order(
    request: HttpRequest,
    order: GroupOrder,
    *,
    checkout_form: CheckoutForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    line = active_line_of(order, request.user)
    taking = order.taking_orders
    if checkout_form is None and line is None and taking:
        checkout_form = CheckoutForm(order=order, initial=_checkout_initial(request, order))
    payment = line.payments.all()[0] if line is not None else None
    context = {
        "order": order,
        "space": order.space,
        "partner": get_partner(order.shipping_partner),
        "line": line,
        "payment": payment,
        "checkout_form": checkout_form if line is None and taking else None,
        "change_form": QuantityForm(initial={"submission": new_submission_key(), "quantity": line.quantity})
        if line and taking
        else None,
        "cancel_key": new_submission_key(),
        "is_organiser": order.organiser_id == request.user.pk,
        "photos": order_photos(order),
        "card_processor": cards.processor() if cards.card_payments_offered() else "",
        "refusal": refusal,
    }
    return allow_payment_window(render(request, "orders/order.html", context, status=status))


@member_action("GET", "HEAD")
def order_page(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    order, _membership = order_or_404(request, slug, order_id)
    return render_order(request, order)


def _tell_outcome(request: HttpRequest, outcome: line_services.Outcome, done: str) -> None:
    if outcome.duplicate:
        messages.info(request, _("That form was sent already, so nothing more was changed."))
    else:
        messages.success(request, done)


@member_action("POST")
def checkout(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    order, _membership = order_or_404(request, slug, order_id)
    form = CheckoutForm(request.POST, order=order)
    if not form.is_valid():
        return render_order(request, order, checkout_form=form, status=400)
    try:
        outcome = line_services.place_order(actor=request.user, order=order, checkout=form.checkout())
    except permissions.OrderActionDenied as denied:
        form.add_error(None, denied.args[0])
        return render_order(request, order, checkout_form=form, refusal=denied.args[0], status=409)
    paying_by_card = form.cleaned_data["payment_method"] == Payment.CARD
    if paying_by_card and not outcome.duplicate and outcome.line is not None:
        messages.success(request, _("Your order is placed. Pay by card in the payment processor's window."))
        return window_redirect(request, outcome.line)
    _tell_outcome(request, outcome, _("Your order is placed. Pay by bank transfer before the payment deadline."))
    return redirect("orders:order", slug=slug, order_id=order.pk)


@member_action("POST")
def change(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    order, _membership = order_or_404(request, slug, order_id)
    form = QuantityForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect("orders:order", slug=slug, order_id=order.pk)
    outcome = line_services.change_quantity(
        actor=request.user,
        order=order,
        submission=form.cleaned_data["submission"],
        quantity=form.cleaned_data["quantity"],
    )
    _tell_outcome(request, outcome, _("Your order is changed."))
    return redirect("orders:order", slug=slug, order_id=order.pk)


@member_action("POST")
def cancel(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    order, _membership = order_or_404(request, slug, order_id)
    form = SubmissionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This form is out of date. Reload the page and try again."))
        return redirect("orders:order", slug=slug, order_id=order.pk)
    outcome = line_services.cancel_my_order(actor=request.user, order=order, submission=form.cleaned_data["submission"])
    _tell_outcome(request, outcome, _("Your order is cancelled."))
    return redirect("orders:order", slug=slug, order_id=order.pk)
