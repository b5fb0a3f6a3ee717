"""Create the demo privacy officer `make run` prints; running it again changes nothing."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from groupket.accounts.models import Member
from groupket.accounts.services.registration import Signup, register_member, verify_email
from groupket.accounts.tokens import make_verification_token
from groupket.core.actors import SystemActor
from groupket.staff.services.roles import grant_role

# Demo use only, like load_demo's members: it follows the member password rules and is printed below.
USERNAME = "officer.demo"
NAME = "Demo Officer"
EMAIL = "officer.demo@demo.example"
PASSWORD = "harbor4Signal-73"
ROLE = "privacy_officer"


class Command(BaseCommand):
    help = "Create a demo privacy officer (left alone if it exists) and print its login."

    def handle(self, *args: Any, **options: Any) -> None:
        # A staff account with a published password must never exist on a real deployment.
        if settings.GROUPKET_ENV == "production":
            raise CommandError("load_staff_demo creates a staff account with a published password; not in production.")
        if Member.objects.with_username(USERNAME).exists():
            self.stdout.write(self.style.SUCCESS("The demo staff account is already there."))
        else:
            self._create()
            self.stdout.write(self.style.SUCCESS("Demo staff account created."))
        self.stdout.write(f"Staff console login (privacy officer): {USERNAME} / {PASSWORD}")
        self.stdout.write(
            f"Sign in at /accounts/login/, then open {settings.SITE_URL}/staff/ (only from this machine). "
            "The first visit asks you to set up an authenticator app (TOTP) and shows 10 backup codes once."
        )

    @staticmethod
    def _create() -> None:
        with transaction.atomic():
            member = register_member(
                signup=Signup(
                    username=USERNAME,
                    name=NAME,
                    email=EMAIL,
                    password=PASSWORD,
                    agree_terms=True,
                    agree_privacy=True,
                    marketing_opt_in=False,
                ),
                channel="demo",
            )
            verify_email(token=make_verification_token(member))
            grant_role(
                officer=SystemActor.operator("load_staff_demo"),
                member=member,
                role=ROLE,
                reason="demo staff account (load_staff_demo)",
            )
