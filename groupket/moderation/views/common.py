"""What moderation views share: a refusal becomes the 403 page saying why, as in the spaces."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from groupket.moderation.permissions import ModerationDenied
from groupket.spaces.views.common import refusal

View = Callable[..., HttpResponse]


def answers_moderation_refusals(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ModerationDenied as denied:
            return refusal(request, denied)

    return wrapped
