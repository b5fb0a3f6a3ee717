"""The staff access log: append-only, chained, verified, kept 2 years (P7.8); tampering: test_access_log_tampering."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from groupket.core import schedules
from groupket.privacy.models import DestructionLog
from groupket.staff.access_chain import GENESIS_HASH
from groupket.staff.models import AccessLogEntry
from groupket.staff.permissions import StaffActionDenied
from groupket.staff.services.access_log import (
    DISPUTE,
    MEMBER_REQUEST,
    SECURITY,
    log_member_view,
    verify_access_log,
)
from tests.conftest import CONSOLE_QUERIES, make_staff, sign_in_staff
from tests.factories import MemberFactory
from tests.markup import fragment


def log_views(staff, count: int, *, items=("username",), reason=MEMBER_REQUEST, member=None) -> list[AccessLogEntry]:
    member = member or MemberFactory()
    return [
        log_member_view(
            staff=staff,
            member_id=member.pk,
            items=list(items),
            reason=reason,
            reference=f"REQ-{n}",
            ip_address="10.20.3.4",
        )
        for n in range(count)
    ]


def verify_command() -> str:
    out = StringIO()
    call_command("verify_access_log", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_rows_chain_from_64_zeros_and_verify_intact() -> None:
    staff = make_staff("support_handler")
    first, second, third = log_views(staff, 3, items=["email", "username"])

    assert first.previous_hash == GENESIS_HASH == "0" * 64
    assert second.previous_hash == first.entry_hash and third.previous_hash == second.entry_hash
    stored = AccessLogEntry.objects.get(pk=first.pk)
    assert stored.staff_ref == staff.pk and stored.items == ["email", "username"]
    assert stored.ip_address == "10.20.3.4" and stored.reason == MEMBER_REQUEST and stored.reference == "REQ-0"
    assert verify_access_log() is None
    assert "access log intact: 3 rows" in verify_command()


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_items_outside_the_staff_roles_are_refused_and_nothing_is_logged() -> None:
    moderator = make_staff("moderator")
    with pytest.raises(StaffActionDenied):
        log_views(moderator, 1, items=["username", "email"])
    with pytest.raises(StaffActionDenied):
        log_views(make_staff("privacy_officer"), 1, items=["no_such_item"])
    with pytest.raises(ValueError, match="unknown access reason"):
        log_views(moderator, 1, reason="curiosity")
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_purge_deletes_rows_older_than_2_years_and_the_rest_still_verifies() -> None:
    staff, member = make_staff("support_handler"), MemberFactory()
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=25 * 31)):
        too_old = log_views(staff, 2, reason=DISPUTE, member=member)
    with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=23 * 30)):
        kept = log_views(staff, 1, reason=DISPUTE, member=member)
    kept += log_views(staff, 2)
    assert verify_access_log() is None

    assert schedules.run_job(schedules.get_job("purge_old_access_log")) == 2

    assert not AccessLogEntry.objects.filter(pk__in=[entry.pk for entry in too_old]).exists()
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [entry.pk for entry in kept]
    assert kept[0].previous_hash == too_old[-1].entry_hash  # the start of what remains points at a deleted row
    assert verify_access_log() is None
    assert "access log intact: 3 rows" in verify_command()
    assert DestructionLog.objects.get(category="staff access records").count == 2
    # The oldest remaining row is trusted as the start, yet an edit to it is still caught.
    AccessLogEntry.objects.filter(pk=kept[0].pk).update(reference="changed")
    assert verify_access_log().row == kept[0].pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P7.8")
def test_concurrent_appends_do_not_fork_the_chain() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    staff, member = make_staff("support_handler"), MemberFactory()

    def append(_: int) -> None:
        try:
            log_views(staff, 5, member=member)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(append, range(4)))

    assert AccessLogEntry.objects.count() == 20
    assert AccessLogEntry.objects.filter(previous_hash=GENESIS_HASH).count() == 1
    assert verify_access_log() is None


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_the_officer_reads_the_log_newest_first_without_the_members_personal_data(client) -> None:
    officer = make_staff("privacy_officer", username="officer.lee")
    handler = make_staff("support_handler", username="handler.choi")
    member = MemberFactory(username="private.person", email="private.person@example.org")
    older = log_member_view(
        staff=handler,
        member_id=member.pk,
        items=["username", "email"],
        reason=DISPUTE,
        reference="D-9",
        ip_address="10.20.3.4",
    )
    newer = log_member_view(
        staff=officer, member_id=member.pk, items=["phone"], reason=SECURITY, reference="S-1", ip_address="10.20.3.4"
    )
    sign_in_staff(client, officer)

    page = client.get("/staff/access-log/").content.decode()

    assert page.index(f'data-entry="{newer.pk}"') < page.index(f'data-entry="{older.pk}"')
    row = fragment(page, data_entry=str(older.pk))
    for shown in ("handler.choi", f"#{member.pk}", "ID (username), Email address", "A dispute", "D-9", "10.20.3.4"):
        assert shown in row
    assert "private.person" not in page


@pytest.mark.django_db
def test_the_log_is_paginated_by_50_with_a_fixed_number_of_queries(client, django_assert_num_queries) -> None:
    officer = make_staff("privacy_officer")
    sign_in_staff(client, officer)
    entries = log_views(officer, 3)
    client.get("/staff/access-log/")
    with django_assert_num_queries(CONSOLE_QUERIES + 3):
        small = client.get("/staff/access-log/")
    entries += log_views(officer, 50)
    with django_assert_num_queries(CONSOLE_QUERIES + 3):
        first = client.get("/staff/access-log/")
    last = client.get("/staff/access-log/?page=2").content.decode()

    assert small.content.decode().count("data-entry=") == 3
    assert first.content.decode().count("data-entry=") == 50
    assert f'data-entry="{entries[-1].pk}"' in first.content.decode()
    assert last.count("data-entry=") == 3 and f'data-entry="{entries[0].pk}"' in last


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_only_the_access_reviewer_reads_the_log(client) -> None:
    sign_in_staff(client, make_staff("support_handler", "moderator"))
    assert client.get("/staff/access-log/").status_code == 403
