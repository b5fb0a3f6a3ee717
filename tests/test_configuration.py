"""Configuration from the environment (README, "Configuration"): a value that cannot be read stops startup.

Settings are read once per process, so each case starts a fresh Python that sets Django up with the
environment under test, as `manage.py` or gunicorn would, and reports what it read or why it stopped.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from groupket.environment import smtp_settings

BASE_DIR = Path(__file__).resolve().parent.parent
READ_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
names = ["DEBUG", "SECRET_KEY", "GROUPKET_KEY_GRACE_HOURS", "LOGGING", "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT",
         "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL"]
seen = {name: getattr(settings, name, None) for name in names}
seen["DATABASE_OPTIONS"] = settings.DATABASES["default"].get("OPTIONS", {})
print(json.dumps(seen))
"""
SMTP_PASSWORD = "s3cret%2Fpassword"


def start_django(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    """A fresh process setting Django up with only these variables of Groupket's (a laptop's defaults otherwise)."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GROUPKET_", "DJANGO_", "EMAIL_", "CLAMD_"))
        and key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    }
    environment = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "groupket.settings",
        "GROUPKET_VAR_DIR": str(tmp_path / "var"),
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def read_settings(tmp_path: Path, **variables: str) -> dict:
    result = start_django(tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def startup_error(tmp_path: Path, **variables: str) -> str:
    """The last line of what a process that could not start said: the exception and its message."""
    result = start_django(tmp_path, **variables)
    assert result.returncode != 0, result.stdout
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("GROUPKET_DEBUG", "ture", "GROUPKET_DEBUG must be one of 1, true, yes, on, 0, false, no, off, not 'ture'"),
        ("GROUPKET_DEBUG", "", "GROUPKET_DEBUG must be one of"),
        ("GROUPKET_KEY_GRACE_HOURS", "24h", "GROUPKET_KEY_GRACE_HOURS must be a number, not '24h'"),
        ("GROUPKET_KEY_GRACE_HOURS", "nan", "GROUPKET_KEY_GRACE_HOURS must be a number, not 'nan'"),
        ("GROUPKET_ARGON2_TIME_COST", "2x", "GROUPKET_ARGON2_TIME_COST must be a whole number, not '2x'"),
        ("GROUPKET_ARGON2_MEMORY_COST", "-1", "GROUPKET_ARGON2_MEMORY_COST must be a whole number, not '-1'"),
        ("GROUPKET_ENV", "prod", "GROUPKET_ENV must be one of development, production, not 'prod'"),
        ("GROUPKET_DB_CONN_MAX_AGE", "1m", "GROUPKET_DB_CONN_MAX_AGE must be a whole number, not '1m'"),
        ("GROUPKET_DB_PREPARED_STATEMENTS", "5", "GROUPKET_DB_PREPARED_STATEMENTS must be one of 1, true, yes, on"),
        ("GROUPKET_LOG_LEVEL", "verbose", "GROUPKET_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("GROUPKET_ANALYTICS_INSERT_TIMEOUT", "0", "GROUPKET_ANALYTICS_INSERT_TIMEOUT must be seconds from 0.001"),
        ("GROUPKET_ANALYTICS_INSERT_TIMEOUT", "-5", "GROUPKET_ANALYTICS_INSERT_TIMEOUT must be seconds from 0.001"),
    ],
)
def test_a_value_that_cannot_be_read_stops_startup_naming_the_variable(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    error = startup_error(tmp_path, **{variable: value})
    assert error.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert message in error


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"http://user:{SMTP_PASSWORD}@mail.example:25", "EMAIL_URL must start with smtp:// or smtps://"),
        (f"smtp://user:{SMTP_PASSWORD}@mail.example:twenty-five", "EMAIL_URL has a port that is not a number"),
        (f"smtp://user:{SMTP_PASSWORD}@mail.example:587?startls=1", "EMAIL_URL accepts one option only"),
        (f"smtp://user:{SMTP_PASSWORD}@mail.example:587?starttls=yes", "EMAIL_URL accepts one option only"),
        (f"smtps://user:{SMTP_PASSWORD}@mail.example?starttls=1", "smtps:// is TLS already"),
    ],
)
def test_a_bad_email_url_stops_startup_without_repeating_its_password(tmp_path: Path, url: str, message: str) -> None:
    error = startup_error(tmp_path, EMAIL_URL=url)
    assert message in error
    assert "s3cret" not in error


def test_read_values_reach_the_settings(tmp_path: Path) -> None:
    seen = read_settings(
        tmp_path,
        GROUPKET_DEBUG="On",
        GROUPKET_KEY_GRACE_HOURS="1.5",
        GROUPKET_LOG_LEVEL="WARNING",
        # A Django secret key may begin with "$": it is the key, not the name of another variable.
        GROUPKET_SECRET_KEY="$not-a-variable-name",
        EMAIL_URL="smtp://no-reply%40groupket.example:p%40ss%2Fword@mail.example:587?starttls=1",
    )
    assert (seen["DEBUG"], seen["GROUPKET_KEY_GRACE_HOURS"]) == (True, 1.5)
    assert seen["LOGGING"]["root"]["level"] == "WARNING"
    assert seen["SECRET_KEY"] == "$not-a-variable-name"
    assert seen["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (seen["EMAIL_HOST"], seen["EMAIL_PORT"]) == ("mail.example", 587)
    assert (seen["EMAIL_HOST_USER"], seen["EMAIL_HOST_PASSWORD"]) == ("no-reply@groupket.example", "p@ss/word")
    assert (seen["EMAIL_USE_TLS"], seen["EMAIL_USE_SSL"]) == (True, False)


@pytest.mark.parametrize(("prepared", "threshold"), [({}, 5), ({"GROUPKET_DB_PREPARED_STATEMENTS": "off"}, None)])
def test_postgresql_binds_parameters_on_the_server_and_prepares_what_runs_often(
    tmp_path: Path, prepared: dict[str, str], threshold: int | None
) -> None:
    # Only named, not reached: setting Django up opens no connection. What the URL asks for is kept.
    url = "postgres://groupket@db.example:5432/groupket?sslmode=verify-full"
    seen = read_settings(tmp_path, DATABASE_URL=url, **prepared)
    assert seen["DATABASE_OPTIONS"] == {
        "sslmode": "verify-full",
        "server_side_binding": True,
        "prepare_threshold": threshold,
    }


def test_the_defaults_are_a_laptops(tmp_path: Path) -> None:
    seen = read_settings(tmp_path)
    assert (seen["DEBUG"], seen["GROUPKET_KEY_GRACE_HOURS"]) == (False, 24.0)
    assert seen["EMAIL_BACKEND"] == "groupket.core.mail.EmlFileBackend"
    assert (tmp_path / "var" / "secret_key").read_text().strip() == seen["SECRET_KEY"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example", {"EMAIL_PORT": 25, "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False}),
        ("smtp://mail.example:2525?starttls=0", {"EMAIL_PORT": 2525, "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False}),
        ("smtp://mail.example:587?starttls=1", {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False}),
        # django-environ alone would take smtps:// for STARTTLS; for Groupket it is TLS from the first byte.
        ("smtps://mail.example", {"EMAIL_PORT": 465, "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": True}),
    ],
)
def test_each_documented_form_of_email_url(url: str, expected: dict) -> None:
    config = smtp_settings(url)
    assert config["EMAIL_HOST"] == "mail.example"
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("", "")
    assert {name: config[name] for name in expected} == expected


def test_an_email_url_scheme_django_environ_knows_but_groupket_does_not_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="must start with smtp:// or smtps://"):
        smtp_settings("consolemail://")
