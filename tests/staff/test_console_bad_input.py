"""Random input to every staff console form: a clear refusal or a change, never a server error (issue 4)."""

import uuid

import pytest
from django.test import Client
from hypothesis import given

from groupket.staff.models import RoleGrant
from groupket.staff.services.requests import file_web_request
from tests.conftest import make_staff, sign_in_staff
from tests.factories import MemberFactory
from tests.test_bad_input import FUZZ, form, junk

REQUEST = "/staff/requests/{request}/"
CONSOLE_FORMS = {
    "/staff/roles/grant/": ["username", "role", "reason"],
    "/staff/roles/{grant}/revoke/": ["reason"],
    "/staff/roles/reset-authenticator/": ["username", "reason"],
    "/staff/members/": ["query", "reason", "reference", "note"],
    "/staff/legal/new/": [
        "agency",
        "legal_basis",
        "reference",
        "received_on",
        "usernames",
        "items",
        "period_start",
        "period_end",
        "notice_forbidden",
        "notice_forbidden_until",
        "notice_forbidden_reason",
    ],
    "/staff/notices/": ["subject_en", "subject_ko", "body_en", "body_ko"],
    "/staff/policy/": [
        "kind",
        "effective_on",
        "material",
        "disadvantageous",
        "summary_en",
        "summary_ko",
        "body_en",
        "body_ko",
        "preview_digest",
    ],
    REQUEST + "notes/": ["notes"],
    REQUEST + "answer/": ["answer"],
    REQUEST + "correct/": ["item", "value"],
    REQUEST + "delete/": ["item", "confirm"],
    "/staff/retained/": ["reference", "q", "query"],
    "/staff/retained/{record}/": ["purpose"],
    "/staff/password/": ["old_password", "new_password1", "new_password2"],
    "/staff/verify/": ["code", "next"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(CONSOLE_FORMS))
def test_console_forms_answer_random_input_without_a_server_error(path: str) -> None:
    officer = make_staff("privacy_officer", "records_custodian")
    requester = MemberFactory()
    filed = file_web_request(member=requester, kind="access", name="Mina", email=requester.email, body="My data?")
    grant = RoleGrant.objects.get(member_ref=officer.pk, role="records_custodian")
    url = path.format(request=filed.pk, grant=grant.pk, record=uuid.UUID(int=7))
    client = Client(raise_request_exception=True)
    sign_in_staff(client, officer)

    @FUZZ
    @given(data=form(CONSOLE_FORMS[path]))
    def post_random(data: dict) -> None:
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)

    post_random()


CONSOLE_QUERIES = {
    "/staff/access-log/": "page",
    "/staff/access-review/": "month",
    "/staff/requests/": "page",
    "/staff/retained/": "ref",
}


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(CONSOLE_QUERIES))
def test_console_pages_answer_random_query_strings_without_a_server_error(path: str) -> None:
    client = Client(raise_request_exception=True)
    sign_in_staff(client, make_staff("privacy_officer", "records_custodian"))

    @FUZZ
    @given(value=junk)
    def get_random(value: str) -> None:
        response = client.get(path, {CONSOLE_QUERIES[path]: value, "show": value})
        assert response.status_code < 500, (path, value)

    get_random()
