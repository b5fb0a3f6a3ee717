from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groupket.accounts.models import Member
from groupket.core.actors import SystemActor
from groupket.staff.services.authenticators import AuthenticatorResetRefused, reset_authenticator


class Command(BaseCommand):
    help = (
        "Reset a staff member's lost authenticator as the operator on the server, recorded with the reason "
        "(for a privacy officer's own device; otherwise the officer does it on the role desk)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why, and how you confirmed who asked")

    def handle(self, *args: Any, **options: Any) -> None:
        staff = Member.objects.with_username(options["username"]).filter(is_active=True).first()
        if staff is None:
            raise CommandError("no active member has that ID")
        try:
            reset = reset_authenticator(
                officer=SystemActor.operator("reset_authenticator"), staff=staff, reason=options["reason"]
            )
        except AuthenticatorResetRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"authenticator of member {staff.pk} reset (record {reset.pk}); they enrol anew at their next visit"
            )
        )
