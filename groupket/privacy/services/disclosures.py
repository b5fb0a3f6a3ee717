"""Disclosures: the one recorded path by which personal items leave Groupket (P1.3, P5.1-P5.4).

`record_disclosure` is the only writer of privacy.Disclosure; the model's manager
refuses every other way of creating a row, and a test scans the source tree for
any other writer. The code that owns a transfer (a partner hand-off, billing, a
legal request) calls it in the same transaction as the transfer is queued.
"""

from datetime import date
from functools import partial

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from groupket.core.tasks import enqueue
from groupket.privacy import inventory, tasks
from groupket.privacy.guard import PARTNER_PREFIX, require
from groupket.privacy.models import Disclosure


def partner_consent_document(recipient: str) -> str:
    """The consent-ledger document a transfer to this recipient needs, e.g. "partner:hanjin-express"."""
    return PARTNER_PREFIX + slugify(recipient)


def _check(
    *, basis: str, items: list[str], notify_member: bool, withheld_reason: str, notice_due_on: date | None
) -> None:
    if basis not in dict(Disclosure.BASES):
        raise ValueError(f"unknown disclosure basis {basis!r}; expected one of {sorted(dict(Disclosure.BASES))}")
    if not items:
        raise ValueError("a disclosure names at least one inventory item")
    for key in items:
        try:
            inventory.get_item(key)
        except KeyError:
            raise ValueError(f"item {key!r} is not in the data inventory") from None
    if notify_member and (withheld_reason or notice_due_on):
        raise ValueError("a notified disclosure has no withheld reason or notice due date")
    if not notify_member and not (withheld_reason.strip() and notice_due_on):
        # P5.2: notice may be withheld only when a request forbids it, with the reason and end date recorded.
        raise ValueError("a disclosure without notice needs the reason it is withheld and the date notice is due")


def record_disclosure(
    *,
    member: AbstractBaseUser,
    recipient: str,
    items: list[str],
    basis: str,
    reference: str,
    notify_member: bool,
    withheld_reason: str = "",
    notice_due_on: date | None = None,
    consent_document: str | None = None,
) -> Disclosure:
    """Record one transfer of the member's items; tell the member by email unless the law forbids it.

    On the basis of consent the purposes guard decides (P5.4): the inventory must name the recipient
    ("partner:<recipient slug>") for every item, and the member's consent (consent_document, by default
    the partner's own) must be in force; else PurposeNotAllowed or ConsentNotInForce, and nothing is written.
    """
    _check(
        basis=basis,
        items=items,
        notify_member=notify_member,
        withheld_reason=withheld_reason,
        notice_due_on=notice_due_on,
    )
    with transaction.atomic():
        if basis == Disclosure.CONSENT:
            require(member, partner_consent_document(recipient), items=items, consent_document=consent_document)
        disclosure = Disclosure.objects._create(
            member=member,
            recipient=recipient,
            items=list(items),
            basis=basis,
            reference=reference,
            member_notified=notify_member,
            notice_withheld_reason=withheld_reason,
            notice_due_on=notice_due_on,
        )
        if notify_member:
            transaction.on_commit(lambda: enqueue(tasks.send_disclosure_notice, disclosure.pk))
    return disclosure


def send_due_disclosure_notices() -> int:
    """Tell members of disclosures whose withheld notice is due today or earlier; how many (scheduled daily, P5.2).

    The flag is set in the same transaction as the notices are queued, so a second run the same day sends nothing.
    """
    with transaction.atomic():
        today = timezone.localdate()
        due = Disclosure.objects.select_for_update().filter(member_notified=False, notice_due_on__lte=today)
        ids = list(due.values_list("pk", flat=True))
        Disclosure.objects.filter(pk__in=ids).update(member_notified=True)
        for disclosure_id in ids:
            transaction.on_commit(partial(enqueue, tasks.send_disclosure_notice, disclosure_id))
    return len(ids)
