"""The privacy officer's role desk: grants, revocations, their history, and lost authenticators (P7.6, P10.2)."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groupket.accounts.models import Member
from groupket.accounts.selectors import active_member_with_username, usernames_by_id
from groupket.staff.forms.access import GrantRoleForm, ResetAuthenticatorForm, RevokeRoleForm
from groupket.staff.models import AuthenticatorReset, RoleGrant
from groupket.staff.permissions import staff_view
from groupket.staff.roles import GRANT_ROLES, ROLES
from groupket.staff.selectors import display_name
from groupket.staff.services.authenticators import AuthenticatorResetRefused, reset_authenticator
from groupket.staff.services.roles import RoleChangeRefused, grant_role, revoke_role


@dataclass(frozen=True)
class RoleEvent:
    when: datetime
    kind: str  # "granted", "revoked" or "authenticator_reset"
    role_label: str
    member: str
    by: str
    reason: str


def _events(grants: list[RoleGrant], resets: list[AuthenticatorReset], names: dict[int, str]) -> list[RoleEvent]:
    events = [
        RoleEvent(
            reset.created_at,
            "authenticator_reset",
            "",
            display_name(names, reset.member_ref),
            display_name(names, reset.reset_by_ref, reset.reset_by_operator),
            reset.reason,
        )
        for reset in resets
    ]
    for grant in grants:
        label, member = ROLES[grant.role].label, display_name(names, grant.member_ref)
        by = display_name(names, grant.granted_by_ref, grant.granted_by_operator)
        events.append(RoleEvent(grant.granted_at, "granted", label, member, by, grant.reason))
        if grant.revoked_at:
            by = display_name(names, grant.revoked_by_ref, grant.revoked_by_operator)
            events.append(RoleEvent(grant.revoked_at, "revoked", label, member, by, grant.revoke_reason))
    return sorted(events, key=lambda event: event.when, reverse=True)


def _render_desk(
    request: HttpRequest,
    *,
    grant_form: GrantRoleForm | None = None,
    reset_form: ResetAuthenticatorForm | None = None,
    revoke_errors: dict | None = None,
    desk_error: str = "",
    status: int = 200,
) -> HttpResponse:
    # Grant rows are never deleted, so the history stays complete (kept at least 3 years, P7.6).
    grants = list(RoleGrant.objects.order_by("-granted_at", "-pk"))
    resets = list(AuthenticatorReset.objects.all())
    names = usernames_by_id(
        [ref for grant in grants for ref in (grant.member_ref, grant.granted_by_ref, grant.revoked_by_ref)]
        + [ref for reset in resets for ref in (reset.member_ref, reset.reset_by_ref)]
    )
    revoke_errors = revoke_errors or {}
    live = [
        (grant, ROLES[grant.role].label, display_name(names, grant.member_ref), revoke_errors.get(grant.pk))
        for grant in grants
        if grant.revoked_at is None
    ]
    context = {
        "live": live,
        "events": _events(grants, resets, names),
        "grant_form": grant_form or GrantRoleForm(),
        "reset_form": reset_form or ResetAuthenticatorForm(),
        "desk_error": desk_error,
    }
    return render(request, "staff/roles.html", context, status=status)


def _active_member_named(form: GrantRoleForm | ResetAuthenticatorForm) -> Member | None:
    """The active member with exactly the form's username; None, with the form told why, when there is none."""
    member = active_member_with_username(form.cleaned_data["username"])
    if member is None:
        form.add_error("username", _("No active member has exactly that ID. Nothing was changed."))
    return member


@staff_view(GRANT_ROLES)
def role_desk(request: HttpRequest) -> HttpResponse:
    return _render_desk(request)


@staff_view(GRANT_ROLES)
@require_POST
def grant(request: HttpRequest) -> HttpResponse:
    form = GrantRoleForm(request.POST)
    if form.is_valid() and (member := _active_member_named(form)) is not None:
        try:
            grant_role(
                officer=request.user, member=member, role=form.cleaned_data["role"], reason=form.cleaned_data["reason"]
            )
        except RoleChangeRefused:
            form.add_error("role", _("That member already holds this role. Nothing was changed."))
        else:
            messages.success(request, _("The role was granted and the grant recorded."))
            return redirect("staff:roles")
    return _render_desk(request, grant_form=form, status=400)


@staff_view(GRANT_ROLES)
@require_POST
def revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    form = RevokeRoleForm(request.POST)
    if not form.is_valid():
        return _render_desk(request, revoke_errors={grant_id: form.errors["reason"]}, status=400)
    try:
        revoke_role(officer=request.user, grant_id=grant_id, reason=form.cleaned_data["reason"])
    except RoleChangeRefused:
        return _render_desk(request, desk_error=_("That grant is not live any more. Nothing was changed."), status=400)
    messages.success(request, _("The role was revoked and the revocation recorded."))
    return redirect("staff:roles")


@staff_view(GRANT_ROLES)
@require_POST
def reset_lost_authenticator(request: HttpRequest) -> HttpResponse:
    form = ResetAuthenticatorForm(request.POST)
    if form.is_valid() and (staff := _active_member_named(form)) is not None:
        try:
            reset_authenticator(officer=request.user, staff=staff, reason=form.cleaned_data["reason"])
        except AuthenticatorResetRefused as refusal:
            form.add_error("username", str(refusal))
        else:
            messages.success(
                request,
                _("The authenticator was reset and the reset recorded; the staff member was signed out and told."),
            )
            return redirect("staff:roles")
    return _render_desk(request, reset_form=form, status=400)
