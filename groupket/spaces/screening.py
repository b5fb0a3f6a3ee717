"""Screening before a post or comment is shown (P10.1): a hook that the moderation app fills.

Spaces may not import moderation (the app order), so the writing services call the function named
by settings.GROUPKET_SCREENING inside their own transaction, after the permission check and before
the row is written: screen(*, draft) -> Verdict. It may refuse (ScreeningRefused, said to the
author), hold the writing for review, or mask words; `Verdict.after_written` then runs in the same
transaction with the stored row, so a queue entry is made whole with the writing or not at all.
Text is screened in memory: nothing of it is kept apart from the sealed row.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.module_loading import import_string

from groupket.spaces.models import Comment, Membership, Post, Space, Written

POST, COMMENT = "post", "comment"


@dataclass(frozen=True)
class Draft:
    """What a member is about to write; `editing` is the post or comment being changed, if any."""

    actor: AbstractBaseUser
    space: Space
    membership: Membership | None
    kind: str
    title: str | None
    body: str
    editing: Post | Comment | None = None
    # The author saw the personal-information warning and chose to post anyway.
    confirmed: bool = False


@dataclass(frozen=True)
class Verdict:
    title: str | None
    body: str
    state: str = Written.SHOWN
    censored: bool = False
    after_written: Callable[[Post | Comment], None] | None = None


class ScreeningRefused(Exception):
    """The writing is not stored. `message` is for the author, translated; `confirmable`: posting anyway
    with the confirmation box ticked is allowed (and holds the writing for review)."""

    def __init__(self, message: object, *, confirmable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.confirmable = confirmable


def screen(draft: Draft) -> Verdict:
    path = getattr(settings, "GROUPKET_SCREENING", "")
    if not path:
        return Verdict(title=draft.title, body=draft.body)
    return import_string(path)(draft=draft)


def state_after_edit(current: str, verdict: Verdict) -> str:
    """An edit never brings back what moderators took down, nor releases a held item before its review."""
    if current != Written.SHOWN:
        return current
    return verdict.state
