"""The Celery app. With no CELERY_BROKER_URL, tasks run in-process (settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groupket.settings")

app = Celery("groupket")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule_jobs(sender: Celery, **kwargs: object) -> None:
    """Beat sends each job of settings.GROUPKET_SCHEDULES at its interval."""
    from django.conf import settings

    for name, spec in settings.GROUPKET_SCHEDULES.items():
        sender.add_periodic_task(
            spec["every_hours"] * 3600,
            sender.signature("groupket.core.tasks.run_scheduled_job", args=(name,)),
            name=name,
        )
