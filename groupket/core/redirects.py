"""Where to send a visitor next: only to a path on this site (no open redirect)."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_on_this_site(request: HttpRequest) -> str:
    """The `next` address (POST, then GET) if it is a path on this site, else "".

    Only a path from the root: a bare word such as "0" would be taken by redirect() for a view name.
    """
    # A GET has no form to read (reading request.POST would build an empty one, on every login page).
    target = (request.method == "POST" and request.POST.get("next")) or request.GET.get("next") or ""
    if not target.startswith("/"):
        return ""
    on_this_site = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if on_this_site else ""
