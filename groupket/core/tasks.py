"""Background work: how every task is queued, how mail tasks retry, and the scheduled jobs' entry point.

Broker messages sit in Redis or RabbitMQ in plain text, so a task takes ids (and codes such as a
language or a job name), never a personal item: it reads what it needs from sealed rows (Habit 14).
Every task is queued through `enqueue`, after the transaction commits (Habit 3), and a task that
cannot be queued or that fails never reaches the request whose change has already committed.
"""

import logging

from celery import Task, shared_task

from groupket.core.mail import MailNotSent
from groupket.core.schedules import get_job, run_job

logger = logging.getLogger(__name__)


class MailTask(Task):
    """A task that sends mail: while the mail server is down or refuses, retried with exponential backoff
    (30 s doubling to at most an hour, with jitter; about 5 hours in all), then given up."""

    autoretry_for = (MailNotSent,)
    retry_backoff = 30
    retry_backoff_max = 3600
    retry_jitter = True
    max_retries = 10


def enqueue(task: Task, *arguments: int | str) -> None:
    """Send the task to the broker, or run it in-process when there is none (a laptop, `make run`).

    Call it from a `transaction.on_commit` callback. Without a broker it runs once, without the
    retries a worker would make (they would hold the request), and a failure is logged, by the
    task's name and the error's class only: the change it follows has committed and stays.
    """
    try:
        if task.app.conf.task_always_eager:
            task.apply(arguments, retries=task.max_retries or 0, throw=True)
        else:
            task.apply_async(arguments)
    except Exception as error:  # noqa: BLE001 - whatever it is, the member's committed change must not fail
        logger.error("task %s was not done: %s", task.name, type(error).__name__)


@shared_task
def run_scheduled_job(name: str) -> int:
    return run_job(get_job(name))
