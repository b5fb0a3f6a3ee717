"""Signing in by ID and password, signing out, and the sign-in records kept 3 months (P7.1, P7.9)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from groupket.accounts import throttle
from groupket.accounts.models import SIGN_IN_ID, LoginRecord, Member, SignIn
from groupket.accounts.services.sessions import client_ip, end_sign_ins, login_record, start_sign_in
from groupket.core.rows import insert_row
from groupket.privacy.services import record_destruction

PURGE_METHOD = "rows deleted"
PURGE_BASIS = "retention period of sign-in records (3 months) ended"


class SignInRefused(Exception):
    """Too many failed tries for this ID or from this address; the password was not checked."""


class WrongCredentials(Exception):
    """The ID does not exist or the password is wrong; which of the two is never said."""


def sign_in_with_password(*, request: HttpRequest, username: str, password: str, shared_computer: bool) -> Member:
    """Take this try's throttle slots, then check the password; sign in and record it, or record the failure.

    The slots are taken before the password is checked, so parallel tries cannot race past the limit.
    """
    ip = client_ip(request)
    try:
        attempt = throttle.begin_sign_in(username=username, ip=ip)
    except throttle.TooManyAttempts:
        raise SignInRefused("sign-in is paused for this ID or this address") from None
    member = authenticate(request, username=username, password=password)
    if member is None:
        _record_wrong_password(request=request, username=username)
        if attempt.failed():
            raise SignInRefused("this failure reached the limit")
        raise WrongCredentials("no active member with this ID and password")
    start_sign_in(request=request, member=member, shared_computer=shared_computer)
    attempt.succeeded()
    return member


def _record_wrong_password(*, request: HttpRequest, username: str) -> None:
    # Only an existing member has records to keep; an unknown ID leaves nothing in the database.
    member = Member.objects.with_username(username).filter(is_active=True).only("pk", "data_key_id").first()
    if member is not None:
        record_login_attempt(member=member, request=request, succeeded=False)


def record_login_attempt(*, member: Member, request: HttpRequest, succeeded: bool) -> LoginRecord:
    """Write one sign-in record by itself (the form's sign-in writes its record with its session: start_sign_in)."""
    record = login_record(member=member, request=request, succeeded=succeeded)
    insert_row(record)
    return record


def sign_out(*, request: HttpRequest) -> None:
    """End this browser's session and take it off /me/sessions/."""
    if request.user.is_authenticated:
        with transaction.atomic():
            SignIn.objects.filter(pk=request.session.get(SIGN_IN_ID), member_id=request.user.pk).delete()
    logout(request)


def end_sign_in(*, member: Member, sign_in_id: int) -> bool:
    """End one of the member's sessions; False when it is not theirs or already ended."""
    with transaction.atomic():
        sign_ins = list(SignIn.objects.select_for_update().filter(pk=sign_in_id, member=member))
        return end_sign_ins(member=member, sign_ins=sign_ins) == 1


def end_other_sign_ins(*, member: Member, keep_sign_in_id: int | None) -> int:
    """End every session of the member except the one kept (this browser's); how many ended."""
    with transaction.atomic():
        others = SignIn.objects.select_for_update().filter(member=member).exclude(pk=keep_sign_in_id)
        return end_sign_ins(member=member, sign_ins=list(others))


def purge_old_login_records() -> int:
    """Destroy sign-in records past their retention (settings.GROUPKET_LOGIN_RECORD_DAYS); how many."""
    cutoff = timezone.now() - timedelta(days=settings.GROUPKET_LOGIN_RECORD_DAYS)
    with transaction.atomic():
        deleted, _ = LoginRecord.objects.filter(created_at__lt=cutoff).delete()
        if deleted:
            record_destruction(category="login records", count=deleted, method=PURGE_METHOD, basis=PURGE_BASIS)
    return deleted
