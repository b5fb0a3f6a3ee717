"""Requests to the privacy officer are destroyed 3 years after they are answered, by a daily job (P8.2, P8.5)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from groupket.core.models import DataKey
from groupket.core.schedules import get_job, run_job
from groupket.privacy import inventory
from groupket.privacy.models import DestructionLog
from groupket.staff.models import PrivacyRequest, RequestAction, RequestAttachment
from groupket.staff.services.requests import (
    IncomingAttachment,
    NewRequest,
    answer_request,
    close_request,
    file_request,
    file_web_request,
)
from tests.conftest import make_staff

JOB = "destroy_expired_requests"


def years_ago(*, days: int) -> datetime:
    """3 years before now, moved `days` later (positive) or earlier (negative)."""
    return inventory.add_months(timezone.now(), -36) + timedelta(days=days)


def web_request(name: str, body: str) -> PrivacyRequest:
    return file_web_request(member=None, kind="complaint", name=name, email=f"{name.lower()}@example.org", body=body)


def emailed_request(name: str, body: str) -> PrivacyRequest:
    new = NewRequest(
        kind="complaint",
        channel="email",
        name=name,
        email=f"{name.lower()}@example.org",
        body=body,
        received_at=timezone.now(),
    )
    attachment = IncomingAttachment("receipt.pdf", "application/pdf", b"%PDF receipt of " + name.encode())
    return file_request(new=new, attachments=[attachment], acknowledge=False)


def reload(filed: PrivacyRequest) -> PrivacyRequest:
    return PrivacyRequest.objects.get(pk=filed.pk)


@pytest.mark.django_db
@pytest.mark.clause("P8.2")
@pytest.mark.clause("P8.5")
def test_requests_are_destroyed_three_years_after_their_answer_and_the_rest_kept() -> None:
    officer = make_staff("privacy_officer")
    expired = emailed_request("Minji", "Old complaint about zebra-quartz")
    recent = emailed_request("Jisoo", "Recent complaint")
    open_one = web_request("Hana", "Still waiting")
    for filed, answered_at in ((expired, years_ago(days=-1)), (recent, years_ago(days=1))):
        answer_request(officer=officer, request_id=filed.pk, answer=f"Answer to {filed.requester_name}")
        PrivacyRequest.objects.filter(pk=filed.pk).update(answered_at=answered_at)
    assert RequestAction.objects.filter(request=expired).count() == 2
    assert RequestAttachment.objects.filter(request=expired).count() == 1

    assert run_job(get_job(JOB)) == 1

    assert not PrivacyRequest.objects.filter(pk=expired.pk).exists()
    assert not DataKey.objects.filter(pk=expired.data_key_id).exists()
    assert not RequestAttachment.objects.filter(request_id=expired.pk).exists()
    assert not RequestAction.objects.filter(request_id=expired.pk).exists()

    kept = reload(recent)
    assert (kept.requester_name, kept.body, kept.answer) == ("Jisoo", "Recent complaint", "Answer to Jisoo")
    [attachment] = kept.attachments.all()
    assert (attachment.filename, bytes(attachment.content)) == ("receipt.pdf", b"%PDF receipt of Jisoo")
    assert [a.action for a in kept.actions.all()] == ["received", "answered"]
    still_open = reload(open_one)
    assert (still_open.status, still_open.requester_name, still_open.body) == ("open", "Hana", "Still waiting")
    assert still_open.answered_at is None and still_open.actions.count() == 1

    [log] = DestructionLog.objects.all()
    rule = inventory.RETENTION_RULES[inventory.DISPUTE_RECORDS]
    assert (log.category, log.count, log.basis) == ("privacy officer requests", 1, rule.stored_basis)
    assert log.method == "request data key destroyed (crypto-shredding, AES-256-GCM) and rows deleted"
    logged = " ".join(str(value) for value in (log.category, log.count, log.method, log.basis)).lower()
    for personal in ("minji", "example.org", "zebra", "receipt", "answer to"):
        assert personal not in logged

    assert run_job(get_job(JOB)) == 0
    assert DestructionLog.objects.count() == 1
    assert set(PrivacyRequest.objects.values_list("pk", flat=True)) == {recent.pk, open_one.pk}


@pytest.mark.django_db
@pytest.mark.clause("P8.2")
@pytest.mark.clause("P8.5")
def test_unanswered_requests_count_from_their_closing_or_else_their_arrival() -> None:
    officer = make_staff("privacy_officer")
    closed_long_ago, closed_lately = web_request("Bora", "Closed long ago"), web_request("Yuna", "Closed lately")
    open_too_long, open_lately = web_request("Dami", "Never answered"), web_request("Seri", "Arrived lately")
    for filed in (closed_long_ago, closed_lately):
        close_request(officer=officer, request_id=filed.pk)
    # Both closed requests arrived over 3 years ago; only one was closed that long ago.
    PrivacyRequest.objects.filter(pk__in=[closed_long_ago.pk, closed_lately.pk, open_too_long.pk]).update(
        received_at=years_ago(days=-5)
    )
    RequestAction.objects.filter(request=closed_long_ago).update(created_at=years_ago(days=-1))
    PrivacyRequest.objects.filter(pk=open_lately.pk).update(received_at=years_ago(days=1))

    assert run_job(get_job(JOB)) == 2

    assert set(PrivacyRequest.objects.values_list("pk", flat=True)) == {closed_lately.pk, open_lately.pk}
    assert reload(closed_lately).body == "Closed lately" and reload(open_lately).body == "Arrived lately"
    assert DestructionLog.objects.get().count == 2
