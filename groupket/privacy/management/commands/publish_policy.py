"""Publish a new version of the Terms of Use or the Privacy Policy (P3.1).

    manage.py publish_policy FILE_EN FILE_KO --kind privacy --effective 2027-01-15 --material \\
        --summary-en "..." --summary-ko "..."

Prints the line-by-line diff against the version before it, in both languages, then asks for confirmation (unless
--yes). A material change is announced by email to every member once it is stored.
"""

from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from groupket.core.actors import SystemActor
from groupket.privacy.models import PolicyDocument
from groupket.privacy.selectors import document_diff
from groupket.privacy.services.documents import (
    PublicationRefused,
    check_publication,
    latest_version,
    notice_days,
    publish_document,
    start_of_day,
)


class Command(BaseCommand):
    help = "Publish a new version of the Terms of Use or the Privacy Policy, showing what changed first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file_en", help="the full English text, UTF-8")
        parser.add_argument("file_ko", help="the full Korean text, UTF-8")
        parser.add_argument("--kind", required=True, choices=[kind for kind, _label in PolicyDocument.KINDS])
        parser.add_argument("--effective", required=True, help="the day it takes effect, YYYY-MM-DD (site time zone)")
        parser.add_argument("--material", action="store_true", help="announce it and ask every member to agree again")
        parser.add_argument("--disadvantageous", action="store_true", help="material, and against members' interest")
        parser.add_argument("--summary-en", default="", help="what changes, in English (required when material)")
        parser.add_argument("--summary-ko", default="", help="what changes, in Korean (required when material)")
        parser.add_argument("--yes", action="store_true", help="publish without asking")

    def handle(self, *args: object, **options: object) -> None:
        fields = {
            "kind": options["kind"],
            "body_en": _read(options["file_en"]).strip(),
            "body_ko": _read(options["file_ko"]).strip(),
            "effective_at": start_of_day(_day(options["effective"])),
            "material": options["material"] or options["disadvantageous"],
            "disadvantageous": options["disadvantageous"],
            "summary_en": options["summary_en"],
            "summary_ko": options["summary_ko"],
        }
        previous = latest_version(fields["kind"])
        try:
            check_publication(**fields, previous=previous)
        except PublicationRefused as refusal:
            raise CommandError(str(refusal)) from None
        self._show(fields, previous)
        if not options["yes"] and input("Publish this version? [y/N] ").strip().lower() not in ("y", "yes"):
            self.stdout.write("Nothing was published.")
            return
        try:
            document = publish_document(actor=SystemActor.operator("publish_policy"), **fields)
        except PublicationRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(self.style.SUCCESS(f"Published {document.kind} version {document.version}."))

    def _show(self, fields: dict, previous: PolicyDocument | None) -> None:
        preview = PolicyDocument(
            kind=fields["kind"],
            version=previous.version + 1 if previous else 1,
            body_en=fields["body_en"],
            body_ko=fields["body_ko"],
        )
        for language, name in (("en", "English"), ("ko", "Korean")):
            with translation.override(language):
                diff = document_diff(preview)
            self.stdout.write(self.style.MIGRATE_HEADING(f"Changes in the {name} text:"))
            self.stdout.write("\n".join(diff) if diff else "(no earlier version)")
        when = fields["effective_at"].date().isoformat()
        self.stdout.write(f"\n{fields['kind']} version {preview.version} takes effect on {when}.")
        if fields["material"]:
            days = notice_days(material=True, disadvantageous=fields["disadvantageous"])
            members = get_user_model().objects.filter(is_active=True).count()
            self.stdout.write(
                f"Material change ({days} days' notice): {members} members will be emailed now, and asked to "
                "agree again from that day."
            )
        else:
            self.stdout.write("Not material: no announcement, and nobody is asked to agree again.")


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read {path}: {error.__class__.__name__}") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--effective must be a date as YYYY-MM-DD, not {text!r}") from None
