"""The staff lookup of one member, by exact ID or email, every look logged (P7.8).

There is no list, no partial match and no browsing: the lookup goes through the
blind index. The result is the POST response itself, so no URL carries the ID or
email and no page with personal items can be reloaded without a fresh reason and
a fresh access-log row.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from groupket.accounts.selectors import member_by_username_or_email
from groupket.accounts.services.sessions import client_ip
from groupket.privacy import inventory
from groupket.staff.forms.access import MemberLookupForm
from groupket.staff.permissions import staff_view
from groupket.staff.roles import LOOK_UP_MEMBERS, ROLES
from groupket.staff.services.access_log import REASONS, log_member_view

# Photos are not shown in the console; only text items on the member's own row.
_SHOWABLE_FIELDS = {"username", "name", "email", "phone"}


def shown_items(role_slugs: set[str]) -> list[inventory.Item]:
    """The member items the roles allow, in inventory order; nothing outside the roles' lists (P7.8)."""
    allowed = {key for slug in role_slugs for key in ROLES[slug].items}
    return [
        item
        for item in inventory.ITEMS
        if item.key in allowed and item.path.on_member and item.path.field in _SHOWABLE_FIELDS
    ]


def _can_use_query(form: MemberLookupForm, role_slugs: set[str]) -> bool:
    """Looking up by email confirms an address belongs to a member: only for roles that may see emails."""
    by_email = "@" in form.cleaned_data["query"]
    return not by_email or any("email" in ROLES[slug].items for slug in role_slugs)


def _render_form(request: HttpRequest, form: MemberLookupForm, *, no_match: bool = False, status: int = 200):
    return render(request, "staff/members.html", {"form": form, "no_match": no_match}, status=status)


@staff_view(LOOK_UP_MEMBERS)
def look_up_member(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_form(request, MemberLookupForm())
    form = MemberLookupForm(request.POST)
    if form.is_valid() and not _can_use_query(form, request.staff_roles):
        form.add_error("query", _("Your roles may look members up by exact ID only."))
    if not form.is_valid():
        return _render_form(request, form, status=400)
    member = member_by_username_or_email(form.cleaned_data["query"], fields=_SHOWABLE_FIELDS)
    if member is None:
        # Nothing was shown, so nothing is logged; the form is shown again without the query.
        return _render_form(request, MemberLookupForm(initial={"reason": form.cleaned_data["reason"]}), no_match=True)
    items = shown_items(request.staff_roles)
    entry = log_member_view(
        staff=request.user,
        member_id=member.pk,
        items=[item.key for item in items],
        reason=form.cleaned_data["reason"],
        reference=form.log_reference(),
        ip_address=client_ip(request),
    )
    rows = [(item, getattr(member, item.path.field)) for item in items]
    response = render(
        request,
        "staff/members_result.html",
        {"member_id": member.pk, "rows": rows, "entry": entry, "reason_label": REASONS[entry.reason]},
    )
    add_never_cache_headers(response)
    return response
