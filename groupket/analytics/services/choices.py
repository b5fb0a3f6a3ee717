"""A signed-in member's cookie choice, kept in the consent ledger so it follows them to other browsers (P9.2)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from groupket.analytics.selectors import member_cookie_choice
from groupket.privacy.guard import ANALYTICS
from groupket.privacy.services import record_consent

BANNER_CHANNEL = "cookie banner"
SETTINGS_CHANNEL = "cookie settings"
CHANNELS = frozenset({BANNER_CHANNEL, SETTINGS_CHANNEL})


def record_cookie_choice(*, member: AbstractBaseUser, accepted: bool, channel: str) -> bool:
    """Append the member's answer to the ledger; False, recording nothing, when it is already their answer."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown cookie choice channel {channel!r}")
    with transaction.atomic():
        # The member row is the lock: two answers at once record one event each, in order, never a duplicate.
        list(get_user_model().objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True))
        if member_cookie_choice(member.pk) == accepted:
            return False
        record_consent(member=member, document=ANALYTICS, version=None, granted=accepted, channel=channel)
    return True
