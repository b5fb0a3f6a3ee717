"""Reads about staff roles and staff access that the console and other apps need."""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from groupket.accounts.selectors import usernames_by_id
from groupket.privacy import inventory
from groupket.staff.models import AccessLogEntry, RoleGrant
from groupket.staff.roles import ROLES, Role

# A day is unusual when a staff member viewed more than this many times their median day (P7.8).
UNUSUAL_FACTOR = 3


def active_role_slugs(member_id: int) -> set[str]:
    return set(RoleGrant.objects.filter(member_ref=member_id, revoked_at__isnull=True).values_list("role", flat=True))


def active_roles(member_id: int) -> list[Role]:
    slugs = active_role_slugs(member_id)
    return [role for slug, role in ROLES.items() if slug in slugs]


def _live_grants(member: int | OuterRef) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.filter(member_ref=member, revoked_at__isnull=True)


def is_staff(member_id: int) -> bool:
    return _live_grants(member_id).exists()


def holds_role(member: OuterRef) -> Exists:
    """is_staff as an expression over a member query: read with the member's row at sign-in (GROUPKET_SIGN_IN_READS)."""
    return Exists(_live_grants(member))


def role_holder_counts() -> dict[str, int]:
    """How many staff hold each role now (P10.2), every role listed."""
    counts = dict(
        RoleGrant.objects.filter(revoked_at__isnull=True)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    return {slug: counts.get(slug, 0) for slug in ROLES}


def display_name(names: dict[int, str], pk: int | None, operator: str = "") -> str:
    """A staff member's ID, or the recorded system actor (its label names the server user and the command)."""
    if pk is None:
        return _("the operator (%(label)s)") % {"label": operator} if operator else _("the operator")
    return names.get(pk) or _("former member #%(id)s") % {"id": pk}


# --- The monthly review of staff access (P7.8) ---------------------------------------------------------------


@dataclass(frozen=True)
class UnusualDay:
    staff: str
    day: date
    views: int
    median: float


@dataclass(frozen=True)
class Review:
    total: int
    per_staff: list[tuple[str, int]]
    per_reason: dict[str, int]  # by reason slug (staff.services.access_log.REASONS)
    unusual: list[UnusualDay]


def _month_bounds(first: date) -> tuple[datetime, datetime]:
    following = inventory.add_months(first, 1)
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), zone),
        timezone.make_aware(datetime.combine(following, time.min), zone),
    )


def _unusual_days(daily: dict[int, Counter], names: dict[int, str]) -> list[UnusualDay]:
    """Days on which a staff member viewed more than 3 × their median daily views in the month.

    The median is over the days on which that staff member viewed at least one member.
    """
    unusual = []
    for staff_ref, per_day in daily.items():
        median = statistics.median(per_day.values())
        for day, views in sorted(per_day.items()):
            if views > UNUSUAL_FACTOR * median:
                unusual.append(UnusualDay(display_name(names, staff_ref), day, views, median))
    return unusual


def monthly_review(first: date) -> Review:
    """The access log's month starting on `first`: views per staff member and per reason, and unusual days."""
    start, end = _month_bounds(first)
    rows = AccessLogEntry.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
        "staff_ref", "reason", "created_at"
    )
    per_staff: Counter = Counter()
    per_reason: Counter = Counter()
    daily: dict[int, Counter] = defaultdict(Counter)
    for staff_ref, reason, created_at in rows:
        per_staff[staff_ref] += 1
        per_reason[reason] += 1
        daily[staff_ref][timezone.localtime(created_at).date()] += 1
    names = usernames_by_id(per_staff)
    return Review(
        total=sum(per_staff.values()),
        per_staff=[(display_name(names, ref), count) for ref, count in per_staff.most_common()],
        per_reason=dict(per_reason),
        unusual=_unusual_days(daily, names),
    )
