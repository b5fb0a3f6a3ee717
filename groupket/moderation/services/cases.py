"""The review queue: one open case per post or comment, scored so the most urgent comes first (P10.1).

A case's score grows with its reports, weighted by reason and by each reporter's past accuracy (how
often moderators agreed with their earlier reports), and starts higher for what screening held.
"""

from django.db.models import Count, Q

from groupket.moderation.models import ABUSE, ILLEGAL, PERSONAL_INFO, SPACE_RULE, SPAM, Case, Report
from groupket.moderation.services import log
from groupket.spaces.models import Comment, Post

REASON_WEIGHTS = {PERSONAL_INFO: 3.0, ILLEGAL: 3.0, ABUSE: 2.0, SPACE_RULE: 1.5, SPAM: 1.0}
HELD_WEIGHT = 3.0
FLAGGED_WEIGHT = 1.0


def _target(written: Post | Comment) -> dict[str, object]:
    return {"comment": written} if isinstance(written, Comment) else {"post": written, "comment": None}


def space_of(written: Post | Comment):
    return written.post.space if isinstance(written, Comment) else written.space


def open_case(written: Post | Comment) -> tuple[Case, bool]:
    """The item's open case, locked, made if there is none; inside the caller's transaction."""
    case = Case.objects.select_for_update().filter(status=Case.OPEN, **_target(written)).first()
    if case is not None:
        return case, False
    case = Case.objects.create(space=space_of(written), author_id=written.author_id, **_target(written))
    return case, True


def reporter_accuracy(reporter_ids: set[int]) -> dict[int, float]:
    """(upheld + 1) / (decided + 2) per reporter: a newcomer counts as 0.5, a reliable reporter near 1."""
    rows = (
        Report.objects.filter(reporter_id__in=reporter_ids)
        .values("reporter_id")
        .annotate(
            upheld=Count("pk", filter=Q(outcome=Report.UPHELD)),
            decided=Count("pk", filter=~Q(outcome=Report.PENDING)),
        )
    )
    found = {row["reporter_id"]: (row["upheld"] + 1) / (row["decided"] + 2) for row in rows}
    return {reporter: found.get(reporter, 0.5) for reporter in reporter_ids}


def rescore(case: Case) -> None:
    reports = list(case.reports.values_list("reporter_id", "reason"))
    accuracy = reporter_accuracy({reporter for reporter, _ in reports})
    score = HELD_WEIGHT if case.held else (FLAGGED_WEIGHT if case.screening else 0.0)
    score += sum(REASON_WEIGHTS[reason] * (0.5 + accuracy[reporter]) for reporter, reason in reports)
    case.score = round(score, 3)
    case.save(update_fields=["score"])


def queue_screened(written: Post | Comment, *, codes: list[str], held: bool) -> Case:
    """Screening held or flagged this item: queue it (spaces calls this in the writing's own transaction)."""
    case, _made = open_case(written)
    case.screening = sorted(set(case.screening) | set(codes))
    case.held = case.held or held
    case.save(update_fields=["screening", "held"])
    rescore(case)
    log.record(log.HELD if held else log.FLAGGED, actor=None, case=case, subject_id=written.author_id)
    return case
