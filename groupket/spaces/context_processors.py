"""Templates that later apps add to spaces pages, listed in settings (spaces may not import them).

GROUPKET_SPACE_DESK_LINKS go beside a space's settings for its organisers (moderation's review queue), included
with `space`. What goes beside each post and comment (GROUPKET_WRITTEN_ACTIONS) is made in Python, once a page:
spaces.cards.written_actions.
"""

from django.conf import settings
from django.http import HttpRequest


def space_desk_links(request: HttpRequest) -> dict[str, list[str]]:
    return {"space_desk_links": list(getattr(settings, "GROUPKET_SPACE_DESK_LINKS", []))}
