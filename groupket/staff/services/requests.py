"""The privacy officer's request desk: requests filed by web form or email, and each step taken on them (P6.2, P11.1).

A request seals the requester's items under its own data key, since a requester need not be
a member. Every step writes a RequestAction row in the step's transaction; mail goes out after
commit, by tasks given the request id. Steps that change a member's account (a correction, a
deletion, Unregister) need a request from a member who has proved, by a signed link sent to
the address the request came from, that they control it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groupket.accounts.models import Member
from groupket.accounts.services.profile import ProfileChanges, ProfileUpdate, update_profile
from groupket.accounts.services.unregister import unregister_member_by_officer
from groupket.core.actors import acting
from groupket.core.keys import create_data_key
from groupket.core.tasks import enqueue
from groupket.staff import tasks
from groupket.staff.models import PrivacyRequest, RequestAction, RequestAttachment
from groupket.staff.permissions import check_action
from groupket.staff.roles import WORK_REQUESTS
from groupket.staff.selectors import active_role_slugs
from groupket.staff.tokens import VERIFY_SALT

# RequestAction.staff_ref of steps no staff member took: filing, the requester's own confirmation.
SYSTEM_REF = 0
CORRECTABLE_ITEMS = ("name", "email", "phone", "bio")
DELETABLE_ITEMS = ("phone", "bio", "photo")
_NOTE_LIMIT = 300


class RequestActionRefused(Exception):
    """The step is not possible on this request as it stands; nothing changed. The message is meant for people."""


class DuplicateRequest(Exception):
    """A request with this Message-ID hash is already on the desk."""


class InvalidRequestLink(Exception):
    """A verification link that is altered, expired, or for a request that no longer exists."""


@dataclass(frozen=True)
class IncomingAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class NewRequest:
    kind: str
    channel: str
    name: str
    email: str
    body: str
    received_at: datetime
    member_id: int | None = None
    message_id_hash: str | None = None


def check_can_work_requests(staff: AbstractBaseUser) -> None:
    """The one permission check of every desk step (raises StaffActionDenied)."""
    check_action(active_role_slugs(staff.pk), WORK_REQUESTS)


def due_date(received_at: datetime) -> date:
    return timezone.localdate(received_at) + timedelta(days=settings.GROUPKET_REQUEST_DUE_DAYS)


# --- Filing -----------------------------------------------------------------------------------------------------


def _store(new: NewRequest, attachments: Sequence[IncomingAttachment]) -> PrivacyRequest:
    data_key = create_data_key()
    filed = PrivacyRequest.objects.create(
        data_key=data_key,
        member_id=new.member_id,
        kind=new.kind,
        channel=new.channel,
        requester_name=new.name,
        requester_email=new.email,
        body=new.body,
        message_id_hash=new.message_id_hash,
        received_at=new.received_at,
        due_on=due_date(new.received_at),
    )
    RequestAttachment.objects.bulk_create(
        RequestAttachment(
            request=filed,
            data_key=data_key,
            filename=attachment.filename,
            content_type=attachment.content_type[:100],
            size=len(attachment.content),
            content=attachment.content,
        )
        for attachment in attachments
    )
    return filed


def file_request(
    *,
    new: NewRequest,
    attachments: Sequence[IncomingAttachment] = (),
    acknowledge: bool = True,
    refused_attachments: str = "",
) -> PrivacyRequest:
    """Put a request on the desk, due 10 days after it arrived; tell the officer, and the requester if asked.

    `refused_attachments` says, without naming them, which files the intake did not keep.
    """
    if new.kind not in dict(PrivacyRequest.KINDS):
        raise ValueError(f"unknown request kind {new.kind!r}")
    try:
        with transaction.atomic():
            filed = _store(new, attachments)
            _record(filed, None, "received", f"by {new.channel}")
            if refused_attachments:
                _record(filed, None, "attachments_refused", refused_attachments)
            transaction.on_commit(partial(enqueue, tasks.send_officer_notice, filed.pk))
            if acknowledge:
                transaction.on_commit(partial(enqueue, tasks.send_request_acknowledgement, filed.pk))
    except IntegrityError:
        if new.message_id_hash and PrivacyRequest.objects.filter(message_id_hash=new.message_id_hash).exists():
            raise DuplicateRequest("a request with this Message-ID is already filed") from None
        raise
    return filed


def file_web_request(*, member: Member | None, kind: str, name: str, email: str, body: str) -> PrivacyRequest:
    """A request from /privacy/contact/; a signed-in member's own name and address are used, whatever was typed."""
    if member is not None:
        name, email = member.name, member.email
    new = NewRequest(
        kind=kind,
        channel="web",
        name=name,
        email=email,
        body=body,
        received_at=timezone.now(),
        member_id=member.pk if member is not None else None,
    )
    return file_request(new=new)


