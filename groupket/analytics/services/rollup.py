"""Page views rolled up into counts every day, and destroyed after 90 days (P9.1).

Only counts leave the raw table: browsers, returning browsers and views per day; browsers, views, visit
frequency, spaces and kinds of page per month. The daily job counts every finished day not yet counted (and
recounts the months those days belong to); the destruction job counts first, so nothing is destroyed
before it is counted, then deletes views older than inventory.ANALYTICS_RAW_DAYS and logs it.
"""

from collections import Counter
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone

from groupket.analytics.models import Aggregate, PageView
from groupket.privacy import inventory
from groupket.privacy.services import record_destruction

BROWSERS = "browsers"
RETURNING = "returning"
VIEWS = "views"
FREQUENCY = "frequency"
SPACE = "space"
PAGE = "page"
# Days on which a browser came in a month: (bucket key, fewest days, most days or None).
FREQUENCY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1", 1, 1),
    ("2-3", 2, 3),
    ("4-7", 4, 7),
    ("8+", 8, None),
)
DESTRUCTION_CATEGORY = "analytics page views"
DESTRUCTION_METHOD = "rows deleted"
DESTRUCTION_BASIS = "retention period of analytics page views (90 days) ended"


def _replace_counts(period: str, starts_on: date, counts: dict[tuple[str, str], int]) -> None:
    with transaction.atomic():
        Aggregate.objects.filter(period=period, starts_on=starts_on).delete()
        Aggregate.objects.bulk_create(
            Aggregate(period=period, starts_on=starts_on, metric=metric, key=key, value=value)
            for (metric, key), value in counts.items()
        )


def _distinct_browsers(views: QuerySet[PageView]) -> int:
    return views.values("browser").distinct().count()


def roll_up_day(day: date) -> None:
    views = PageView.objects.filter(day=day)
    earlier = PageView.objects.filter(
        day__gte=day - timedelta(days=settings.GROUPKET_ANALYTICS_RETURNING_DAYS), day__lt=day
    ).values("browser")
    counts = {
        (BROWSERS, ""): _distinct_browsers(views),
        (RETURNING, ""): _distinct_browsers(views.filter(browser__in=earlier)),
        (VIEWS, ""): views.count(),
    }
    _replace_counts(Aggregate.DAY, day, counts)


def frequency_bucket(days_visited: int) -> str:
    for key, fewest, most in FREQUENCY_BUCKETS:
        if days_visited >= fewest and (most is None or days_visited <= most):
            return key
    raise ValueError(f"a browser counted in a month came on at least one day, not {days_visited}")


def roll_up_month(first: date, *, until: date) -> None:
    """The month starting on `first`, counted from its page views before `until` (today: only finished days)."""
    views = PageView.objects.filter(day__gte=first, day__lt=min(inventory.add_months(first, 1), until))
    per_browser = views.values("browser").annotate(days=Count("day", distinct=True)).values_list("days", flat=True)
    frequency = Counter(frequency_bucket(days) for days in per_browser.iterator())
    counts = {(BROWSERS, ""): _distinct_browsers(views), (VIEWS, ""): views.count()}
    counts |= {(FREQUENCY, key): frequency.get(key, 0) for key, _fewest, _most in FREQUENCY_BUCKETS}
    spaces = views.exclude(space_ref=None).values_list("space_ref").annotate(n=Count("browser", distinct=True))
    counts |= {(SPACE, str(space_ref)): n for space_ref, n in spaces}
    pages = views.values_list("page").annotate(n=Count("browser", distinct=True))
    counts |= {(PAGE, page): n for page, n in pages}
    _replace_counts(Aggregate.MONTH, first, counts)


def _first_day_to_count(today: date) -> date | None:
    counted = Aggregate.objects.filter(period=Aggregate.DAY, metric=BROWSERS).aggregate(last=Max("starts_on"))["last"]
    first = counted + timedelta(days=1) if counted else PageView.objects.aggregate(first=Min("day"))["first"]
    return first if first is not None and first < today else None


def roll_up_page_views(*, today: date | None = None) -> int:
    """Count every finished day not yet counted, and recount their months; how many days were counted."""
    today = today or timezone.localdate()
    first = _first_day_to_count(today)
    if first is None:
        return 0
    days = [first + timedelta(days=offset) for offset in range((today - first).days)]
    for day in days:
        roll_up_day(day)
    for month in sorted({day.replace(day=1) for day in days}):
        roll_up_month(month, until=today)
    return len(days)


def destroy_old_page_views(*, today: date | None = None) -> int:
    """Delete page views older than the retention period, after counting them; how many were deleted."""
    today = today or timezone.localdate()
    roll_up_page_views(today=today)
    cutoff = today - timedelta(days=inventory.ANALYTICS_RAW_DAYS)
    with transaction.atomic():
        deleted, _by_model = PageView.objects.filter(day__lt=cutoff).delete()
        if deleted:
            record_destruction(
                category=DESTRUCTION_CATEGORY, count=deleted, method=DESTRUCTION_METHOD, basis=DESTRUCTION_BASIS
            )
    return deleted
