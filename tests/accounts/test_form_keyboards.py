"""Every form field brings up the right on-screen keyboard and lets a password manager fill it.

On a phone, `type`/`inputmode` choose the keyboard (the @ key for an email address, digits for a code or a
phone number) and `autocomplete` tells the browser and password managers what goes where: the ID with the
current password on sign-in, a new password on signup and on a change, a one-time code on the second factor.
"""

from html.parser import HTMLParser

import pytest
from django.test import Client

from groupket.accounts.models import Member
from tests.conftest import make_staff, sign_in

USERNAME = {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
NAME = {"autocomplete": "name"}
EMAIL = {"type": "email", "inputmode": "email", "autocomplete": "email", "autocapitalize": "none"}
PHONE = {"type": "tel", "inputmode": "tel", "autocomplete": "tel"}
CURRENT_PASSWORD = {"type": "password", "autocomplete": "current-password"}
NEW_PASSWORD = {"type": "password", "autocomplete": "new-password"}
ONE_TIME_CODE = {"autocomplete": "one-time-code", "autocapitalize": "none"}

SIGNED_OUT_FORMS = {
    "/accounts/signup/": {
        "username": USERNAME,
        "name": NAME,
        "email": EMAIL,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    },
    "/accounts/login/": {"username": USERNAME, "password": CURRENT_PASSWORD},
    "/accounts/password-reset/": {"email": EMAIL},
    "/privacy/contact/": {"name": NAME, "email": EMAIL},
}
MEMBER_FORMS = {
    "/me/edit/": {"name": NAME, "email": EMAIL, "phone": PHONE},
    "/me/password/": {"old_password": CURRENT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    "/me/unregister/": {"password": CURRENT_PASSWORD},
    "/me/export/": {"password": CURRENT_PASSWORD},
}


class _Inputs(HTMLParser):
    """The attributes of every input in <main>, by the input's name."""

    def __init__(self) -> None:
        super().__init__()
        self.in_main = False
        self.inputs: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_main = self.in_main or tag == "main"
        named = dict(attrs)
        if self.in_main and tag == "input" and named.get("name"):
            self.inputs[named["name"]] = named

    def handle_endtag(self, tag: str) -> None:
        self.in_main = self.in_main and tag != "main"


def inputs_on(client: Client, path: str) -> dict[str, dict[str, str | None]]:
    response = client.get(path)
    assert response.status_code == 200, path
    parser = _Inputs()
    parser.feed(response.content.decode())
    return parser.inputs


def mismatches(client: Client, forms: dict[str, dict[str, dict[str, str]]]) -> list[str]:
    found = []
    for path, fields in forms.items():
        inputs = inputs_on(client, path)
        for name, expected in fields.items():
            shown = {key: inputs.get(name, {}).get(key) for key in expected}
            if shown != expected:
                found.append(f"{path} {name}: {shown}, expected {expected}")
    return found


@pytest.mark.django_db
def test_signed_out_forms_bring_up_the_right_keyboard_and_autofill(client: Client) -> None:
    assert mismatches(client, SIGNED_OUT_FORMS) == []


@pytest.mark.django_db
def test_a_members_forms_bring_up_the_right_keyboard_and_autofill(client: Client, member: Member) -> None:
    sign_in(client, member)
    assert mismatches(client, MEMBER_FORMS) == []


@pytest.mark.django_db
def test_the_second_factor_asks_for_a_one_time_code(client: Client) -> None:
    staff = make_staff("support_handler")
    sign_in(client, staff)
    code = inputs_on(client, "/staff/verify/")["code"]
    assert {key: code.get(key) for key in ONE_TIME_CODE} == ONE_TIME_CODE
