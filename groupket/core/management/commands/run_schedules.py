from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from groupket.core.schedules import run_due_jobs


class Command(BaseCommand):
    help = "Run every scheduled job that is due (for cron; Celery beat does the same in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="run every job now, due or not")

    def handle(self, *args: Any, **options: Any) -> None:
        ran = run_due_jobs(force=options["all"])
        if not ran:
            self.stdout.write("no job is due")
        for name, handled in ran.items():
            self.stdout.write(f"{name}: {handled} handled")
