"""Without CELERY_BROKER_URL (a laptop, `make run`), tasks run in-process and nothing reaches for a broker."""

import logging

import pytest
from django.conf import settings

from groupket.core.models import ScheduledRun
from groupket.core.tasks import run_scheduled_job


@pytest.mark.django_db
def test_a_job_sent_without_a_broker_runs_in_process_and_looks_for_no_server(caplog):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    job = next(iter(settings.GROUPKET_SCHEDULES))
    with caplog.at_level(logging.WARNING):
        result = run_scheduled_job.delay(job)
    assert isinstance(result.get(), int)
    assert ScheduledRun.objects.filter(job=job).exists()
    # kombu warns "No hostname was supplied" when it falls back to an AMQP server on localhost.
    assert not [record for record in caplog.records if record.name.startswith(("kombu", "celery"))]
