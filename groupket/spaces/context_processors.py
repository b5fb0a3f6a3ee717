"""Templates that later apps add to spaces pages, listed in settings (spaces may not import them).

GROUPKET_WRITTEN_ACTIONS go beside each post and comment (moderation's report link), included with
`written` (the post or comment), `kind` and `slug`; GROUPKET_SPACE_DESK_LINKS beside a space's
settings for its organisers (moderation's review queue), included with `space`.
"""

from django.conf import settings
from django.http import HttpRequest


def written_actions(request: HttpRequest) -> dict[str, list[str]]:
    return {
        "written_actions": list(getattr(settings, "GROUPKET_WRITTEN_ACTIONS", [])),
        "space_desk_links": list(getattr(settings, "GROUPKET_SPACE_DESK_LINKS", [])),
    }
