"""Notifications: replies, mentions, requests to join and their approval, moderation decisions (issue 11, §2).

Each is listed on /me/notifications/ with what it is about, read at display time from the sealed rows it
points at; the header counts the unread ones without a query of its own; a member marks one or all read.
"""

import pytest
from django.test import Client

from groupket.core import keys
from groupket.core.actors import SystemActor
from groupket.spaces.models import Membership, Notification
from groupket.spaces.notifications import kinds
from groupket.spaces.notifications.services import notify
from groupket.spaces.services.members import answer_join_request, leave_space
from groupket.spaces.services.posts import add_comment, edit_post
from groupket.spaces.services.spaces import SpaceDetails, update_space
from tests.conftest import sign_in
from tests.core.test_encryption_at_rest import _raw_database_bytes
from tests.factories import MemberFactory, join, make_post, make_space
from tests.markup import attribute, fragment, text

MODERATION = SystemActor("test moderation app")


def page(client: Client) -> str:
    response = client.get("/me/notifications/")
    assert response.status_code == 200
    return response.content.decode()


def kinds_of(member) -> list[str]:
    return list(Notification.objects.filter(member=member).order_by("pk").values_list("kind", flat=True))


def unread_badge(client: Client) -> str | None:
    """The unread count the header shows on any page, or None without one."""
    html = client.get("/spaces/").content.decode()
    if 'class="count-badge"' not in html:
        return None
    return text(fragment(fragment(html, class_="count-badge"), tag="span", aria_hidden="true")).strip()


@pytest.mark.django_db
@pytest.mark.clause("P2.2")
def test_a_comment_on_my_post_is_listed_counted_in_the_header_and_marked_read(client: Client) -> None:
    # Members made by the factory gave only the four required items: no phone, photo or bio (P2.2).
    author, replier = MemberFactory(), MemberFactory(username="kind.replier")
    assert (author.phone, author.bio, author.photo) == (None, None, None)
    space = make_space(author)
    join(replier, space)
    post = make_post(author, space, "the body", title="Saturday walk on the wall")
    sign_in(client, author)
    assert unread_badge(client) is None

    comment = add_comment(actor=replier, post=post, body="I will come!")
    add_comment(actor=author, post=post, body="my own comment tells nobody")

    assert kinds_of(author) == [kinds.REPLY_TO_POST]
    assert unread_badge(client) == "1"
    html = page(client)
    assert "@kind.replier" in html and "Commented on your post" in html and "I will come!" in html
    assert f"/s/hiking-club/p/{post.pk}/#comment-{comment.pk}" in html
    [row] = Notification.objects.filter(member=author)
    response = client.post("/me/notifications/read/", {"notification": row.pk})
    assert response.status_code == 302
    assert unread_badge(client) is None
    assert Notification.objects.get(pk=row.pk).read_at is not None


@pytest.mark.django_db
def test_a_reply_tells_the_comments_author_and_the_posts_author_once_each() -> None:
    post_author, commenter, replier = MemberFactory(), MemberFactory(), MemberFactory()
    space = make_space(post_author)
    for one in (commenter, replier):
        join(one, space)
    post = make_post(post_author, space)
    comment = add_comment(actor=commenter, post=post, body="first")
    add_comment(actor=replier, post=post, body=f"a reply, @{commenter.username}", parent=comment)

    assert kinds_of(commenter) == [kinds.REPLY_TO_COMMENT]  # not also a mention
    assert kinds_of(post_author) == [kinds.REPLY_TO_POST, kinds.REPLY_TO_POST]
    assert kinds_of(replier) == []


@pytest.mark.django_db
def test_a_mention_reaches_a_member_who_may_read_the_space_and_an_edit_tells_only_new_ones() -> None:
    owner, first, second, outsider = (MemberFactory() for _ in range(4))
    space = make_space(owner)
    closed = make_space(owner, slug="inner-circle", visibility="members")
    post = make_post(owner, space, f"hello @{first.username}")
    make_post(owner, closed, f"hello @{outsider.username}, who is not in this space")

    edit_post(actor=owner, post=post, title=None, body=f"hello @{first.username} and @{second.username.upper()}")

    assert kinds_of(first) == [kinds.MENTION]
    assert kinds_of(second) == [kinds.MENTION]  # IDs match whatever their case
    assert kinds_of(outsider) == []
    assert kinds_of(owner) == []


