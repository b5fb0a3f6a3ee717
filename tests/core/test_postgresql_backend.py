"""core.postgresql: with parameters bound on the server, a bulk statement stays within the protocol's limit."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from groupket.core.postgresql.base import MOST_PARAMETERS


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's protocol limit")
def test_a_bulk_insert_of_more_values_than_one_statement_may_carry_is_cut_into_statements() -> None:
    expires = timezone.now() + timedelta(days=1)
    rows = [Session(session_key=f"bulk{number:028d}", session_data="", expire_date=expires) for number in range(25_000)]
    assert len(rows) * 3 > MOST_PARAMETERS  # three columns a row: one statement would carry 75,000
    Session.objects.bulk_create(rows)
    assert Session.objects.filter(session_key__startswith="bulk").count() == 25_000
