"""[Edit Profile]: the member corrects, adds and deletes their own items (P1.2, P6.1).

A new email address replaces the old one only once it is verified: until then it
waits in `pending_email` and the old address stays in use (registration.verify_email
does the replacement). Every optional item can be deleted again: its column becomes NULL.
"""

from dataclasses import dataclass
from functools import partial

from django.db import transaction

from groupket.accounts import tasks
from groupket.accounts.models import Member
from groupket.accounts.normalise import normalise_email, normalise_email_key
from groupket.accounts.photos import ProfilePhoto
from groupket.core.tasks import enqueue


@dataclass(frozen=True)
class ProfileChanges:
    """What the member wants their profile to be; None for an optional item means "delete it"."""

    name: str
    email: str
    phone: str | None
    bio: str | None
    photo: ProfilePhoto | None = None  # a new photo; None keeps the current one unless remove_photo
    remove_photo: bool = False


@dataclass(frozen=True)
class ProfileUpdate:
    changed: tuple[str, ...]
    email_change_requested: bool


def update_profile(*, member: Member, changes: ProfileChanges) -> ProfileUpdate:
    """Save what differs, in one transaction; a new email address is sent a verification link after commit."""
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        changed = [*_apply_items(locked, changes), *_apply_email(locked, changes.email)]
        if changed:
            locked.save(update_fields=changed)
        requested = "pending_email" in changed
        if requested:
            transaction.on_commit(partial(enqueue, tasks.send_verification_email, locked.pk))
    return ProfileUpdate(changed=tuple(changed), email_change_requested=requested)


def cancel_email_change(*, member: Member) -> bool:
    """Forget the address awaiting verification; its link stops working. Whether there was one."""
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.pending_email is None:
            return False
        locked.pending_email = None
        locked.save(update_fields=["pending_email"])
    return True


def _apply_items(member: Member, changes: ProfileChanges) -> list[str]:
    changed = []
    for field, value in (("name", changes.name), ("phone", changes.phone), ("bio", changes.bio)):
        if getattr(member, field) != value:
            setattr(member, field, value)
            changed.append(field)
    if changes.photo is not None:
        member.photo = changes.photo.data
        changed.append("photo")
    elif changes.remove_photo and member.photo is not None:
        member.photo = None
        changed.append("photo")
    return changed


def _apply_email(member: Member, email: str) -> list[str]:
    key = normalise_email_key(email)
    if key == normalise_email_key(member.email):
        # The same mailbox (addresses are unique case-insensitively): a spelling fix needs no verification.
        if normalise_email(email) == member.email:
            return []
        member.email = normalise_email(email)
        return ["email", "email_index"]
    if member.pending_email and key == normalise_email_key(member.pending_email):
        return []
    member.pending_email = normalise_email(email)
    return ["pending_email"]
