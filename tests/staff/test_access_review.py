"""The monthly access review: views per staff member and reason, unusual volumes, a local chart (P7.8)."""

import re
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, RequestFactory

from groupket.staff.services.access_log import log_member_view
from tests.conftest import make_staff, sign_in_staff
from tests.factories import MemberFactory

SEOUL = ZoneInfo("Asia/Seoul")


def log_on(staff, member, day: int, count: int, *, reason: str = "member_request", month: int = 3) -> None:
    request = RequestFactory().post("/staff/members/", REMOTE_ADDR="127.0.0.1")
    # 08:30 Korea time is still the previous day in UTC: the review counts days in Korea time.
    with mock.patch("django.utils.timezone.now", return_value=datetime(2025, month, day, 8, 30, tzinfo=SEOUL)):
        for _ in range(count):
            log_member_view(
                staff=staff, member_id=member.pk, items=["username"], reason=reason, reference="R", request=request
            )


@pytest.fixture
def officer(db: None):
    return make_staff("privacy_officer", username="officer.han")


@pytest.fixture
def review(client: Client, officer) -> Client:
    sign_in_staff(client, officer)
    return client


def section(page: str, table_class: str) -> str:
    return page.split(f'class="{table_class}"')[1].split("</table>")[0]


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_views_per_staff_member_and_reason_and_unusual_days(review: Client) -> None:
    busy = make_staff("support_handler", username="busy.handler")
    steady = make_staff("moderator", username="steady.moderator")
    member = MemberFactory()
    for day in (3, 4, 5):
        log_on(busy, member, day, 1)
    log_on(busy, member, 6, 4, reason="dispute")  # median of 1, 1, 1, 4 is 1; 4 > 3 × 1
    log_on(steady, member, 3, 3, reason="security")
    log_on(steady, member, 4, 9, reason="security")  # median of 3, 9 is 6; 9 is not > 18
    log_on(busy, member, 2, 50, month=4)  # another month, not counted

    page = review.get("/staff/access-review/?month=2025-03").content.decode()

    per_staff = section(page, "per-staff")
    assert re.search(r"steady\.moderator</td><td>12<", per_staff) and re.search(r"busy\.handler</td><td>7<", per_staff)
    per_reason = section(page, "per-reason")
    assert "The member&#x27;s own request</td><td>3<" in per_reason and "A dispute</td><td>4<" in per_reason
    assert "Security (abuse, fraud or an attack)</td><td>12<" in per_reason
    unusual = section(page, "unusual")
    assert unusual.count("<tr>") == 1 + 1  # the header row and one unusual day
    assert "busy.handler</td><td>2025-03-06</td><td>4</td><td>1</td>" in unusual
    assert "more than 3 times their median daily views in the month" in page
    assert "19 looks at members" in page


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_the_chart_is_inline_svg_with_nothing_from_another_origin(review: Client) -> None:
    member = MemberFactory()
    log_on(make_staff("moderator", username="chart.moderator"), member, 10, 2)

    page = review.get("/staff/access-review/?month=2025-03").content.decode()

    chart = page.split('<figure class="chart access-chart">')[1].split("</figure>")[0]
    assert chart.startswith("<svg") and "chart.moderator" in chart
    assert "<script" not in page and "<style" not in chart and " style=" not in chart and "kozea" not in page.lower()
    # The SVG namespace is a name, not a resource; nothing else on the page may name another origin.
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)


@pytest.mark.django_db
def test_months_and_days_run_in_korea_time(review: Client) -> None:
    log_on(make_staff("moderator", username="early.moderator"), MemberFactory(), 1, 1)  # 2025-02-28 23:30 UTC

    march = review.get("/staff/access-review/?month=2025-03").content.decode()
    february = review.get("/staff/access-review/?month=2025-02").content.decode()

    assert "1 look at members" in march and "early.moderator" in march
    assert "0 looks at members" in february and "early.moderator" not in february


@pytest.mark.django_db
def test_an_empty_month_says_so_and_draws_no_chart(review: Client) -> None:
    page = review.get("/staff/access-review/?month=2024-12").content.decode()
    assert "No looks this month." in page and "No unusual volumes this month." in page and "<svg" not in page


@pytest.mark.django_db
def test_without_a_month_the_current_month_is_shown(review: Client) -> None:
    with mock.patch("django.utils.timezone.localdate", return_value=datetime(2025, 7, 15).date()):
        page = review.get("/staff/access-review/").content.decode()
    assert "<strong>2025-07</strong>" in page and "?month=2025-06" in page and "?month=2025-08" in page


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2025-13", "2025-3", "March", "0000-01", "9999-12", "2025-03-01"])
def test_a_bad_month_gets_a_clear_400(review: Client, month: str) -> None:
    response = review.get("/staff/access-review/", {"month": month})
    assert response.status_code == 400
    assert "Give the month as YYYY-MM" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_only_the_access_reviewer_sees_the_review(client: Client) -> None:
    sign_in_staff(client, make_staff("support_handler"))
    assert client.get("/staff/access-review/?month=2025-03").status_code == 403
