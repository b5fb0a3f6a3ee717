"""Page views become daily and monthly counts, and are destroyed after 90 days with a destruction-log row (P9.1)."""

from datetime import date, timedelta

import pytest

from groupket.analytics.models import Aggregate, PageView
from groupket.analytics.services.recording import PageVisit, record_page_view
from groupket.analytics.services.rollup import destroy_old_page_views, roll_up_page_views
from groupket.core.schedules import get_job
from groupket.privacy import inventory
from groupket.privacy.models import DestructionLog

NOV = date(2026, 11, 1)


def visit(browser: str, day: date, page: str = "home", space: int | None = None) -> None:
    record_page_view(PageVisit(browser=browser, day=day, page=page, space=space))


def counts(period: str, starts_on: date) -> dict[tuple[str, str], int]:
    rows = Aggregate.objects.filter(period=period, starts_on=starts_on).values_list("metric", "key", "value")
    return {(metric, key): value for metric, key, value in rows}


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
def test_a_day_counts_browsers_returning_browsers_and_views() -> None:
    for browser in ("a", "b", "c"):
        visit(browser, NOV + timedelta(days=1))
    visit("a", NOV + timedelta(days=2))
    visit("a", NOV + timedelta(days=2), "privacy:policy")
    visit("d", NOV + timedelta(days=2))
    visit("b", NOV + timedelta(days=1) - timedelta(days=31))  # just before the 30-day window: b is new on day 2

    roll_up_page_views(today=NOV + timedelta(days=3))

    assert counts(Aggregate.DAY, NOV + timedelta(days=2)) == {
        ("browsers", ""): 2,
        ("returning", ""): 1,
        ("views", ""): 3,
    }
    assert counts(Aggregate.DAY, NOV + timedelta(days=1)) == {
        ("browsers", ""): 3,
        ("returning", ""): 0,
        ("views", ""): 3,
    }


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
def test_a_month_counts_browsers_visit_frequency_spaces_and_kinds_of_page() -> None:
    days_per_browser = {"once": 1, "twice": 2, "weekly": 5, "daily": 20}
    for browser, days in days_per_browser.items():
        for offset in range(days):
            visit(browser, NOV + timedelta(days=offset), "spaces:home" if browser != "once" else "home", space=7)
    visit("once", NOV, "spaces:home", space=8)

    roll_up_page_views(today=date(2026, 12, 1))

    month = counts(Aggregate.MONTH, NOV)
    assert month[("browsers", "")] == 4 and month[("views", "")] == 29
    assert {key: value for (metric, key), value in month.items() if metric == "frequency"} == {
        "1": 1,
        "2-3": 1,
        "4-7": 1,
        "8+": 1,
    }
    assert month[("space", "7")] == 4 and month[("space", "8")] == 1
    assert month[("page", "spaces:home")] == 4 and month[("page", "home")] == 1
    assert Aggregate.objects.filter(period=Aggregate.DAY).count() == 30 * 3


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
def test_each_finished_day_is_counted_once_and_today_waits() -> None:
    today = NOV + timedelta(days=10)
    visit("a", today - timedelta(days=1))
    visit("a", today)

    assert roll_up_page_views(today=today) == 1
    assert roll_up_page_views(today=today) == 0
    visit("b", today - timedelta(days=1))  # a late view of a counted day is not counted again
    assert roll_up_page_views(today=today + timedelta(days=1)) == 1

    assert counts(Aggregate.DAY, today - timedelta(days=1))[("browsers", "")] == 1
    assert counts(Aggregate.DAY, today)[("browsers", "")] == 1
    assert counts(Aggregate.MONTH, NOV)[("browsers", "")] == 2


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
def test_views_older_than_90_days_are_counted_then_destroyed_and_logged() -> None:
    today = date(2026, 12, 1)
    visit("old", today - timedelta(days=91))
    visit("old", today - timedelta(days=91), "privacy:policy")
    visit("edge", today - timedelta(days=90))
    visit("new", today - timedelta(days=1))

    destroyed = destroy_old_page_views(today=today)

    assert destroyed == 2
    assert set(PageView.objects.values_list("browser", flat=True)) == {"edge", "new"}
    assert counts(Aggregate.DAY, today - timedelta(days=91))[("views", "")] == 2  # counted before it went
    log = DestructionLog.objects.get()
    assert (log.category, log.count, log.method) == ("analytics page views", 2, "rows deleted")
    assert "90 days" in log.basis and log.actor_ref is None
    assert destroy_old_page_views(today=today) == 0
    assert DestructionLog.objects.count() == 1
    assert inventory.ANALYTICS_RAW_DAYS == 90
    assert all(str(item.retention).startswith("90 days") for item in inventory.BROWSER_ITEMS)


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
def test_both_jobs_are_scheduled_daily(settings) -> None:
    visit("a", date.today() - timedelta(days=100))
    for name in ("roll_up_page_views", "destroy_old_page_views"):
        assert settings.GROUPKET_SCHEDULES[name]["every_hours"] == 24
    assert get_job("roll_up_page_views").run() >= 1
    assert get_job("destroy_old_page_views").run() == 1
    assert PageView.objects.count() == 0
