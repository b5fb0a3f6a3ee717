"""Legal requests from authorities: recorded by the privacy officer, released once, told to the member (P1.3, P5.2).

The release file is built at the moment of release, from the request and the live data, and handed to the officer
as the answer to the release itself; it is never stored. What Groupket keeps is the record of what was given (the
request, a disclosure per member, an access-log row per member), not a second copy of the data.
"""

import base64
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from groupket.core.actors import acting
from groupket.privacy import inventory
from groupket.privacy.models import Disclosure
from groupket.privacy.services.disclosures import record_disclosure
from groupket.staff.models import LegalRequest
from groupket.staff.permissions import StaffActionDenied, check_action
from groupket.staff.roles import RECORD_LEGAL_REQUESTS
from groupket.staff.selectors import active_role_slugs
from groupket.staff.services.access_log import LEGAL_REQUEST, allowed_items, log_member_view

FILE_FORMAT = "groupket-legal-release/1"
# Never released: a password hash proves nothing to anyone and must not leave; an export archive is a copy of every
# item and would carry items outside the scope; a staff member's console IP is not about the member.
NOT_RELEASABLE = frozenset({"password", "data_export", "staff_access_ip"})
# The date a record's period is judged by, where the model has no created_at.
PERIOD_FIELDS = {"staff.PrivacyRequest": "received_at", "staff.RequestAttachment": "request__received_at"}
TEXT_LIMITS = {"agency": 200, "legal_basis": 300, "reference": 200}


class LegalRequestRefused(Exception):
    """The request cannot be recorded or released as asked; the message is meant for the officer."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class LegalRequestDraft:
    agency: str
    legal_basis: str
    reference: str
    member_refs: list[int]
    items: list[str]
    period_start: date | None
    period_end: date | None
    received_on: date
    notice_forbidden_until: date | None
    notice_forbidden_reason: str


def releasable_items(staff_id: int) -> list[inventory.Item]:
    """The inventory items this staff member may put in a request's scope: those their roles let them see (P7.8)."""
    allowed = allowed_items(staff_id)
    return [item for item in inventory.ITEMS if item.key in allowed and item.key not in NOT_RELEASABLE]


def _check_permission(officer: AbstractBaseUser) -> None:
    check_action(active_role_slugs(officer.pk), RECORD_LEGAL_REQUESTS)


def _check_texts(draft: LegalRequestDraft) -> None:
    for field, limit in TEXT_LIMITS.items():
        value = getattr(draft, field)
        if not value.strip():
            raise LegalRequestRefused(_("This field is required."), field)
        if len(value) > limit:
            raise LegalRequestRefused(_("At most %(limit)s characters.") % {"limit": limit}, field)


def _check_scope(officer: AbstractBaseUser, draft: LegalRequestDraft) -> None:
    if not draft.member_refs:
        raise LegalRequestRefused(_("Name at least one member, by ID, one per line."), "usernames")
    allowed = {item.key for item in releasable_items(officer.pk)}
    if not draft.items:
        raise LegalRequestRefused(_("Choose at least one item the request asks for."), "items")
    if not set(draft.items) <= allowed:
        raise LegalRequestRefused(_("Only the items listed can be put in the scope."), "items")
    if draft.period_start and draft.period_end and draft.period_end < draft.period_start:
        raise LegalRequestRefused(_("The period ends before it starts."), "period_end")


def _check_dates(draft: LegalRequestDraft, today: date) -> None:
    if draft.received_on > today:
        raise LegalRequestRefused(_("The request cannot have been received in the future."), "received_on")
    if draft.notice_forbidden_until is None:
        return
    if draft.notice_forbidden_until <= today:
        raise LegalRequestRefused(_("Notice can only be forbidden until a day after today."), "notice_forbidden_until")
    if not draft.notice_forbidden_reason.strip():
        # P5.2: withholding notice from the member needs its reason on record.
        raise LegalRequestRefused(_("Give the reason notice is forbidden."), "notice_forbidden_reason")


@acting("officer")
def record_legal_request(*, officer: AbstractBaseUser, draft: LegalRequestDraft) -> LegalRequest:
    """Record a request from an authority as the privacy officer received it; nothing is released yet."""
    _check_permission(officer)
    _check_texts(draft)
    _check_scope(officer, draft)
    _check_dates(draft, timezone.localdate())
    forbidden = draft.notice_forbidden_until is not None
    with transaction.atomic():
        return LegalRequest.objects.create(
            agency=draft.agency.strip(),
            legal_basis=draft.legal_basis.strip(),
            reference=draft.reference.strip(),
            member_refs=list(dict.fromkeys(draft.member_refs)),
            items=[item.key for item in inventory.ITEMS if item.key in set(draft.items)],
            period_start=draft.period_start,
            period_end=draft.period_end,
            received_on=draft.received_on,
            notice_forbidden_until=draft.notice_forbidden_until,
            notice_forbidden_reason=draft.notice_forbidden_reason.strip() if forbidden else "",
            recorded_by_ref=officer.pk,
        )