# --- Steps on the desk ----------------------------------------------------------------------------------------


def _record(filed: PrivacyRequest, staff: AbstractBaseUser | None, action: str, note: str = "") -> None:
    RequestAction.objects.create(
        request=filed, staff_ref=staff.pk if staff is not None else SYSTEM_REF, action=action, note=note[:_NOTE_LIMIT]
    )


def _open_request(request_id: int) -> PrivacyRequest:
    filed = PrivacyRequest.objects.select_for_update().filter(pk=request_id).first()
    if filed is None:
        raise RequestActionRefused(_("This request does not exist."))
    if filed.status == PrivacyRequest.CLOSED:
        raise RequestActionRefused(_("This request is closed. Nothing was changed."))
    return filed


def _take_up(filed: PrivacyRequest) -> list[str]:
    """A first step on an open request puts it in progress; the fields to save."""
    if filed.status == PrivacyRequest.OPEN:
        filed.status = PrivacyRequest.IN_PROGRESS
        return ["status"]
    return []


@acting("officer")
def save_officer_notes(*, officer: AbstractBaseUser, request_id: int, notes: str) -> PrivacyRequest:
    check_can_work_requests(officer)
    with transaction.atomic():
        filed = _open_request(request_id)
        filed.officer_notes = notes.strip() or None
        filed.save(update_fields=["officer_notes", *_take_up(filed)])
        _record(filed, officer, "notes_saved")
    return filed


@acting("officer")
def send_verification_link(*, officer: AbstractBaseUser, request_id: int) -> PrivacyRequest:
    """Mail the requester a signed link; opening it proves they control the address the request came from."""
    check_can_work_requests(officer)
    with transaction.atomic():
        filed = _open_request(request_id)
        if filed.requester_verified_at is not None:
            raise RequestActionRefused(_("The requester has already confirmed their address."))
        filed.save(update_fields=_take_up(filed))
        _record(filed, officer, "verification_sent")
        transaction.on_commit(partial(enqueue, tasks.send_verification_link, filed.pk))
    return filed


def request_for_token(token: str) -> PrivacyRequest:
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=settings.GROUPKET_REQUEST_VERIFY_MAX_AGE)
    except signing.BadSignature:
        raise InvalidRequestLink("bad or expired token") from None
    filed = PrivacyRequest.objects.filter(pk=payload.get("r") if isinstance(payload, dict) else None).first()
    if filed is None:
        raise InvalidRequestLink("no such request")
    return filed


def verify_requester(*, token: str) -> PrivacyRequest:
    """The requester opened the link: their control of the address is recorded (once)."""
    with transaction.atomic():
        filed = PrivacyRequest.objects.select_for_update().get(pk=request_for_token(token).pk)
        if filed.requester_verified_at is None:
            filed.requester_verified_at = timezone.now()
            filed.save(update_fields=["requester_verified_at"])
            _record(filed, None, "requester_verified")
    return filed


