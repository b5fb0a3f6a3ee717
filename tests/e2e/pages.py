"""Every page a member or a staff member can reach: the one list the layout, axe and screenshot tests walk.

A page is added here when it is made (DESIGN.md, habit 17): a `Visit` in `PAGES`, under the visitor who
reaches it. `tour()` walks the list in one tab, signing in and out as the visitor changes, and stops on each
page so that the test checks it there (at both widths, without loading it again).

The people the tour needs are made by `prepare_tour()`, before the browser opens: the test thread may make
no ORM call while it drives the browser (see BrowserSession in conftest.py).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO
from typing import Any

from django.utils import timezone
from django_otp.oath import totp
from PIL import Image

from groupket.accounts.models import Member
from groupket.accounts.photos import make_profile_photo
from groupket.analytics.services.recording import PageVisit, record_page_view
from groupket.analytics.services.rollup import roll_up_page_views
from groupket.core.actors import SystemActor
from groupket.orders.services.delivery import handoff_csv
from groupket.orders.services.disputes import open_dispute
from groupket.orders.services.group_orders import decide_order
from groupket.orders.services.payments import mark_payment_received
from groupket.privacy.models import Disclosure
from groupket.privacy.services.disclosures import record_disclosure
from groupket.spaces.models import Post, Space
from groupket.spaces.notifications.tokens import make_off_token
from groupket.spaces.services.members import answer_join_request
from groupket.spaces.services.posts import add_comment, create_post, edit_post
from groupket.staff.models import Authenticator, PrivacyRequest
from groupket.staff.services.legal import LegalRequestDraft, record_legal_request
from groupket.staff.services.requests import file_web_request
from groupket.staff.services.roles import grant_role
from tests.conftest import TEST_SETUP, make_staff
from tests.e2e.tour_moderation import prepare_moderation
from tests.factories import MemberFactory, join, make_post, make_space
from tests.orders.factories import (
    item_photos,
    move_deadlines_to_the_past,
    open_group_order,
    order_delivery,
    order_pickup,
)

# Who is looking: each needs its own sign-in.
SIGNED_OUT = "signed out"
MEMBER = "member"
NEW_STAFF = "staff member before the second factor is set up"
STAFF = "staff member"
ANALYST = "analyst"  # a staff member with the analyst role only: the analytics counts and nothing else
# The roles of the tour's staff member, who sees every page of the console.
STAFF_ROLES = ("privacy_officer", "records_custodian", "moderator", "billing_handler")

PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 900}
WIDTHS = (PHONE, LAPTOP)
LANGUAGES = ("en", "ko")
MEMBER_PASSWORD = "Linden7harbor-Calm"
STAFF_PASSWORD = "Quartz5meadow-Bright"
ERRORS = "main .errorlist"
SPACE = "/s/{space}"
BANNER = ".cookie-banner"
COUNTED_MONTH = "/staff/analytics/?month={month}"
MARKET = "/s/{market}"


@dataclass(frozen=True)
class Visit:
    """One page as a visitor sees it.

    `path` may name the tour's records ({request}, {legal}, {space}, {post}...); `fill` (field name -> value,
    which may name {member}) is typed into the page's form before it is submitted, and an empty `fill` submits the form
    empty; `press` (a CSS selector) names a button pressed instead, such as the cookie banner's; `shows` must then
    be visible. `opens_sections` opens every <details> section, so that what they hold is
    checked too. `screenshot` names the main pages, photographed for people to look at.
    """

    path: str
    who: str
    label: str = ""
    fill: dict[str, str] | None = None
    shows: str = ""
    screenshot: str = ""
    status: int = 200
    opens_sections: bool = False
    press: str = ""

    @property
    def name(self) -> str:
        return self.label or (self.path if self.fill is None and not self.press else f"{self.path} posted")


def _empty(path: str, who: str) -> Visit:
    return Visit(path, who, label=f"{path} posted empty", fill={}, shows=ERRORS)


PAGES: tuple[Visit, ...] = (
    # A new browser: every page shows the cookie banner until the tour answers it, on the analyst's last page.
    Visit("/", SIGNED_OUT, label="/ with the cookie banner", shows=BANNER, screenshot="home"),
    Visit("/accounts/signup/", SIGNED_OUT, screenshot="signup"),
    _empty("/accounts/signup/", SIGNED_OUT),
    Visit("/accounts/login/", SIGNED_OUT, screenshot="login"),
    Visit(
        "/accounts/login/",
        SIGNED_OUT,
        label="/accounts/login/ with a wrong password",
        fill={"username": "{member}", "password": "not-the-password"},
        shows="main .errorlist[role=alert]",
    ),
    Visit("/accounts/password-reset/", SIGNED_OUT),
    Visit("/accounts/password-reset/", SIGNED_OUT, fill={"email": "nobody@example.org"}, shows="main h1"),
    Visit("/privacy/", SIGNED_OUT, screenshot="privacy"),
    Visit("/terms/", SIGNED_OUT),
    Visit("/privacy/contact/", SIGNED_OUT, screenshot="contact"),
    _empty("/privacy/contact/", SIGNED_OUT),
    Visit("/cookies/", SIGNED_OUT, screenshot="cookies"),
    Visit("/no-such-page/", SIGNED_OUT, label="404 page", status=404),
    Visit("/transparency/", SIGNED_OUT, screenshot="transparency"),
    Visit("/spaces/", SIGNED_OUT, label="/spaces/ signed out"),
    Visit(f"{SPACE}/", SIGNED_OUT, label="/s/<slug>/ signed out"),
    Visit(f"{SPACE}/invite/{{invitation}}/", SIGNED_OUT, label="/s/<slug>/invite/<token>/ signed out"),
    # A notification mail's one-click link, opened with no sign-in: it asks before it stops that kind of mail.
    Visit("/notifications/off/{off}/", SIGNED_OUT, label="/notifications/off/<token>/", shows="main form button"),
    Visit("/", MEMBER, label="/ signed in", screenshot="member-home"),
    Visit("/spaces/", MEMBER, screenshot="spaces"),
    Visit("/spaces/?q=서울", MEMBER, label="/spaces/ searched"),
    Visit("/spaces/new/", MEMBER, screenshot="space-new"),
    _empty("/spaces/new/", MEMBER),
    Visit(f"{SPACE}/", MEMBER, label="/s/<slug>/", screenshot="space"),
    Visit(f"{SPACE}/p/{{post}}/", MEMBER, label="/s/<slug>/p/<id>/", screenshot="post"),
    Visit(f"{SPACE}/p/{{own}}/edit/", MEMBER, label="/s/<slug>/p/<id>/edit/"),
    Visit(f"{SPACE}/p/{{photo_post}}/", MEMBER, label="/s/<slug>/p/<id>/ with photos", screenshot="post-photos"),
    Visit(f"{SPACE}/p/{{photo_post}}/edit/", MEMBER, label="/s/<slug>/p/<id>/edit/ with photos"),
    Visit(f"{SPACE}/p/{{own}}/delete/", MEMBER, label="/s/<slug>/p/<id>/delete/"),
    Visit(f"{SPACE}/c/{{comment}}/edit/", MEMBER, label="/s/<slug>/c/<id>/edit/"),
    Visit(f"{SPACE}/manage/", MEMBER, label="/s/<slug>/manage/", screenshot="space-manage"),
    Visit(f"{SPACE}/members/", MEMBER, label="/s/<slug>/members/"),
    Visit(f"{SPACE}/p/{{held_post}}/", MEMBER, label="/s/<slug>/p/<id>/ held"),
    Visit(f"{SPACE}/p/{{hidden_post}}/", MEMBER, label="/s/<slug>/p/<id>/ hidden"),
    Visit(f"{SPACE}/p/{{post}}/report/", MEMBER, label="/s/<slug>/p/<id>/report/", screenshot="report"),
    _empty(f"{SPACE}/p/{{post}}/report/", MEMBER),
    Visit(f"{SPACE}/moderation/", MEMBER, label="/s/<slug>/moderation/", screenshot="space-queue"),
    Visit(f"{SPACE}/moderation/cases/{{held_case}}/", MEMBER, label="/s/<slug>/moderation/cases/<id>/"),
    _empty(f"{SPACE}/moderation/cases/{{held_case}}/", MEMBER),
    Visit(f"{SPACE}/moderation/appeals/{{appeal}}/", MEMBER, label="/s/<slug>/moderation/appeals/<id>/"),
    Visit(f"{SPACE}/moderation/words/", MEMBER, label="/s/<slug>/moderation/words/"),
    Visit("/members/{writer}/", MEMBER, label="/members/<id>/"),
    Visit(f"{SPACE}/invite/{{invitation}}/", MEMBER, label="/s/<slug>/invite/<token>/"),
    Visit(f"{SPACE}/orders/new/", MEMBER, label="/s/<slug>/orders/new/"),
    Visit(f"{SPACE}/orders/new/", MEMBER, label="/s/<slug>/orders/new/ posted empty", fill={}, shows=ERRORS),
    Visit(
        f"{SPACE}/orders/{{own_order}}/manage/",
        MEMBER,
        label="/s/<slug>/orders/<id>/manage/",
        screenshot="order-manage",
    ),
    Visit(f"{SPACE}/orders/{{own_order}}/photos/", MEMBER, label="/s/<slug>/orders/<id>/photos/"),
    Visit(
        f"{SPACE}/orders/{{own_order}}/photos/",
        MEMBER,
        label="/s/<slug>/orders/<id>/photos/ posted empty",
        fill={},
        shows=ERRORS,
    ),
    Visit(f"{MARKET}/orders/", MEMBER, label="/s/<slug>/orders/"),
    Visit(f"{MARKET}/orders/{{ordered}}/", MEMBER, label="/s/<slug>/orders/<id>/ ordered", screenshot="order"),
    Visit(f"{MARKET}/orders/{{fresh}}/", MEMBER, label="/s/<slug>/orders/<id>/ checkout", screenshot="checkout"),
    Visit(
        f"{MARKET}/orders/{{fresh}}/",
        MEMBER,
        label="/s/<slug>/orders/<id>/ checkout without the partner's consent",
        fill={"method": "shipping"},
        shows="#partner-consent .errorlist",
    ),
    Visit("/me/orders/", MEMBER),
    Visit("/me/orders/{line}/", MEMBER, label="/me/orders/<number>/"),
    Visit("/me/notifications/", MEMBER, shows="main .notification", screenshot="notifications"),
    Visit(f"{SPACE}/orders/{{own_delivered}}/deliveries/", MEMBER, label="/s/<slug>/orders/<id>/deliveries/"),
    Visit(
        f"{SPACE}/orders/{{own_delivered}}/deliveries/",
        MEMBER,
        label="/s/<slug>/orders/<id>/deliveries/ posted empty",
        fill={},
        shows=ERRORS,
    ),
    Visit(f"{SPACE}/orders/{{own_delivered}}/disputes/", MEMBER, label="/s/<slug>/orders/<id>/disputes/"),
    Visit("/me/orders/{delivered_line}/", MEMBER, label="/me/orders/<number>/ handed to the partner"),
    Visit("/me/orders/{delivered_line}/dispute/", MEMBER, label="/me/orders/<number>/dispute/"),
    _empty("/me/orders/{delivered_line}/dispute/", MEMBER),
    Visit("/me/", MEMBER, screenshot="me"),
    Visit("/me/", MEMBER, label="/me/ every section open", opens_sections=True, screenshot="me-open"),
    Visit("/me/edit/", MEMBER, screenshot="me-edit"),
    Visit("/me/password/", MEMBER),
    _empty("/me/password/", MEMBER),
    Visit("/me/sessions/", MEMBER, screenshot="me-sessions"),
    Visit("/me/consents/", MEMBER),
    Visit("/me/export/", MEMBER),
    Visit("/me/disclosures/", MEMBER),
    Visit("/me/moderation/", MEMBER, screenshot="me-moderation"),
    # With the choice to leave one's posts and comments under "Withdrawn member".
    Visit("/me/unregister/", MEMBER, shows='main input[name="writing"][value="keep"]'),
    _empty("/me/unregister/", MEMBER),
    Visit("/privacy/", MEMBER, label="/privacy/ signed in"),
    Visit("/privacy/contact/", MEMBER, label="/privacy/contact/ signed in"),
    Visit("/cookies/", MEMBER, label="/cookies/ signed in"),
    Visit("/staff/", NEW_STAFF, label="/staff/enrol/", shows="figure.qr-code svg", screenshot="staff-enrol"),
    Visit("/staff/", STAFF, screenshot="staff-home"),
    Visit("/staff/roles/", STAFF),
    Visit("/staff/members/", STAFF),
    Visit(
        "/staff/members/",
        STAFF,
        label="/staff/members/ a member looked up",
        fill={"query": "{member}", "reason": "member_request", "reference": "REQ-2026-0042"},
        shows="dl.member-items",
        screenshot="staff-member",
    ),
    Visit("/staff/access-log/", STAFF),
    Visit("/staff/access-review/", STAFF),
    Visit("/staff/requests/", STAFF, screenshot="staff-requests"),
    Visit("/staff/requests/{request}/", STAFF, label="/staff/requests/<id>/", screenshot="staff-request"),
    Visit("/staff/legal/", STAFF),
    Visit("/staff/legal/new/", STAFF),
    _empty("/staff/legal/new/", STAFF),
    Visit("/staff/legal/{legal}/", STAFF, label="/staff/legal/<id>/"),
    Visit("/staff/destructions/", STAFF),
    Visit("/staff/notices/", STAFF),
    Visit("/staff/policy/", STAFF),
    Visit("/staff/retained/", STAFF),
    Visit("/staff/order-disputes/", STAFF),
    Visit("/staff/order-disputes/{dispute}/", STAFF, label="/staff/order-disputes/<id>/"),
    Visit("/staff/password/", STAFF),
    Visit("/staff/moderation/", STAFF, screenshot="staff-queue"),
    Visit("/staff/moderation/cases/{held_case}/", STAFF, label="/staff/moderation/cases/<id>/"),
    Visit("/staff/moderation/appeals/{appeal}/", STAFF, label="/staff/moderation/appeals/<id>/"),
    Visit("/staff/moderation/words/", STAFF),
    Visit("/staff/analytics/", STAFF),
    Visit(COUNTED_MONTH, STAFF, label="/staff/analytics/ a counted month", shows=".access-chart svg"),
    Visit("/staff/analytics/?month=nope", STAFF, label="/staff/analytics/ with a bad month", status=400),
    Visit("/staff/", ANALYST, label="/staff/ as an analyst"),
    Visit(COUNTED_MONTH, ANALYST, label="/staff/analytics/ as an analyst", shows=".access-chart svg"),
    # The tour's one answer to the banner, last, so every page before it is checked with the banner shown.
    Visit("/cookies/", ANALYST, label="/cookies/ answered", press="#choice button[value=reject]", shows=".messages"),
)


def plain_paths(who: str) -> list[str]:
    """The paths `who` visits that name no record of the tour, each once, as a GET shows them."""
    paths = (visit.path for visit in PAGES if visit.who == who and visit.status == 200 and "{" not in visit.path)
    return list(dict.fromkeys(paths))


@dataclass
class TourPeople:
    """The accounts and records the tour shows, made before the browser opens."""

    member: str
    officer: str
    new_officer: str
    officer_secret: bytes
    analyst: str
    analyst_secret: bytes
    records: dict[str, int | str]


def prepare_tour() -> TourPeople:
    """A member who has given everything (long values, to test wrapping), two privacy officers and an analyst."""
    member = MemberFactory(
        username="tour.member",
        name="Kim Seo-yeon Alexandra Montgomery-Park",
        email="seoyeon.alexandra.montgomery-park.longaddress@community-groups.example.org",
        password=MEMBER_PASSWORD,
    )
    member.phone = "+82 10-2345-6789"
    member.bio = "Runs the Mangwon-dong bread club; bakes on Saturdays. " * 3
    member.save(update_fields=["phone", "bio"])
    record_disclosure(
        member=member,
        recipient="Seoul Metropolitan Police Agency, Mapo Police Station, Cyber Investigation Team",
        items=["name", "email", "phone"],
        basis=Disclosure.LAW,
        reference="Warrant 2026-Seoul-Mapo-000123456",
        notify_member=True,
    )
    officer = make_staff(*STAFF_ROLES, username="tour.officer", password=STAFF_PASSWORD)
    new_officer = MemberFactory(username="tour.new.officer", password=STAFF_PASSWORD)
    analyst = make_staff("analyst", username="tour.analyst", password=STAFF_PASSWORD)
    grant_role(officer=TEST_SETUP, member=new_officer, role="privacy_officer", reason="tour: the console's first visit")
    # A member's request, confirmed by the requester: its page then shows every step's form.
    filed = file_web_request(
        member=member, kind=PrivacyRequest.CORRECTION, name="", email="", body="Please correct my name. " * 8
    )
    PrivacyRequest.objects.filter(pk=filed.pk).update(requester_verified_at=timezone.now())
    legal = record_legal_request(
        officer=officer,
        draft=LegalRequestDraft(
            agency="Seoul Central District Prosecutors' Office",
            legal_basis="Criminal Procedure Act, art. 215",
            reference="2026-Hyeong-000123",
            member_refs=[member.pk],
            items=["name", "email"],
            period_start=None,
            period_end=None,
            received_on=timezone.localdate(),
            notice_forbidden_until=date(timezone.localdate().year + 1, 1, 31),
            notice_forbidden_reason="The investigation is ongoing.",
        ),
    )
    space = prepare_space(member)
    records: dict[str, int | str] = {"request": filed.pk, "legal": legal.pk, **space}
    records |= prepare_moderation(
        owner=member, moderator=officer, space_slug=str(records["space"]), writer_id=int(records["writer"])
    )
    records |= prepare_orders(member, space["writer"])
    records["month"] = prepare_counts(int(space["space_id"]))
    return TourPeople(
        member=member.username,
        officer=officer.username,
        new_officer=new_officer.username,
        officer_secret=Authenticator.objects.get(user=officer).secret,
        analyst=analyst.username,
        analyst_secret=Authenticator.objects.get(user=analyst).secret,
        records=records,
    )


def prepare_counts(space_id: int) -> str:
    """Last month's analytics counts, with every chart and table filled: the month, as YYYY-MM.

    12 browsers come on each of the month's first 7 days (6 of them to the tour's space) and 10 more on its
    third day only, so that every count is over the threshold of 5 and the frequency chart has two bars.
    """
    first = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    for day in range(7):
        for number in range(12):
            space = space_id if number < 6 else None
            page = "spaces:home" if space else "home"
            visit = PageVisit(browser=f"tour{number}", day=first + timedelta(days=day), page=page, space=space)
            record_page_view(visit)
    for number in range(10):
        record_page_view(PageVisit(browser=f"once{number}", day=first + timedelta(days=2), page="privacy:policy"))
    roll_up_page_views(today=first + timedelta(days=7))
    return f"{first:%Y-%m}"


def prepare_space(owner: Member) -> dict[str, int | str]:
    """A space the tour's member owns, with long names, rules and posts (to test wrapping) and a request waiting."""
    space = make_space(
        owner,
        slug="seoul-walkers",
        name="서울 도보 여행자들의 아주 긴 이름을 가진 모임 Seoul Walkers With A Long Name",
        description="주말마다 서울의 성곽길을 걷습니다. " * 8,
        rules=("서로 존중하세요.", "A rule long enough to wrap on a phone: " + "no ads, " * 10),
        joining="approval",
    )
    writer = MemberFactory(username="a.very-long-member-id.walker")
    join(writer, space)
    answer_join_request(actor=owner, space=space, member_id=writer.pk, approve=True)
    join(MemberFactory(), space)  # a request waiting on the members page
    post = make_post(
        writer,
        space,
        f"**Saturday** at 9, @{owner.username}. A long link: https://example.org/{'x' * 80}\n\n> quoted",
        title="토요일 성곽길 걷기 " * 4,
    )
    comment = add_comment(actor=owner, post=post, body="좋아요! " * 20)
    own = make_post(owner, space, "My own post, which I may edit.")
    add_comment(actor=writer, post=own, body="긴 댓글입니다. " * 12)  # a notification for the owner
    photo_post = prepare_photo_post(owner, space)
    return {
        "space": space.slug,
        "space_id": space.pk,
        "post": post.pk,
        "own": own.pk,
        "photo_post": photo_post.pk,
        "comment": comment.pk,
        "writer": writer.pk,
        "invitation": space.invitation_token,
        "off": make_off_token(owner.pk, "replies"),
    }