# --- The release ---------------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _in_period(rows: models.QuerySet, field: str, start: date | None, end: date | None) -> models.QuerySet:
    """Rows dated within the period, both days included, judged in the site's time zone."""
    if start:
        rows = rows.filter(**{f"{field}__gte": timezone.make_aware(datetime.combine(start, time.min))})
    if end:
        rows = rows.filter(**{f"{field}__lt": timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))})
    return rows


def _records(legal_request: LegalRequest, member_id: int, label: str, items: list[inventory.Item]) -> list[dict]:
    """One model's rows about the member within the period: their date and the items in scope, nothing else."""
    dated_by = PERIOD_FIELDS.get(label, "created_at")
    rows = apps.get_model(label)._default_manager.filter(**{items[0].owner: member_id})
    rows = _in_period(rows, dated_by, legal_request.period_start, legal_request.period_end)
    rows = rows.annotate(period_date=F(dated_by)).order_by(dated_by, "pk")
    fields = [(item.key, item.path.field) for item in items]
    return [
        {
            "recorded_at": _jsonable(row.period_date),
            **{key: _jsonable(getattr(row, name)) for key, name in fields},
        }
        for row in rows
    ]


def _member_entry(legal_request: LegalRequest, member: AbstractBaseUser, position: int) -> dict[str, Any]:
    by_model: dict[str, list[inventory.Item]] = {}
    for key in legal_request.items:
        item = inventory.get_item(key)
        by_model.setdefault(item.path.model, []).append(item)
    own = by_model.pop(inventory.MEMBER_MODEL, [])
    return {
        "scope_position": position,
        "held": True,
        "items": {item.key: _jsonable(getattr(member, item.path.field)) for item in own},
        "records": {label: _records(legal_request, member.pk, label, items) for label, items in by_model.items()},
    }


def _describe(legal_request: LegalRequest) -> dict[str, Any]:
    return {
        "agency": legal_request.agency,
        "legal_basis": legal_request.legal_basis,
        "reference": legal_request.reference,
        "received_on": _jsonable(legal_request.received_on),
        "items": list(legal_request.items),
        "period_start": _jsonable(legal_request.period_start),
        "period_end": _jsonable(legal_request.period_end),
        "released_at": _jsonable(legal_request.released_at),
    }


def _locked_unreleased(legal_request_id: int) -> LegalRequest:
    legal_request = LegalRequest.objects.select_for_update().get(pk=legal_request_id)
    if legal_request.released_at is not None:
        raise LegalRequestRefused(_("This request has already been released; a request is released only once."))
    return legal_request


def _disclose(legal_request: LegalRequest, member: AbstractBaseUser, today: date) -> Disclosure:
    withheld = legal_request.notice_forbidden_until is not None and legal_request.notice_forbidden_until > today
    return record_disclosure(
        member=member,
        recipient=legal_request.agency,
        items=list(legal_request.items),
        basis=Disclosure.LAW,
        reference=legal_request.reference,
        notify_member=not withheld,
        withheld_reason=legal_request.notice_forbidden_reason if withheld else "",
        notice_due_on=legal_request.notice_forbidden_until if withheld else None,
    )


@acting("officer")
def release_legal_request(*, officer: AbstractBaseUser, legal_request_id: int, ip_address: str) -> dict[str, Any]:
    """Release the items in scope of the members in scope, once: the file's content, as a dict for JSON.

    In one transaction: the request is marked released, each member still held gets a disclosure record (told now,
    or on the day the request allows) and an access-log row for the officer's view. A member who has left since
    the request was recorded appears only as not held.
    """
    _check_permission(officer)
    today = timezone.localdate()
    with transaction.atomic():
        legal_request = _locked_unreleased(legal_request_id)
        if not set(legal_request.items) <= allowed_items(officer.pk):
            raise StaffActionDenied("the officer's roles do not allow every item in this request's scope")
        members = get_user_model().objects.in_bulk(legal_request.member_refs)
        legal_request.released_at = timezone.now()
        legal_request.save(update_fields=["released_at"])
        entries = []
        for position, member_ref in enumerate(legal_request.member_refs, start=1):
            member = members.get(member_ref)
            if member is None:
                entries.append({"scope_position": position, "held": False})
                continue
            entries.append(_member_entry(legal_request, member, position))
            log_member_view(
                staff=officer,
                member_id=member.pk,
                items=list(legal_request.items),
                reason=LEGAL_REQUEST,
                reference=legal_request.reference,
                ip_address=ip_address,
            )
            _disclose(legal_request, member, today)
    return {"format": FILE_FORMAT, "legal_request": _describe(legal_request), "members": entries}
