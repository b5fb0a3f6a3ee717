from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groupket.accounts.models import Member
from groupket.core.actors import SystemActor
from groupket.staff.roles import ROLES
from groupket.staff.services.roles import RoleChangeRefused, grant_role


class Command(BaseCommand):
    help = (
        "Grant a staff role to a member, as the operator on the server (for the first privacy officer; "
        "after that the privacy officer grants roles in the staff console)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ROLES))
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        member = Member.objects.with_username(options["username"]).filter(is_active=True).first()
        if member is None:
            raise CommandError("no active member has that ID")
        try:
            grant_role(
                officer=SystemActor.operator("grant_role"),
                member=member,
                role=options["role"],
                reason=options["reason"],
            )
        except RoleChangeRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"granted {options['role']} to member {member.pk}"))
