"""Posts and comments: writing, reading, editing (with earlier versions for the author), deleting, liking, pinning."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from groupket.accounts.photos import photo_response, uploads_kept_in_memory
from groupket.spaces import permissions, selectors
from groupket.spaces.feeds import image_addresses, open_in_bulk, post_comments, show_posts
from groupket.spaces.forms import CommentForm, PostForm, PostPhotosUploadHandler
from groupket.spaces.models import Comment, Post, Space, Written
from groupket.spaces.screening import ScreeningRefused
from groupket.spaces.services import posts as post_services
from groupket.spaces.views.common import (
    comment_or_404,
    member_action,
    post_or_404,
    readable_space_or_404,
    space_or_404,
)
from groupket.spaces.views.space import render_home


@uploads_kept_in_memory(PostPhotosUploadHandler)
@member_action("POST")
def new_post(request: HttpRequest, slug: str) -> HttpResponse:
    space, membership = space_or_404(request, slug)
    permissions.check_can_post(space, membership)
    form = PostForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_home(request, space, membership, post_form=form, status=form.error_status())
    try:
        post = post_services.create_post(
            actor=request.user,
            space=space,
            title=form.title_or_none(),
            body=form.cleaned_data["body"],
            images=form.cleaned_data["images"],
            confirmed=form.confirmed(),
        )
    except ScreeningRefused as refused:
        form.refuse(refused)
        return render_home(request, space, membership, post_form=form, status=400)
    _say_how_it_went(request, post, _("Your post is published."))
    return redirect("spaces:post", slug=space.slug, post_id=post.pk)


def _say_how_it_went(request: HttpRequest, written: Post | Comment, published: str) -> None:
    if written.state == Written.HELD:
        messages.info(request, _("It is held for review: others will see it once a moderator approves it."))
    elif written.censored:
        messages.success(request, _("It is published, with some words masked."))
    else:
        messages.success(request, published)


def visible_post_or_404(request: HttpRequest, space, membership, post_id: int) -> Post:
    post = post_or_404(space, post_id)
    if not permissions.can_see_written(post, request.user.pk, membership):
        raise Http404
    return post


def _render_post(request: HttpRequest, slug: str, post_id: int, *, comment_form: CommentForm | None = None):
    space, membership = readable_space_or_404(request, slug)
    post = visible_post_or_404(request, space, membership, post_id)
    runs = membership is not None and membership.runs_space
    context = {
        "space": space,
        "membership": membership,
        "shown": show_posts([post], request.user)[0],
        "comments": post_comments(post, viewer_id=request.user.pk, sees_all=runs),
        "comment_form": comment_form or CommentForm(),
        "may_comment": membership is not None and membership.is_active and not space.is_closed,
        "may_pin": membership is not None and membership.runs_space and not space.is_closed,
    }
    return render(request, "spaces/post_detail.html", context, status=400 if comment_form else 200)


@require_safe
def post_detail(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    return _render_post(request, slug, post_id)


@uploads_kept_in_memory(PostPhotosUploadHandler)
@member_action("GET", "POST")
def edit_post(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    space, _membership = space_or_404(request, slug)
    post = post_or_404(space, post_id)
    permissions.check_is_author(request.user.pk, post)
    bound = request.method == "POST"
    initial = {"title": post.title, "body": post.body}
    form = PostForm(request.POST if bound else None, request.FILES if bound else None, initial=initial, post=post)
    if bound and form.is_valid():
        try:
            changed = post_services.edit_post(
                actor=request.user,
                post=post,
                title=form.title_or_none(),
                body=form.cleaned_data["body"],
                add_images=form.cleaned_data["images"],
                remove_image_ids=form.cleaned_data["remove_images"],
                confirmed=form.confirmed(),
            )
        except ScreeningRefused as refused:
            form.refuse(refused)
        else:
            post.refresh_from_db(fields=["state", "censored"])
            _say_how_it_went(request, post, _("Your post is saved.") if changed else _("Nothing was changed."))
            return redirect("spaces:post", slug=space.slug, post_id=post.pk)
    # Earlier versions are the author's to read (and, later, moderators'): nobody else reaches this page.
    revisions = selectors.earlier_versions(post)
    images = list(zip(post.image_ids, image_addresses(post), strict=True))
    context = {"space": space, "post": post, "form": form, "revisions": revisions, "images": images}
    return render(request, "spaces/post_edit.html", context, status=form.error_status() if bound else 200)


@require_safe
def post_image(request: HttpRequest, slug: str, post_id: int, image_id: int) -> HttpResponse:
    """A post's photo, to those who may read the post, and a 404 to everyone else (a hidden space says nothing)."""
    space, membership = readable_space_or_404(request, slug)
    post = visible_post_or_404(request, space, membership, post_id)
    image = selectors.image_of_post(post, image_id)
    if image is None:
        raise Http404
    # A photo is its author's personal data: never in a shared cache; a browser may keep a public post's photo but
    # asks again each time it shows it (so a deleted post's photo is gone at once), and keeps none of a members'
    # space (not left behind on a shared computer).
    anyone_reads = space.visibility == Space.PUBLIC and post.is_shown
    caching = "private, no-cache" if anyone_reads else "private, no-store"
    return photo_response(image.content, image.content_type, cache_control=caching)


