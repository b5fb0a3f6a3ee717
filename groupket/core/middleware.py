import functools
import http.client
import ipaddress
from collections.abc import Callable
from dataclasses import asdict

import csp.middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


# An IPv6 address with an IPv4 tail, written in full, with room for the spaces around a header's parts.
_LONGEST_ADDRESS = 64


def parse_address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


class ClientAddressMiddleware:
    """Behind the proxies of GROUPKET_TRUSTED_PROXIES, REMOTE_ADDR becomes the visitor's address.

    Sign-in throttling and records and the staff network gate read REMOTE_ADDR. Behind a reverse
    proxy it is the proxy's: every visitor would share one address, and with the proxy on this host
    every visitor would come from a loopback staff network. Each proxy appends the address it was
    reached from to X-Forwarded-For, so the header is read from the right, past the trusted proxies;
    what lies further left was written by the visitor and is not believed. From a peer that is not a
    trusted proxy the header is ignored, and an unreadable chain leaves the address unknown ("").
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.proxies = [ipaddress.ip_network(network, strict=False) for network in settings.GROUPKET_TRUSTED_PROXIES]
        # The same addresses come again and again (the proxy's on every request): each is read once, not each time.
        self._read_once = functools.lru_cache(maxsize=4096)(self._read_address)

    def _read(self, text: str) -> tuple[str, bool] | None:
        # Only what could be an address is kept: the visitor writes X-Forwarded-For, and 4,096 parts of kilobytes
        # each would hold tens of megabytes in every worker. The longest address is 45 characters.
        if len(text) > _LONGEST_ADDRESS:
            return None
        return self._read_once(text)

    def _read_address(self, text: str) -> tuple[str, bool] | None:
        """The address as text, written the standard way, and whether it is a trusted proxy's; None if unreadable."""
        address = parse_address(text)
        if address is None:
            return None
        return str(address), any(address in network for network in self.proxies)

    def _visitor(self, forwarded_for: str) -> str:
        chain = [self._read(part) for part in forwarded_for.split(",")] if forwarded_for.strip() else []
        for read in reversed(chain):
            if read is None:
                return ""
            address, trusted = read
            if not trusted:
                return address
        # Only proxies in the chain: the request began at a proxy (a health check, say).
        return chain[0][0] if chain else ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without trusted proxies (the default) the address is the peer's, and nothing is parsed.
        peer = self._read(request.META.get("REMOTE_ADDR", "")) if self.proxies else None
        if peer is not None and peer[1]:
            request.META["REMOTE_ADDR"] = self._visitor(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Turns off browser features no Groupket page uses (P7.5)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.GROUPKET_PERMISSIONS_POLICY)
        return response


class NoStoreMiddleware:
    """No browser, proxy or shared cache keeps a page that may show personal data (P7.5).

    The rule is kept simple so that no page can be forgotten: every response to a signed-in member
    (the staff console included, since only signed-in staff reach it) and every answer to a sent form
    (shown again with its errors, it holds what was typed). Public pages stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method == "POST" or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response


# django-csp leaves the 404 and 500 pages of the debug view without a policy.
_DEBUG_CODES = (http.client.NOT_FOUND, http.client.INTERNAL_SERVER_ERROR)
# (report only, header, setting, the response attribute exempting it), as django-csp writes them.
_POLICIES = (
    (False, HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt"),
    (True, HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro"),
)
# The parts of a response that neither asked for a nonce nor changed the policy.
_SITE_PARTS = csp.middleware.PolicyParts()


@functools.cache
def site_policy(report_only: bool) -> str:
    """The header of the settings' policy, as django-csp builds it (P7.5), built once per process."""
    return build_policy(report_only=report_only)


@receiver(setting_changed)
def forget_site_policy(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        site_policy.cache_clear()


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware, with the site's policy header built once instead of on every response.

    The header only changes with a nonce or a view's own policy (orders' card pages update form-action);
    those responses get theirs built as django-csp does.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if response.status_code in _DEBUG_CODES and settings.DEBUG:
            return response
        for report_only, header, setting, exempt in _POLICIES:
            parts = self.get_policy_parts(request=request, response=response, report_only=report_only)
            if parts == _SITE_PARTS:
                policy = site_policy(report_only)
            else:
                policy = build_policy(**asdict(parts), report_only=report_only)
            prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
            exempted = getattr(response, exempt, False) is not False or request.path_info.startswith(prefixes)
            if policy and header not in response and not exempted:
                response[header] = policy
        # After the header is written a nonce can no longer reach it: asking for one now is an error.
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response
