"""The Content-Security-Policy header, built once per process, is the one django-csp builds on every response (P7.5)."""

from collections.abc import Callable

import csp.middleware
import pytest
from csp.constants import NONCE, SELF
from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from groupket.core.middleware import CSPMiddleware

POLICY_HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def plain(response: HttpResponse) -> None:
    pass


def payment_window(response: HttpResponse) -> None:
    # As orders.views.cards.allow_payment_window: a form may lead to the gateway.
    response._csp_update = {"form-action": ["https://pay.example"]}


def own_policy(response: HttpResponse) -> None:
    response._csp_replace = {"img-src": ["'self'"]}


def exempt(response: HttpResponse) -> None:
    response._csp_exempt = True


def report_only(response: HttpResponse) -> None:
    response._csp_config_ro = {"default-src": ["'none'"]}


def policy_headers(middleware_class: type, shape: Callable[[HttpResponse], None], *, nonce: bool = False) -> dict:
    def view(request: HttpRequest) -> HttpResponse:
        if nonce:
            str(request.csp_nonce)
        response = HttpResponse("page")
        shape(response)
        return response

    request = RequestFactory().get("/")
    response = middleware_class(view)(request)
    return {header: response.get(header) for header in POLICY_HEADERS}


@pytest.mark.clause("P7.5")
@pytest.mark.parametrize("shape", [plain, payment_window, own_policy, exempt, report_only])
def test_every_response_gets_the_header_django_csp_would_give_it(shape: Callable[[HttpResponse], None]) -> None:
    ours = policy_headers(CSPMiddleware, shape)
    assert ours == policy_headers(csp.middleware.CSPMiddleware, shape)


def test_the_site_policy_is_sent_and_a_page_update_adds_to_it() -> None:
    site = policy_headers(CSPMiddleware, plain)["Content-Security-Policy"]
    assert "form-action 'self'" in site.split("; ")
    updated = policy_headers(CSPMiddleware, payment_window)["Content-Security-Policy"]
    assert "form-action 'self' https://pay.example" in updated.split("; ")
    # The update is this response's own: the next plain response has the site policy again.
    assert policy_headers(CSPMiddleware, plain)["Content-Security-Policy"] == site


def test_a_nonce_asked_for_is_in_this_response_only(settings: object) -> None:
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}
    first = policy_headers(CSPMiddleware, plain, nonce=True)["Content-Security-Policy"]
    second = policy_headers(CSPMiddleware, plain, nonce=True)["Content-Security-Policy"]
    assert "'nonce-" not in policy_headers(CSPMiddleware, plain)["Content-Security-Policy"]
    assert "'nonce-" in first
    assert first != second


def test_a_changed_setting_changes_the_header(settings: object) -> None:
    policy_headers(CSPMiddleware, plain)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert policy_headers(CSPMiddleware, plain)["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.django_db
def test_the_site_sends_the_policy_through_this_middleware(client: Client) -> None:
    assert "groupket.core.middleware.CSPMiddleware" in django_settings.MIDDLEWARE
    assert "csp.middleware.CSPMiddleware" not in django_settings.MIDDLEWARE
    response = client.get("/manifest.webmanifest")
    assert response["Content-Security-Policy"] == policy_headers(csp.middleware.CSPMiddleware, plain)[POLICY_HEADERS[0]]
