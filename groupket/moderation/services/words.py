"""Watched words: Groupket's moderators keep those of every space, organisers their own space's (P10.1)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from groupket.core.actors import acting
from groupket.moderation import matching, permissions
from groupket.moderation.models import WORD_ACTIONS, WatchedWord
from groupket.moderation.services import log
from groupket.spaces.models import Membership, Space

MIN_FOLDED_LENGTH = 2


def _authority(actor: AbstractBaseUser, space: Space | None, membership: Membership | None):
    if space is None:
        if not permissions.is_groupket_moderator(actor.pk):
            raise permissions.ModerationDenied("only Groupket's moderators keep the words of every space")
        return permissions.Authority(actor.pk, by_staff=True)
    return permissions.authority_in(space, actor.pk, membership)


@acting("actor")
def add_watched_word(
    *, actor: AbstractBaseUser, space: Space | None, membership: Membership | None, word: str, action: str
) -> WatchedWord:
    if action not in dict(WORD_ACTIONS) or len(matching.folded_word(word)) < MIN_FOLDED_LENGTH:
        raise ValueError("a watched word needs an action and at least 2 letters or digits")
    with transaction.atomic():
        authority = _authority(actor, space, membership)
        watched = WatchedWord.objects.create(space=space, word=word.strip(), action=action, added_by_ref=actor.pk)
        log.record(log.WORD_ADDED, actor=actor, by_staff=authority.by_staff, space=space, code=action)
    return watched


@acting("actor")
def remove_watched_word(*, actor: AbstractBaseUser, watched: WatchedWord, membership: Membership | None) -> None:
    with transaction.atomic():
        watched = WatchedWord.objects.select_for_update(of=("self",)).select_related("space").get(pk=watched.pk)
        authority = _authority(actor, watched.space, membership)
        space, action = watched.space, watched.action
        watched.delete()
        log.record(log.WORD_REMOVED, actor=actor, by_staff=authority.by_staff, space=space, code=action)
