"""Reads of the analytics app: a member's cookie choice, and the aggregate report staff see (P9.1, P9.3).

The report is read from the rolled-up counts only, never from page views, so it can show no one's trail.
Every count under settings.GROUPKET_ANALYTICS_MIN_COUNT (5) is suppressed, and so is any figure from which
a suppressed count could be worked out: a share whose part or remainder is small, or the last small bucket
of a distribution whose total is shown.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import OuterRef, Subquery

from groupket.analytics.models import Aggregate
from groupket.analytics.services.rollup import (
    BROWSERS,
    FREQUENCY,
    FREQUENCY_BUCKETS,
    PAGE,
    RETURNING,
    SPACE,
    VIEWS,
)
from groupket.privacy import inventory
from groupket.privacy.guard import ANALYTICS
from groupket.privacy.selectors import member_consents

TOP = 10


def member_cookie_choice(member_id: int) -> bool | None:
    """The member's latest answer about analytics cookies in the ledger: accepted, rejected, or None."""
    latest = member_consents(member_id).filter(document=ANALYTICS).values_list("granted", flat=True).first()
    return latest


def cookie_choice_in_ledger(member: OuterRef) -> Subquery:
    """member_cookie_choice as an expression over a member query: read with the member's row at sign-in
    (GROUPKET_SIGN_IN_READS), so the choice a browser takes from the ledger costs no query of its own."""
    return Subquery(member_consents(member).filter(document=ANALYTICS).values("granted")[:1])


def _minimum() -> int:
    return settings.GROUPKET_ANALYTICS_MIN_COUNT


@dataclass(frozen=True)
class Shown:
    """A count as staff see it: None when it is under the minimum and so suppressed."""

    value: int | None

    def __str__(self) -> str:
        return str(self.value) if self.value is not None else f"<{_minimum()}"


def shown(value: int) -> Shown:
    return Shown(value if value >= _minimum() else None)


def share(part: int, whole: int) -> float | None:
    """part / whole, unless the part or what is left of the whole is under the minimum."""
    if part < _minimum() or whole - part < _minimum():
        return None
    return part / whole


def suppressed_parts(parts: list[int]) -> list[Shown]:
    """The parts of a shown total, with enough of them hidden that no hidden count can be worked out."""
    hidden = {index for index, value in enumerate(parts) if value < _minimum()}

    def safe() -> bool:
        return not hidden or (len(hidden) > 1 and sum(parts[index] for index in hidden) >= _minimum())

    while not safe() and len(hidden) < len(parts):
        hidden.add(min((index for index in range(len(parts)) if index not in hidden), key=lambda index: parts[index]))
    return [Shown(None if index in hidden else value) for index, value in enumerate(parts)]


@dataclass(frozen=True)
class DayRow:
    day: date
    browsers: Shown
    returning_share: float | None


@dataclass(frozen=True)
class MonthReport:
    first: date
    browsers: Shown
    views: Shown
    returning_share: float | None
    days: list[DayRow]
    frequency: list[tuple[str, Shown]]
    spaces: list[tuple[int, int]]  # (space id, browsers), the most visited, none under the minimum
    pages: list[tuple[str, int]]  # (URL name, browsers), likewise

    @property
    def counted(self) -> bool:
        return bool(self.days)


def _counts(period: str, starts_on: date, following: date) -> dict[date, dict[tuple[str, str], int]]:
    rows = Aggregate.objects.filter(period=period, starts_on__gte=starts_on, starts_on__lt=following)
    found: dict[date, dict[tuple[str, str], int]] = defaultdict(dict)
    for row in rows.values_list("starts_on", "metric", "key", "value"):
        found[row[0]][(row[1], row[2])] = row[3]
    return found


def _top(month: dict[tuple[str, str], int], metric: str) -> list[tuple[str, int]]:
    ranked = sorted(
        ((key, value) for (name, key), value in month.items() if name == metric and value >= _minimum()),
        key=lambda pair: (-pair[1], pair[0]),
    )
    return ranked[:TOP]


def month_report(first: date) -> MonthReport:
    """The month's counts as staff may see them, in two queries."""
    following = inventory.add_months(first, 1)
    daily = _counts(Aggregate.DAY, first, following)
    month = _counts(Aggregate.MONTH, first, following).get(first, {})
    days = [
        DayRow(day, shown(counts[(BROWSERS, "")]), share(counts[(RETURNING, "")], counts[(BROWSERS, "")]))
        for day, counts in sorted(daily.items())
    ]
    returning = sum(counts[(RETURNING, "")] for counts in daily.values())
    browser_days = sum(counts[(BROWSERS, "")] for counts in daily.values())
    buckets = [key for key, _fewest, _most in FREQUENCY_BUCKETS]
    frequency = suppressed_parts([month.get((FREQUENCY, key), 0) for key in buckets])
    return MonthReport(
        first=first,
        browsers=shown(month.get((BROWSERS, ""), 0)),
        views=shown(month.get((VIEWS, ""), 0)),
        returning_share=share(returning, browser_days),
        days=days,
        frequency=list(zip(buckets, frequency, strict=True)),
        spaces=[(int(key), value) for key, value in _top(month, SPACE)],
        pages=_top(month, PAGE),
    )
