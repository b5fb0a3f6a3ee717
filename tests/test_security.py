"""Security headers, no third-party resources, production HTTPS settings and error pages (P7.3, P7.5).

This module is also the URLconf of the error-page tests: it adds views that fail on purpose in front of the real
URLs, and keeps the project's own error handlers.
"""

import json
import os
import secrets
import string
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from groupket import urls as project_urls

BASE_DIR = Path(django_settings.BASE_DIR)
PAGES = ["/", "/privacy/", "/terms/", "/accounts/signup/", "/no-such-page/"]
EMAIL_LIKE = "minji.kim@example.org"

# Resources a browser loads by itself: each must come from Groupket's own origin.
RESOURCE_ATTRIBUTES = {
    "link": ("href",),
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}


# --- the test URLconf ----------------------------------------------------------------------------------------


def _fails_with(exception: type[Exception]):
    def view(request: HttpRequest, anything: str) -> HttpResponse:
        raise exception("failed on purpose")

    return view


urlpatterns = [
    path("fail/400/<path:anything>", _fails_with(SuspiciousOperation)),
    path("fail/403/<path:anything>", _fails_with(PermissionDenied)),
    path("fail/404/<path:anything>", _fails_with(Http404)),
    path("fail/500/<path:anything>", _fails_with(RuntimeError)),
    path("", include(project_urls.urlpatterns)),
]
# The project's own handlers, so the test proves what groupket/urls.py wires up.
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500


# --- helpers ---------------------------------------------------------------------------------------------------


class _Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []
        self.inline: list[str] = []  # what a 'self'-only CSP would block, so the page would look broken

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in RESOURCE_ATTRIBUTES.get(tag, ()):
            value = attributes.get(name)
            if value:
                candidates = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                self.urls.extend((tag, url) for url in candidates)
        if tag == "style":
            self.inline.append("<style> element")
        if tag == "script" and not attributes.get("src"):
            self.inline.append("inline <script>")
        for name in attributes:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"{name}= attribute on <{tag}>")


def loaded_resources(html: str) -> _Resources:
    parser = _Resources()
    parser.feed(html)
    return parser


def is_same_origin(url: str) -> bool:
    """Relative URLs and URLs of the test server itself; `//host/...` and other schemes are other origins."""
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return True
    return parts.scheme in ("http", "https") and parts.netloc == "testserver"


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        directives[name] = values
    return directives


