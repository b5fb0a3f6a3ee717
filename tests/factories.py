"""Test data, made through the same services the product uses."""

from datetime import timedelta

import factory
from django.utils import timezone

from groupket.accounts.models import Member
from groupket.accounts.services.registration import Signup, register_member

DEFAULT_PASSWORD = "orange7river-Stone"


class MemberFactory(factory.Factory):
    class Meta:
        model = Signup

    username = factory.Sequence(lambda n: f"member{n}")
    name = factory.Sequence(lambda n: f"Minji Kim{n}")
    email = factory.Sequence(lambda n: f"minji{n}@example.org")
    password = DEFAULT_PASSWORD
    agree_terms = True
    agree_privacy = True
    marketing_opt_in = False

    @classmethod
    def _create(cls, model_class: type, *args: object, new_member: bool = False, **kwargs: object) -> Member:
        """A member who joined 2 days ago, past screening's first-24-hours limits (under the 7 days that an
        unconfirmed account is kept); new_member=True: one who joins now."""
        member = register_member(signup=Signup(**kwargs))
        if not new_member:
            member.joined_at = timezone.now() - timedelta(days=2)
            Member.objects.filter(pk=member.pk).update(joined_at=member.joined_at)
        return member


def make_space(owner: Member, slug: str = "hiking-club", **details: object):
    """A space made through the service, as a member would make it; details default to a public, open space."""
    from groupket.spaces.services.spaces import SpaceDetails, create_space

    fields = {
        "name": "Hiking Club",
        "description": "Weekend walks around Seoul.",
        "rules": ("Be kind.", "No ads."),
        "visibility": "public",
        "joining": "open",
        **details,
    }
    return create_space(actor=owner, slug=slug, details=SpaceDetails(**fields))


def join(member: Member, space):
    from groupket.spaces.services.members import join_space

    return join_space(actor=member, space=space)


def make_post(author: Member, space, body: str = "Hello, space.", title: str | None = None, confirmed: bool = False):
    from groupket.spaces.services.posts import create_post

    return create_post(actor=author, space=space, title=title, body=body, confirmed=confirmed)
