"""System checks of core settings: a typo in a network list fails `check` instead of a request."""

import ipaddress
from typing import Any

from django.conf import settings
from django.core import checks


def check_network_lists(**kwargs: Any) -> list[checks.CheckMessage]:
    found = []
    for name in ("GROUPKET_STAFF_NETWORKS", "GROUPKET_TRUSTED_PROXIES"):
        for entry in getattr(settings, name):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                found.append(
                    checks.Error(
                        f"{name} holds {entry!r}, which is not an IP network.",
                        hint="Write networks in CIDR form, such as 192.0.2.0/24 or 2001:db8::/32, separated by commas.",
                        id="core.E001",
                    )
                )
    return found


def check_proxy_is_named(**kwargs: Any) -> list[checks.CheckMessage]:
    """Production trusts X-Forwarded-Proto, so a proxy stands in front: its address must not pass for the visitor's."""
    if settings.SECURE_PROXY_SSL_HEADER is None or settings.GROUPKET_TRUSTED_PROXIES:
        return []
    return [
        checks.Warning(
            "GROUPKET_TRUSTED_PROXIES is empty, so every visitor has the address of the reverse proxy in front.",
            hint="Set it to the proxy's network: sign-in throttling and the staff network gate need the visitor's.",
            id="core.W001",
        )
    ]