def production_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a production deployment, with a fresh 60-character secret key."""
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GROUPKET_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        GROUPKET_ENV="production",
        GROUPKET_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        GROUPKET_ALLOWED_HOSTS="groupket.example",
        GROUPKET_TRUSTED_PROXIES="127.0.0.1/32",
        GROUPKET_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="groupket.settings",
    )
    return env


def run_in_production(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    # A subprocess, because settings are read once per process: this one's are the test settings.
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**production_env(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- headers and resources (P7.5) --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
@pytest.mark.parametrize("url", PAGES)
def test_every_page_sends_the_security_headers(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == (404 if url == "/no-such-page/" else 200)
    directives = csp_directives(response["Content-Security-Policy"])
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    for name, values in directives.items():
        # No directive may name another origin, a scheme wildcard or 'unsafe-*'.
        assert values and set(values) <= {"'self'", "'none'", "data:"}, f"{name} allows {values}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    permissions = response["Permissions-Policy"]
    assert "camera=()" in permissions and "microphone=()" in permissions and "geolocation=()" in permissions


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
@pytest.mark.parametrize("url", PAGES)
def test_no_page_loads_anything_from_another_origin(client: Client, url: str) -> None:
    html = client.get(url).content.decode()
    found = loaded_resources(html)
    # The stylesheet at least is found, so the parser sees the page's resources.
    assert ("link", "/static/css/groupket.css") in found.urls
    assert [(tag, src) for tag, src in found.urls if not is_same_origin(src)] == []
    # Under a 'self'-only policy inline code and styles would be blocked, so none may be relied on.
    assert found.inline == []


def test_the_resource_check_tells_other_origins_from_our_own() -> None:
    # The check above is only as good as this distinction.
    assert is_same_origin("/static/css/groupket.css") and is_same_origin("img/a.svg")
    assert is_same_origin("http://testserver/static/a.css")
    for url in ("https://cdn.example.com/x.js", "//cdn.example.com/x.js", "http://evil.test/a.png", "data:,x"):
        assert not is_same_origin(url)
    found = loaded_resources('<img srcset="/a.png 1x, https://cdn.example.com/b.png 2x"><p style="color:red">')
    assert [src for _, src in found.urls] == ["/a.png", "https://cdn.example.com/b.png"]
    assert found.inline == ["style= attribute on <p>"]


# --- production settings (P7.3) ------------------------------------------------------------------------------------


@pytest.mark.clause("P7.3")
def test_check_deploy_passes_without_warnings_in_production(tmp_path: Path) -> None:
    result = run_in_production(tmp_path, "manage.py", "check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "W0" not in output, output
    assert "System check identified no issues" in output


@pytest.mark.clause("P7.4")
def test_check_deploy_warns_when_the_proxy_in_front_is_not_named(tmp_path: Path) -> None:
    result = run_in_production(tmp_path, "manage.py", "check", "--deploy", GROUPKET_TRUSTED_PROXIES="")
    output = result.stdout + result.stderr
    assert "(core.W001) GROUPKET_TRUSTED_PROXIES is empty" in output, output


PRODUCTION_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client

# Neither request renders a template: pages need `collectstatic` first in production (manifest storage).
insecure = Client().get("/privacy/", HTTP_HOST="groupket.example")
language = Client().post("/i18n/setlang/", {"language": "ko", "next": "/"}, HTTP_HOST="groupket.example", secure=True)
print(json.dumps({
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "DEBUG": settings.DEBUG,
    "insecure": [insecure.status_code, insecure.get("Location")],
    "secure_status": language.status_code,
    "secure_hsts": language.get("Strict-Transport-Security"),
    "language_cookie_secure": bool(language.cookies[settings.LANGUAGE_COOKIE_NAME]["secure"]),
}))
"""


@pytest.mark.clause("P7.3")
def test_production_forces_https_with_hsts_and_secure_cookies(tmp_path: Path) -> None:
    result = run_in_production(tmp_path, "-c", PRODUCTION_PROBE)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["SECURE_SSL_REDIRECT"] is True
    assert seen["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert seen["SESSION_COOKIE_SECURE"] is True and seen["CSRF_COOKIE_SECURE"] is True
    assert seen["DEBUG"] is False
    # Plain HTTP is sent to HTTPS before any page is served.
    assert seen["insecure"] == [301, "https://groupket.example/privacy/"]
    # Responses over HTTPS tell the browser to use nothing else for a year, subdomains included.
    assert seen["secure_status"] == 302
    assert "max-age=31536000" in seen["secure_hsts"] and "includeSubDomains" in seen["secure_hsts"]
    assert seen["language_cookie_secure"] is True


@pytest.mark.clause("P7.3")
def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["GROUPKET_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "GROUPKET_SECRET_KEY must be set" in result.stderr


# --- error pages: our own, and never echoing request data ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_not_found_page_does_not_echo_the_address(client: Client) -> None:
    response = client.get(f"/members/{EMAIL_LIKE}/?email={EMAIL_LIKE}")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "There is no page at this address." in html
    assert EMAIL_LIKE not in html and "minji" not in html and "/members/" not in html


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
@pytest.mark.parametrize(
    ("status", "heading"),
    [(400, "Bad request"), (403, "Not allowed"), (404, "Page not found"), (500, "Something went wrong")],
)
def test_error_pages_are_our_own_and_hold_no_request_data(settings, status: int, heading: str) -> None:
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get(f"/fail/{status}/{EMAIL_LIKE}/?name=Minji+Kim", HTTP_USER_AGENT="pytest-browser")
    assert response.status_code == status
    assert [template.name for template in response.templates][0] == f"errors/{status}.html"
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    for leaked in (EMAIL_LIKE, "minji", "Minji", "failed on purpose", "pytest-browser", "Traceback", "/fail/"):
        assert leaked not in html
    # An error page is still a Groupket page: same headers, same stylesheet, nothing from elsewhere.
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert ("link", "/static/css/groupket.css") in loaded_resources(html).urls
