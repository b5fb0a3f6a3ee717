"""`manage.py load_demo`: the members `make run` prints, created once and able to sign in."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, password_validation
from django.core.management import CommandError, call_command

from groupket.accounts.management.commands.load_demo import DEMO_MEMBERS
from groupket.accounts.models import Member
from groupket.privacy.models import ConsentEvent
from tests.factories import MemberFactory


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_twice_leaves_three_members_who_can_sign_in_with_the_printed_passwords() -> None:
    first = load_demo()
    assert "3 demo members created, 0 already there." in first
    second = load_demo()
    assert "0 demo members created, 3 already there." in second

    assert Member.objects.count() == 3
    for demo in DEMO_MEMBERS:
        # Every login is printed each time, so a second `make run` still shows how to sign in.
        line = next(line for line in second.splitlines() if line.strip().startswith(demo.username))
        assert demo.name in line and demo.email in line and demo.password in line
        member = authenticate(username=demo.username, password=demo.password)
        assert member is not None
        assert member.name == demo.name and member.email == demo.email
        assert member.email_confirmed
        # Created through signup's own service, so both agreements are on the ledger like any member's.
        agreed = set(ConsentEvent.objects.filter(member=member, granted=True).values_list("document", flat=True))
        assert agreed == {"terms", "privacy"}
        # The demo passwords pass the rules a member's password must pass.
        password_validation.validate_password(demo.password, user=member)
    assert "load_staff_demo" in second


@pytest.mark.django_db
def test_load_demo_sends_no_confirmation_mail_to_the_members_it_has_verified(
    mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        load_demo()
    assert len(callbacks) == 3  # the signup service asked for a mail for each member, after its commit
    assert sorted(mail_dir.glob("*.eml")) == []  # an absent folder globs to nothing as well


@pytest.mark.django_db
def test_a_member_who_has_not_confirmed_still_gets_the_mail(mail_dir: Path, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        MemberFactory()
    assert len(list(mail_dir.glob("*.eml"))) == 1


@pytest.mark.django_db
def test_load_demo_leaves_an_existing_member_alone() -> None:
    load_demo()
    member = Member.objects.with_username(DEMO_MEMBERS[0].username).get()
    member.set_password("changed8Password-x")
    member.save(update_fields=["password"])

    load_demo()

    assert Member.objects.count() == 3
    assert authenticate(username=DEMO_MEMBERS[0].username, password="changed8Password-x") is not None
    assert authenticate(username=DEMO_MEMBERS[0].username, password=DEMO_MEMBERS[0].password) is None


@pytest.mark.django_db
def test_load_demo_refuses_to_run_in_production(settings) -> None:
    settings.GROUPKET_ENV = "production"
    with pytest.raises(CommandError, match="does not run in production"):
        load_demo()
    assert Member.objects.count() == 0
