"""Unregister's choice about posts and comments: destroy them (the default) or leave them under "Withdrawn member".

Either way no personal item survives (P6.3, P8.5): kept writing is sealed again under its space's own key and
loses its author, so nothing left in the database names the member, and a backup taken before the withdrawal
cannot be opened once the master key has been rotated.
"""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from groupket.accounts.models import Member
from groupket.core import keys
from groupket.core.crypto import open_sealed
from groupket.core.keyring import KeyringError, load_keyring
from groupket.core.models import DataKey
from groupket.privacy.models import DestructionLog
from groupket.spaces.models import Comment, CommentRevision, Notification, Post, PostRevision, Reaction, Space
from groupket.spaces.services.posts import add_comment, edit_comment, edit_post, set_like
from tests.conftest import sign_in
from tests.core.test_encryption_at_rest import _raw_database_bytes
from tests.factories import DEFAULT_PASSWORD, MemberFactory, join, make_post, make_space

LEAVER = {"username": "leaving.writer", "name": "Seoyeon Leaver-Name", "email": "seoyeon.leaver@example.org"}
WRITTEN = {"title": "Kept-title-7731", "body": "Kept-body-7731 한양도성 순성길", "comment": "Kept-comment-7731"}


def unregister(client: Client, writing: str | None) -> None:
    data = {"password": DEFAULT_PASSWORD, "confirm": "on"}
    if writing is not None:
        data["writing"] = writing
    response = client.post("/me/unregister/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]


def a_community():
    owner, leaver = MemberFactory(), MemberFactory(**LEAVER)
    space = make_space(owner)
    join(leaver, space)
    owners_post = make_post(owner, space, "the owner's post")
    post = make_post(leaver, space, "first version", title=WRITTEN["title"])
    edit_post(actor=leaver, post=post, title=WRITTEN["title"], body=WRITTEN["body"])
    comment = add_comment(actor=leaver, post=owners_post, body="first comment")
    edit_comment(actor=leaver, comment=comment, body=WRITTEN["comment"])
    reply = add_comment(actor=owner, post=post, body=f"thanks @{LEAVER['username']}", parent=None)
    set_like(actor=leaver, post=owners_post, liked=True)
    return owner, leaver, space, post, comment, reply, owners_post


def references_to(member_id: int) -> list[str]:
    """Every column of every model that points at the member, with a row that still does."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            pointing = field.is_relation and field.related_model is Member
            if pointing and model._default_manager.filter(**{field.attname: member_id}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.mark.django_db
@pytest.mark.clause("P6.3")
def test_the_unregister_page_offers_the_choice_and_destroying_is_the_default(client: Client) -> None:
    owner, leaver, space, post, *_ = a_community()
    sign_in(client, leaver)
    page = client.get("/me/unregister/").content.decode()
    [default] = re.findall(r'<input type="radio"[^>]*checked[^>]*>', page)
    assert 'value="delete"' in default
    assert "Withdrawn member" in page

    unregister(client, None)  # an older form without the choice: the default

    assert not Post.objects.filter(pk=post.pk).exists()
    assert not Comment.objects.filter(body__isnull=False).exclude(author=owner).exists()


@pytest.mark.django_db
@pytest.mark.clause("P6.3")
def test_kept_writing_stays_under_withdrawn_member_with_nothing_that_links_it_to_the_member(client: Client) -> None:
    owner, leaver, space, post, comment, reply, owners_post = a_community()
    sign_in(client, leaver)

    unregister(client, "keep")

    space = Space.objects.get(pk=space.pk)
    keys._opened.clear()
    kept_post, kept_comment = Post.objects.get(pk=post.pk), Comment.objects.get(pk=comment.pk)
    assert (kept_post.title, kept_post.body, kept_comment.body) == (
        WRITTEN["title"],
        WRITTEN["body"],
        WRITTEN["comment"],
    )
    # The HTML kept beside each text went with it, sealed under the space's key.
    assert WRITTEN["body"] in kept_post.body_html and WRITTEN["comment"] in kept_comment.body_html
    assert kept_post.author_id is None and kept_comment.author_id is None
    assert kept_post.data_key_id == kept_comment.data_key_id == space.withdrawn_key_id
    assert not DataKey.objects.filter(pk=leaver.data_key_id).exists()
    assert references_to(leaver.pk) == []
    # Earlier versions were the author's alone, and likes are the member's: destroyed as before.
    assert not PostRevision.objects.exists() and not CommentRevision.objects.exists()
    assert not Reaction.objects.exists()
    owners_post.refresh_from_db()
    assert (owners_post.like_count, owners_post.comment_count) == (0, 1)
    assert Comment.objects.filter(pk=reply.pk).exists()  # other members' replies stay with it
    # The owner's notification of the kept comment no longer names anyone.
    assert Notification.objects.filter(member=owner, comment=kept_comment, actor__isnull=True).exists()
    logged = dict(DestructionLog.objects.values_list("category", "count"))
    assert "posts" not in logged and logged["post revisions"] == 1 and logged["likes"] == 1
    entry = space.log_entries.get(action="writing_left_on_withdrawal")
    assert entry.detail == {"posts": 1, "comments": 1} and entry.actor_id is None

    reader = Client()
    sign_in(reader, owner)
    html = reader.get(f"/s/{space.slug}/p/{post.pk}/").content.decode()
    assert "Withdrawn member" in html and WRITTEN["body"] in html
    assert f"@{LEAVER['username']}" in html  # the mention stays, as text
    assert f">@{LEAVER['username']}</a>" not in html and "/members/" not in html.split("post-body")[1][:400]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P8.5")
@pytest.mark.parametrize("choice", ["keep", "delete"])
def test_either_way_the_raw_database_holds_no_personal_item_of_the_member(choice: str) -> None:
    owner, leaver, space, post, *_ = a_community()
    client = Client()
    sign_in(client, leaver)
    raw = _raw_database_bytes()
    assert WRITTEN["body"].encode() not in raw and LEAVER["email"].encode() not in raw  # sealed while they stay

    unregister(client, choice)

    raw = _raw_database_bytes()
    for needle in (*LEAVER.values(), *WRITTEN.values()):
        for encoding in ("utf-8", "utf-16-le"):
            assert needle.encode(encoding) not in raw, f"plaintext on disk: {needle!r}"
    assert references_to(leaver.pk) == []
    assert not DataKey.objects.filter(pk=leaver.data_key_id).exists()
    assert Post.objects.filter(pk=post.pk).exists() == (choice == "keep")


@pytest.mark.django_db
@pytest.mark.clause("P8.5")
def test_a_backup_from_before_the_withdrawal_cannot_be_opened_after_rotation(client: Client) -> None:
    owner, leaver, space, post, *_ = a_community()
    # What a backup taken now holds: the member's wrapped key and the rows sealed under it.
    backup_key = DataKey.objects.get(pk=leaver.data_key_id)
    backup_name = bytes(Member.objects.filter(pk=leaver.pk).values_list("name", flat=True).get())
    backup_body = bytes(Post.objects.filter(pk=post.pk).values_list("body", flat=True).get())
    sign_in(client, leaver)
    unregister(client, "keep")

    call_command("rotate_master_key", "--now", stdout=StringIO())
    keys._opened.clear()

    with pytest.raises(KeyringError):
        load_keyring().get(backup_key.master_key_id)  # the master key that wrapped it is destroyed
    for master in load_keyring().keys.values():
        with pytest.raises(Exception):  # noqa: B017, PT011 - no master key left opens it, whatever the error
            open_sealed(master.secret, bytes(backup_key.wrapped), aad=b"groupket data key|" + master.key_id.encode())
    # The live copy of the kept post is sealed under the space's key, which rotation re-wrapped, and still opens.
    assert Post.objects.get(pk=post.pk).body == WRITTEN["body"]
    assert bytes(Post.objects.filter(pk=post.pk).values_list("body", flat=True).get()) != backup_body
    space_key = DataKey.objects.get(pk=Space.objects.get(pk=space.pk).withdrawn_key_id)
    assert space_key.master_key_id == load_keyring().current_id
    assert backup_name  # the backup held the name, sealed; nothing now opens it
    assert "groupket.spaces.withdrawal.withdraw_from_spaces" in settings.GROUPKET_WITHDRAWAL_STEPS
