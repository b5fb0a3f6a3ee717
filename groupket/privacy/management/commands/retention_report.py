"""`manage.py retention_report`: what retained records are still held and what was destroyed (P8.2, P8.5).

Counts only, never a record's contents: the operator's view until the staff console shows the same
`retention_overview()`.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from groupket.privacy.selectors import retention_overview


class Command(BaseCommand):
    help = "Print upcoming destructions of retained records by month and category, and the latest destruction log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--last", type=int, default=20, help="how many destruction-log rows to print (20)")

    def handle(self, *args: Any, last: int = 20, **options: Any) -> None:
        overview = retention_overview(recent=max(last, 0))
        self.stdout.write(self.style.MIGRATE_HEADING("Upcoming destructions (retained records held)"))
        if not overview.upcoming:
            self.stdout.write("  none: no retained records are held")
        for row in overview.upcoming:
            self.stdout.write(f"  {row.month}  {row.category:<32} {row.count:>9}")
        if overview.upcoming:
            self.stdout.write(f"  {'total':<41} {overview.held:>9}")
        self.stdout.write(self.style.MIGRATE_HEADING(f"Latest destructions (up to {max(last, 0)})"))
        if not overview.recent:
            self.stdout.write("  none yet")
        for log in overview.recent:
            when = timezone.localtime(log.created_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"  {when}  {log.category:<32} {log.count:>9}  {log.method}; {log.basis}")
