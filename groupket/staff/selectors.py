"""Reads about staff roles that the console and other apps need."""

from django.db.models import Count

from groupket.staff.models import RoleGrant
from groupket.staff.roles import ROLES, Role


def active_role_slugs(member_id: int) -> set[str]:
    return set(RoleGrant.objects.filter(member_ref=member_id, revoked_at__isnull=True).values_list("role", flat=True))


def active_roles(member_id: int) -> list[Role]:
    slugs = active_role_slugs(member_id)
    return [role for slug, role in ROLES.items() if slug in slugs]


def is_staff(member_id: int) -> bool:
    return RoleGrant.objects.filter(member_ref=member_id, revoked_at__isnull=True).exists()


def role_holder_counts() -> dict[str, int]:
    """How many staff hold each role now (P10.2), every role listed."""
    counts = dict(
        RoleGrant.objects.filter(revoked_at__isnull=True)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    return {slug: counts.get(slug, 0) for slug in ROLES}
