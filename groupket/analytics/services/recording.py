"""Recording one page view: one insert, after the response is sent, never failing the request (P9.1).

The insert runs when the WSGI server closes the response, that is once the page has gone to the browser, so
a slow database delays no one, and on PostgreSQL it gives up after GROUPKET_ANALYTICS_INSERT_TIMEOUT seconds,
so a locked table holds no worker longer (SQLite's wait for its write lock is bounded by its busy timeout). A
failure is counted and logged by its exception class only: the log line carries nothing about the visitor.
"""

import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Subquery

from groupket.analytics.models import PageView

logger = logging.getLogger("groupket.analytics")


@dataclass
class FailureCount:
    """Page views that could not be recorded since the process started (read by tests and operators)."""

    value: int = 0


failures = FailureCount()


@dataclass(frozen=True)
class PageVisit:
    browser: str
    day: date
    page: str
    space: Subquery | None = None  # the space's id, read by the insert itself


def record_page_view(visit: PageVisit) -> None:
    """Insert the page view; called as a response closer, so it must not raise."""
    try:
        # Its own transaction, so that the timeout below ends with it; inside a caller's transaction (a test's), a
        # savepoint keeps a failed insert from spoiling it.
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    milliseconds = int(settings.GROUPKET_ANALYTICS_INSERT_TIMEOUT * 1000)
                    cursor.execute(f"SET LOCAL statement_timeout = {milliseconds}")
            PageView.objects.create(browser=visit.browser, day=visit.day, page=visit.page, space_ref=visit.space)
    except Exception as error:  # a closer's exception would be swallowed unseen by Django
        failures.value += 1
        logger.warning("analytics page view not recorded (%s); %d so far", type(error).__name__, failures.value)
