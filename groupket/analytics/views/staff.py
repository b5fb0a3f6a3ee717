"""The staff page of first-party analytics: aggregate counts and charts, and their CSV (P9.1, P9.3).

Open to the privacy officer and the analyst; both see counts only, read from the roll-ups, with every
small count suppressed (analytics.selectors). Charts are drawn on the server with pygal, as the access
review's are.
"""

import csv
from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from groupket.analytics.selectors import MonthReport, month_report
from groupket.analytics.spaces import space_labels
from groupket.privacy import inventory
from groupket.staff.forms.access import ReviewMonthForm
from groupket.staff.permissions import staff_view
from groupket.staff.roles import VIEW_ANALYTICS
from groupket.staff.views.access import chart_svg

# A spreadsheet runs a cell that starts like a formula: such text is prefixed with an apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _month(request: HttpRequest) -> tuple[ReviewMonthForm, date | None]:
    form = ReviewMonthForm({"month": request.GET.get("month") or timezone.localdate().strftime("%Y-%m")})
    return form, form.first_day() if form.is_valid() else None


def _chart(bars: list[tuple[str, int | None]], title: str) -> str:
    # A chart of suppressed counts only would be empty: the table says "<5" instead.
    if all(value is None for _label, value in bars):
        return ""
    return chart_svg(bars, title=title, series=_("Browsers"))


def _charts(report: MonthReport) -> dict[str, str]:
    return {
        "daily_chart": _chart(
            [(f"{row.day:%d}", row.browsers.value) for row in report.days], _("Unique browsers per day")
        ),
        "frequency_chart": _chart(
            [(key, count.value) for key, count in report.frequency], _("Days of visits in the month")
        ),
    }


@staff_view(VIEW_ANALYTICS)
def dashboard(request: HttpRequest) -> HttpResponse:
    form, first = _month(request)
    limits = {
        "minimum": settings.GROUPKET_ANALYTICS_MIN_COUNT,
        "returning_days": settings.GROUPKET_ANALYTICS_RETURNING_DAYS,
    }
    if first is None:
        return render(request, "analytics/staff_dashboard.html", {"form": form, **limits}, status=400)
    report = month_report(first)
    context = {
        **limits,
        "form": form,
        "report": report,
        "spaces": space_labels(report.spaces),
        "previous": inventory.add_months(first, -1).strftime("%Y-%m"),
        "next": inventory.add_months(first, 1).strftime("%Y-%m"),
        **_charts(report),
    }
    return render(request, "analytics/staff_dashboard.html", context)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_rows(report: MonthReport) -> list[tuple[object, ...]]:
    month = f"{report.first:%Y-%m}"
    rows: list[tuple[object, ...]] = [
        ("month", month, "browsers", "", report.browsers),
        ("month", month, "views", "", report.views),
        ("month", month, "returning_share", "", _share(report.returning_share)),
    ]
    for day in report.days:
        rows.append(("day", f"{day.day:%Y-%m-%d}", "browsers", "", day.browsers))
        rows.append(("day", f"{day.day:%Y-%m-%d}", "returning_share", "", _share(day.returning_share)))
    rows += [("month", month, "frequency_days", key, count) for key, count in report.frequency]
    rows += [("month", month, "space_browsers", label, count) for label, count in space_labels(report.spaces)]
    rows += [("month", month, "page_browsers", page, count) for page, count in report.pages]
    return rows


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


@staff_view(VIEW_ANALYTICS)
def aggregates_csv(request: HttpRequest) -> HttpResponse:
    form, first = _month(request)
    if first is None:
        return HttpResponse(_("Give the month as YYYY-MM, for example 2025-03."), status=400, content_type="text/plain")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="groupket-analytics-{first:%Y-%m}.csv"'
    writer = csv.writer(response)
    writer.writerow(["period", "starts_on", "metric", "key", "value"])
    for row in _csv_rows(month_report(first)):
        writer.writerow([_cell(value) for value in row])
    return response
