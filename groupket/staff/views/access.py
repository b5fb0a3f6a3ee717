"""The privacy officer's review of staff access: the log itself and a monthly report (P7.8)."""

import re

import pygal
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from groupket.accounts.selectors import usernames_by_id
from groupket.privacy import inventory
from groupket.staff.forms.access import ReviewMonthForm
from groupket.staff.models import AccessLogEntry
from groupket.staff.permissions import staff_view
from groupket.staff.roles import REVIEW_ACCESS
from groupket.staff.selectors import UNUSUAL_FACTOR, display_name, monthly_review
from groupket.staff.services.access_log import REASONS

PAGE_SIZE = 50
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


def chart_svg(bars: list[tuple[str, int | None]], *, title: str, series: str = "") -> SafeString:
    """A bar chart drawn here as SVG, to embed inline: no script, no style, nothing from another origin.

    A bar of None is left out (a count too small to show); `series` names what the bars count (views).
    """
    chart = pygal.Bar(
        js=[], css=[], disable_xml_declaration=True, show_legend=False, title=title, height=360, classes=["pygal-chart"]
    )
    chart.x_labels = [name for name, _count in bars]
    chart.add(series or _("Views"), [count for _name, count in bars])
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
        "per_reason": [(str(label), review.per_reason.get(slug, 0)) for slug, label in REASONS.items()],
        "factor": UNUSUAL_FACTOR,
        "chart": chart_svg(review.per_staff, title=_("Views per staff member")) if review.per_staff else "",
    }
    return render(request, "staff/access_review.html", context)
