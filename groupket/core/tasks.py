"""Celery entry point of the scheduled jobs (beat sends the job name; core.schedules runs it)."""

from celery import shared_task

from groupket.core.schedules import get_job, run_job


@shared_task
def run_scheduled_job(name: str) -> int:
    return run_job(get_job(name))
