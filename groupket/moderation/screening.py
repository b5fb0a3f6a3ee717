"""Screening before a post or comment is shown (P10.1): settings.GROUPKET_SCREENING names `screen`.

In order: a suspended or silenced member is refused; a new member's pace and a space's slow mode
are kept; personal information is refused (a resident registration number) or warned about, and
held when posted anyway; more than 3 links hold a post; watched words block, hold, flag or mask.
Everything is read in memory from the draft: nothing of the text is stored apart from the sealed row.
"""

import re
from datetime import timedelta
from functools import partial

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groupket.moderation import matching, personal_info
from groupket.moderation.models import BLOCK, CENSOR, FLAG, HOLD, WatchedWord
from groupket.moderation.permissions import is_groupket_moderator
from groupket.moderation.selectors import active_sanction
from groupket.moderation.services.cases import queue_screened
from groupket.spaces.models import Comment, Post, Written
from groupket.spaces.screening import POST, Draft, ScreeningRefused, Verdict

MAX_LINKS = 3
NEW_MEMBER_HOURS = 24
NEW_MEMBER_POSTS = 5
NEW_MEMBER_COMMENTS = 20
NEW_MEMBER_POSTS_WITHOUT_LINKS = 2
_LINK = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]]+", re.IGNORECASE)
_STRENGTH = {HOLD: 2, FLAG: 1}


def count_links(text: str) -> int:
    return len(_LINK.findall(text))


def _refuse(message: str, *, confirmable: bool = False) -> None:
    raise ScreeningRefused(message, confirmable=confirmable)


def _check_sanctions(draft: Draft) -> None:
    sanction = active_sanction(member_id=draft.actor.pk, space_id=draft.space.pk)
    if sanction is None:
        return
    until = timezone.localtime(sanction.until).strftime("%Y-%m-%d %H:%M")
    if sanction.kind == "suspend":
        _refuse(_("Your account is suspended until %(until)s: you cannot post or comment.") % {"until": until})
    _refuse(_("You are silenced in this space until %(until)s: you cannot post or comment here.") % {"until": until})


def _check_new_member(draft: Draft, links: int) -> None:
    """A member's first 24 hours: at most 5 posts and 20 comments, and no links in the first 2 posts."""
    joined = draft.actor.joined_at
    if timezone.now() - joined > timedelta(hours=NEW_MEMBER_HOURS):
        return
    model, limit = (Post, NEW_MEMBER_POSTS) if draft.kind == POST else (Comment, NEW_MEMBER_COMMENTS)
    written = model.objects.filter(author_id=draft.actor.pk, created_at__gte=joined).count()
    if written >= limit:
        message = ngettext(
            "In your first 24 hours you can write %(count)d of these. Please wait a little.",
            "In your first 24 hours you can write %(count)d of these. Please wait a little.",
            limit,
        )
        _refuse(message % {"count": limit})
    if draft.kind == POST and links and written < NEW_MEMBER_POSTS_WITHOUT_LINKS:
        _refuse(_("Your first 2 posts cannot contain links. Remove the links and post again."))


def _check_slow_mode(draft: Draft) -> None:
    minutes = draft.space.slow_mode_minutes
    if draft.kind != POST or not minutes or (draft.membership is not None and draft.membership.runs_space):
        return
    since = timezone.now() - timedelta(minutes=minutes)
    if Post.objects.filter(space=draft.space, author_id=draft.actor.pk, created_at__gte=since).exists():
        message = ngettext(
            "Slow mode is on: one post every %(minutes)d minute. Please wait a little.",
            "Slow mode is on: one post every %(minutes)d minutes. Please wait a little.",
            minutes,
        )
        _refuse(message % {"minutes": minutes})


def _personal_info(draft: Draft, text: str) -> list[str]:
    """Codes of what is held for review; refuses first when the author has not confirmed."""
    kinds = personal_info.find_kinds(text)
    if personal_info.RESIDENT_NUMBER in kinds:
        _refuse(_("This looks like a resident registration number. It can never be posted: remove it."))
    if kinds and not draft.confirmed:
        what = personal_info.KIND_LABELS[kinds[0]]
        _refuse(
            _("This looks like %(what)s. Remove it, or, if it is fine to share, confirm below.") % {"what": what},
            confirmable=True,
        )
    return [f"personal_info:{kind}" for kind in kinds]


def _watched_words(draft: Draft) -> list[WatchedWord]:
    words = WatchedWord.objects.filter(space__isnull=True) | WatchedWord.objects.filter(space=draft.space)
    return list(words.order_by("pk"))


def _apply_words(draft: Draft, title: str | None, body: str) -> tuple[str | None, str, str | None, list[str], bool]:
    """(title, body, strongest action, codes, censored) after every watched word found is applied."""
    strongest, codes, censored = None, [], False
    folded = {"title": matching.fold(title or ""), "body": matching.fold(body)}
    for word in _watched_words(draft):
        spans = {part: matching.find(text, word.word) for part, text in folded.items()}
        if not any(spans.values()):
            continue
        if word.action == BLOCK:
            _refuse(
                _("This contains “%(word)s”, which is not allowed here. Change it and post again.")
                % {"word": word.word}
            )
        if word.action == CENSOR:
            title = matching.mask(title, spans["title"]) if title else title
            body, censored = matching.mask(body, spans["body"]), True
            continue
        codes.append(f"word:{word.pk}")
        if strongest is None or _STRENGTH[word.action] > _STRENGTH[strongest]:
            strongest = word.action
    return title, body, strongest, codes, censored


def screen(*, draft: Draft) -> Verdict:
    exempt = is_groupket_moderator(draft.actor.pk)
    text = f"{draft.title or ''}\n{draft.body}"
    links = count_links(text)
    if not exempt:
        _check_sanctions(draft)
    if draft.editing is None and not exempt:
        _check_new_member(draft, links)
        _check_slow_mode(draft)
    codes = _personal_info(draft, text)
    hold = bool(codes)
    if links > MAX_LINKS:
        codes.append("links")
        hold = True
    title, body, action, word_codes, censored = _apply_words(draft, draft.title, draft.body)
    codes += word_codes
    hold = hold or action == HOLD
    if not codes:
        return Verdict(title=title, body=body, censored=censored)
    state = Written.HELD if hold else Written.SHOWN
    queue = partial(queue_screened, codes=codes, held=hold)
    return Verdict(title=title, body=body, state=state, censored=censored, after_written=queue)
