"""Signing a member in and out of one browser, and ending their other sessions (P7.9)."""

from contextlib import nullcontext
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from groupket.accounts.models import SIGN_IN_ID, LoginRecord, Member, SignIn
from groupket.core.rows import insert_rows

_USER_AGENT_LIMIT = 500


def client_ip(request: HttpRequest) -> str:
    # The visitor's address: behind a trusted reverse proxy, core.middleware.ClientAddressMiddleware put it here.
    return request.META.get("REMOTE_ADDR") or ""


def login_record(*, member: Member, request: HttpRequest, succeeded: bool) -> LoginRecord:
    """One sign-in record, not yet written: time, address and browser, sealed under the member's key (P7.9)."""
    return LoginRecord(
        member_id=member.pk,
        data_key_id=member.data_key_id,
        succeeded=succeeded,
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:_USER_AGENT_LIMIT],
    )


def _session_store(session_key: str) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key=session_key)


def start_sign_in(*, request: HttpRequest, member: Member, shared_computer: bool) -> SignIn:
    """Log the member in on this browser, list the session on /me/sessions/, and keep the sign-in's record (P7.9).

    login() gives the session a new key (cycle_key); the session's row is written once, with the member, the
    expiry and SIGN_IN_ID, together with the listing and the record, and SessionMiddleware has nothing left to
    write unless the rest of the request changes the session (accounts.session_store). On PostgreSQL the three
    rows are one statement, a transaction by itself (core.rows.insert_rows).
    """
    record = login_record(member=member, request=request, succeeded=True)
    # A browser that has a session has it deleted by login(), in the same transaction as the new rows. Most sign-ins
    # come with none (the login page makes none), and their one statement needs no transaction around it.
    replaces_a_session = request.session.session_key is not None
    try:
        with transaction.atomic(savepoint=False) if replaces_a_session else nullcontext():
            sign_in = _log_in_and_list(request=request, member=member, shared_computer=shared_computer, record=record)
    except Exception:
        # Nothing was written: this browser is not signed in, whatever login() put on the request and its session.
        request.session.forget_new_row()
        request.user = AnonymousUser()
        raise
    return sign_in


def _log_in_and_list(*, request: HttpRequest, member: Member, shared_computer: bool, record: LoginRecord) -> SignIn:
    login(request, member, backend=settings.AUTHENTICATION_BACKENDS[0])
    if shared_computer:
        # Ends when the browser closes; the middleware ends it after 30 idle minutes.
        request.session.set_expiry(0)
    now = timezone.now()
    sign_in = SignIn(
        member=member,
        data_key_id=member.data_key_id,
        session_key=request.session.session_key,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:_USER_AGENT_LIMIT],
        shared_computer=shared_computer,
        created_at=now,
        last_seen_at=now,
    )
    request.session[SIGN_IN_ID] = sign_in.pk
    insert_rows(record, sign_in, request.session.new_row())
    request.session.row_written()
    return sign_in


def forget_sign_in(*, sign_in: SignIn) -> None:
    """Drop the listing of a session that ends on this request: signed out elsewhere, or idle too long (P7.9)."""
    sign_in.delete()


def note_sign_in_seen(*, sign_in_id: int, at: datetime) -> None:
    """Keep /me/sessions/ true: when this browser was last seen (written at most once a minute)."""
    SignIn.objects.filter(pk=sign_in_id).update(last_seen_at=at)


def end_sign_ins(*, member: Member, sign_ins: list[SignIn]) -> int:
    """End the given sessions of this member: their session rows and their listing."""
    ended = 0
    with transaction.atomic():
        for sign_in in sign_ins:
            if sign_in.member_id != member.pk:
                continue
            _session_store(sign_in.session_key).delete()
            sign_in.delete()
            ended += 1
    return ended


def end_all_sign_ins(*, member: Member) -> int:
    return end_sign_ins(member=member, sign_ins=list(SignIn.objects.filter(member=member)))
