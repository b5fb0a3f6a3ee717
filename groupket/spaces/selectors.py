"""Reads of spaces that pages (and later apps) need, each with the queries it needs and no more."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Case, Count, FilteredRelation, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from groupket.core import blind_index
from groupket.core.keys import open_data_keys
from groupket.spaces.links import LinkPattern
from groupket.spaces.models import Comment, CommentRevision, Membership, Post, PostImage, PostRevision, Space

SEARCH_WORDS_MAX = 8
SUGGESTED = 6


def mentioned_members(keys: set[str]) -> dict[str, int]:
    """For each mentioned ID (normalised) that belongs to a member, that member's id: one query."""
    if not keys:
        return {}
    by_index = blind_index.candidates_of_many("username", keys)
    found = get_user_model().objects.filter(username_index__in=by_index).values_list("pk", "username_index")
    return {by_index[index]: pk for pk, index in found}


def mention_links(keys: set[str]) -> dict[str, str]:
    """For each mentioned ID (normalised) that belongs to a member, the link to their page: one query."""
    found = mentioned_members(keys)
    if not found:
        return {}
    member_page = LinkPattern("spaces:member", member_id=int)  # reversed once, not once a mention
    return {key: member_page.fill(member_id=pk) for key, pk in found.items()}


def membership_of(space: Space, member: AbstractBaseUser | None) -> Membership | None:
    if member is None or not member.is_authenticated:
        return None
    return Membership.objects.filter(space=space, member_id=member.pk).first()


def active_members_count(space: Space) -> int:
    return space.memberships.filter(status=Membership.ACTIVE).count()


def space_for_visitor(slug: str, member: AbstractBaseUser | None) -> tuple[Space, Membership | None, int] | None:
    """The space of this slug, the visitor's membership of it and its active members count, in one query.

    What a space's home needs before its feed; three queries before (space, membership_of, active_members_count),
    each a round trip on a feed page (bench/feed.py). None when no space has this slug.
    """
    active = Membership.objects.filter(space=OuterRef("pk"), status=Membership.ACTIVE).order_by()
    counted = active.values("space").annotate(count=Count("pk")).values("count")
    spaces = Space.objects.filter(slug=slug).annotate(active_members=Coalesce(Subquery(counted), 0))
    if member is None or not member.is_authenticated:
        space = spaces.first()
        return None if space is None else (space, None, space.active_members)
    # At most one row joins: a member has one membership of a space (spaces_one_membership).
    theirs = FilteredRelation("memberships", condition=Q(memberships__member_id=member.pk))
    space = spaces.annotate(visitor_membership=theirs).select_related("visitor_membership").first()
    if space is None:
        return None
    # select_related leaves the attribute unset, not None, when no membership joined.
    return space, getattr(space, "visitor_membership", None), space.active_members


def _with_members_count(spaces: QuerySet[Space]) -> QuerySet[Space]:
    return spaces.annotate(members_count=Count("memberships", filter=Q(memberships__status=Membership.ACTIVE)))


def listed_spaces(query: str = "") -> QuerySet[Space]:
    """Public and members-only spaces that are open, matching every word of the query in name or description.

    Matching is a case-insensitive substring (LIKE / ILIKE) on both databases: PostgreSQL's
    full-text search splits Korean only at spaces, so "등산" would miss "등산모임", and trigram
    search needs the pg_trgm extension, which a deployment may not have. Names that match
    come first.
    """
    spaces = Space.objects.filter(visibility__in=[Space.PUBLIC, Space.MEMBERS_ONLY], closed_at__isnull=True)
    words = query.split()[:SEARCH_WORDS_MAX]
    for word in words:
        spaces = spaces.filter(Q(name__icontains=word) | Q(description__icontains=word))
    spaces = _with_members_count(spaces)
    if words:
        in_name = When(name__icontains=words[0], then=Value(1))
        spaces = spaces.annotate(name_hits=Case(in_name, default=Value(0), output_field=IntegerField()))
        return spaces.order_by("-name_hits", "-members_count", "name", "pk")
    return spaces.order_by("-members_count", "name", "pk")


