"""`manage.py load_staff_demo`: the demo privacy officer `make run` prints, created once, enrolled on first visit."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate, password_validation
from django.core.management import CommandError, call_command
from django.test import Client

from groupket.accounts.models import Member
from groupket.staff.management.commands import load_staff_demo as demo
from groupket.staff.models import RoleGrant
from groupket.staff.selectors import active_role_slugs
from tests.conftest import sign_in


def load_staff_demo() -> str:
    out = StringIO()
    call_command("load_staff_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_load_staff_demo_twice_leaves_one_privacy_officer_who_must_enrol_first(client: Client) -> None:
    first = load_staff_demo()
    second = load_staff_demo()
    assert "Demo staff account created." in first
    assert "already there" in second
    for output in (first, second):
        assert f"{demo.USERNAME} / {demo.PASSWORD}" in output
        assert "/staff/" in output and "authenticator" in output

    assert Member.objects.count() == 1 and RoleGrant.objects.count() == 1
    officer = authenticate(username=demo.USERNAME, password=demo.PASSWORD)
    assert officer is not None and officer.email_confirmed
    assert active_role_slugs(officer.pk) == {"privacy_officer"}
    password_validation.validate_password(demo.PASSWORD, user=officer)
    # No authenticator comes with it: the first console visit sets one up.
    sign_in(client, officer)
    assert client.get("/staff/")["Location"] == "/staff/enrol/"
    assert "<svg" in client.get("/staff/enrol/").content.decode()


@pytest.mark.django_db
def test_load_staff_demo_refuses_to_run_in_production(settings) -> None:
    settings.GROUPKET_ENV = "production"
    with pytest.raises(CommandError, match="not in production"):
        load_staff_demo()
    assert Member.objects.count() == 0
