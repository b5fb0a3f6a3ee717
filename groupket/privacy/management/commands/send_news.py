"""Compose news of new services or events and send it now, to subscribers only (P4.1).

Staff will compose news in the staff console; until then an operator runs this.
Each mail goes through the purposes guard, so only members whose consent is in
force at that moment get it. A run that stops part-way is continued with --resume.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groupket.core.actors import SystemActor
from groupket.privacy.delivery.notices import send_mass_notice
from groupket.privacy.models import MassNotice
from groupket.privacy.services.notices import create_mass_notice

TEXT_OPTIONS = ("subject_en", "subject_ko", "body_en_file", "body_ko_file")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"cannot read {path} as UTF-8 text ({type(error).__name__})") from None


class Command(BaseCommand):
    help = (
        "Send news of new services or events, in English and Korean, to every member whose consent to news is "
        "in force; prints progress (sent/total) and the count sent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--subject-en", help="the subject in English (one line)")
        parser.add_argument("--subject-ko", help="the subject in Korean (one line)")
        parser.add_argument("--body-en-file", type=Path, help="a UTF-8 text file with the message in English")
        parser.add_argument("--body-ko-file", type=Path, help="a UTF-8 text file with the message in Korean")
        parser.add_argument("--resume", type=int, metavar="NOTICE_ID", help="continue a news notice that stopped")

    def handle(self, *args: Any, resume: int | None = None, **options: Any) -> None:
        notice = self._resumed(resume) if resume is not None else self._created(options)
        self.stdout.write(f"news notice {notice.pk}: sending to members who want news")
        try:
            sent = send_mass_notice(notice_id=notice.pk, progress=self._show)
        except Exception as error:
            # The error's text may carry an address; its type is enough to act on.
            raise CommandError(
                f"sending stopped ({type(error).__name__}); run again with --resume {notice.pk}"
            ) from error
        notice.refresh_from_db()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"sent {sent} (notice {notice.pk}: {notice.sent}/{notice.total} sent)"))

    def _show(self, sent: int, total: int) -> None:
        self.stdout.write(f"\rsent {sent}/{total}", ending="")
        self.stdout.flush()

    def _created(self, options: dict[str, Any]) -> MassNotice:
        missing = [name for name in TEXT_OPTIONS if not options.get(name)]
        if missing:
            names = ", ".join("--" + name.replace("_", "-") for name in missing)
            raise CommandError(f"missing {names} (all four are needed, or --resume NOTICE_ID)")
        try:
            return create_mass_notice(
                actor=SystemActor.operator("send_news"),
                kind=MassNotice.NEWS,
                subject_en=options["subject_en"].strip(),
                subject_ko=options["subject_ko"].strip(),
                body_en=_read(options["body_en_file"]),
                body_ko=_read(options["body_ko_file"]),
                queue=False,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None

    def _resumed(self, notice_id: int) -> MassNotice:
        notice = MassNotice.objects.filter(pk=notice_id, kind=MassNotice.NEWS).first()
        if notice is None:
            raise CommandError(f"there is no news notice {notice_id}")
        if notice.status == MassNotice.DONE:
            raise CommandError(f"news notice {notice_id} is already sent ({notice.sent}/{notice.total})")
        return notice
