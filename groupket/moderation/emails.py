"""Mail to the member a decision is about, read by id and sent in English and Korean (the tasks call these).

Every message points to /me/moderation/, where the decision, its rule and its reason are shown and the
appeal is made. A member gone (or deactivated) since is sent nothing.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from groupket.core.mail import send_in_both_languages
from groupket.moderation.models import Appeal, Decision
from groupket.moderation.presenting import rule_text

AUTO_HEADERS = {"Auto-Submitted": "auto-generated"}


def _page() -> str:
    return settings.SITE_URL + reverse("moderation:mine")


def deliver_decision_notice(*, decision_id: int) -> None:
    decision = Decision.objects.filter(pk=decision_id).select_related("subject", "space").first()
    if decision is None or not decision.subject.is_active:
        return
    send_in_both_languages(
        to=decision.subject.email,
        subject=lambda: _("A moderation decision about your writing"),
        template="moderation/mail_decision.txt",
        context={
            "decision": decision,
            "rule": lambda: rule_text(decision.rule, decision.rule_number, decision.space),
            "page": _page(),
        },
        headers=AUTO_HEADERS,
    )


def deliver_appeal_answer(*, appeal_id: int) -> None:
    appeal = Appeal.objects.filter(pk=appeal_id).select_related("appellant", "decision").first()
    if appeal is None or not appeal.appellant.is_active:
        return
    send_in_both_languages(
        to=appeal.appellant.email,
        subject=lambda: _("The answer to your appeal"),
        template="moderation/mail_appeal_answer.txt",
        context={"appeal": appeal, "page": _page()},
        headers=AUTO_HEADERS,
    )
