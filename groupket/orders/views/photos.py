"""A group order's item photos: the organiser replaces them while the order is open, and the space's members see
them. Thin: parse, call a service or a selector, render."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from groupket.accounts.photos import photo_response
from groupket.orders import permissions
from groupket.orders.forms.photos import OrderPhotosForm
from groupket.orders.selectors import order_photo, order_photos
from groupket.orders.services import group_orders as order_services
from groupket.orders.views.common import item_photo_uploads_in_memory, order_or_404
from groupket.spaces.views.common import member_action

# As every response to a signed-in member (settings, P7.5): a members-only photo stays in no cache.
PHOTO_CACHE = "private, no-store"


@item_photo_uploads_in_memory
@member_action("GET", "HEAD", "POST")
def edit_photos(request: HttpRequest, slug: str, order_id: int) -> HttpResponse:
    order, membership = order_or_404(request, slug, order_id)
    # Refused before the form is read: the 403 page says why (not the organiser, or the order no longer open).
    permissions.check_can_change_photos(order, membership, request.user.pk, now=timezone.now())
    bound = request.method == "POST"
    form = OrderPhotosForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        order_services.replace_order_photos(actor=request.user, order=order, photos=form.cleaned_data["photos"])
        done = _("The photos are replaced.") if form.cleaned_data["photos"] else _("The photos are removed.")
        messages.success(request, done)
        return redirect("orders:order", slug=slug, order_id=order.pk)
    status = (503 if form.scanner_unavailable() else 400) if bound else 200
    context = {"order": order, "space": order.space, "form": form, "photos": order_photos(order)}
    return render(request, "orders/order_photos.html", context, status=status)


def _serve(request: HttpRequest, slug: str, order_id: int, photo_id: int, *, thumbnail: bool) -> HttpResponse:
    # order_or_404: the space's members only, whatever the space's visibility; anyone else gets a 404 (P7.4's way).
    order, _membership = order_or_404(request, slug, order_id)
    found = order_photo(order, photo_id, thumbnail=thumbnail)
    if found is None:
        raise Http404
    data, content_type = found
    return photo_response(data, content_type, cache_control=PHOTO_CACHE)


@require_safe
@member_action("GET", "HEAD")
def photo(request: HttpRequest, slug: str, order_id: int, photo_id: int) -> HttpResponse:
    return _serve(request, slug, order_id, photo_id, thumbnail=False)


@require_safe
@member_action("GET", "HEAD")
def thumbnail(request: HttpRequest, slug: str, order_id: int, photo_id: int) -> HttpResponse:
    return _serve(request, slug, order_id, photo_id, thumbnail=True)
