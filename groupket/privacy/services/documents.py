"""Publishing a new version of the Terms of Use or the Privacy Policy, and answering it again (P3.1).

A material change is announced to every member in advance (7 days, 30 when it disadvantages them) and, once it
is in force, asked for again before the member uses the service; a non-material change is simply in force.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from groupket.core.actors import Actor, acting, actor_label, actor_ref
from groupket.privacy.models import ConsentEvent, MassNotice, PolicyDocument
from groupket.privacy.selectors import current_document
from groupket.privacy.services.ledger import record_consent
from groupket.privacy.services.notices import create_mass_notice

MATERIAL_NOTICE_DAYS = 7
DISADVANTAGEOUS_NOTICE_DAYS = 30
RENEWAL_CHANNEL = "renewal"


class PublicationRefused(Exception):
    """The new version breaks a publishing rule; the message says which, for the person publishing."""


class StaleAnswer(Exception):
    """A newer version came into force after the renewal page was shown; nothing was recorded."""


def start_of_day(day: date) -> datetime:
    """Midnight at the start of a day in the site's time zone: when a version given by date takes effect."""
    return timezone.make_aware(datetime.combine(day, time.min))


def notice_days(*, material: bool, disadvantageous: bool) -> int:
    """How many days ahead a change must be announced (the Act on the Regulation of Terms and Conditions)."""
    if disadvantageous:
        return DISADVANTAGEOUS_NOTICE_DAYS
    return MATERIAL_NOTICE_DAYS if material else 0


def _first_day_from(moment: datetime) -> date:
    day = timezone.localdate(moment)
    return day if start_of_day(day) >= moment else day + timedelta(days=1)


def _check_effective_date(*, effective_at: datetime, days: int, previous: PolicyDocument | None) -> None:
    if timezone.is_naive(effective_at):
        raise ValueError("effective_at must be timezone-aware")
    now = timezone.now()
    if effective_at < start_of_day(timezone.localdate(now)):
        raise PublicationRefused(_("The effective date is in the past."))
    if days and effective_at < now + timedelta(days=days):
        earliest = formats.date_format(_first_day_from(now + timedelta(days=days)), "Y-m-d")
        raise PublicationRefused(
            _("This change must be announced %(days)s days before it takes effect: choose %(date)s or later.")
            % {"days": days, "date": earliest}
        )
    if previous is not None and effective_at < previous.effective_at:
        # Versions take effect in their order, so "the version in force" is always the newest one in effect.
        previous_day = formats.date_format(timezone.localtime(previous.effective_at), "Y-m-d")
        raise PublicationRefused(
            _("Version %(version)s takes effect on %(date)s; a newer version cannot take effect before it.")
            % {"version": previous.version, "date": previous_day}
        )


def check_publication(
    *,
    kind: str,
    body_en: str,
    body_ko: str,
    effective_at: datetime,
    material: bool,
    disadvantageous: bool,
    summary_en: str,
    summary_ko: str,
    previous: PolicyDocument | None,
) -> None:
    """Raise PublicationRefused with a clear message when a version may not be published as given."""
    if kind not in dict(PolicyDocument.KINDS):
        raise PublicationRefused(_("Unknown document %(kind)s: choose terms or privacy.") % {"kind": kind})
    if not body_en.strip() or not body_ko.strip():
        raise PublicationRefused(_("Both the English and the Korean text are needed."))
    material = material or disadvantageous
    if material and not (summary_en.strip() and summary_ko.strip()):
        raise PublicationRefused(_("A material change needs a summary of what changes, in English and in Korean."))
    days = notice_days(material=material, disadvantageous=disadvantageous)
    _check_effective_date(effective_at=effective_at, days=days, previous=previous)
    if previous is not None and (body_en.strip(), body_ko.strip()) == (previous.body_en, previous.body_ko):
        raise PublicationRefused(
            _("The text is the same as version %(version)s: there is nothing to publish.")
            % {"version": previous.version}
        )