def prepare_photo_post(owner: Member, space: Space) -> Post:
    """A post with three photos, wide ones (to test they fit a phone), the second placed inside the text."""
    photos = []
    for colour, size in (((200, 90, 40), (1600, 900)), ((40, 120, 200), (900, 1600)), ((90, 160, 60), (800, 800))):
        out = BytesIO()
        Image.new("RGB", size, colour).save(out, "PNG")
        photos.append(make_profile_photo(out.getvalue()))
    post = create_post(actor=owner, space=space, title="성곽길 사진 Photos of the walk", body="Photos.", images=photos)
    placed = f"/s/{space.slug}/p/{post.pk}/images/{post.image_ids[1]}/"
    body = f"The north gate at dawn:\n\n![북문 the north gate]({placed})\n\nAnd the rest below."
    edit_post(actor=owner, post=post, title=post.title, body=body)
    return post


def prepare_orders(member: Member, writer_id: int | str) -> dict[str, int | str]:
    """Group orders with long names: one the tour's member organises in their space, and two in another space
    where the member buys (one ordered by delivery and paid, one to check out)."""
    own_space = Space.objects.get(slug="seoul-walkers")
    own_order = open_group_order(
        member, own_space, item="성곽길 기념 손수건 " * 3, description="모임 기념품입니다. " * 6, photos=item_photos(2)
    )
    order_delivery(Member.objects.get(pk=writer_id), own_order, 2)
    organiser = MemberFactory(username="a.very-long-organiser-id.market", name="김민수")
    market = make_space(organiser, slug="seoul-market", name="서울 장터 Seoul Market With A Long Name")
    join(member, market)
    neighbour = MemberFactory()
    join(neighbour, market)
    ordered = open_group_order(
        organiser,
        market,
        item="제주 감귤 5kg 상자 " * 3,
        description="서귀포 농장에서 바로 보냅니다. " * 6,
        photos=item_photos(4, size=(1200, 900)),
    )
    fresh = open_group_order(organiser, market, item="유기농 쌀 10kg")
    line = order_delivery(member, ordered, 2)
    order_pickup(neighbour, ordered, 1)
    mark_payment_received(actor=organiser, order=ordered, line_id=line.pk)
    delivered = prepare_deliveries(member, organiser, market, own_space, writer_id)
    return {
        **delivered,
        "market": market.slug,
        "ordered": ordered.pk,
        "fresh": fresh.pk,
        "line": line.number,
        "own_order": own_order.pk,
    }


