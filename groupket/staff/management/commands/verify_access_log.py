from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groupket.staff.access_anchors import HEAD, checkpoint_path
from groupket.staff.access_files import read_json
from groupket.staff.models import AccessLogEntry
from groupket.staff.services.access_log import verify_access_log


class Command(BaseCommand):
    help = (
        "Check the staff access log's MAC chain against the checkpoints beside the keyring (and, with --app-log, "
        "the application log); exit 1 naming the first broken row or anchor (P7.8)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--app-log",
            type=Path,
            action="append",
            default=[],
            help="an application log file holding the 'access log append' lines; may be given more than once",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lines: list[str] = []
        for path in options["app_log"]:
            try:
                lines += path.read_text(errors="replace").splitlines()
            except OSError as error:
                raise CommandError(f"cannot read {path}: {error.strerror}") from None
        broken = verify_access_log(app_log=lines)
        if broken is not None:
            # CommandError exits with status 1.
            raise CommandError(broken.describe())
        if HEAD not in read_json(checkpoint_path()):
            self.stdout.write(self.style.WARNING(f"no head checkpoint in {checkpoint_path()} yet"))
        self.stdout.write(self.style.SUCCESS(f"access log intact: {AccessLogEntry.objects.count()} rows"))
