from typing import Any

from django.core.management.base import BaseCommand, CommandError

from groupket.staff.models import AccessLogEntry
from groupket.staff.services.access_log import verify_access_log


class Command(BaseCommand):
    help = "Check the staff access log's hash chain; exit 1 naming the first broken row (P7.8)."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = verify_access_log()
        if broken is not None:
            # CommandError exits with status 1.
            raise CommandError(f"broken at row {broken}")
        self.stdout.write(self.style.SUCCESS(f"access log intact: {AccessLogEntry.objects.count()} rows"))
