"""Creating, changing and closing a space."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from groupket.spaces import permissions
from groupket.spaces.models import Membership, Space
from groupket.spaces.services import log


class SpaceAddressTaken(Exception):
    """Another space took this address between the form's check and the save."""


@dataclass(frozen=True)
class SpaceDetails:
    """What the owner and organisers set: nothing personal, all of it searchable."""

    name: str
    description: str
    rules: tuple[str, ...]
    visibility: str
    joining: str


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


def locked_membership(space: Space, member_id: int) -> Membership | None:
    """The member's membership row, locked until the transaction ends (Habit 11)."""
    return Membership.objects.select_for_update().filter(space=space, member_id=member_id).first()


def locked_space(space: Space) -> Space:
    return Space.objects.select_for_update().get(pk=space.pk)


def create_space(*, actor: AbstractBaseUser, slug: str, details: SpaceDetails) -> Space:
    """A new space with the actor as its owner."""
    try:
        with transaction.atomic():
            space = Space.objects.create(
                slug=slug,
                name=details.name,
                description=details.description,
                rules=list(details.rules),
                visibility=details.visibility,
                joining=details.joining,
                invitation_token=new_invitation_token(),
            )
            Membership.objects.create(space=space, member=actor, role=Membership.OWNER, status=Membership.ACTIVE)
            log.record(space, actor=actor, action=log.SPACE_CREATED, visibility=space.visibility, joining=space.joining)
    except IntegrityError as exc:
        raise SpaceAddressTaken(f"the address {slug!r} is taken") from exc
    return space


def update_space(*, actor: AbstractBaseUser, space: Space, details: SpaceDetails) -> bool:
    """Change the name, description, rules, visibility or joining; False when nothing changed."""
    with transaction.atomic():
        space = locked_space(space)
        permissions.check_can_edit_space(space, locked_membership(space, actor.pk))
        changes = {
            "name": details.name,
            "description": details.description,
            "rules": list(details.rules),
            "visibility": details.visibility,
            "joining": details.joining,
        }
        changed = [field for field, value in changes.items() if getattr(space, field) != value]
        if not changed:
            return False
        for field in changed:
            setattr(space, field, changes[field])
        space.save(update_fields=changed)
        log.record(space, actor=actor, action=log.SPACE_UPDATED, fields=changed)
    return True


def close_space(*, actor: AbstractBaseUser, space: Space) -> None:
    """The owner closes the space: no longer listed or joinable, its posts kept for its members to read."""
    with transaction.atomic():
        space = locked_space(space)
        permissions.check_can_close_space(space, locked_membership(space, actor.pk))
        space.closed_at = timezone.now()
        space.invitation_token = ""
        space.save(update_fields=["closed_at", "invitation_token"])
        Membership.objects.filter(space=space).exclude(status=Membership.ACTIVE).delete()
        log.record(space, actor=actor, action=log.SPACE_CLOSED)


def set_slow_mode(*, actor: AbstractBaseUser, space: Space, minutes: int) -> None:
    """One post per member per `minutes` (0: off). Stored now; enforced when screening arrives."""
    if minutes < 0:
        raise ValueError(f"slow mode cannot be {minutes} minutes")
    with transaction.atomic():
        space = locked_space(space)
        permissions.check_can_manage_members(space, locked_membership(space, actor.pk))
        space.slow_mode_minutes = minutes
        space.save(update_fields=["slow_mode_minutes"])
        log.record(space, actor=actor, action=log.SLOW_MODE_SET, slow_mode_minutes=minutes)


def renew_invitation_link(*, actor: AbstractBaseUser, space: Space) -> str:
    """A new invitation link; the old one stops working at once."""
    with transaction.atomic():
        space = locked_space(space)
        permissions.check_can_manage_members(space, locked_membership(space, actor.pk))
        space.invitation_token = new_invitation_token()
        space.save(update_fields=["invitation_token"])
        log.record(space, actor=actor, action=log.INVITATION_LINK_RENEWED)
    return space.invitation_token


def revoke_invitation_link(*, actor: AbstractBaseUser, space: Space) -> None:
    with transaction.atomic():
        space = locked_space(space)
        permissions.check_can_manage_members(space, locked_membership(space, actor.pk))
        space.invitation_token = ""
        space.save(update_fields=["invitation_token"])
        log.record(space, actor=actor, action=log.INVITATION_LINK_REVOKED)
