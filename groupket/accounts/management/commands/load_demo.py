"""Create the demo members `make run` signs in with; running it again changes nothing."""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from groupket.accounts.models import Member
from groupket.accounts.services.registration import Signup, register_member, verify_email
from groupket.accounts.tokens import make_verification_token


@dataclass(frozen=True)
class DemoMember:
    username: str
    name: str
    email: str
    password: str  # published in the README and printed below: demo use only


# Passwords follow the product's own rules (letters and digits, no ID, name or email in them), so the demo
# accounts behave like real ones. The addresses use a reserved domain that can never receive mail.
DEMO_MEMBERS = (
    DemoMember("minji.kim", "Minji Kim", "minji.kim@demo.example", "maple7Lantern-42"),
    DemoMember("junho.lee", "Junho Lee", "junho.lee@demo.example", "river3Compass-58"),
    DemoMember("alex.morgan", "Alex Morgan", "alex.morgan@demo.example", "cedar9Harbour-16"),
)


def demo_members() -> dict[str, Member]:
    """The demo members by ID, for the demos that build on them; CommandError when load_demo has not run."""
    people = {}
    for name in (demo.username for demo in DEMO_MEMBERS):
        member = Member.objects.with_username(name).first()
        if member is None:
            raise CommandError(f"the demo member {name!r} is missing: run `manage.py load_demo` first")
        people[name] = member
    return people


@contextlib.contextmanager
def no_mail_to_demo_members() -> Iterator[None]:
    """What the spaces and orders demos do is done by and to the verified demo members, at a reserved domain that
    receives nothing; as with their confirmation mail (never sent: they are verified at once), the notices it causes
    are not sent: the tasks run here, in this process, and their mail goes to Django's dummy backend. Only the
    demo command running inside is changed; settings and the broker are as they were after it."""
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            yield
    finally:
        current_app.conf.task_always_eager = eager


class Command(BaseCommand):
    help = "Create three demo members with verified emails (existing ones are left alone) and print their logins."

    def handle(self, *args: Any, **options: Any) -> None:
        # Known passwords must never exist on a real deployment.
        if settings.GROUPKET_ENV == "production":
            raise CommandError("load_demo creates accounts with published passwords; it does not run in production.")
        created = 0
        for demo in DEMO_MEMBERS:
            if Member.objects.with_username(demo.username).exists():
                continue
            self._create(demo)
            created += 1
        self.stdout.write(
            self.style.SUCCESS(f"{created} demo members created, {len(DEMO_MEMBERS) - created} already there.")
        )
        self.stdout.write("Demo logins (email already verified):")
        self.stdout.write(f"  {'ID':<14}{'Name':<14}{'Email':<28}Password")
        for demo in DEMO_MEMBERS:
            self.stdout.write(f"  {demo.username:<14}{demo.name:<14}{demo.email:<28}{demo.password}")
        self.stdout.write("Their spaces, posts and comments are made by `manage.py load_spaces_demo`.")
        self.stdout.write("The staff account (privacy officer) is made by `manage.py load_staff_demo`.")

    @staticmethod
    def _create(demo: DemoMember) -> None:
        with transaction.atomic():
            member = register_member(
                signup=Signup(
                    username=demo.username,
                    name=demo.name,
                    email=demo.email,
                    password=demo.password,
                    agree_terms=True,
                    agree_privacy=True,
                    marketing_opt_in=False,
                ),
                channel="demo",
            )
            # Verified the way a member would verify: through the token their email link carries.
            verify_email(token=make_verification_token(member))
