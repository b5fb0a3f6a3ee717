"""Page shells: a page rendered once per process for visitors not signed in, each response with its own CSRF token.

For such a visitor the login page is the same bytes every time but for its CSRF tokens, and rendering its
templates was about two thirds of what a GET of it cost (bench/sign_in.py: most of a sign-in beside the password
hash). So the page is rendered once with a placeholder where each {% csrf_token %} puts the token, kept in this
process's memory (a Redis round trip would cost more than it saves), and each response gets the visitor's token
in its place: get_token() also has CsrfViewMiddleware set the cookie, as the tag does. The response is a plain
HttpResponse that goes through every middleware as a rendered one does.

A shell is used only where the page cannot differ between visitors: a GET or HEAD without a query string, from a
visitor not signed in, with no message waiting to be shown, of unbound forms, answered 200. What else base.html
reads of the request is in the key: the path (the language switch and the cookie banner send the visitor back to
it, and with no query string it is all of request.get_full_path), the language, and whether the cookie banner
asks (analytics' middleware puts the visitor's choice on the request); the view adds what its own page reads
(`depends_on`). The notices, the staff console link and the rest of the header that a signed-in member sees are
not drawn for anyone else.

On only with GROUPKET_PAGE_SHELLS (production's default), where templates are read once, by Django's cached
loader, and change only with a release, which restarts gunicorn; on a laptop runserver reloads an edited template.
"""

import secrets
import threading
from collections.abc import Hashable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation

# A few pages, two languages, with the banner or without: a handful. The bound is for keys that keep coming (each
# new version of the Terms or the Privacy Policy is a new signup page): the oldest shell goes first.
MOST_SHELLS = 32
# Random in each process, so that no text on a page can be it.
TOKEN_PLACEHOLDER = f"csrf-token-{secrets.token_hex(16)}"
_PLACEHOLDER_BYTES = TOKEN_PLACEHOLDER.encode()
_shells: dict[tuple[Hashable, ...], bytes] = {}
_keeping = threading.Lock()


def render_page(
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    depends_on: tuple[Hashable, ...] = (),
) -> HttpResponse:
    """What render() answers, from the page's shell when the page is the same for every visitor like this one.

    depends_on: what else of the context the page shows that can change while the process runs."""
    if not _same_for_every_visitor(request, context, status):
        return render(request, template_name, context, status=status)
    key = (template_name, request.path, translation.get_language(), request.cookie_choice.asks, *depends_on)
    shell = _shells.get(key)
    if shell is None:
        shell = render_to_string(template_name, {**context, "csrf_token": TOKEN_PLACEHOLDER}, request).encode()
        _keep(key, shell)
    return HttpResponse(shell.replace(_PLACEHOLDER_BYTES, get_token(request).encode()), status=status)


def _same_for_every_visitor(request: HttpRequest, context: Mapping[str, Any], status: int) -> bool:
    return (
        settings.GROUPKET_PAGE_SHELLS
        and request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and not request.user.is_authenticated
        and status == 200
        and not any(isinstance(value, BaseForm) and value.is_bound for value in context.values())
        # Counting the messages does not mark them shown: the normal render below shows them.
        and len(get_messages(request)) == 0
    )


def _keep(key: tuple[Hashable, ...], shell: bytes) -> None:
    # A lock for threaded servers (gunicorn's sync workers have one thread): the oldest is found and dropped while
    # no other thread adds one.
    with _keeping:
        if len(_shells) >= MOST_SHELLS:
            _shells.pop(next(iter(_shells)))
        _shells[key] = shell