def prepare_deliveries(
    member: Member, organiser: Member, market: Space, own_space: Space, writer_id: int | str
) -> dict[str, int | str]:
    """Confirmed orders handed to the partner (as the organiser's CSV), each with a buyer's dispute: one the tour's
    member organises (its deliveries and disputes pages), one where the member bought (receipt and dispute)."""
    writer = Member.objects.get(pk=writer_id)
    job = SystemActor.job("prepare_tour")
    own = open_group_order(member, own_space, item="성곽길 지도 " * 4, min_total=1)
    writer_line = order_delivery(writer, own, 1)
    bought = open_group_order(organiser, market, item="햇사과 3kg 상자", min_total=1)
    line = order_delivery(member, bought, 1)
    for order, organised_by in ((own, member), (bought, organiser)):
        move_deadlines_to_the_past(order)
        decide_order(actor=job, order=order)
        handoff_csv(actor=organised_by, order=order)
    open_dispute(actor=writer, line=writer_line, text="지도가 찢어진 채로 도착했습니다. " * 6, images=[])
    dispute = open_dispute(actor=member, line=line, text="사과 두 개가 상했습니다. " * 6, images=[])
    return {"own_delivered": own.pk, "delivered_line": line.number, "dispute": dispute.pk}


def submit(tab: Any) -> None:
    """Submit the main form of the page (the last, where a page has several) and wait for the answer."""
    tab.locator("main form.stacked button[type=submit]").last.click()
    tab.wait_for_load_state()


