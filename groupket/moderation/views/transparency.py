"""/transparency/: what moderation did each month, in counts only (P10.1).

Reports by reason, decisions by kind and by the rule they cited, appeals and their outcomes. No
names, no spaces, no texts; a count under 5 is shown as "fewer than 5", so a small number cannot
point at the one member it is about.
"""

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from groupket.moderation.models import DECISION_CHOICES, REASON_CHOICES, Appeal
from groupket.moderation.selectors import monthly_log_counts
from groupket.moderation.services import log
from groupket.privacy.inventory import add_months

SUPPRESS_BELOW = 5
MONTHS = 12


@dataclass(frozen=True)
class Line:
    label: str
    count: int

    @property
    def shown(self) -> str:
        return str(self.count) if self.count >= SUPPRESS_BELOW else _("fewer than 5")


@dataclass(frozen=True)
class Month:
    start: datetime
    reports: list[Line]
    actions: list[Line]
    rules: list[Line]
    appeals: list[Line]


def _rule_label(rule: str) -> str:
    if rule.startswith("rule "):
        return _("A rule of the space")
    if rule == "reason":
        return _("A reason in words, no rule")
    return str(dict(REASON_CHOICES).get(rule, rule))


def _lines(counts: dict[str, int]) -> list[Line]:
    return [Line(label, count) for label, count in counts.items() if count]


def _add(bucket: dict[str, int], label: str, count: int) -> None:
    bucket[label] = bucket.get(label, 0) + count


def _month(start: datetime, counts: dict[tuple[str, str, str], int]) -> Month:
    reports, actions, rules, appeals = {}, {}, {}, {}
    kinds, reasons = dict(DECISION_CHOICES), dict(REASON_CHOICES)
    outcomes = {Appeal.UPHELD: _("Appeals upheld"), Appeal.REJECTED: _("Appeals rejected")}
    for (action, code, rule), count in counts.items():
        if action == log.REPORTED:
            _add(reports, str(reasons.get(code, code)), count)
        elif action == log.DECIDED:
            _add(actions, str(kinds.get(code, code)), count)
            _add(rules, _rule_label(rule), count)
        elif action == log.APPEALED:
            _add(appeals, _("Appeals made"), count)
        elif action == log.APPEAL_DECIDED:
            _add(appeals, str(outcomes.get(code, code)), count)
    return Month(start, _lines(reports), _lines(actions), _lines(rules), _lines(appeals))


@require_safe
def transparency(request: HttpRequest) -> HttpResponse:
    today = timezone.localtime()
    first = today.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    since = add_months(first, -(MONTHS - 1))
    by_month = monthly_log_counts(since)
    months = []
    for back in range(MONTHS):
        start = add_months(first, -back)
        counts = by_month.get((start.year, start.month))
        if counts:
            months.append(_month(start, counts))
    return render(request, "moderation/transparency.html", {"months": months, "suppress_below": SUPPRESS_BELOW})
