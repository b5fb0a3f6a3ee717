from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from groupket.accounts.models import Member
from groupket.accounts.services.sessions import start_sign_in
from groupket.accounts.session_store import SessionStore
from groupket.core.actors import SystemActor
from tests.clamd_peer import clamd_daemon  # noqa: F401 (a session fixture: one real clamd for every test)
from tests.factories import MemberFactory

# The query-count baselines every page's test adds its own queries to (Habit 13), counted once the browser has
# been there. A member's page: the session, the member, the sign-in check (accounts' middleware) and the policy
# versions in force (privacy's renewal middleware).
MEMBER_PAGE_QUERIES = 4
# A staff console page: the session, the member, the devices, the sign-in, the roles, the agreements, the session
# save (one UPDATE, no savepoint: accounts.session_store). The first page of a sign-in costs one more.
CONSOLE_QUERIES = 9


@pytest.fixture(autouse=True)
def _isolated_keys_and_mail(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Each test gets its own keyring file and mail folder."""
    settings.GROUPKET_KEYRING_FILE = tmp_path / "keyring.json"
    settings.GROUPKET_KEYRING = ""
    settings.GROUPKET_MAIL_DIR = tmp_path / "mail"
    settings.EMAIL_BACKEND = "groupket.core.mail.EmlFileBackend"
    settings.PASSWORD_HASHERS = ["tests.hashers.QuickArgon2Hasher"]


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def mail_dir(settings: pytest.FixtureRequest) -> Path:
    return Path(settings.GROUPKET_MAIL_DIR)


@pytest.fixture
def member(db: None) -> Member:
    return MemberFactory()


def sign_in(client: Client, member: Member, *, shared_computer: bool = False) -> None:
    """Sign the member in on this test client, exactly as the login view does."""
    request = RequestFactory().get("/", HTTP_USER_AGENT="pytest-browser")
    request.session = SessionStore()
    start_sign_in(request=request, member=member, shared_computer=shared_computer)
    request.session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key


@pytest.fixture
def signed_in(client: Client, member: Member) -> Callable[..., Client]:
    sign_in(client, member)
    return client


# Test data is set up as the operator would on the server: a recorded system actor, never None.
TEST_SETUP = SystemActor("test setup")


def make_staff(*roles: str, **member_fields: str) -> Member:
    """A member holding these roles, with a confirmed authenticator, as the privacy officer would set up."""
    from groupket.staff.models import Authenticator
    from groupket.staff.services.roles import grant_role

    staff = MemberFactory(**member_fields)
    for role in roles:
        grant_role(officer=TEST_SETUP, member=staff, role=role, reason="test staff")
    Authenticator.objects.create(
        user=staff, data_key_id=staff.data_key_id, name="authenticator", secret=Authenticator.new_secret()
    )
    return staff


def sign_in_staff(client: Client, staff: Member) -> None:
    """Sign a staff member in and pass the second factor, as the verify page does."""
    from django_otp import login as otp_login

    from groupket.staff.models import Authenticator

    request = RequestFactory().get("/", HTTP_USER_AGENT="pytest-browser")
    request.session = SessionStore()
    start_sign_in(request=request, member=staff, shared_computer=False)
    request.user = staff
    otp_login(request, Authenticator.objects.get(user=staff))
    request.session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
