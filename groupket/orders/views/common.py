"""What every group order view shares: the order in its space, for the space's members only (404 otherwise)."""

from django.http import Http404, HttpRequest

from groupket.accounts import photos
from groupket.orders import permissions
from groupket.orders.item_photos import ItemPhotoUploadHandler
from groupket.orders.models import GroupOrder
from groupket.orders.selectors import order_in_space
from groupket.spaces.models import Membership, Space
from groupket.spaces.views.common import space_or_404


def members_space_or_404(request: HttpRequest, slug: str) -> tuple[Space, Membership]:
    space, membership = space_or_404(request, slug)
    if not permissions.can_see_order(membership):
        raise Http404
    return space, membership


def order_or_404(request: HttpRequest, slug: str, order_id: int) -> tuple[GroupOrder, Membership]:
    space, membership = members_space_or_404(request, slug)
    order = order_in_space(space, order_id)
    if order is None:
        raise Http404
    return order, membership


# As on Edit Profile, posts and disputes: the item photos are parsed in memory, never in a temporary file (P7.2).
item_photo_uploads_in_memory = photos.uploads_kept_in_memory(ItemPhotoUploadHandler)
