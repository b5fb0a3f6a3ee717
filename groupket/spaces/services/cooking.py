"""Posts' and comments' HTML made again: for rows cooked by an older cook (markdown.COOK_VERSION) or before
their HTML was kept (spaces.feeds.cook). Pages parse such a row on each read until it is cooked again.

Only the HTML made from a text changes, never the text, so no space log row is written: nothing was done to
a post that a member or moderator would see as done.
"""

from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet

from groupket.core.actors import Actor, acting
from groupket.spaces.feeds import COOKED_FIELDS, cook, open_in_bulk
from groupket.spaces.markdown import COOK_VERSION
from groupket.spaces.models import Comment, Post

BATCH = 500


def _stale(model: type[Post] | type[Comment]) -> QuerySet:
    return model.objects.exclude(cooked_with=COOK_VERSION)


def count_stale_bodies() -> int:
    return _stale(Post).count() + _stale(Comment).count()


@acting("actor", system=True)
def recook_bodies(*, actor: Actor, batch_size: int = BATCH, progress: Callable[[int], None] | None = None) -> int:
    """Cook every stale post and comment again, a batch a transaction, each row locked so that an edit meanwhile
    is not undone; the number cooked."""
    done = 0
    for model, related in ((Post, ("data_key", "space")), (Comment, ("data_key",))):
        while batch := _recook_batch(model, related, batch_size):
            done += batch
            if progress is not None:
                progress(batch)
    return done


def _recook_batch(model: type[Post] | type[Comment], related: tuple[str, ...], batch_size: int) -> int:
    with transaction.atomic():
        rows = list(_stale(model).select_related(*related).select_for_update(of=("self",)).order_by("pk")[:batch_size])
        open_in_bulk(rows)
        for row in rows:
            cook(row)
            row.save(update_fields=list(COOKED_FIELDS))
    return len(rows)
