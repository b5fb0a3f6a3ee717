"""The home page and the error pages; error pages never show request data."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_safe

from groupket.spaces.views.home import member_home


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Signed in, the member's own home (spaces.views.home); signed out, the welcome page."""
    if request.user.is_authenticated:
        return member_home(request)
    return render(request, "home.html")


def _error(request: HttpRequest, status: int) -> HttpResponse:
    # Rendered without the request context: nothing about the visitor can leak in.
    body = loader.render_to_string(f"errors/{status}.html")
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500)
