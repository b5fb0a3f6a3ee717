"""The organisers' pages: a space's settings (/s/<slug>/manage/) and its members (/s/<slug>/members/)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groupket.spaces import permissions
from groupket.spaces.forms import InviteForm, MemberChoiceForm, SlowModeForm, SpaceSettingsForm
from groupket.spaces.models import Membership, Space
from groupket.spaces.selectors import space_members
from groupket.spaces.services import members as member_services
from groupket.spaces.services import spaces as space_services
from groupket.spaces.views.common import member_action, space_or_404


def _organiser_space(request: HttpRequest, slug: str) -> tuple[Space, Membership]:
    space, membership = space_or_404(request, slug)
    permissions.check_can_manage_members(space, membership)
    return space, membership


def _render_settings(request: HttpRequest, space: Space, membership: Membership, **forms: object) -> HttpResponse:
    link = ""
    if space.invitation_token:
        link = settings.SITE_URL + reverse("spaces:invitation_link", args=[space.slug, space.invitation_token])
    context = {
        "space": space,
        "membership": membership,
        "form": forms.get("form") or SpaceSettingsForm(initial=SpaceSettingsForm.initial_of(space)),
        "slow_form": forms.get("slow_form") or SlowModeForm(initial={"minutes": space.slow_mode_minutes}),
        "invitation_link": link,
    }
    return render(request, "spaces/manage.html", context, status=400 if forms else 200)


@member_action("GET", "HEAD")
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    space, membership = _organiser_space(request, slug)
    return _render_settings(request, space, membership)


@member_action("POST")
def update_settings(request: HttpRequest, slug: str) -> HttpResponse:
    space, membership = _organiser_space(request, slug)
    form = SpaceSettingsForm(request.POST)
    if not form.is_valid():
        return _render_settings(request, space, membership, form=form)
    changed = space_services.update_space(actor=request.user, space=space, details=form.details())
    messages.success(request, _("The space's settings are saved.") if changed else _("Nothing was changed."))
    return redirect("spaces:manage", slug=space.slug)


@member_action("POST")
def slow_mode(request: HttpRequest, slug: str) -> HttpResponse:
    space, membership = _organiser_space(request, slug)
    form = SlowModeForm(request.POST)
    if not form.is_valid():
        return _render_settings(request, space, membership, slow_form=form)
    space_services.set_slow_mode(actor=request.user, space=space, minutes=form.cleaned_data["minutes"])
    messages.success(request, _("Slow mode is saved."))
    return redirect("spaces:manage", slug=space.slug)


@member_action("POST")
def invitation_link(request: HttpRequest, slug: str) -> HttpResponse:
    space, _membership = _organiser_space(request, slug)
    if request.POST.get("action") == "revoke":
        space_services.revoke_invitation_link(actor=request.user, space=space)
        messages.success(request, _("The invitation link is revoked: it no longer works."))
    else:
        space_services.renew_invitation_link(actor=request.user, space=space)
        messages.success(request, _("There is a new invitation link. The old one no longer works."))
    return redirect("spaces:manage", slug=space.slug)


@member_action("POST")
def close(request: HttpRequest, slug: str) -> HttpResponse:
    space, _membership = space_or_404(request, slug)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Tick the box to confirm that you want to close the space."))
        return redirect("spaces:manage", slug=space.slug)
    space_services.close_space(actor=request.user, space=space)
    messages.success(request, _("The space is closed. Its members can still read it, and you can now leave it."))
    return redirect("spaces:home", slug=space.slug)


# --- members ------------------------------------------------------------------------------------------------


def _render_members(request: HttpRequest, space: Space, membership: Membership, invite_form=None) -> HttpResponse:
    rows = space_members(space)
    context = {
        "space": space,
        "membership": membership,
        "active": [row for row in rows if row.is_active],
        "requests": [row for row in rows if row.status == Membership.REQUESTED],
        "invited": [row for row in rows if row.status == Membership.INVITED],
        "invite_form": invite_form or InviteForm(),
    }
    return render(request, "spaces/members.html", context, status=400 if invite_form else 200)


@member_action("GET", "HEAD")
def members(request: HttpRequest, slug: str) -> HttpResponse:
    space, membership = _organiser_space(request, slug)
    return _render_members(request, space, membership)


@member_action("POST")
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    space, membership = _organiser_space(request, slug)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _render_members(request, space, membership, invite_form=form)
    member_services.invite_member(actor=request.user, space=space, invitee=form.cleaned_data["username"])
    messages.success(request, _("The invitation is sent. It waits on the member's home page."))
    return redirect("spaces:members", slug=space.slug)


def _chosen_member(request: HttpRequest) -> int | None:
    form = MemberChoiceForm(request.POST)
    return form.cleaned_data["member"] if form.is_valid() else None


MEMBER_ACTIONS = {
    "approve": gettext_lazy("The member is in the space."),
    "refuse": gettext_lazy("The request is refused."),
    "remove": gettext_lazy("The member is removed from the space."),
    "organiser": gettext_lazy("The member is now an organiser."),
    "member": gettext_lazy("The organiser is now a member."),
    "transfer": gettext_lazy("You have transferred ownership. You are now an organiser of the space."),
}


@member_action("POST")
def act_on_member(request: HttpRequest, slug: str) -> HttpResponse:
    """One form per row of the members page: which member, and what to do."""
    space, _membership = _organiser_space(request, slug)
    member_id, action = _chosen_member(request), request.POST.get("action", "")
    if member_id is None or action not in MEMBER_ACTIONS:
        messages.error(request, _("Choose a member and an action."))
        return redirect("spaces:members", slug=space.slug)
    actor = request.user
    if action in ("approve", "refuse"):
        member_services.answer_join_request(actor=actor, space=space, member_id=member_id, approve=action == "approve")
    elif action == "remove":
        member_services.remove_member(actor=actor, space=space, member_id=member_id)
    elif action == "transfer":
        member_services.transfer_ownership(actor=actor, space=space, member_id=member_id)
    else:
        member_services.set_role(actor=actor, space=space, member_id=member_id, role=action)
    messages.success(request, MEMBER_ACTIONS[action])
    return redirect("spaces:members", slug=space.slug)
