"""The privacy officer's review of staff access: the log itself and a monthly report (P7.8)."""

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

import pygal
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from groupket.privacy import inventory
from groupket.staff.forms_access import ReviewMonthForm
from groupket.staff.models import AccessLogEntry
from groupket.staff.permissions import staff_view
from groupket.staff.roles import REVIEW_ACCESS
from groupket.staff.services.access_log import REASONS
from groupket.staff.views.roles import display_name, usernames_by_id

PAGE_SIZE = 50
UNUSUAL_FACTOR = 3
# pygal's inline script and styles (elements and attributes) would be blocked by the page's CSP anyway, each a
# console error; the chart is styled by groupket.css.
_INERT_SVG_PARTS = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|\sstyle=\"[^\"]*\"", re.DOTALL)


@staff_view(REVIEW_ACCESS)
def access_log(request: HttpRequest) -> HttpResponse:
    page = Paginator(AccessLogEntry.objects.order_by("-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    names = usernames_by_id(entry.staff_ref for entry in page)
    labels = {item.key: item.label for item in inventory.ITEMS}
    order = {key: index for index, key in enumerate(labels)}
    rows = [
        {
            "entry": entry,
            "staff": display_name(names, entry.staff_ref),
            "items": [labels.get(key, key) for key in sorted(entry.items, key=lambda key: order.get(key, len(order)))],
            "reason": REASONS.get(entry.reason, entry.reason),
        }
        for entry in page
    ]
    return render(request, "staff/access_log.html", {"page": page, "rows": rows})


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
    per_reason: list[tuple[str, int]]
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
        per_reason=[(str(label), per_reason.get(slug, 0)) for slug, label in REASONS.items()],
        unusual=_unusual_days(daily, names),
    )


def chart_svg(per_staff: list[tuple[str, int]], *, title: str) -> SafeString:
    """A bar chart drawn here as SVG, to embed inline: no script, no style, nothing from another origin."""
    chart = pygal.Bar(
        js=[], css=[], disable_xml_declaration=True, show_legend=False, title=title, height=360, classes=["pygal-chart"]
    )
    chart.x_labels = [name for name, _count in per_staff]
    chart.add(_("Views"), [count for _name, count in per_staff])
    # pygal escapes every label it writes, so the markup is safe to embed.
    return mark_safe(_INERT_SVG_PARTS.sub("", chart.render(is_unicode=True)))  # noqa: S308


@staff_view(REVIEW_ACCESS)
def access_review(request: HttpRequest) -> HttpResponse:
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    form = ReviewMonthForm({"month": month})
    if not form.is_valid():
        return render(request, "staff/access_review.html", {"form": form}, status=400)
    first = form.first_day()
    review = monthly_review(first)
    context = {
        "form": form,
        "month": first,
        "previous": inventory.add_months(first, -1).strftime("%Y-%m"),
        "next": inventory.add_months(first, 1).strftime("%Y-%m"),
        "review": review,
        "factor": UNUSUAL_FACTOR,
        "chart": chart_svg(review.per_staff, title=_("Views per staff member")) if review.per_staff else "",
    }
    return render(request, "staff/access_review.html", context)
