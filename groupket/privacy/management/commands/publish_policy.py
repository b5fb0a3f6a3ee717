"""Publish a new version of the Terms of Use or the Privacy Policy (P3.1).

    manage.py publish_policy FILE_EN FILE_KO --kind privacy --effective 2027-01-15 --material \\
        --summary-en "..." --summary-ko "..."

    manage.py publish_policy --from-configuration --effective 2027-01-15

renders the Privacy Policy naming the payment processor and the shipping partners of configuration instead
(privacy.documents.configured): new recipients are always a material change, announced ahead, and its summary is
written from the same configuration unless one is given. An operator who changes the processor or the partners
publishes again the same way.

Prints the line-by-line diff against the version before it, in both languages, then asks for confirmation (unless
--yes). A material change is announced by email to every member once it is stored.
"""

from datetime import date, datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from groupket.core.actors import SystemActor
from groupket.privacy.documents.configured import configured_summary, render_configured_policy
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
        parser.add_argument("file_en", nargs="?", help="the full English text, UTF-8")
        parser.add_argument("file_ko", nargs="?", help="the full Korean text, UTF-8")
        parser.add_argument("--kind", choices=[kind for kind, _label in PolicyDocument.KINDS])
        parser.add_argument(
            "--from-configuration",
            action="store_true",
            help="the Privacy Policy naming the configured payment processor and shipping partners (material)",
        )
        parser.add_argument("--effective", required=True, help="the day it takes effect, YYYY-MM-DD (site time zone)")
        parser.add_argument("--material", action="store_true", help="announce it and ask every member to agree again")
        parser.add_argument("--disadvantageous", action="store_true", help="material, and against members' interest")
        parser.add_argument("--summary-en", default="", help="what changes, in English (required when material)")
        parser.add_argument("--summary-ko", default="", help="what changes, in Korean (required when material)")
        parser.add_argument("--yes", action="store_true", help="publish without asking")

    def handle(self, *args: object, **options: object) -> None:
        effective_at = start_of_day(_day(options["effective"]))
        fields = {
            **(_configured(options, effective_at) if options["from_configuration"] else _from_files(options)),
            "effective_at": effective_at,
            "disadvantageous": options["disadvantageous"],
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


def _from_files(options: dict) -> dict:
    if not (options["file_en"] and options["file_ko"] and options["kind"]):
        raise CommandError("Give FILE_EN, FILE_KO and --kind, or --from-configuration.")
    return {
        "kind": options["kind"],
        "body_en": _read(options["file_en"]).strip(),
        "body_ko": _read(options["file_ko"]).strip(),
        "material": options["material"] or options["disadvantageous"],
        "summary_en": options["summary_en"],
        "summary_ko": options["summary_ko"],
    }


def _configured(options: dict, effective_at: datetime) -> dict:
    if options["file_en"] or options["file_ko"] or options["kind"] not in (None, PolicyDocument.PRIVACY):
        raise CommandError("--from-configuration renders the Privacy Policy itself: give no files and no other --kind.")
    bodies, summary = render_configured_policy(effective_at=effective_at), configured_summary()
    return {
        "kind": PolicyDocument.PRIVACY,
        "body_en": bodies["en"],
        "body_ko": bodies["ko"],
        # Who receives members' information is what the change is about: always material (P3.1, P5.3, P5.4).
        "material": True,
        "summary_en": options["summary_en"] or summary["en"],
        "summary_ko": options["summary_ko"] or summary["ko"],
    }


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