@acting("officer")
def answer_request(*, officer: AbstractBaseUser, request_id: int, answer: str) -> PrivacyRequest:
    """Record the answer and mail it to the requester (P6.2)."""
    check_can_work_requests(officer)
    if not answer.strip():
        raise RequestActionRefused(_("Write the answer first."))
    with transaction.atomic():
        filed = _open_request(request_id)
        filed.answer = answer.strip()
        filed.answered_at = timezone.now()
        filed.status = PrivacyRequest.ANSWERED
        filed.save(update_fields=["answer", "answered_at", "status"])
        _record(filed, officer, "answered")
        transaction.on_commit(partial(enqueue, tasks.send_request_answer, filed.pk))
    return filed


@acting("officer")
def close_request(*, officer: AbstractBaseUser, request_id: int) -> PrivacyRequest:
    check_can_work_requests(officer)
    with transaction.atomic():
        filed = _open_request(request_id)
        filed.status = PrivacyRequest.CLOSED
        filed.save(update_fields=["status"])
        _record(filed, officer, "closed")
    return filed


# --- Carrying a request out in the member's account -------------------------------------------------------------


def _member_to_act_on(filed: PrivacyRequest, officer: AbstractBaseUser) -> Member:
    if filed.member_id is None:
        raise RequestActionRefused(_("This request is not from a member, so there is no account to change."))
    if filed.requester_verified_at is None:
        raise RequestActionRefused(
            _("The requester has not confirmed their address yet. Send a verification link first.")
        )
    if filed.member_id == officer.pk:
        raise RequestActionRefused(_("Staff do not carry out their own requests; another officer must."))
    return Member.objects.select_for_update().get(pk=filed.member_id)


def _current_profile(member: Member) -> ProfileChanges:
    return ProfileChanges(name=member.name, email=member.email, phone=member.phone, bio=member.bio)


@acting("officer")
def carry_out_correction(*, officer: AbstractBaseUser, request_id: int, item: str, value: str) -> ProfileUpdate:
    """Correct one item of the requester's account through Edit Profile's own service.

    A new email address waits for the member's confirmation, exactly as when they change it themselves.
    """
    check_can_work_requests(officer)
    if item not in CORRECTABLE_ITEMS:
        raise ValueError(f"item {item!r} cannot be corrected from the desk")
    with transaction.atomic():
        filed = _open_request(request_id)
        member = _member_to_act_on(filed, officer)
        update = update_profile(member=member, changes=replace(_current_profile(member), **{item: value or None}))
        note = f"{item}: confirmation link sent to the new address" if update.email_change_requested else item
        filed.save(update_fields=_take_up(filed))
        _record(filed, officer, "corrected" if update.changed else "correction_unchanged", note)
    return update


@acting("officer")
def delete_member_item(*, officer: AbstractBaseUser, request_id: int, item: str) -> ProfileUpdate:
    """Delete one optional item of the requester's account (its column becomes NULL)."""
    check_can_work_requests(officer)
    if item not in DELETABLE_ITEMS:
        raise ValueError(f"item {item!r} cannot be deleted from the desk")
    with transaction.atomic():
        filed = _open_request(request_id)
        member = _member_to_act_on(filed, officer)
        current = _current_profile(member)
        changes = replace(current, remove_photo=True) if item == "photo" else replace(current, **{item: None})
        update = update_profile(member=member, changes=changes)
        filed.save(update_fields=_take_up(filed))
        _record(filed, officer, "deleted_item" if update.changed else "deletion_unchanged", item)
    return update


@acting("officer")
def unregister_member_by_request(*, officer: AbstractBaseUser, member: Member, request_id: int) -> None:
    """Unregister the requester on their verified request: Unregister's own destruction, without their password."""
    check_can_work_requests(officer)
    with transaction.atomic():
        filed = _open_request(request_id)
        if filed.member_id != member.pk:
            raise RequestActionRefused(_("This request is not from that member. Nothing was changed."))
        locked = _member_to_act_on(filed, officer)
        basis = f"withdrawal requested from the privacy officer (request {filed.pk})"
        unregister_member_by_officer(officer=officer, member=locked, basis=basis)
        # The cascade has set the request's member to NULL; the request itself stays for its retention period.
        filed.member_id = None
        filed.save(update_fields=_take_up(filed))
        _record(filed, officer, "unregistered", f"member {member.pk}")
