"""Reports, the review queue, actions and appeals (P10.1): every step logged, the author told, appeal once."""

import email
import email.policy
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from groupket.accounts.models import Member
from groupket.moderation.models import Appeal, Case, Decision, LogEntry, Report
from groupket.moderation.services.cases import reporter_accuracy
from groupket.spaces.models import NotificationSettings, Post
from groupket.spaces.services.posts import edit_post
from groupket.staff.models import AccessLogEntry
from tests.conftest import sign_in, sign_in_staff
from tests.factories import MemberFactory, join, make_post, make_space
from tests.markup import attribute, fragment, fragments
from tests.spaces.test_post_images import post_with_photos

pytestmark = pytest.mark.django_db


def message_text(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return f"{message['To']}\n{message.get_content()}"


def client_of(member, *, staff: bool = False) -> Client:
    client = Client()
    (sign_in_staff if staff else sign_in)(client, member)
    return client


def report(member, space, post, reason: str = "spam", **extra) -> object:
    return client_of(member).post(f"/s/{space.slug}/p/{post.pk}/report/", {"reason": reason, **extra})


@pytest.mark.clause("P10.1")
def test_a_report_queues_the_post_and_never_names_the_reporter(people, mail_dir: Path) -> None:
    post = make_post(people.writer, people.space, "Cheap watches, DM me")
    response = report(people.reader, people.space, post, "space_rule", rule_number="2", note="An ad again.")
    assert response.status_code == 302
    saved = Report.objects.get()
    assert (saved.reason, saved.rule_number, saved.note) == ("space_rule", 2, "An ad again.")
    assert Post.objects.get(pk=post.pk).state == "shown"  # spam stays up until reviewed

    again = report(people.reader, people.space, post)
    assert again.status_code == 403 and Report.objects.count() == 1
    own = report(people.writer, people.space, post)
    assert own.status_code == 403

    queue = client_of(people.organiser).get(f"/s/{people.space.slug}/moderation/").content.decode()
    case = Case.objects.get()
    assert f"/s/{people.space.slug}/moderation/cases/{case.pk}/" in queue
    page = client_of(people.organiser).get(f"/s/{people.space.slug}/moderation/cases/{case.pk}/").content.decode()
    assert "An ad again." in page and "Rule 2 of the space: No ads." in page
    assert people.reader.username not in page
    author_view = client_of(people.writer).get(f"/s/{people.space.slug}/p/{post.pk}/").content.decode()
    assert people.reader.username not in author_view
    assert LogEntry.objects.get(action="reported").actor_ref is None


@pytest.mark.clause("P10.1")
def test_reporting_personal_information_hides_the_post_at_once(people) -> None:
    post = make_post(people.writer, people.space, "Minji lives at the blue gate house")
    report(people.reader, people.space, post, "personal_info")
    assert Post.objects.get(pk=post.pk).state == "hidden"
    assert client_of(MemberFactory()).get(f"/s/{people.space.slug}/p/{post.pk}/").status_code == 404
    assert LogEntry.objects.filter(action="hidden_pending_review").count() == 1


def test_the_queue_puts_the_most_urgent_first(people) -> None:
    calm = make_post(people.writer, people.space, "calm")
    hot = make_post(people.writer, people.space, "hot")
    report(people.reader, people.space, calm, "spam")
    report(people.reader, people.space, hot, "illegal")
    report(people.organiser, people.space, hot, "abuse")
    cases = list(Case.objects.order_by("-score"))
    assert cases[0].post_id == hot.pk and cases[0].score > cases[1].score


def test_a_reporter_whose_reports_were_upheld_counts_for_more(people) -> None:
    reliable, careless = MemberFactory(), MemberFactory()
    for member in (reliable, careless):
        join(member, people.space)
    for number in range(3):
        post = make_post(people.writer, people.space, f"post {number}")
        Report.objects.create(
            case=Case.objects.create(space=people.space, post=post, author=people.writer, status="closed"),
            reporter=reliable, data_key_id=reliable.data_key_id, reason="spam", outcome="upheld",
        )  # fmt: skip
        Report.objects.create(
            case=Case.objects.get(post=post), reporter=careless, data_key_id=careless.data_key_id, reason="spam",
            outcome="dismissed",
        )  # fmt: skip
    accuracy = reporter_accuracy({reliable.pk, careless.pk, people.reader.pk})
    assert accuracy[reliable.pk] > accuracy[people.reader.pk] > accuracy[careless.pk]


def decide(client: Client, url: str, **data: str):
    return client.post(url, data)


@pytest.mark.clause("P10.1")
def test_an_organiser_hides_a_post_the_author_is_told_and_appeals_once(
    people, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    post = make_post(people.writer, people.space, "Buy my stuff")
    report(people.reader, people.space, post, "space_rule", rule_number="2")
    case = Case.objects.get()
    url = f"/s/{people.space.slug}/moderation/cases/{case.pk}/"
    organiser = client_of(people.organiser)

    nothing = decide(organiser, url, kind="hide")
    assert nothing.status_code == 400 and "Cite a rule or write a reason." in nothing.content.decode()
    assert Decision.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        decided = decide(organiser, url, kind="hide", rule="space_rule:2", reason="Ads go in the market space.")
    assert decided.status_code == 302

    decision = Decision.objects.get()
    assert (decision.kind, decision.rule, decision.rule_number, decision.actor_ref) == (
        "hide", "space_rule", 2, people.organiser.pk,
    )  # fmt: skip
    assert Post.objects.get(pk=post.pk).state == "hidden" and Report.objects.get().outcome == "upheld"
    assert Case.objects.get().status == "closed"
    assert LogEntry.objects.filter(action="decided", code="hide", rule="rule 2").count() == 1
    mails = [message_text(path) for path in mail_dir.glob("*.eml")]
    assert len(mails) == 1 and people.writer.email in mails[0] and "Ads go in the market space." in mails[0]
    assert "Hidden" in mails[0] and "숨김" in mails[0]

    author = client_of(people.writer)
    mine = author.get("/me/moderation/").content.decode()
    assert "Ads go in the market space." in mine and "Rule 2 of the space: No ads." in mine
    assert author.post(f"/me/moderation/{decision.pk}/appeal/", {"statement": ""}).status_code == 400
    assert (
        author.post(f"/me/moderation/{decision.pk}/appeal/", {"statement": "It was a free giveaway."}).status_code
        == 302
    )
    assert author.post(f"/me/moderation/{decision.pk}/appeal/", {"statement": "Again"}).status_code == 403
    appeal = Appeal.objects.get()
    assert appeal.due_at - appeal.created_at == timedelta(days=7)

    # Not the organiser who decided: another one, or the owner.
    appeal_url = f"/s/{people.space.slug}/moderation/appeals/{appeal.pk}/"
    same = decide(organiser, appeal_url, outcome="upheld", answer="Fine.")
    assert same.status_code == 403 and Appeal.objects.get().decided_at is None
    owner = client_of(people.owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert decide(owner, appeal_url, outcome="upheld", answer="A giveaway is allowed.").status_code == 302
    answers = [message_text(path) for path in mail_dir.glob("*.eml")]
    assert any("A giveaway is allowed." in text for text in answers)
    assert Post.objects.get(pk=post.pk).state == "shown"
    assert Decision.objects.get().undone_at is not None
    assert "A giveaway is allowed." in author.get("/me/moderation/").content.decode()


@pytest.mark.clause("P10.1")
def test_an_appeal_is_possible_for_20_days_only(people) -> None:
    post = make_post(people.writer, people.space, "Old news")
    report(people.reader, people.space, post)
    case = Case.objects.get()
    decide(client_of(people.organiser), f"/s/{people.space.slug}/moderation/cases/{case.pk}/", kind="warn", rule="spam")
    Decision.objects.update(created_at=timezone.now() - timedelta(days=21))
    decision = Decision.objects.get()
    late = client_of(people.writer).post(f"/me/moderation/{decision.pk}/appeal/", {"statement": "Please"})
    assert late.status_code == 403 and not Appeal.objects.exists()


@pytest.mark.clause("P10.1")
def test_a_silenced_member_cannot_write_in_that_space_and_a_suspended_one_nowhere(people) -> None:
    other_space = make_space(people.owner, slug="second-space")
    join(people.writer, other_space)
    post = make_post(people.writer, people.space, "Rude words")
    report(people.reader, people.space, post, "abuse")
    case = Case.objects.get()
    decide(client_of(people.organiser), f"/s/{people.space.slug}/moderation/cases/{case.pk}/",
           kind="silence", rule="abuse", days="3")  # fmt: skip
    writer = client_of(people.writer)
    refused = writer.post(f"/s/{people.space.slug}/posts/new/", {"body": "hello"})
    assert refused.status_code == 400 and "silenced in this space" in refused.content.decode()
    assert writer.post(f"/s/{other_space.slug}/posts/new/", {"body": "hello"}).status_code == 302

    # Organisers cannot suspend from Groupket; Groupket's moderators can.
    post = make_post(people.writer, other_space, "More rude words")
    join(people.reader, other_space)
    report(people.reader, other_space, post, "abuse")
    case = Case.objects.get(status="open")
    organiser_try = decide(client_of(people.owner), f"/s/{other_space.slug}/moderation/cases/{case.pk}/",
                           kind="suspend", rule="abuse", days="7")  # fmt: skip
    assert organiser_try.status_code == 400 and Decision.objects.filter(kind="suspend").count() == 0
    staff = client_of(people.moderator, staff=True)
    assert (
        decide(staff, f"/staff/moderation/cases/{case.pk}/", kind="suspend", rule="abuse", days="7").status_code == 302
    )
    for slug in (people.space.slug, other_space.slug):
        refused = writer.post(f"/s/{slug}/posts/new/", {"body": "hello"})
        assert refused.status_code == 400 and "suspended until" in refused.content.decode()
    suspension = Decision.objects.get(kind="suspend")
    assert suspension.by_staff and suspension.until - suspension.created_at == timedelta(days=7)


@pytest.mark.clause("P10.1")
def test_groupket_moderators_work_every_space_and_each_look_is_logged(people) -> None:
    post = make_post(people.writer, people.space, "Something to review")
    report(people.reader, people.space, post, "abuse", note="Rude to me.")
    case = Case.objects.get()
    staff = client_of(people.moderator, staff=True)
    assert f"/staff/moderation/cases/{case.pk}/" in staff.get("/staff/moderation/").content.decode()
    page = staff.get(f"/staff/moderation/cases/{case.pk}/").content.decode()
    assert "Something to review" in page and "Rude to me." in page
    rows = {(row.member_ref, tuple(row.items), row.reason) for row in AccessLogEntry.objects.all()}
    assert (people.writer.pk, ("post_body", "post_title", "username"), "moderation") in rows
    assert (people.reader.pk, ("report_note",), "moderation") in rows
    # Organisers are members of the space, not staff: their desk stays in their own space.
    assert client_of(people.organiser).get(f"/staff/moderation/cases/{case.pk}/").status_code == 404
    stranger = make_space(MemberFactory(), slug="elsewhere")
    assert client_of(people.organiser).get(f"/s/{stranger.slug}/moderation/").status_code == 403


@pytest.mark.clause("P10.1")
def test_an_appeal_of_a_staff_decision_goes_to_a_different_staff_moderator(people) -> None:
    post = make_post(people.writer, people.space, "Borderline")
    report(people.reader, people.space, post, "illegal")
    case = Case.objects.get()
    first = client_of(people.moderator, staff=True)
    decide(first, f"/staff/moderation/cases/{case.pk}/", kind="delete", rule="illegal")
    assert Post.objects.get(pk=post.pk).state == "removed"
    decision = Decision.objects.get()
    client_of(people.writer).post(f"/me/moderation/{decision.pk}/appeal/", {"statement": "It is legal here."})
    appeal = Appeal.objects.get()
    Appeal.objects.update(due_at=timezone.now() - timedelta(hours=1))
    queue = client_of(people.second, staff=True).get("/staff/moderation/").content.decode()
    assert "Overdue" in queue
    assert client_of(people.owner).get(f"/s/{people.space.slug}/moderation/appeals/{appeal.pk}/").status_code == 404
    url = f"/staff/moderation/appeals/{appeal.pk}/"
    assert decide(first, url, outcome="rejected", answer="No.").status_code == 403
    assert (
        decide(client_of(people.second, staff=True), url, outcome="rejected", answer="It stays down.").status_code
        == 302
    )
    assert Appeal.objects.get().outcome == "rejected" and Post.objects.get(pk=post.pk).state == "removed"


@pytest.mark.clause("P7.8")
def test_the_desk_shows_a_reported_posts_photos_and_logs_each_a_staff_moderator_opens(people) -> None:
    post = post_with_photos(people.writer, people.space, count=2)
    other = post_with_photos(people.writer, people.space, count=1)
    report(people.reader, people.space, post, "abuse")
    case = Case.objects.get()
    first, second = post.image_ids

    staff = client_of(people.moderator, staff=True)
    page = staff.get(f"/staff/moderation/cases/{case.pk}/").content.decode()
    photos = [f"/staff/moderation/cases/{case.pk}/photos/{image_id}/" for image_id in (first, second)]
    shown = [attribute(tag, "src") for tag in fragments(fragment(page, class_="post-images"), tag="img")]
    assert shown == photos
    logged_before = AccessLogEntry.objects.filter(items=["post_images"]).count()
    photo = staff.get(photos[0])
    assert photo.status_code == 200, photo.content.decode()[-1500:]
    assert photo["Content-Type"] == "image/webp"
    assert "no-store" in photo["Cache-Control"]
    looks = AccessLogEntry.objects.filter(items=["post_images"])
    assert looks.count() == logged_before + 1
    assert (looks.last().member_ref, looks.last().reason) == (people.writer.pk, "moderation")
    # Only the case's own post's photos, at either desk.
    assert staff.get(f"/staff/moderation/cases/{case.pk}/photos/{other.image_ids[0]}/").status_code == 404

    organiser = client_of(people.organiser)
    desk = f"/s/{people.space.slug}/moderation/cases/{case.pk}/"
    assert f"{desk}photos/{second}/" in organiser.get(desk).content.decode()
    assert organiser.get(f"{desk}photos/{second}/").status_code == 200
    assert AccessLogEntry.objects.filter(items=["post_images"]).count() == logged_before + 1  # a member, not staff
    assert client_of(people.reader).get(f"{desk}photos/{second}/").status_code == 403


@pytest.mark.clause("P10.1")
def test_moderators_read_an_edited_posts_earlier_versions_and_the_look_is_logged(people) -> None:
    post = make_post(people.writer, people.space, "Meet at gate 3, call me on the group line")
    edit_post(actor=people.writer, post=post, title="Changed", body="Nothing to see here")
    report(people.reader, people.space, post, "abuse")
    case = Case.objects.get()

    page = client_of(people.moderator, staff=True).get(f"/staff/moderation/cases/{case.pk}/").content.decode()
    earlier = fragment(page, tag="details", class_="revisions")
    assert "1 earlier version" in earlier and "Meet at gate 3, call me on the group line" in earlier
    looked = AccessLogEntry.objects.filter(member_ref=people.writer.pk, reason="moderation").last()
    assert {"post_revision_title", "post_revision_body", "post_body"} <= set(looked.items)

    desk = f"/s/{people.space.slug}/moderation/cases/{case.pk}/"
    assert "Meet at gate 3" in client_of(people.organiser).get(desk).content.decode()
    editing = client_of(people.writer).get(f"/s/{people.space.slug}/p/{post.pk}/edit/").content.decode()
    assert "the space's organisers and Groupket's moderators" in editing  # the author is told who else sees them


@pytest.mark.clause("P10.1")
def test_a_decision_and_an_appeals_answer_reach_the_authors_notifications_and_mail_only_if_kept_on(
    people, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    NotificationSettings.objects.create(member=people.writer, email_off=["moderation"])
    post = make_post(people.writer, people.space, "Buy my stuff")
    report(people.reader, people.space, post, "spam")
    url = f"/s/{people.space.slug}/moderation/cases/{Case.objects.get().pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        assert decide(client_of(people.organiser), url, kind="hide", rule="spam").status_code == 302

    author = client_of(people.writer)
    listed = author.get("/me/notifications/").content.decode()
    assert "A moderator hid your post or comment." in listed and 'href="/me/moderation/"' in listed
    assert Member.objects.get(pk=people.writer.pk).unread_notifications == 1
    assert not [path for path in mail_dir.glob("*.eml") if people.writer.email in message_text(path)]

    decision = Decision.objects.get()
    author.post(f"/me/moderation/{decision.pk}/appeal/", {"statement": "It was a giveaway."})
    appeal_url = f"/s/{people.space.slug}/moderation/appeals/{Appeal.objects.get().pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        decide(client_of(people.owner), appeal_url, outcome="rejected", answer="Still an ad.")
    assert "Your appeal was refused." in author.get("/me/notifications/").content.decode()
    assert not [path for path in mail_dir.glob("*.eml") if people.writer.email in message_text(path)]
