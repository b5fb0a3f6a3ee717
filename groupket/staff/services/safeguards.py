"""Staff safeguards (P7.7): enrolling an authenticator, the second factor at sign-in, and password changes.

A second factor (TOTP, with backup codes) is required before any console page; an account without a
confirmed device can only enrol. A password older than GROUPKET_STAFF_PASSWORD_DAYS must be changed.
The checks of which step is still to pass (`pending_safeguard`) live here beside the steps that change
state; the console's gate (staff.permissions) turns the answer into a redirect.

Wrong codes count in the staff member's sign-in throttle window (accounts.throttle), with wrong
passwords on any page: 5 within 15 minutes pause both for 15 minutes. The devices' own back-off
(django-otp's ThrottlingMixin: 1, 2, 4, 8 ... seconds after each wrong code, kept in the database)
stays on underneath, so guessing stays slow even if the cache is lost.
"""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.models import Device

from groupket.accounts import throttle
from groupket.accounts.models import SIGN_IN_ID, Member, SignIn
from groupket.accounts.services.passwords import change_password
from groupket.core.actors import acting
from groupket.core.throttling import TooManyAttempts
from groupket.staff.models import Authenticator, BackupCodes, StaffPasswordHistory
from groupket.staff.selectors import is_staff

AUTHENTICATOR_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup codes"
BACKUP_CODE_COUNT = 10
_TOTP_CODE = re.compile(r"^\d{6}$")
# 8 characters of lower-case base32: 40 bits, typed from paper.
_BACKUP_CODE = re.compile(r"^[a-z2-7]{8}$")
_BACKUP_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


# The step a staff member must pass first (pending_safeguard).
ENROL = "enrol"
VERIFY = "verify"
PASSWORD = "password"


class SafeguardRefused(Exception):
    """A safeguard step that did not go through; nothing about the account changed."""


class EnrolmentRefused(SafeguardRefused):
    """The account already has a confirmed authenticator: a second one cannot be enrolled this way."""


class WrongCode(SafeguardRefused):
    """The code matches no device of this staff member."""


class TryShortlyAgain(SafeguardRefused):
    """The device is still in its back-off after a wrong code; the code was not checked."""


class VerificationLocked(SafeguardRefused):
    """Too many wrong codes within the window; verification is paused."""


def normalise_code(code: str) -> str:
    """Codes are typed with spaces or hyphens and in either case; compare them bare and lower-case."""
    return re.sub(r"[\s-]", "", code).lower()


# --- Which safeguard is still to pass ------------------------------------------------------------------------


def password_expired(member: Member) -> bool:
    age = timezone.now() - member.password_changed_at
    return age > timedelta(days=settings.GROUPKET_STAFF_PASSWORD_DAYS)


def pending_safeguard(member: Member, *, password: bool = True) -> str | None:
    """The step the staff member must pass first (ENROL, VERIFY, PASSWORD), or None when every one is passed.

    `member` is the signed-in user as django-otp's middleware leaves it (is_verified() reads this session).
    The password page itself asks with password=False: changing an expired password still needs the
    second factor first, or a stolen password alone could replace itself.
    """
    if not user_has_device(member, confirmed=True):
        return ENROL
    if not member.is_verified():
        return VERIFY
    if password and password_expired(member):
        return PASSWORD
    return None


# --- Enrolment --------------------------------------------------------------------------------------------


@acting("staff")
def start_enrolment(*, staff: Member) -> Authenticator:
    """The authenticator being enrolled: the waiting one, or a new one with a fresh secret."""
    with transaction.atomic():
        _lock_member_without_authenticator(staff)
        device = Authenticator.objects.filter(user=staff, confirmed=False).order_by("pk").first()
        if device is None:
            device = Authenticator.objects.create(
                user=staff,
                data_key_id=staff.data_key_id,
                name=AUTHENTICATOR_NAME,
                confirmed=False,
                secret=Authenticator.new_secret(),
            )
    return device


def _lock_member_without_authenticator(staff: Member) -> None:
    # Locking the member serialises two enrolment pages opened at once onto one secret.
    list(Member.objects.select_for_update().filter(pk=staff.pk).values_list("pk", flat=True))
    if user_has_device(staff, confirmed=True):
        raise EnrolmentRefused("the account already has a confirmed authenticator")


@acting("staff")
def confirm_enrolment(*, request: HttpRequest, staff: Member, code: str) -> list[str]:
    """Confirm the waiting authenticator with a current code; the new backup codes, shown once."""
    with transaction.atomic():
        _lock_member_without_authenticator(staff)
        device = Authenticator.objects.filter(user=staff, confirmed=False).order_by("pk").first()
        if device is None:
            raise EnrolmentRefused("no authenticator is waiting to be confirmed")
        if not device.verify_is_allowed()[0]:
            raise TryShortlyAgain("the authenticator is in its back-off")
        code = normalise_code(code)
        # verify_token saves its failure count; it must commit, so the refusal is raised after the block.
        verified = bool(_TOTP_CODE.match(code)) and device.verify_token(code)
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            Authenticator.objects.filter(user=staff, confirmed=False).delete()
            codes = _issue_backup_codes(staff)
            _mark_verified(request, staff, device)
    if not verified:
        raise WrongCode("the code does not match the authenticator being enrolled")
    return codes


