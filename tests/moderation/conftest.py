"""A space with an owner, an organiser and a writer, and Groupket's moderators, for the moderation tests."""

from types import SimpleNamespace

import pytest

from groupket.moderation.models import WatchedWord
from groupket.spaces.services.members import set_role
from tests.conftest import make_staff
from tests.factories import MemberFactory, join, make_space


@pytest.fixture
def people(db: None) -> SimpleNamespace:
    owner = MemberFactory(username="space.owner")
    organiser = MemberFactory(username="space.organiser")
    writer = MemberFactory(username="the.writer", name="Writer Secretname", email="writer.secret@example.org")
    reader = MemberFactory(username="a.reader")
    space = make_space(owner, rules=("Be kind.", "No ads."))
    for member in (organiser, writer, reader):
        join(member, space)
    set_role(actor=owner, space=space, member_id=organiser.pk, role="organiser")
    moderator = make_staff("moderator", username="mod.one")
    second = make_staff("moderator", username="mod.two")
    for member in (moderator, second):
        member.refresh_from_db()
    return SimpleNamespace(
        owner=owner, organiser=organiser, writer=writer, reader=reader, space=space, moderator=moderator, second=second
    )


def watch(word: str, action: str, space=None) -> WatchedWord:
    """A watched word as set up on the server (the desk's own path is tested in test_watched_words)."""
    return WatchedWord.objects.create(space=space, word=word, action=action, added_by_ref=0)
