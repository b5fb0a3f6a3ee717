"""What every spaces view shares: finding the space without leaking a hidden one, and answering a refusal."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from groupket.spaces import permissions
from groupket.spaces.feeds import post_rows
from groupket.spaces.models import Comment, Membership, Post, Space
from groupket.spaces.selectors import membership_of, space_for_visitor

View = Callable[..., HttpResponse]


def space_or_404(request: HttpRequest, slug: str) -> tuple[Space, Membership | None]:
    """The space and the visitor's membership; a hidden space is a 404 to those it does not know (no existence leak)."""
    space = Space.objects.filter(slug=slug).first()
    if space is None:
        raise Http404
    membership = membership_of(space, request.user)
    if not permissions.can_see_space(space, membership):
        raise Http404
    return space, membership


def space_home_or_404(request: HttpRequest, slug: str) -> tuple[Space, Membership | None, int]:
    """space_or_404 with the space's active members count, all in one query (the space's home shows the count)."""
    found = space_for_visitor(slug, request.user)
    if found is None or not permissions.can_see_space(found[0], found[1]):
        raise Http404
    return found


def readable_space_or_404(request: HttpRequest, slug: str) -> tuple[Space, Membership | None]:
    space, membership = space_or_404(request, slug)
    if not permissions.can_read_posts(space, membership):
        raise Http404
    return space, membership


def post_or_404(space: Space, post_id: int) -> Post:
    post = post_rows().filter(pk=post_id, space=space).first()
    if post is None:
        raise Http404
    return post


def comment_or_404(space: Space, comment_id: int) -> Comment:
    comment = Comment.objects.select_related("post__space", "author").filter(pk=comment_id, post__space=space).first()
    if comment is None:
        raise Http404
    return comment


def refusal(request: HttpRequest, denied: permissions.SpaceActionDenied) -> HttpResponse:
    return render(request, "spaces/denied.html", {"reason": denied.args[0] if denied.args else ""}, status=403)


def answers_refusals(view: View) -> View:
    """A refused action becomes a 403 page saying why, in the visitor's language; nothing has changed."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except permissions.SpaceActionDenied as denied:
            return refusal(request, denied)

    return wrapped


def member_action(*methods: str) -> Callable[[View], View]:
    """A view for signed-in members only, answering only these methods, and refusals with a 403 saying why."""

    def decorate(view: View) -> View:
        return login_required(require_http_methods(list(methods))(answers_refusals(view)))

    return decorate
