from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from groupket.staff.services.intake import MAILBOX_ERRORS, failure_kind, fetch_mailbox


class Command(BaseCommand):
    help = (
        "File the emails in the privacy officer's mailbox (GROUPKET_OFFICER_MAILBOX: maildir:/path or "
        "imaps://user:password@host/INBOX) as requests on the staff desk. Runs hourly as a scheduled job too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", default="", help="read this mailbox instead of GROUPKET_OFFICER_MAILBOX")

    def handle(self, *args: Any, **options: Any) -> None:
        address = options["mailbox"] or settings.GROUPKET_OFFICER_MAILBOX
        if not address:
            raise CommandError("no mailbox: set GROUPKET_OFFICER_MAILBOX or pass --mailbox")
        try:
            report = fetch_mailbox(address)
        except (ValueError, *MAILBOX_ERRORS) as error:
            # The address may hold a password: only the kind of failure is printed.
            raise CommandError(f"the officer mailbox could not be read ({failure_kind(error)})") from None
        self.stdout.write(self.style.SUCCESS(f"officer mail: {report.summary()}"))