@pytest.mark.django_db
def test_a_request_to_join_reaches_the_organisers_and_the_approval_the_member(client: Client) -> None:
    owner, organiser, member, asker = (MemberFactory() for _ in range(4))
    space = make_space(owner)
    for one in (organiser, member):
        join(one, space)
    space.memberships.filter(member=organiser).update(role=Membership.ORGANISER)
    update_space(actor=owner, space=space, details=SpaceDetails("Hiking Club", "", (), "public", "approval"))

    join(asker, space)
    assert kinds_of(owner) == kinds_of(organiser) == [kinds.JOIN_REQUEST]
    assert kinds_of(member) == []
    sign_in(client, organiser)
    html = page(client)
    assert f"@{asker.username}" in html and "/s/hiking-club/members/" in html

    answer_join_request(actor=owner, space=space, member_id=asker.pk, approve=True)
    assert kinds_of(asker) == [kinds.JOIN_APPROVED]


@pytest.mark.django_db
def test_a_title_is_shown_only_while_the_member_may_read_its_space(client: Client) -> None:
    owner, member = MemberFactory(), MemberFactory()
    space = make_space(owner, visibility="members")
    join(member, space)
    post = make_post(member, space, "body", title="Members-only title")
    add_comment(actor=owner, post=post, body="Members-only comment")
    sign_in(client, member)
    assert "Members-only comment" in page(client)

    leave_space(actor=member, space=space)

    html = page(client)
    assert "Commented on your post" in html
    assert "Members-only comment" not in html and "Members-only title" not in html


@pytest.mark.django_db
def test_all_read_at_once_and_the_count_stays_true() -> None:
    author, replier = MemberFactory(), MemberFactory()
    space = make_space(author)
    join(replier, space)
    post = make_post(author, space)
    for number in range(3):
        add_comment(actor=replier, post=post, body=f"comment {number}")
    client = Client()
    sign_in(client, author)
    assert unread_badge(client) == "3"
    assert "Mark all as read" in page(client)

    client.post("/me/notifications/read/", {"all": "1"})

    assert unread_badge(client) is None
    assert not Notification.objects.filter(member=author, read_at__isnull=True).exists()
    add_comment(actor=replier, post=post, body="one more")
    assert unread_badge(client) == "1"


@pytest.mark.django_db
def test_a_member_cannot_mark_anothers_notification_read() -> None:
    author, replier, other = MemberFactory(), MemberFactory(), MemberFactory()
    space = make_space(author)
    join(replier, space)
    add_comment(actor=replier, post=make_post(author, space), body="hi")
    [theirs] = Notification.objects.filter(member=author)
    client = Client()
    sign_in(client, other)

    client.post("/me/notifications/read/", {"notification": theirs.pk})

    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P8.5")
def test_a_moderation_decision_is_sealed_under_the_members_key_and_shown_translated() -> None:
    author = MemberFactory()
    space = make_space(author)
    post = make_post(author, space, "body", title="A held post")

    notify(
        actor=MODERATION,
        member_id=author.pk,
        kind=kinds.MODERATION_DECISION,
        decision="appeal_upheld",
        link="/me/moderation/zz-sealed-link-41/",
        post_id=post.pk,
    )

    row = Notification.objects.get(member=author)
    assert row.data_key_id == author.data_key_id and row.actor_id is None  # moderators stay anonymous
    raw = _raw_database_bytes()
    assert b"zz-sealed-link-41" not in raw and b"appeal_upheld" not in raw
    client = Client()
    sign_in(client, author)
    html = page(client)
    assert "Your appeal was upheld" in html and "/me/moderation/zz-sealed-link-41/" in html
    assert "Groupket moderators" in html
    client.post("/i18n/setlang/", {"language": "ko"})
    assert "이의 제기가 받아들여져" in page(client)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"kind": kinds.MENTION}, "cannot make notifications"),
        ({"decision": "banished"}, "unknown moderation decision"),
        ({"link": "https://elsewhere.example/phish"}, "path on this site"),
        ({"link": "/me/?email=someone@example.org"}, "path on this site"),
    ],
)
def test_other_apps_can_only_send_known_decisions_with_links_on_this_site(arguments: dict, problem: str) -> None:
    member = MemberFactory()
    call = {"kind": kinds.MODERATION_DECISION, "decision": "warned", "link": "/me/moderation/1/", **arguments}
    with pytest.raises(ValueError, match=problem):
        notify(actor=MODERATION, member_id=member.pk, **call)
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_notification_outlives_the_post_and_the_member_it_was_about(client: Client) -> None:
    author, replier = MemberFactory(), MemberFactory(username="soon.gone")
    space = make_space(author)
    join(replier, space)
    post = make_post(author, space, "body", title="Soon deleted")
    add_comment(actor=replier, post=post, body="a comment")
    from groupket.accounts.services.unregister import unregister_member
    from groupket.spaces.services.posts import delete_post
    from tests.factories import DEFAULT_PASSWORD

    unregister_member(member=replier, password=DEFAULT_PASSWORD)
    delete_post(actor=author, post=post)

    sign_in(client, author)
    html = page(client)
    assert "Commented on your post" in html and "Withdrawn member" in html
    assert "soon.gone" not in html and "Soon deleted" not in html
    assert unread_badge(client) == "1"