def _issue_backup_codes(staff: Member) -> list[str]:
    codes: set[str] = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add("".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(8)))
    BackupCodes.objects.filter(user=staff).delete()
    BackupCodes.objects.create(
        user=staff, data_key_id=staff.data_key_id, name=BACKUP_DEVICE_NAME, confirmed=True, codes=" ".join(codes)
    )
    return sorted(codes)


def _mark_verified(request: HttpRequest, staff: Member, device: Device) -> None:
    otp_login(request, device)
    # A new session key once the second factor is passed, so a key seen before cannot ride on it.
    request.session.cycle_key()
    SignIn.objects.filter(pk=request.session.get(SIGN_IN_ID), member_id=staff.pk).update(
        session_key=request.session.session_key
    )


# --- Verification at sign-in --------------------------------------------------------------------------------


@acting("staff")
def verify_second_factor(*, request: HttpRequest, staff: Member, code: str) -> Device:
    """Pass the second factor with a current TOTP code or an unused backup code (used up by this).

    Each try takes its slot in the member's sign-in throttle window before the code is checked, so
    wrong codes and wrong passwords share one limit (accounts.throttle).
    """
    try:
        attempt = throttle.begin_member_attempt(member=staff)
    except TooManyAttempts:
        raise VerificationLocked("verification is paused for this staff member") from None
    code = normalise_code(code)
    with transaction.atomic():
        device = _device_for_code(staff, code)
        held_back = device is not None and not device.verify_is_allowed()[0]
        verified = device is not None and not held_back and device.verify_token(code)
        if verified:
            _mark_verified(request, staff, device)
    if not verified:
        if attempt.failed():
            raise VerificationLocked("this wrong code reached the limit")
        if held_back:
            raise TryShortlyAgain("the device is in its back-off")
        raise WrongCode("the code matches no device")
    attempt.succeeded()
    return device


def _device_for_code(staff: Member, code: str) -> Device | None:
    """The device that could have made this code, locked for the check; None for a code of no known shape."""
    if _TOTP_CODE.match(code):
        model = Authenticator
    elif _BACKUP_CODE.match(code):
        model = BackupCodes
    else:
        return None
    return model.objects.select_for_update().filter(user=staff, confirmed=True).order_by("pk").first()


# --- Password changes ---------------------------------------------------------------------------------------


@acting("staff")
def change_staff_password(*, request: HttpRequest, staff: Member, new_password: str) -> int:
    """Set a new password that is neither the current one nor one of the kept earlier ones; keep this session.

    Every other browser of the staff member is signed out; returns how many. The reuse rule is
    staff_password_policy and record_password_change below, which accounts applies to every page that sets a
    password (settings.GROUPKET_PASSWORD_POLICIES), so it raises accounts' PasswordRefused.
    """
    return change_password(request=request, member=staff, new_password=new_password)


def password_reused_message() -> str:
    return _(
        "Choose a password you have not used recently: not the current one, nor any of the %(count)d before it."
    ) % {"count": settings.GROUPKET_STAFF_PASSWORD_HISTORY}


def staff_password_policy(*, member: Member, new_password: str) -> list[str]:
    """A staff member may not reuse the current password nor the kept earlier ones, on any page (P7.7).

    Called by accounts on the locked member, before anything changes; for a member who is not staff, one query.
    """
    if not is_staff(member.pk) or not _recently_used(member, new_password):
        return []
    return [password_reused_message()]


def record_password_change(*, member: Member, old_password_hash: str) -> None:
    """Keep a staff member's replaced password hash, and only the last few, whichever page changed it (P7.7)."""
    if not is_staff(member.pk):
        return
    StaffPasswordHistory.objects.create(member=member, password=old_password_hash)
    kept = StaffPasswordHistory.objects.filter(member=member).values_list("pk", flat=True)
    StaffPasswordHistory.objects.filter(member=member).exclude(
        pk__in=list(kept[: settings.GROUPKET_STAFF_PASSWORD_HISTORY])
    ).delete()


def _recently_used(staff: Member, password: str) -> bool:
    earlier = StaffPasswordHistory.objects.filter(member=staff).values_list("password", flat=True)
    hashes = [staff.password, *earlier[: settings.GROUPKET_STAFF_PASSWORD_HISTORY]]
    return any(check_password(password, encoded) for encoded in hashes)
