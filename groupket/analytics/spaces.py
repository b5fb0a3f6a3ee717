"""Which space a page belongs to, for interests (P9.1), and how staff see the spaces in the counts.

A page of a space (/s/<slug>/ and everything under it) is counted with the space's id, read by the page
view's own insert, so recording stays one statement. The staff page names a space only when it is listed:
a hidden space (or one that is gone) only by its number.
"""

from django.db.models import Subquery
from django.urls import ResolverMatch
from django.utils.translation import gettext as _

from groupket.spaces.selectors import listed_space_names, space_id_subquery

SPACES_NAMESPACE = "spaces"


def space_of(match: ResolverMatch) -> Subquery | None:
    slug = match.kwargs.get("slug") if match.namespace == SPACES_NAMESPACE else None
    return space_id_subquery(slug) if isinstance(slug, str) and slug else None


def space_labels(spaces: list[tuple[int, int]]) -> list[tuple[str, int]]:
    """(how staff see the space, browsers) for each (space id, browsers), in one query."""
    names = listed_space_names(space_ref for space_ref, _browsers in spaces)
    return [
        (names.get(space_ref) or _("An unlisted space (#%(id)s)") % {"id": space_ref}, count)
        for space_ref, count in spaces
    ]