def latest_version(kind: str, *, lock: bool = False) -> PolicyDocument | None:
    documents = PolicyDocument.objects.filter(kind=kind).order_by("-version")
    return (documents.select_for_update() if lock else documents).first()


@acting("actor", system=True)
def publish_document(
    *,
    actor: Actor,
    kind: str,
    body_en: str,
    body_ko: str,
    effective_at: datetime,
    material: bool,
    disadvantageous: bool,
    summary_en: str,
    summary_ko: str,
) -> PolicyDocument:
    """Store the next version of a document, recording who published it (the privacy officer, or the operator:
    staff.views.officer and manage.py publish_policy check that first); a material change is announced to every
    member after commit."""
    material = material or disadvantageous
    with transaction.atomic():
        # Locking the newest version makes two publications of one document take turns for the next number.
        previous = latest_version(kind, lock=True)
        check_publication(
            kind=kind,
            body_en=body_en,
            body_ko=body_ko,
            effective_at=effective_at,
            material=material,
            disadvantageous=disadvantageous,
            summary_en=summary_en,
            summary_ko=summary_ko,
            previous=previous,
        )
        document = PolicyDocument.objects.create(
            kind=kind,
            version=previous.version + 1 if previous else 1,
            effective_at=effective_at,
            material=material,
            disadvantageous=disadvantageous,
            change_summary_en=summary_en.strip(),
            change_summary_ko=summary_ko.strip(),
            body_en=body_en.strip(),
            body_ko=body_ko.strip(),
            published_by_ref=actor_ref(actor),
            published_by_operator=actor_label(actor),
        )
        if material:
            announce_change(actor=actor, document=document)
    return document


def _announcement(document: PolicyDocument, language: str) -> tuple[str, str]:
    """The subject and text of the announcement in one language (P3.1: what, when, where, what happens next)."""
    link = settings.SITE_URL + reverse(f"privacy:{_page(document)}", args=[document.version]) + "#what-changed"
    with translation.override(language):
        day = formats.date_format(timezone.localtime(document.effective_at), "DATE_FORMAT")
        if document.kind == PolicyDocument.TERMS:
            subject = _("The Terms of Use change on %(date)s") % {"date": day}
        else:
            subject = _("The Privacy Policy changes on %(date)s") % {"date": day}
        context = {"kind": document.kind, "date": day, "summary": document.change_summary, "link": link}
        return subject, render_to_string("privacy/notices/policy_change_email.txt", context).strip()


def _page(document: PolicyDocument) -> str:
    return "terms_version" if document.kind == PolicyDocument.TERMS else "policy_version"


@acting("actor", system=True)
def announce_change(*, actor: Actor, document: PolicyDocument) -> MassNotice:
    """Queue the bilingual announcement of a material change to every member; it is sent after commit."""
    subject_en, body_en = _announcement(document, "en")
    subject_ko, body_ko = _announcement(document, "ko")
    return create_mass_notice(
        actor=actor,
        kind=MassNotice.POLICY_CHANGE,
        subject_en=subject_en,
        subject_ko=subject_ko,
        body_en=body_en,
        body_ko=body_ko,
        document=document,
    )


def answer_renewal(*, member: AbstractBaseUser, answers: dict[str, tuple[int, bool]]) -> list[ConsentEvent]:
    """Record the member's Agree or Disagree to each document's version in force: {kind: (version, agreed)}.

    The version is the one the member was shown; if a newer one has come into force since, nothing is recorded.
    The ledger is append-only, so answers from two browsers are two events and the later one counts: no lock needed.
    """
    with transaction.atomic():
        for kind, (version, _agreed) in answers.items():
            if current_document(kind).version != version:
                raise StaleAnswer(f"{kind} v{version} is no longer the version in force")
        return [
            record_consent(member=member, document=kind, version=version, granted=agreed, channel=RENEWAL_CHANNEL)
            for kind, (version, agreed) in sorted(answers.items())
        ]
