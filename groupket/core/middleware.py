import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


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

    def _trusted(self, address: Address | None) -> bool:
        return address is not None and any(address in network for network in self.proxies)

    def _visitor(self, forwarded_for: str) -> str:
        chain = [parse_address(part) for part in forwarded_for.split(",")] if forwarded_for.strip() else []
        for address in reversed(chain):
            if address is None:
                return ""
            if not self._trusted(address):
                return str(address)
        # Only proxies in the chain: the request began at a proxy (a health check, say).
        return str(chain[0]) if chain else ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without trusted proxies (the default) the address is the peer's, and nothing is parsed.
        if self.proxies and self._trusted(parse_address(request.META.get("REMOTE_ADDR", ""))):
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
