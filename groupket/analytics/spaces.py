"""Which space a page belongs to, for interests (P9.1): its id, read by the page view's own insert."""

from django.db.models import Subquery
from django.urls import ResolverMatch


def space_of(match: ResolverMatch) -> Subquery | None:
    """None until the spaces app exists; then the id of the space of a /s/<slug>/ page."""
    return None


def space_labels(spaces: list[tuple[int, int]]) -> list[tuple[str, int]]:
    """(how staff see the space, browsers) for each (space id, browsers)."""
    return [(f"#{space_ref}", browsers) for space_ref, browsers in spaces]
