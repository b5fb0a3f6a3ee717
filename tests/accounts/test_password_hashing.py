"""Argon2id costs the operator sets: new hashes use them, older hashes are re-made at the next sign-in, and
settings weaker than OWASP's minimum are refused by `manage.py check` (P7.1)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client

from groupket.accounts.checks import check_argon2_costs
from groupket.accounts.models import Member
from tests.factories import DEFAULT_PASSWORD

BASE_DIR = Path(__file__).resolve().parent.parent.parent
TUNED = "groupket.accounts.hashers.TunedArgon2PasswordHasher"
# Test-sized costs, different from those the factories' hashes were made with (tests.hashers.QuickArgon2Hasher).
TEST_COSTS = {"time_cost": 1, "memory_cost": 512, "parallelism": 2}


def costs_of(encoded: str) -> tuple[int, int, int]:
    decoded = identify_hasher(encoded).decode(encoded)
    return decoded["time_cost"], decoded["memory_cost"], decoded["parallelism"]


@pytest.fixture
def tuned(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = [TUNED]
    settings.GROUPKET_ARGON2 = TEST_COSTS


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_a_hash_with_other_costs_is_remade_with_the_settings_at_the_next_sign_in(
    client: Client, member: Member, tuned: None
) -> None:
    before = member.password
    assert costs_of(before) == (1, 256, 1)
    client.post("/accounts/login/", {"username": member.username, "password": DEFAULT_PASSWORD})
    member.refresh_from_db()
    assert member.password.startswith("argon2$argon2id$")
    assert costs_of(member.password) == (1, 512, 2)
    assert member.check_password(DEFAULT_PASSWORD)
    assert client.get("/me/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_password_leaves_the_old_hash(client: Client, member: Member, tuned: None) -> None:
    before = member.password
    client.post("/accounts/login/", {"username": member.username, "password": "not-the-password-1"})
    member.refresh_from_db()
    assert member.password == before


@pytest.mark.django_db
def test_new_hashes_use_the_settings(tuned: None) -> None:
    member = Member(username="fresh.member")
    member.set_password(DEFAULT_PASSWORD)
    assert costs_of(member.password) == (1, 512, 2)


@pytest.mark.parametrize(
    ("time_cost", "memory_cost", "parallelism", "errors"),
    [
        (2, 19456, 1, []),  # OWASP's minimum, the default
        (1, 47104, 1, []),  # one of OWASP's equal pairs
        (2, 102400, 8, []),  # Django's default
        (2, 19455, 1, ["accounts.E001"]),
        (1, 19456, 1, ["accounts.E001"]),
        (4, 8192, 1, ["accounts.E001"]),
        (2, 19456, 0, ["accounts.E002"]),
    ],
)
def test_the_check_refuses_costs_below_owasps_minimum(
    settings: pytest.FixtureRequest, time_cost: int, memory_cost: int, parallelism: int, errors: list[str]
) -> None:
    settings.GROUPKET_ARGON2 = {"time_cost": time_cost, "memory_cost": memory_cost, "parallelism": parallelism}
    assert [message.id for message in check_argon2_costs()] == errors


@pytest.mark.clause("P7.1")
def test_manage_py_check_fails_on_weak_costs_from_the_environment(tmp_path: Path) -> None:
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("GROUPKET_", "DATABASE_", "REDIS_"))},
        "GROUPKET_VAR_DIR": str(tmp_path),
        "GROUPKET_ARGON2_MEMORY_COST": "8192",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "accounts.E001" in result.stderr
    assert "memory_cost=8192" in result.stderr
