"""The purposes guard (P4.1, P5.1): personal data is used only for a declared purpose.

Code that uses a member's personal items for a purpose calls `require` first. A
purpose that rests on consent (news, a partner hand-off, analytics) also needs
that member's consent to be in force at this moment, read from the ledger.
"""

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied

from groupket.privacy import inventory
from groupket.privacy.models import ConsentEvent
from groupket.privacy.selectors import has_consent

PARTNER_PREFIX = "partner:"
ANALYTICS = inventory.ANALYTICS


class PurposeNotAllowed(PermissionDenied):
    """The purpose is not declared, or not declared for an item it would use."""


class ConsentNotInForce(PermissionDenied):
    """The purpose rests on consent, and this member's consent is not in force."""


def consent_document_for(purpose: str) -> str | None:
    """The ledger document whose consent a purpose needs, or None when it rests on the contract."""
    if purpose == inventory.NEWS:
        return ConsentEvent.MARKETING
    if purpose.startswith(PARTNER_PREFIX) or purpose == ANALYTICS:
        return purpose
    return None


def _declared(purpose: str) -> bool:
    # A partner is a declared purpose only once an inventory item names it as a recipient (P5.4): a
    # consent recorded for an undeclared partner must not open a way around the inventory.
    if purpose.startswith(PARTNER_PREFIX):
        return any(purpose in item.recipients for item in inventory.ITEMS)
    return purpose in inventory.PURPOSE_LABELS


def require(
    member: AbstractBaseUser, purpose: str, *, items: Iterable[str] = (), consent_document: str | None = None
) -> None:
    """Raise unless this member's items may be used for this purpose right now.

    consent_document: for a purpose that rests on consent, the ledger document to read in place of the
    purpose's own, when one consent covers one hand-off (an order's consent to its own delivery).
    """
    if isinstance(items, str):
        raise TypeError(f"items is a list of inventory keys, not the string {items!r}")
    if not _declared(purpose):
        raise PurposeNotAllowed(f"purpose {purpose!r} is not declared in the inventory")
    for key in items:
        try:
            item = inventory.get_item(key)
        except KeyError:
            raise PurposeNotAllowed(f"item {key!r} is not declared in the inventory") from None
        if purpose not in item.purposes + item.recipients:
            raise PurposeNotAllowed(f"item {key!r} is not declared for purpose {purpose!r}")
    document = consent_document_for(purpose)
    if consent_document is not None:
        if document is None:
            raise PurposeNotAllowed(f"purpose {purpose!r} rests on the contract, not on a consent")
        document = consent_document
    if document and not has_consent(member.pk, document):
        raise ConsentNotInForce(f"member {member.pk} has no consent in force for {document!r}")


def permits(member: AbstractBaseUser, purpose: str, *, items: Iterable[str] = ()) -> bool:
    try:
        require(member, purpose, items=items)
    except PermissionDenied:
        return False
    return True
