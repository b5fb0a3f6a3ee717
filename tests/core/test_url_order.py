"""Every page of the URLconf is reached by its own address: no pattern earlier in the list answers for it.

The order of groupket/urls.py puts the busiest pages first (resolving tries each pattern in turn); this is what
makes a new order safe.
"""

import re
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver, resolve

SAMPLES = {"int": "7", "slug": "a-slug", "str": "a-token", "uuid": "12345678-1234-5678-1234-567812345678"}
CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")


def routes(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLPattern):
            yield route
        else:
            yield from routes(pattern, route)


def address(route: str) -> str:
    return "/" + CONVERTER.sub(lambda converter: SAMPLES[converter.group(1) or "str"], route)


def test_every_route_resolves_to_itself() -> None:
    all_routes = list(routes(get_resolver()))
    assert "accounts/login/" in all_routes
    shadowed = {route: resolve(address(route)).route for route in all_routes if resolve(address(route)).route != route}
    assert shadowed == {}