# --- the list's cost ------------------------------------------------------------------------------------------

# session, member, sign-in check, policy versions (4); the notifications with who and what they point at, the
# data keys, the member's spaces (3); the mail switches (1).
LIST_QUERIES = 8


def seed_notifications(author, writers: int, posts: int) -> None:
    space = make_space(author)
    others = [MemberFactory() for _ in range(writers)]
    for other in others:
        join(other, space)
    for number in range(posts):
        post = make_post(author, space, f"post {number}", title=f"Title {number}")
        add_comment(actor=others[number % writers], post=post, body=f"comment {number}")
    join(MemberFactory(), make_space(author, slug="by-approval", joining="approval"))


@pytest.mark.django_db
@pytest.mark.parametrize(("writers", "posts"), [(1, 1), (12, 40)])
def test_the_list_takes_the_same_queries_whatever_its_size_and_the_members_it_names(
    client: Client, writers: int, posts: int, django_assert_num_queries
) -> None:
    author = MemberFactory()
    seed_notifications(author, writers, posts)
    sign_in(client, author)
    client.get("/me/notifications/")
    keys._opened.clear()
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/me/notifications/")
    assert response.status_code == 200
    shown = response.content.decode().count('class="card notification')
    assert shown == min(posts + 1, 30)


@pytest.mark.django_db
def test_older_notifications_page_by_cursor_and_a_bad_cursor_starts_again(client: Client) -> None:
    author = MemberFactory()
    seed_notifications(author, 2, 34)
    sign_in(client, author)
    first = page(client)
    cursor = attribute(first, "href", tag="a", class_="button secondary small").removeprefix("?after=")
    older = client.get(f"/me/notifications/?after={cursor}").content.decode()
    assert older.count('class="card notification') == 5  # 34 comments and one request, 30 a page
    assert "Older notifications" not in older
    again = client.get("/me/notifications/?after=1-1")  # older than anything: an empty page, not an error
    assert again.status_code == 200 and again.content.decode().count('class="card notification') == 0
    bad = client.get("/me/notifications/?after=not-a-cursor").content.decode()
    assert bad.count('class="card notification') == 30 and "not valid any more" in bad


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_the_export_holds_the_members_notifications_and_mail_choices(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    import io
    import json
    import zipfile

    from groupket.privacy.models import DataExport
    from groupket.spaces.notifications.services import set_email_switches
    from tests.factories import DEFAULT_PASSWORD

    author, replier = MemberFactory(), MemberFactory(username="export.replier")
    space = make_space(author)
    join(replier, space)
    post = make_post(author, space)
    add_comment(actor=replier, post=post, body="a comment")
    set_email_switches(actor=author, switched_on={"mentions"})
    sign_in(client, author)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/me/export/", {"password": DEFAULT_PASSWORD})
    export = DataExport.objects.get(member=author)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/me/export/{export.pk}/download/").content))
    sections = json.loads(archive.read("data.json"))["sections"]

    [told] = sections["notifications"]
    assert told["kind"] == "reply_to_post" and told["post"] == f"/s/hiking-club/p/{post.pk}/"
    assert told["read_at"] is None
    assert sections["notification_mail"] == {
        "replies": False, "mentions": True, "join_requests": False, "join_answers": False, "moderation": False
    }  # fmt: skip
    assert "export.replier" not in archive.read("data.json").decode()  # another member's ID is not theirs
