"""Recording one page view: one insert, after the response is sent, never failing the request (P9.1).

The insert runs when the WSGI server closes the response, that is once the page has gone to the browser, so
a slow database delays no one. A failure is counted and logged by its exception class only: the log line
carries nothing about the visitor.
"""

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date

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
        # Autocommit makes the insert its own transaction; inside a caller's transaction (a test's), a savepoint
        # keeps a failed insert from spoiling it.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            PageView.objects.create(browser=visit.browser, day=visit.day, page=visit.page, space_ref=visit.space)
    except Exception as error:  # a closer's exception would be swallowed unseen by Django
        failures.value += 1
        logger.warning("analytics page view not recorded (%s); %d so far", type(error).__name__, failures.value)
