"""The home page, the web app manifest and the error pages; error pages never show request data."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from groupket.spaces.views.home import member_home

THEME_COLOR = "#2f6f5e"  # the icon's green, also in _head.html
# Drawn by `manage.py draw_icons`; the maskable one is a full square that the phone rounds itself.
ICONS = (
    ("img/icon-192.png", "192x192", "any"),
    ("img/icon-512.png", "512x512", "any"),
    ("img/icon-maskable-512.png", "512x512", "maskable"),
)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Signed in, the member's own home (spaces.views.home); signed out, the welcome page."""
    if request.user.is_authenticated:
        return member_home(request)
    return render(request, "home.html")


@require_safe
def web_manifest(request: HttpRequest) -> JsonResponse:
    """What a phone needs to put Groupket on its home screen, in the visitor's language."""
    icons = [
        {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose} for path, sizes, purpose in ICONS
    ]
    manifest = {
        "name": _("Groupket"),
        "short_name": _("Groupket"),
        "description": _("Your information, kept as promised."),
        "lang": get_language(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f8f7",
        "theme_color": THEME_COLOR,
        "icons": icons,
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


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
