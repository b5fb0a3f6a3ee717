"""The staff analytics page: counts only, small ones suppressed, for the privacy officer and the analyst (P9.1, P9.3).

It reads the roll-ups, never a page view, so no browser's trail can be shown; a count under 5 (and any figure
that would give one away) is shown as "<5" or "—"; charts are inline SVG drawn on the server; the CSV holds
the same suppressed counts. The analyst role sees these aggregates and nothing else (P7.8).
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.test import Client

from groupket.analytics.selectors import Shown, share, suppressed_parts
from groupket.analytics.services.recording import PageVisit, record_page_view
from groupket.analytics.services.rollup import roll_up_page_views
from tests.conftest import CONSOLE_QUERIES, make_staff, sign_in, sign_in_staff
from tests.factories import MemberFactory, make_space
from tests.markup import fragment

NOV = date(2026, 11, 1)
# The staff gate, second factor, session and policy checks every console page makes (CONSOLE_QUERIES), the
# report (2) and the names of its spaces (1).
DASHBOARD_QUERIES = CONSOLE_QUERIES + 3


@dataclass(frozen=True)
class Spaces:
    listed: int
    hidden: int
    small: int


@pytest.fixture
def november() -> Spaces:
    """12 browsers on 1 November (7 in a listed space, 5 in a hidden one), 3 on the 2nd (2 in a third space)."""
    owner = MemberFactory()
    spaces = Spaces(
        listed=make_space(owner, slug="hiking-club", name="Hiking Club").pk,
        hidden=make_space(owner, slug="quiet-room", name="Quiet Room", visibility="hidden").pk,
        small=make_space(owner, slug="tiny-club", name="Tiny Club").pk,
    )
    for number in range(12):
        space = spaces.listed if number < 7 else spaces.hidden
        record_page_view(PageVisit(browser=f"browser{number:02}", day=NOV, page="spaces:home", space=space))
    for number in range(3):
        day, space = NOV + timedelta(days=1), spaces.small if number < 2 else None
        record_page_view(PageVisit(browser=f"late{number}", day=day, page="home", space=space))
    roll_up_page_views(today=date(2026, 12, 1))
    return spaces


def staff_client(*roles: str) -> Client:
    client = Client()
    sign_in_staff(client, make_staff(*roles))
    return client


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
@pytest.mark.parametrize("role", ["privacy_officer", "analyst"])
def test_the_officer_and_the_analyst_open_it_and_no_one_else(role: str) -> None:
    assert staff_client(role).get("/staff/analytics/").status_code == 200
    assert staff_client(role).get("/staff/analytics/aggregates.csv").status_code == 200
    for other in ("support_handler", "moderator", "billing_handler", "records_custodian"):
        assert staff_client(other).get("/staff/analytics/").status_code == 403, other
        assert staff_client(other).get("/staff/analytics/aggregates.csv").status_code == 403, other
    member = Client()
    sign_in(member, MemberFactory())
    assert member.get("/staff/analytics/").status_code == 404
    assert Client().get("/staff/analytics/aggregates.csv").status_code == 404


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_the_analyst_sees_aggregates_and_nothing_of_any_member() -> None:
    analyst = staff_client("analyst")
    html = analyst.get("/staff/").content.decode()
    nav = fragment(html, tag="nav", class_="staff-nav")
    assert 'href="/staff/analytics/"' in nav and 'href="/staff/members/"' not in nav
    for page in ("/staff/members/", "/staff/access-log/", "/staff/requests/", "/staff/retained/", "/staff/roles/"):
        assert analyst.get(page).status_code == 403, page


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
@pytest.mark.clause("P9.3")
def test_the_page_shows_counts_with_the_small_ones_suppressed(november: Spaces) -> None:
    html = staff_client("analyst").get("/staff/analytics/?month=2026-11").content.decode()

    assert 'data-metric="browsers">15<' in html
    assert "<td>2026-11-01</td><td>12</td>" in html
    assert "<td>2026-11-02</td><td>&lt;5</td>" in html
    spaces = fragment(html, class_="analytics-spaces")
    assert "<td>Hiking Club</td><td>7</td>" in spaces
    assert f"<td>An unlisted space (#{november.hidden})</td><td>5</td>" in spaces and "Quiet Room" not in spaces
    assert "Tiny Club" not in spaces and f"#{november.small}" not in spaces
    pages = fragment(html, class_="analytics-pages")
    assert "<td><code>spaces:home</code></td><td>12</td>" in pages and "<code>home</code>" not in pages  # 3: hidden
    # Frequency: all 15 came once; the other buckets are 0 and stay hidden together (their sum too is small).
    frequency = fragment(html, class_="analytics-frequency")
    assert "<td>1</td><td>&lt;5</td>" in frequency and "<td>8+</td><td>&lt;5</td>" in frequency
    assert "browser0" not in html and "late0" not in html


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
def test_the_charts_are_inline_svg_with_nothing_that_runs(november: Spaces) -> None:
    html = staff_client("privacy_officer").get("/staff/analytics/?month=2026-11").content.decode()

    # The daily chart; the frequency chart is left out, every one of its bars being suppressed.
    assert html.count("<svg") == 1 and html.count('class="chart access-chart"') == 1
    svg = fragment(html, tag="svg")
    assert "Unique browsers per day" in svg
    for inert in ("<script", "<style", " style=", "https://"):
        assert inert not in svg
    assert "http://" not in svg.replace("http://www.w3.org", "")


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
def test_the_csv_holds_the_same_suppressed_counts(november: Spaces) -> None:
    response = staff_client("analyst").get("/staff/analytics/aggregates.csv?month=2026-11")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="groupket-analytics-2026-11.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["period", "starts_on", "metric", "key", "value"]
    assert ["month", "2026-11", "browsers", "", "15"] in rows
    assert ["day", "2026-11-01", "browsers", "", "12"] in rows
    assert ["day", "2026-11-02", "browsers", "", "<5"] in rows
    assert ["month", "2026-11", "space_browsers", "Hiking Club", "7"] in rows
    assert [row[3] for row in rows if row[2] == "space_browsers"] == [
        "Hiking Club",
        f"An unlisted space (#{november.hidden})",
    ]
    assert not any(value.isdigit() and 0 < int(value) < 5 for row in rows[1:] for value in row[4:])


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2026-13", "nope", "2026-1", "0000-00", "<script>", "2026-11-01"])
def test_a_bad_month_gets_a_clear_400(month: str) -> None:
    client = staff_client("analyst")
    response = client.get("/staff/analytics/", {"month": month})
    assert response.status_code == 400
    assert "Give the month as YYYY-MM, for example 2025-03." in response.content.decode()
    assert client.get("/staff/analytics/aggregates.csv", {"month": month}).status_code == 400


@pytest.mark.django_db
def test_a_month_with_nothing_counted_says_so() -> None:
    html = staff_client("analyst").get("/staff/analytics/?month=2026-10").content.decode()
    assert 'data-report="empty"' in html and "<svg" not in html


@pytest.mark.django_db
def test_the_page_takes_a_fixed_number_of_queries(november: None, django_assert_num_queries) -> None:
    client = staff_client("analyst")
    client.get("/staff/analytics/?month=2026-11")
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get("/staff/analytics/?month=2026-11")


@pytest.mark.clause("P9.3")
@pytest.mark.parametrize(
    ("parts", "hidden"),
    [
        ([100, 50, 20, 10], []),
        ([100, 50, 20, 3], [2, 3]),  # one small bucket: the next smallest hides with it
        ([100, 50, 2, 2], [1, 2, 3]),  # two hidden with a sum under 5: a third hides too
        ([100, 50, 6, 0], [2, 3]),
        ([1, 2, 0, 0], [0, 1, 2, 3]),
    ],
)
def test_no_hidden_bucket_can_be_worked_out_from_the_total(settings, parts: list[int], hidden: list[int]) -> None:
    settings.GROUPKET_ANALYTICS_MIN_COUNT = 5
    shown_parts = suppressed_parts(parts)
    assert [index for index, part in enumerate(shown_parts) if part.value is None] == hidden
    assert [str(part) for part in shown_parts if part.value is None] == ["<5"] * len(hidden)


@pytest.mark.clause("P9.3")
def test_a_share_that_would_reveal_a_small_count_is_hidden(settings) -> None:
    settings.GROUPKET_ANALYTICS_MIN_COUNT = 5
    assert share(10, 40) == 0.25
    assert share(4, 40) is None  # 4 returning
    assert share(38, 40) is None  # 2 new
    assert str(Shown(None)) == "<5"


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
def test_a_space_named_like_a_formula_reaches_the_csv_as_text() -> None:
    space = make_space(MemberFactory(), slug="formula", name='=HYPERLINK("http://elsewhere.example")')
    for number in range(6):
        record_page_view(PageVisit(browser=f"browser{number}", day=NOV, page="spaces:home", space=space.pk))
    roll_up_page_views(today=date(2026, 12, 1))

    response = staff_client("analyst").get("/staff/analytics/aggregates.csv?month=2026-11")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["month", "2026-11", "space_browsers", '\'=HYPERLINK("http://elsewhere.example")', "6"] in rows
