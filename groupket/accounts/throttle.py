"""Password and second-factor throttling (P7.1): one window per member ID, one per IP address.

5 tries on one ID within 15 minutes, and the 5th fails: that ID is paused for 15 minutes. Sign-in,
every page that asks a signed-in member for the current password, and the staff second factor
count in the same per-ID window, so a stolen session cannot guess the password on another page. 20
tries from one IP address (an IPv6 /64) within 15 minutes refuse sign-in from that address for 15
minutes. Each try takes its slot atomically before the password is checked (core.throttling), so
no concurrency gets more than 5 passwords checked per ID in a window.

A right answer starts the ID afresh and gives the address its slot back, so a shared address is
limited by its failures only. Windows are keyed by a blind index, never by the typed ID or the
address, so the cache (Redis in production) holds no personal data. An ID that does not exist is
counted and paused exactly like one that does, so a pause says nothing about whether the ID exists.
"""

import ipaddress
import time

from django.contrib.auth.base_user import AbstractBaseUser

from groupket.accounts.normalise import normalise_email_key, normalise_username_key
from groupket.core import blind_index, throttling
from groupket.core.throttling import Attempt, Limit, TooManyAttempts

WINDOW_SECONDS = 15 * 60
LOCK_SECONDS = 15 * 60
USERNAME_LIMIT = 5
IP_LIMIT = 20


def _now() -> float:
    # One clock for windows and pauses, so tests can move it forward.
    return time.time()


def _id_limit(username: str) -> Limit:
    key = "signin:id:" + blind_index.compute("signin-throttle-id", normalise_username_key(username))
    return Limit(key=key, limit=USERNAME_LIMIT, window=WINDOW_SECONDS, lock=LOCK_SECONDS)


def _ip_limit(ip: str) -> Limit:
    key = "signin:ip:" + blind_index.compute("signin-throttle-ip", _address_group(ip))
    return Limit(key=key, limit=IP_LIMIT, window=WINDOW_SECONDS, lock=LOCK_SECONDS)


def _address_group(ip: str) -> str:
    # One IPv6 visitor usually holds a whole /64, so a /64 counts as one address.
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6 and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class SignInAttempt:
    """One sign-in try holding its slots; tell it the outcome once the password is checked."""

    def __init__(self, attempt: Attempt, id_limit: Limit) -> None:
        self._attempt, self.id_limit = attempt, id_limit

    def failed(self) -> bool:
        """Count the failure; whether the ID or the address is now paused."""
        return self._attempt.failed()

    def succeeded(self) -> None:
        self._attempt.succeeded(forget=(self.id_limit,))


def begin_sign_in(*, username: str, ip: str) -> SignInAttempt:
    """Take this try's slots for the typed ID and the address; TooManyAttempts when either is full or paused."""
    id_limit = _id_limit(username)
    return SignInAttempt(throttling.begin(id_limit, _ip_limit(ip), now=_now()), id_limit)


def begin_member_attempt(*, member: AbstractBaseUser) -> SignInAttempt:
    """Take a slot in a signed-in member's own ID window, before a password or code is checked."""
    id_limit = _id_limit(member.username)
    return SignInAttempt(throttling.begin(id_limit, now=_now()), id_limit)


def check_member_password(*, member: AbstractBaseUser, password: str) -> bool:
    """Whether this is the member's current password; TooManyAttempts, unchecked, when the ID is paused.

    Every page that asks a signed-in member for the current password checks it here, through
    Member.check_current_password (a test scans the source for any other check), so they all share
    the sign-in window; the 5th wrong one raises TooManyAttempts too.
    """
    attempt = begin_member_attempt(member=member)
    if member.check_password(password):
        attempt.succeeded()
        return True
    if attempt.failed():
        raise TooManyAttempts(attempt.id_limit.key, pause_seconds=LOCK_SECONDS)
    return False


# --- Mails that anyone can ask for (password reset, the notice of a signup with a taken address) -------------

MAIL_WINDOW_SECONDS = 60 * 60
MAILS_PER_ADDRESS = 3
MAIL_REQUESTS_PER_IP = 20


def count_mail_request(*, kind: str, ip: str) -> None:
    """Count one request for a mail of this kind from this IP address; TooManyAttempts past 20 within the hour."""
    key = f"{kind}:ip:" + blind_index.compute(f"{kind}-throttle-ip", _address_group(ip))
    throttling.begin(Limit(key=key, limit=MAIL_REQUESTS_PER_IP, window=MAIL_WINDOW_SECONDS), now=_now())


def may_mail_address(*, kind: str, email: str) -> bool:
    """Count one mail of this kind to this address; False, send nothing, past 3 within the hour.

    Keyed by what was typed, never by a lookup, so the same work whether or not the address is a member's.
    """
    key = f"{kind}:email:" + blind_index.compute(f"{kind}-throttle-email", normalise_email_key(email))
    try:
        throttling.begin(Limit(key=key, limit=MAILS_PER_ADDRESS, window=MAIL_WINDOW_SECONDS), now=_now())
    except TooManyAttempts:
        return False
    return True