def sign_in(tab: Any, base: str, username: str, password: str) -> None:
    response = tab.goto(base + "/accounts/login/")
    assert response.status == 200, f"/accounts/login/: HTTP {response.status}"
    tab.fill('input[name="username"]', username)
    tab.fill('input[name="password"]', password)
    submit(tab)
    tab.wait_for_url(re.compile(r"/me/$"))


def create_space(tab: Any, base: str, name: str, slug: str) -> None:
    """A public, open space with two rules, made on /spaces/new/ by the signed-in member."""
    tab.goto(base + "/spaces/new/")
    tab.fill('input[name="name"]', name)
    tab.fill('input[name="slug"]', slug)
    tab.fill('textarea[name="rules"]', "Be kind.\nNo ads.")
    tab.check('input[name="visibility"][value="public"]')
    tab.check('input[name="joining"][value="open"]')
    submit(tab)
    tab.wait_for_url(f"{base}/s/{slug}/")


class Tour:
    """One tab walking PAGES, signed in as each visitor in turn."""

    def __init__(self, tab: Any, base: str, people: TourPeople) -> None:
        self.tab, self.base, self.people = tab, base, people
        self.who = SIGNED_OUT

    def goto(self, path: str, status: int = 200) -> None:
        response = self.tab.goto(self.base + path)
        assert response.status == status, f"{path}: HTTP {response.status}"

    def submit(self) -> None:
        submit(self.tab)

    def sign_in(self, username: str, password: str) -> None:
        sign_in(self.tab, self.base, username, password)

    def become(self, who: str) -> Iterator[str]:
        """Sign out and in as `who`; the staff member's second-factor page is a stop of the tour too."""
        if self.who != SIGNED_OUT:
            self.tab.locator("header").get_by_role("button", name=re.compile("Sign out|로그아웃")).click()
            self.tab.wait_for_load_state()
        self.who = who
        if who == MEMBER:
            self.sign_in(self.people.member, MEMBER_PASSWORD)
        elif who == NEW_STAFF:
            self.sign_in(self.people.new_officer, STAFF_PASSWORD)
        elif who in (STAFF, ANALYST):
            username, secret = (
                (self.people.officer, self.people.officer_secret)
                if who == STAFF
                else (self.people.analyst, self.people.analyst_secret)
            )
            self.sign_in(username, STAFF_PASSWORD)
            self.goto("/staff/")
            self.tab.wait_for_url(re.compile(r"/staff/verify/"))
            if who == STAFF:
                yield "/staff/verify/"
            self.tab.fill('input[name="code"]', f"{totp(secret, 30, 0, 6):06d}")
            self.submit()
            self.tab.wait_for_url(re.compile(r"/staff/$"))

    def show(self, visit: Visit) -> None:
        self.goto(visit.path.format(**self.people.records), visit.status)
        if visit.opens_sections:
            self.tab.locator("details.section > summary").evaluate_all("summaries => summaries.forEach(s => s.click())")
            self.tab.locator("details.section:not([open])").first.wait_for(state="detached", timeout=2000)
        if visit.press:
            self.tab.locator(visit.press).click()
            self.tab.wait_for_load_state()
            self.tab.locator(visit.shows).first.wait_for()
            return
        if visit.fill is None:
            return
        for name, value in visit.fill.items():
            control = self.tab.locator(f'main [name="{name}"]')
            value = value.format(member=self.people.member)
            if control.first.evaluate("element => element.type") == "radio":
                self.tab.locator(f'main [name="{name}"][value="{value}"]').check()
            elif control.evaluate("element => element.tagName") == "SELECT":
                control.select_option(value)
            else:
                control.fill(value)
        self.submit()
        self.tab.locator(visit.shows).first.wait_for()

    def __iter__(self) -> Iterator[Visit]:
        """Stop on each page of PAGES, shown as its visitor sees it, and yield it."""
        for visit in PAGES:
            if visit.who != self.who:
                for stop in self.become(visit.who):
                    yield Visit(stop, visit.who, label=stop)
            self.show(visit)
            if visit.shows and visit.fill is None and not visit.press:
                self.tab.locator(visit.shows).first.wait_for()
            yield visit
