"""Test data, made through the same services the product uses."""

import factory

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
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Member:
        return register_member(signup=Signup(**kwargs))
