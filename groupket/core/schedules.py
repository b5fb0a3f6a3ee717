"""Scheduled jobs: run by Celery beat in production and by `manage.py run_schedules` from cron or tests.

settings.GROUPKET_SCHEDULES names each job, the function it calls and how often.
A job's function takes no arguments and returns how many things it handled.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from groupket.core.models import ScheduledRun


@dataclass(frozen=True)
class Job:
    name: str
    function: str
    every: timedelta

    def run(self) -> int:
        job: Callable[[], int] = import_string(self.function)
        return job()


def jobs() -> list[Job]:
    return [
        Job(name=name, function=spec["function"], every=timedelta(hours=spec["every_hours"]))
        for name, spec in settings.GROUPKET_SCHEDULES.items()
    ]


def get_job(name: str) -> Job:
    for job in jobs():
        if job.name == name:
            return job
    raise KeyError(f"no scheduled job {name!r}")


def is_due(job: Job, now: datetime) -> bool:
    last = ScheduledRun.objects.filter(job=job.name).values_list("last_run_at", flat=True).first()
    return last is None or now - last >= job.every


def run_job(job: Job, now: datetime | None = None) -> int:
    handled = job.run()
    with transaction.atomic():
        ScheduledRun.objects.update_or_create(job=job.name, defaults={"last_run_at": now or timezone.now()})
    return handled


def run_due_jobs(*, now: datetime | None = None, force: bool = False) -> dict[str, int]:
    """Run every job that is due (or all with force); the count each handled."""
    now = now or timezone.now()
    return {job.name: run_job(job, now) for job in jobs() if force or is_due(job, now)}
