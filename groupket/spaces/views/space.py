"""A space's home (/s/<slug>/), and joining and leaving it."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from groupket.spaces import permissions
from groupket.spaces.feeds import FeedPage, InvalidCursor, space_feed
from groupket.spaces.forms import PostForm
from groupket.spaces.models import Membership, Space
from groupket.spaces.selectors import active_members_count
from groupket.spaces.services import members as member_services
from groupket.spaces.services.members import token_matches
from groupket.spaces.views.common import answers_refusals, member_action, space_home_or_404, space_or_404


def _feed(request: HttpRequest, space: Space) -> FeedPage:
    try:
        return space_feed(space=space, viewer=request.user, cursor=request.GET.get("after"))
    except InvalidCursor:
        messages.info(request, _("That page link is not valid any more, so here are the newest posts."))
        return space_feed(space=space, viewer=request.user, cursor=None)


def render_home(
    request: HttpRequest,
    space: Space,
    membership: Membership | None,
    *,
    post_form: PostForm | None = None,
    status: int = 200,
    members_count: int | None = None,
) -> HttpResponse:
    """The space's home; `post_form` is a form sent back with its errors, else a fresh one for members.

    `members_count` when the caller read it with the space (space_home_or_404), else it is counted here.
    """
    readable = permissions.can_read_posts(space, membership)
    may_post = membership is not None and membership.is_active and not space.is_closed
    context = {
        "space": space,
        "membership": membership,
        "members_count": active_members_count(space) if members_count is None else members_count,
        "feed": _feed(request, space) if readable else None,
        "readable": readable,
        "post_form": (post_form or PostForm()) if may_post else None,
        "may_react": may_post,
    }
    return render(request, "spaces/space_home.html", context, status=status)


@require_safe
def home(request: HttpRequest, slug: str) -> HttpResponse:
    space, membership, members_count = space_home_or_404(request, slug)
    return render_home(request, space, membership, members_count=members_count)


@member_action("POST")
def join(request: HttpRequest, slug: str) -> HttpResponse:
    space, _membership = space_or_404(request, slug)
    membership = member_services.join_space(actor=request.user, space=space)
    if membership.is_active:
        messages.success(request, _("Welcome: you are now a member of this space."))
    else:
        messages.success(request, _("Your request to join is sent. The organisers will answer it."))
    return redirect("spaces:home", slug=space.slug)


@member_action("POST")
def answer_invitation(request: HttpRequest, slug: str) -> HttpResponse:
    space, _membership = space_or_404(request, slug)
    accept = request.POST.get("answer") == "accept"
    member_services.answer_invitation(actor=request.user, space=space, accept=accept)
    if accept:
        messages.success(request, _("Welcome: you are now a member of this space."))
        return redirect("spaces:home", slug=space.slug)
    messages.info(request, _("The invitation is declined."))
    return redirect("home")


@member_action("GET", "POST")
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    space, membership = space_or_404(request, slug)
    if request.method == "GET":
        permissions.check_can_leave(space, membership)
        return render(request, "spaces/leave.html", {"space": space, "membership": membership})
    member_services.leave_space(actor=request.user, space=space)
    messages.success(request, _("You have left the space. Your posts and comments in it stay yours to delete."))
    return redirect("home")


@require_http_methods(["GET", "POST"])
@answers_refusals
def invitation_link(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The link organisers share: a 404 once revoked, so a stale link says nothing about a hidden space."""
    space = Space.objects.filter(slug=slug).first()
    if space is None or space.is_closed or not token_matches(space, token):
        raise Http404
    if request.method == "POST" and request.user.is_authenticated:
        member_services.join_by_link(actor=request.user, space=space, token=token)
        messages.success(request, _("Welcome: you are now a member of this space."))
        return redirect("spaces:home", slug=space.slug)
    membership = None
    if request.user.is_authenticated:
        membership = space.memberships.filter(member_id=request.user.pk).first()
    context = {"space": space, "membership": membership, "members_count": active_members_count(space)}
    return render(request, "spaces/invitation.html", context)