@dataclass(frozen=True)
class MemberSpace:
    """One of a member's spaces as the home page lists it: its name and address, the member's role and standing."""

    space_id: int
    name: str
    slug: str
    role: str
    status: str

    @property
    def is_active(self) -> bool:
        return self.status == Membership.ACTIVE

    @property
    def role_label(self) -> str:
        """The role's name, shown beside the space; empty for a plain member."""
        return "" if self.role == Membership.MEMBER else str(dict(Membership.ROLE_CHOICES)[self.role])


def member_spaces(member: AbstractBaseUser) -> list[MemberSpace]:
    """The member's memberships of every standing, with their spaces' names and slugs, in one query.

    Just what the home page shows of them, as plain rows: for a member in 50 spaces, 100 model instances (the
    memberships and their spaces, deferred fields and all) cost 1 ms of every home feed page (bench/feed.py).
    """
    rows = Membership.objects.filter(member_id=member.pk).order_by("space__name", "pk")
    return [MemberSpace(*row) for row in rows.values_list("space_id", "space__name", "space__slug", "role", "status")]


def suggested_spaces(member: AbstractBaseUser) -> list[Space]:
    """Public spaces anyone may join, the liveliest first, for a member who is in none yet."""
    spaces = Space.objects.filter(visibility=Space.PUBLIC, joining=Space.OPEN, closed_at__isnull=True)
    spaces = spaces.exclude(memberships__member_id=member.pk)
    return list(_with_members_count(spaces).order_by("-members_count", "-created_at", "pk")[:SUGGESTED])


def space_members(space: Space) -> list[Membership]:
    """Everyone the space knows (members, requests, invitations) with their IDs opened in bulk: two queries."""
    rows = list(
        space.memberships.select_related("member").only(
            "role", "status", "created_at", "member__data_key", "member__username"
        )
    )
    open_data_keys(row.member.data_key_id for row in rows)
    order = {Membership.OWNER: 0, Membership.ORGANISER: 1, Membership.MEMBER: 2}
    return sorted(rows, key=lambda row: (order[row.role], row.member.username.casefold()))


def shares_a_space(viewer: AbstractBaseUser | None, member_id: int) -> bool:
    if viewer is None or not viewer.is_authenticated:
        return False
    theirs = Membership.objects.filter(member_id=member_id, status=Membership.ACTIVE).values("space_id")
    return Membership.objects.filter(member_id=viewer.pk, status=Membership.ACTIVE, space_id__in=theirs).exists()


def space_id_subquery(slug: str) -> Subquery:
    """The id of the space with this slug, for another app's insert to read in the same statement (analytics)."""
    return Subquery(Space.objects.filter(slug=slug).values("pk")[:1])


def listed_space_names(space_ids: Iterable[int]) -> dict[int, str]:
    """The names of those of these spaces that are not hidden, in one query; a hidden space's name stays unsaid."""
    rows = Space.objects.filter(pk__in=list(space_ids)).exclude(visibility=Space.HIDDEN).values_list("pk", "name")
    return dict(rows)


def spaces_with_slugs(slugs: Iterable[str]) -> dict[str, Space]:
    """The spaces of these slugs, by slug, in one query; a slug no space has is missing from the answer."""
    return {space.slug: space for space in Space.objects.filter(slug__in=list(slugs))}


def image_of_post(post: Post, image_id: int) -> PostImage | None:
    """One of the post's own photos (its content opened when read, under the author's key), or None."""
    if image_id not in post.image_ids:
        return None
    return PostImage.objects.filter(pk=image_id, post=post).only("data_key", "content", "content_type").first()


def earlier_versions(written: Post | Comment) -> list[PostRevision | CommentRevision]:
    """The earlier versions of a post or comment, newest first, for its author and the moderators (P10.1); their
    data keys opened in one query."""
    revisions = list(written.revisions.all())
    open_data_keys({revision.data_key_id for revision in revisions})
    return revisions
