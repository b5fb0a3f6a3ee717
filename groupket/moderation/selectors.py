"""Reads of moderation that screening, pages and other apps need, each with the queries it needs."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from groupket.core.keys import open_data_keys
from groupket.moderation.models import SILENCE, SUSPEND, Appeal, Case, Decision, LogEntry, Report
from groupket.spaces.models import Space


def active_sanction(*, member_id: int, space_id: int) -> Decision | None:
    """A suspension from Groupket, or a silence in this space, in force now and not undone: one query."""
    in_force = Q(kind=SUSPEND) | Q(kind=SILENCE, space_id=space_id)
    rows = Decision.objects.filter(in_force, subject_id=member_id, until__gt=timezone.now(), undone_at__isnull=True)
    return rows.order_by("-until").only("kind", "until").first()


def open_cases(space: Space | None) -> list[Case]:
    """The review queue, highest score first: every space's for Groupket's moderators, else one space's."""
    cases = Case.objects.filter(status=Case.OPEN).select_related("space").annotate(report_count=Count("reports"))
    if space is not None:
        cases = cases.filter(space=space)
    return list(cases.order_by("-score", "opened_at", "pk")[:200])


def pending_appeals(space: Space | None) -> list[Appeal]:
    """Appeals not yet decided, the oldest due first; organisers see those of their own space's decisions."""
    appeals = Appeal.objects.filter(decided_at__isnull=True).select_related("decision", "decision__space")
    if space is not None:
        appeals = appeals.filter(decision__space=space, decision__by_staff=False)
    return list(appeals.order_by("due_at", "pk")[:200])


def case_history(case: Case) -> list[LogEntry]:
    return list(LogEntry.objects.filter(case_ref=case.pk).order_by("created_at", "pk"))


def case_reports(case: Case) -> list[Report]:
    """The case's reports, notes opened in bulk; the reporter is never part of what a page shows."""
    reports = list(case.reports.order_by("created_at", "pk"))
    open_data_keys(report.data_key_id for report in reports)
    return reports


def member_decisions(member_id: int) -> list[Decision]:
    """Every decision about the member, with its space and appeal, newest first, reasons opened in bulk."""
    decisions = list(
        Decision.objects.filter(subject_id=member_id).select_related("space", "appeal").order_by("-created_at", "-pk")
    )
    keys = {decision.data_key_id for decision in decisions}
    keys |= {decision.appeal.data_key_id for decision in decisions if hasattr(decision, "appeal")}
    open_data_keys(keys)
    return decisions


def monthly_log_counts(since: datetime) -> dict[tuple[int, int], dict[tuple[str, str, str], int]]:
    """(year, month) -> {(action, code, rule): count} of the moderation log since a moment: one query."""
    rows = (
        LogEntry.objects.filter(created_at__gte=since)
        .values_list("created_at", "action", "code", "rule")
        .order_by("created_at")
    )
    months: dict[tuple[int, int], dict[tuple[str, str, str], int]] = {}
    for moment, action, code, rule in rows.iterator():
        local = timezone.localtime(moment)
        bucket = months.setdefault((local.year, local.month), {})
        bucket[(action, code, rule)] = bucket.get((action, code, rule), 0) + 1
    return months


def decisions_needing_destruction(now: datetime) -> QuerySet[Decision]:
    return Decision.objects.filter(expires_at__lte=now)
