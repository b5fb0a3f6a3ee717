"""Notices to many members (policy changes, news, subscription reminders), sent in batches.

Each recipient gets a NoticeDelivery row, committed just before their mail goes
out and marked sent just after. A run that resumes after a crash skips everyone
with a row, so nobody gets the same notice twice (at most once, by design); a
mail the server refused leaves no row, so the resumed run tries that member again.
Every mail asks the purposes guard at the moment it is sent (P4.1).
"""

from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from groupket.core.actors import Actor, acting, actor_label, actor_ref
from groupket.core.tasks import enqueue
from groupket.privacy import tasks
from groupket.privacy.delivery.notices import NOTICE_PURPOSES
from groupket.privacy.models import ConsentEvent, MassNotice, PolicyDocument
from groupket.privacy.selectors import has_consent
from groupket.privacy.services.ledger import record_consent


def _check_texts(*, kind: str, subjects: tuple[str, str], bodies: tuple[str, str]) -> None:
    if kind not in NOTICE_PURPOSES:
        raise ValueError(f"unknown notice kind {kind!r}")
    limit = MassNotice._meta.get_field("subject_en").max_length
    for subject in subjects:
        # A line break in a subject would be a header injection; the mail library refuses it mid-run.
        if not subject.strip() or len(subject) > limit or "\n" in subject or "\r" in subject:
            raise ValueError(f"a notice subject is one line of 1 to {limit} characters")
    if not all(body.strip() for body in bodies):
        raise ValueError("a notice needs a text in English and in Korean")


@acting("actor", system=True)
def create_mass_notice(
    *,
    actor: Actor,
    kind: str,
    subject_en: str,
    subject_ko: str,
    body_en: str,
    body_ko: str,
    document: PolicyDocument | None = None,
    queue: bool = True,
) -> MassNotice:
    """Record a notice with who sent it and queue its sending after commit (queue=False: the caller sends it).

    The actor is the privacy officer (staff.views.officer checks the role), the operator (manage.py send_news)
    or a scheduled job.
    """
    _check_texts(kind=kind, subjects=(subject_en, subject_ko), bodies=(body_en, body_ko))
    with transaction.atomic():
        notice = MassNotice.objects.create(
            kind=kind,
            subject_en=subject_en,
            subject_ko=subject_ko,
            body_en=body_en,
            body_ko=body_ko,
            document=document,
            created_by_ref=actor_ref(actor),
            created_by_operator=actor_label(actor),
        )
        if queue:
            transaction.on_commit(partial(enqueue, tasks.send_mass_notice_task, notice.pk))
    return notice


def change_news_subscription(*, member: AbstractBaseUser, subscribed: bool, channel: str) -> bool:
    """Record the member's choice about news; False, recording nothing, when it is already their choice (P4.1)."""
    with transaction.atomic():
        # The member row is the lock: two clicks at once record one event, not two.
        list(get_user_model().objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True))
        if has_consent(member.pk, ConsentEvent.MARKETING) == subscribed:
            return False
        record_consent(
            member=member, document=ConsentEvent.MARKETING, version=None, granted=subscribed, channel=channel
        )
    return True
