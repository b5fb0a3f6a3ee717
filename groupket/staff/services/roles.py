"""Granting and revoking staff roles: only the privacy officer, every change recorded (P7.6, P10.2)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from groupket.core.actors import Actor, SystemActor, acting, actor_label, actor_ref
from groupket.staff.models import RoleGrant
from groupket.staff.permissions import StaffActionDenied
from groupket.staff.roles import GRANT_ROLES, ROLES, get_role
from groupket.staff.selectors import active_role_slugs


class RoleChangeRefused(Exception):
    """The change is not possible as asked: the member already holds the role, or not any more."""


def check_can_grant(officer: Actor) -> None:
    """The privacy officer grants roles; the operator on the server too (the first officer, a lost one)."""
    if isinstance(officer, SystemActor):
        return
    if not any(GRANT_ROLES in ROLES[slug].actions for slug in active_role_slugs(officer.pk)):
        raise StaffActionDenied("only the privacy officer grants and revokes roles")


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise RoleChangeRefused("a reason is required")
    return reason[:300]


@acting("officer", system=True)
def grant_role(*, officer: Actor, member: AbstractBaseUser, role: str, reason: str) -> RoleGrant:
    """Grant a role, recording who granted it: the officer's id, or the operator's label (manage.py grant_role)."""
    get_role(role)
    check_can_grant(officer)
    reason = _require_reason(reason)
    try:
        with transaction.atomic():
            return RoleGrant.objects.create(
                member=member,
                member_ref=member.pk,
                role=role,
                reason=reason,
                granted_by_ref=actor_ref(officer),
                granted_by_operator=actor_label(officer),
            )
    except IntegrityError:
        raise RoleChangeRefused("the member already holds this role") from None


@acting("officer", system=True)
def revoke_role(*, officer: Actor, grant_id: int, reason: str) -> RoleGrant:
    check_can_grant(officer)
    reason = _require_reason(reason)
    with transaction.atomic():
        grant = RoleGrant.objects.select_for_update().filter(pk=grant_id, revoked_at__isnull=True).first()
        if grant is None:
            raise RoleChangeRefused("no such live grant")
        grant.revoked_at = timezone.now()
        grant.revoked_by_ref, grant.revoked_by_operator = actor_ref(officer), actor_label(officer)
        grant.revoke_reason = reason
        grant.save(update_fields=["revoked_at", "revoked_by_ref", "revoked_by_operator", "revoke_reason"])
    return grant
