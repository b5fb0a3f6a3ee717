"""Joining and leaving a space, and the organisers' work on its members."""

import hmac

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from groupket.spaces import permissions
from groupket.spaces.models import Membership, Space
from groupket.spaces.notifications import events
from groupket.spaces.services import log
from groupket.spaces.services.spaces import locked_membership, locked_space


def _target(space: Space, member_id: int) -> Membership:
    target = locked_membership(space, member_id)
    if target is None:
        raise permissions.SpaceActionDenied(permissions.NOT_IN_SPACE)
    return target


def token_matches(space: Space, token: str) -> bool:
    """Whether a token is the space's invitation link in force, compared in constant time."""
    return bool(space.invitation_token) and hmac.compare_digest(
        space.invitation_token.encode(), token.encode(errors="replace")
    )


def join_space(*, actor: AbstractBaseUser, space: Space) -> Membership:
    """Join an open space, or ask to join one by approval; an invited member joins at once."""
    with transaction.atomic():
        space = locked_space(space)
        membership = locked_membership(space, actor.pk)
        permissions.check_can_join(space, membership)
        if membership is not None:  # invited: joining is accepting
            return _accept(space, membership, actor)
        status = Membership.ACTIVE if space.joining == Space.OPEN else Membership.REQUESTED
        membership = Membership.objects.create(space=space, member=actor, status=status)
        log.record(space, actor=actor, action=log.MEMBER_JOINED if status == Membership.ACTIVE else log.JOIN_REQUESTED)
        if status == Membership.REQUESTED:
            events.join_requested(member=actor, space=space)
    return membership


def join_by_link(*, actor: AbstractBaseUser, space: Space, token: str) -> Membership:
    """Join through the invitation link, whatever the joining rule, while the link is in force."""
    with transaction.atomic():
        space = locked_space(space)
        membership = locked_membership(space, actor.pk)
        permissions.check_can_join_by_link(space, membership, token_matches=token_matches(space, token))
        if membership is None:
            membership = Membership.objects.create(space=space, member=actor, status=Membership.ACTIVE)
        else:
            membership.status = Membership.ACTIVE
            membership.save(update_fields=["status"])
        log.record(space, actor=actor, action=log.MEMBER_JOINED, by_link=True)
    return membership


def _accept(space: Space, membership: Membership, actor: AbstractBaseUser) -> Membership:
    membership.status = Membership.ACTIVE
    membership.save(update_fields=["status"])
    log.record(space, actor=actor, action=log.INVITATION_ACCEPTED)
    return membership


def answer_invitation(*, actor: AbstractBaseUser, space: Space, accept: bool) -> None:
    with transaction.atomic():
        space = locked_space(space)
        membership = locked_membership(space, actor.pk)
        permissions.check_can_answer_invitation(space, membership)
        if accept:
            _accept(space, membership, actor)
        else:
            membership.delete()
            log.record(space, actor=actor, action=log.INVITATION_DECLINED)


def invite_member(*, actor: AbstractBaseUser, space: Space, invitee: AbstractBaseUser) -> Membership:
    """An organiser invites a member by ID; the invitation waits on the invitee's home page."""
    with transaction.atomic():
        space = locked_space(space)
        permissions.check_can_invite(space, locked_membership(space, actor.pk), locked_membership(space, invitee.pk))
        invitation = Membership.objects.create(space=space, member=invitee, status=Membership.INVITED)
        log.record(space, actor=actor, action=log.MEMBER_INVITED, subject_id=invitee.pk)
    return invitation


def answer_join_request(*, actor: AbstractBaseUser, space: Space, member_id: int, approve: bool) -> None:
    with transaction.atomic():
        space = locked_space(space)
        target = _target(space, member_id)
        permissions.check_can_answer_request(space, locked_membership(space, actor.pk), target)
        if approve:
            target.status = Membership.ACTIVE
            target.save(update_fields=["status"])
            events.join_approved(member_id=member_id, space=space)
        else:
            target.delete()
        log.record(space, actor=actor, action=log.JOIN_APPROVED if approve else log.JOIN_REFUSED, subject_id=member_id)


def remove_member(*, actor: AbstractBaseUser, space: Space, member_id: int) -> None:
    with transaction.atomic():
        space = locked_space(space)
        target = _target(space, member_id)
        permissions.check_can_remove_member(space, locked_membership(space, actor.pk), target)
        target.delete()
        log.record(space, actor=actor, action=log.MEMBER_REMOVED, subject_id=member_id)


def set_role(*, actor: AbstractBaseUser, space: Space, member_id: int, role: str) -> None:
    """The owner makes a member an organiser, or an organiser a member again."""
    if role not in (Membership.ORGANISER, Membership.MEMBER):
        raise ValueError(f"set_role cannot give the role {role!r}")
    with transaction.atomic():
        space = locked_space(space)
        target = _target(space, member_id)
        permissions.check_can_set_role(space, locked_membership(space, actor.pk), target)
        if target.role == role:
            return
        target.role = role
        target.save(update_fields=["role"])
        log.record(space, actor=actor, action=log.ROLE_CHANGED, subject_id=member_id, role=role)


def transfer_ownership(*, actor: AbstractBaseUser, space: Space, member_id: int) -> None:
    """The owner hands the space to another member, and stays on as an organiser."""
    with transaction.atomic():
        space = locked_space(space)
        owner = locked_membership(space, actor.pk)
        target = _target(space, member_id)
        permissions.check_can_transfer_ownership(space, owner, target)
        owner.role, target.role = Membership.ORGANISER, Membership.OWNER
        owner.save(update_fields=["role"])
        target.save(update_fields=["role"])
        log.record(space, actor=actor, action=log.OWNERSHIP_TRANSFERRED, subject_id=member_id)


def leave_space(*, actor: AbstractBaseUser, space: Space) -> None:
    """Leave, withdraw a request to join, or (for an owner) leave a closed space; posts stay the author's."""
    with transaction.atomic():
        space = locked_space(space)
        membership = locked_membership(space, actor.pk)
        permissions.check_can_leave(space, membership)
        membership.delete()
        log.record(space, actor=actor, action=log.MEMBER_LEFT)
