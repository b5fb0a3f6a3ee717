"""The signed-in member's home (/) and a member's page (/members/<number>/)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from groupket.core.keys import open_data_keys
from groupket.spaces.feeds import FeedPage, InvalidCursor, author_feed, home_feed
from groupket.spaces.links import LinkPattern
from groupket.spaces.models import Membership
from groupket.spaces.selectors import member_spaces, shares_a_space, suggested_spaces


def _page(request: HttpRequest, feed, **arguments: object) -> FeedPage:
    try:
        return feed(cursor=request.GET.get("after"), **arguments)
    except InvalidCursor:
        messages.info(request, _("That page link is not valid any more, so here are the newest posts."))
        return feed(cursor=None, **arguments)


def member_home(request: HttpRequest) -> HttpResponse:
    """The feed of the member's spaces, their spaces and invitations; suggestions for a member in none."""
    memberships = member_spaces(request.user)
    active = [row for row in memberships if row.is_active]
    space_page = LinkPattern("spaces:home", slug=str)  # reversed once for the list, not once a space
    context = {
        "my_spaces": [(space_page.fill(slug=row.slug), row) for row in active],
        "feed": _page(request, home_feed, member=request.user, space_ids=[row.space_id for row in active])
        if active
        else None,
        "active": active,
        "invitations": [row for row in memberships if row.status == Membership.INVITED],
        "requests": [row for row in memberships if row.status == Membership.REQUESTED],
        "suggested": [] if active else suggested_spaces(request.user),
    }
    return render(request, "spaces/member_home.html", context)


@require_safe
def member_page(request: HttpRequest, member_id: int) -> HttpResponse:
    """A member's ID and the posts of theirs the visitor may read.

    Only for a member the visitor could meet anyway (a post they may read, or a space they share),
    so counting through the numbers does not list every member's ID.
    """
    author = get_user_model().objects.filter(pk=member_id).only("data_key", "username").first()
    if author is None:
        raise Http404
    feed = _page(request, author_feed, author_id=author.pk, viewer=request.user)
    if not feed.posts and not request.GET.get("after") and not shares_a_space(request.user, author.pk):
        raise Http404
    open_data_keys([author.data_key_id])
    return render(request, "spaces/member.html", {"author": author, "feed": feed})
