"""Templates that later apps add beside each post and comment (settings.GROUPKET_WRITTEN_ACTIONS).

Spaces may not import moderation, so the report link is a template moderation provides and
settings lists; each is included with `written` (the post or comment) and `kind`.
"""

from django.conf import settings
from django.http import HttpRequest


def written_actions(request: HttpRequest) -> dict[str, list[str]]:
    return {"written_actions": list(getattr(settings, "GROUPKET_WRITTEN_ACTIONS", []))}
