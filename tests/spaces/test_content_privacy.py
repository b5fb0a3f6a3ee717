"""What members write is theirs: declared, sealed under their key, exported, and destroyed on Unregister.

P8.5: posts, titles, comments and their earlier versions are sealed under the author's data key, so
the database files hold no plaintext of them, and Unregister (destroying the key) leaves none behind.
P6.3: Unregister ends the member's place in every space; a space they owned passes on, or closes.
P6.1: the export holds the member's spaces, posts (with earlier versions), comments and likes.
"""

import io
import json
import zipfile

import pytest
from django.test import Client

from groupket.accounts.services.unregister import unregister_member
from groupket.privacy import inventory
from groupket.privacy.checks import check_privacy_inventory
from groupket.privacy.models import DataExport, DestructionLog
from groupket.spaces.models import Comment, CommentRevision, Membership, Post, PostRevision, Reaction, Space
from groupket.spaces.services.posts import add_comment, edit_comment, edit_post, set_like
from tests.conftest import sign_in
from tests.core.test_encryption_at_rest import _raw_database_bytes
from tests.factories import DEFAULT_PASSWORD, MemberFactory, join, make_post, make_space

WRITTEN = {
    "title": "Hanbyeol-title-secret",
    "body": "Hanbyeol-body-secret 북한산 산행기",
    "edited": "Hanbyeol-edited-secret",
    "comment": "Hanbyeol-comment-secret",
    "comment_edited": "Hanbyeol-comment-edited-secret",
}


def needles() -> list[bytes]:
    return [text.encode(encoding) for text in WRITTEN.values() for encoding in ("utf-8", "utf-16-le")]


def write_everything(author, space, other_post):
    post = make_post(author, space, WRITTEN["body"], title=WRITTEN["title"])
    edit_post(actor=author, post=post, title=WRITTEN["title"], body=WRITTEN["edited"])
    comment = add_comment(actor=author, post=other_post, body=WRITTEN["comment"])
    edit_comment(actor=author, comment=comment, body=WRITTEN["comment_edited"])
    set_like(actor=author, post=other_post, liked=True)
    return post


@pytest.mark.django_db
@pytest.mark.clause("P1.4")
def test_what_members_write_is_declared_in_the_inventory_and_the_check_passes() -> None:
    declared = {item.field for item in inventory.ITEMS}
    assert {
        "spaces.Post.title",
        "spaces.Post.body",
        "spaces.PostRevision.title",
        "spaces.PostRevision.body",
        "spaces.Comment.body",
        "spaces.CommentRevision.body",
        "spaces.Reaction.post",
        "spaces.Membership.space",
    } <= declared
    assert "spaces.Space.name" in inventory.NOT_PERSONAL
    assert [message.id for message in check_privacy_inventory()] == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P8.5")
def test_posts_and_comments_are_never_stored_in_plaintext_and_none_survives_unregister() -> None:
    owner, author = MemberFactory(), MemberFactory()
    space = make_space(owner)
    join(author, space)
    other_post = make_post(owner, space, "the owner's post")
    post = write_everything(author, space, other_post)

    raw = _raw_database_bytes()
    assert b"Hiking Club" in raw  # the space's own name is not personal, and stays searchable
    for needle in needles():
        assert needle not in raw, f"plaintext on disk: {needle!r}"
    assert Post.objects.get(pk=post.pk).body == WRITTEN["edited"]  # and yet it opens with the author's key

    unregister_member(member=author, password=DEFAULT_PASSWORD)

    raw = _raw_database_bytes()
    for needle in needles():
        assert needle not in raw
    for model in (Post, PostRevision, CommentRevision):
        assert not model.objects.filter(data_key_id=author.data_key_id).exists()
    assert not Comment.objects.filter(author_id=author.pk).exists()
    assert not Reaction.objects.exists()
    other_post.refresh_from_db()
    assert (other_post.like_count, other_post.comment_count) == (0, 0)  # counts stay true for the others


@pytest.mark.django_db
@pytest.mark.clause("P6.3")
@pytest.mark.clause("P8.1")
def test_unregister_destroys_the_members_writing_and_logs_counts_only() -> None:
    owner, author = MemberFactory(), MemberFactory()
    space = make_space(owner)
    join(author, space)
    other_post = make_post(owner, space, "the owner's post")
    write_everything(author, space, other_post)
    reply_to_author = add_comment(actor=owner, post=other_post, body="a comment of the owner's")

    unregister_member(member=author, password=DEFAULT_PASSWORD)

    logged = dict(DestructionLog.objects.values_list("category", "count"))
    assert logged["posts"] == 1 and logged["post revisions"] == 1
    assert logged["comments"] == 1 and logged["comment revisions"] == 1
    assert logged["likes"] == 1 and logged["space memberships"] == 1
    assert not Membership.objects.filter(member_id=author.pk).exists()
    assert Comment.objects.get() == reply_to_author  # other members' writing stays
    other_post.refresh_from_db()
    assert other_post.comment_count == 1
    # The space's log keeps what happened, without naming the member.
    assert space.log_entries.filter(actor__isnull=True, action="post_created").exists()


@pytest.mark.django_db
@pytest.mark.clause("P6.3")
def test_an_owner_who_unregisters_hands_the_space_on_or_closes_it() -> None:
    owner, organiser, member = MemberFactory(), MemberFactory(), MemberFactory()
    kept = make_space(owner, slug="kept")
    for one in (member, organiser):
        join(one, kept)
    Membership.objects.filter(space=kept, member=organiser).update(role=Membership.ORGANISER)
    alone = make_space(owner, slug="alone")

    unregister_member(member=owner, password=DEFAULT_PASSWORD)

    assert Membership.objects.get(space=kept, role=Membership.OWNER).member_id == organiser.pk
    assert kept.log_entries.filter(action="ownership_passed_on_withdrawal", subject=organiser).exists()
    alone = Space.objects.get(pk=alone.pk)
    assert alone.is_closed and alone.log_entries.filter(action="space_closed_on_withdrawal").exists()


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_the_export_holds_the_members_spaces_posts_comments_and_likes(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    owner, author = MemberFactory(), MemberFactory()
    space = make_space(owner)
    join(author, space)
    other_post = make_post(owner, space, "the owner's post")
    write_everything(author, space, other_post)
    add_comment(actor=owner, post=other_post, body="not the author's")
    sign_in(client, author)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/me/export/", {"password": DEFAULT_PASSWORD})
    export = DataExport.objects.get(member=author)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/me/export/{export.pk}/download/").content))
    sections = json.loads(archive.read("data.json"))["sections"]

    assert [(row["space"], row["role"], row["status"]) for row in sections["spaces"]] == [
        ("Hiking Club", "member", "active")
    ]
    [post] = sections["posts"]
    assert (post["title"], post["body"]) == (WRITTEN["title"], WRITTEN["edited"])
    assert [old["body"] for old in post["earlier_versions"]] == [WRITTEN["body"]]
    [comment] = sections["comments"]
    assert comment["body"] == WRITTEN["comment_edited"]
    assert [old["body"] for old in comment["earlier_versions"]] == [WRITTEN["comment"]]
    assert [row["post"] for row in sections["likes"]] == [f"/s/hiking-club/p/{other_post.pk}/"]
    items = {item["key"]: item["value"] for item in sections["items"]}
    assert items["post_body"] == {"records": 1} and items["comment_body"] == {"records": 1}
    page = archive.read("index.html").decode()
    assert WRITTEN["edited"] in page and "not the author&#x27;s" not in page and "not the author's" not in page