@member_action("GET", "POST")
def delete_post(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    space, _membership = space_or_404(request, slug)
    post = post_or_404(space, post_id)
    permissions.check_is_author(request.user.pk, post)
    if request.method == "GET":
        return render(request, "spaces/delete.html", {"space": space, "post": post})
    post_services.delete_post(actor=request.user, post=post)
    messages.success(request, _("Your post is deleted, with its earlier versions, its comments and its likes."))
    return redirect("spaces:home", slug=space.slug)


@member_action("POST")
def like(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    space, membership = readable_space_or_404(request, slug)
    post = visible_post_or_404(request, space, membership, post_id)
    post_services.set_like(actor=request.user, post=post, liked=request.POST.get("like") == "1")
    return redirect(_back_to(request, space.slug, post.pk))


@member_action("POST")
def pin(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    space, _membership = readable_space_or_404(request, slug)
    post = post_or_404(space, post_id)
    pinned = request.POST.get("pinned") == "1"
    post_services.set_pinned(actor=request.user, post=post, pinned=pinned)
    messages.success(
        request, _("The post is pinned to the top of the space.") if pinned else _("The post is unpinned.")
    )
    return redirect("spaces:post", slug=space.slug, post_id=post.pk)


def _back_to(request: HttpRequest, slug: str, post_id: int) -> str:
    """After a like: back to the space's feed when it came from there, else to the post."""
    if request.POST.get("from") == "feed":
        return f"/s/{slug}/#post-{post_id}"
    return f"/s/{slug}/p/{post_id}/"


@member_action("POST")
def add_comment(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    space, membership = readable_space_or_404(request, slug)
    post = visible_post_or_404(request, space, membership, post_id)
    permissions.check_can_post(space, membership)
    form = CommentForm(request.POST)
    parent = None
    if form.is_valid() and form.cleaned_data["parent"]:
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"], post=post).first()
        if parent is None:
            form.add_error(None, _("The comment you replied to is no longer there."))
    if form.is_valid():
        try:
            comment = post_services.add_comment(
                actor=request.user, post=post, body=form.cleaned_data["body"], parent=parent, confirmed=form.confirmed()
            )
        except ScreeningRefused as refused:
            form.refuse(refused)
    if not form.is_valid():
        return _render_post(request, slug, post_id, comment_form=form)
    if not comment.is_shown or comment.censored:
        _say_how_it_went(request, comment, "")
    return redirect(f"/s/{space.slug}/p/{post.pk}/#comment-{comment.pk}")


@member_action("GET", "POST")
def edit_comment(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    space, _membership = space_or_404(request, slug)
    comment = comment_or_404(space, comment_id)
    permissions.check_is_author(request.user.pk, comment)
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            changed = post_services.edit_comment(
                actor=request.user, comment=comment, body=form.cleaned_data["body"], confirmed=form.confirmed()
            )
        except ScreeningRefused as refused:
            form.refuse(refused)
        else:
            comment.refresh_from_db(fields=["state", "censored"])
            _say_how_it_went(request, comment, _("Your comment is saved.") if changed else _("Nothing was changed."))
            return redirect(f"/s/{space.slug}/p/{comment.post_id}/#comment-{comment.pk}")
    revisions = selectors.earlier_versions(comment)
    open_in_bulk([comment])
    context = {"space": space, "comment": comment, "form": form, "revisions": revisions}
    return render(request, "spaces/comment_edit.html", context, status=400 if request.method == "POST" else 200)


@member_action("GET", "POST")
def delete_comment(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    space, _membership = space_or_404(request, slug)
    comment = comment_or_404(space, comment_id)
    permissions.check_is_author(request.user.pk, comment)
    if request.method == "GET":
        return render(request, "spaces/delete.html", {"space": space, "comment": comment})
    post_id = comment.post_id
    post_services.delete_comment(actor=request.user, comment=comment)
    messages.success(request, _("Your comment is deleted, with its earlier versions and the replies under it."))
    return redirect("spaces:post", slug=space.slug, post_id=post_id)
