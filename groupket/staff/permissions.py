"""Who may reach the staff console, and what each may do there (P7.4, P7.6, P7.8).

Anyone outside the staff networks, not signed in, or holding no role gets the
ordinary 404 page, so the console cannot be told apart from a missing page. A
staff member then passes the safeguards (second factor, password age) before
any console page, and each page names the action its role must allow.
"""

import ipaddress
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from groupket.staff.navigation import pages_open_to
from groupket.staff.roles import ROLES
from groupket.staff.selectors import active_role_slugs
from groupket.staff.services.safeguards import ENROL, PASSWORD, VERIFY, pending_safeguard

View = Callable[..., HttpResponse]


class StaffActionDenied(PermissionDenied):
    """The staff member's roles do not allow this action."""


def client_in_staff_networks(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in settings.GROUPKET_STAFF_NETWORKS)


def staff_roles_or_404(request: HttpRequest) -> set[str]:
    """The signed-in staff member's role slugs, or a 404 for everyone else."""
    if not client_in_staff_networks(request) or not request.user.is_authenticated:
        raise Http404
    slugs = active_role_slugs(request.user.pk)
    if not slugs:
        raise Http404
    return slugs


def allowed_actions(slugs: set[str]) -> set[str]:
    return {action for slug in slugs for action in ROLES[slug].actions}


def check_action(slugs: set[str], action: str) -> None:
    if action not in allowed_actions(slugs):
        raise StaffActionDenied(f"no role allows {action!r}")


def safeguard_redirect(request: HttpRequest, *, password: bool = True) -> HttpResponse | None:
    """The page of the safeguard the staff member must pass first (P7.7), or None when every one is passed."""
    step = pending_safeguard(request.user, password=password)
    if step == ENROL:
        return redirect("staff:enrol")
    if step == VERIFY:
        return redirect(f"{reverse('staff:verify')}?{urlencode({'next': request.get_full_path()})}")
    if step == PASSWORD:
        return redirect("staff:password")
    return None


def staff_view(action: str | None = None, *, safeguards: bool = True) -> Callable[[View], View]:
    """Gate a console view: staff network and role, then the safeguards, then the action's permission."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            slugs = staff_roles_or_404(request)
            if safeguards:
                step = safeguard_redirect(request)
                if step is not None:
                    return step
            if action is not None:
                check_action(slugs, action)
            request.staff_roles = slugs
            # What this request's services check the staff member's items against (access_log._check_items),
            # read once here, as Django's ModelBackend keeps a user's permissions on the user for the request.
            request.user._staff_role_cache = frozenset(slugs)
            request.staff_pages = pages_open_to(allowed_actions(slugs))
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
