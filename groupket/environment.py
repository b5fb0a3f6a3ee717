"""How settings.py reads the environment: django-environ, made strict.

django-environ reads a boolean it does not know ("ture") as False, reads "24h" as the number 24, and takes
a value starting with "$" as the name of another variable. Here each of those is a startup error naming the
variable (README, "Configuration"), and "$" is an ordinary character: a Django secret key may begin with it.
An error never repeats a value that may be secret (EMAIL_URL carries a password).
"""

import math
from urllib.parse import parse_qs, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


class StrictEnv(environ.Env):
    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        raw = self.ENVIRON.get(var)
        try:
            if isinstance(raw, str) and raw.startswith("$"):
                return self.parse_value(raw, cast)  # the value itself, not django-environ's "$OTHER_VARIABLE"
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        except ValueError as error:
            raise ImproperlyConfigured(f"{var} {error}") from None

    @classmethod
    def parse_value(cls, value, cast):
        if cast is bool and not isinstance(value, bool):
            word = str(value).strip().lower()
            if word not in TRUE_WORDS + FALSE_WORDS:
                raise ValueError(f"must be one of {', '.join(TRUE_WORDS + FALSE_WORDS)}, not {value!r}")
            return word in TRUE_WORDS
        if cast is int and not isinstance(value, int):
            text = str(value).strip()
            if not text.isascii() or not text.isdigit():
                raise ValueError(f"must be a whole number, not {value!r}")
            return int(text)
        if cast is float and not isinstance(value, float | int):
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise ValueError(f"must be a number, not {value!r}")
            return number
        return super().parse_value(value, cast)

    def choice(self, var: str, *, choices: tuple[str, ...], default: str) -> str:
        value = self.str(var, default=default)
        if value not in choices:
            raise ImproperlyConfigured(f"{var} must be one of {', '.join(choices)}, not {value!r}")
        return value


def smtp_settings(url: str) -> dict[str, object]:
    """Django's EMAIL_* settings for EMAIL_URL, read by django-environ with Groupket's meaning of the schemes.

    smtp://user:password@host:port is plain SMTP, with ?starttls=1 upgraded by STARTTLS; smtps:// is SMTP
    over TLS from the first byte (port 465 by default). django-environ itself takes smtps:// for STARTTLS.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (reading it checks it is a number)
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has a port that is not a number") from None
    if parts.scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured("EMAIL_URL must start with smtp:// or smtps://")
    query = parse_qs(parts.query, keep_blank_values=True)
    if set(query) - {"starttls"} or query.get("starttls", ["0"]) not in (["0"], ["1"]):
        raise ImproperlyConfigured("EMAIL_URL accepts one option only: ?starttls=1 (or 0)")
    config = environ.Env.email_url_config(url)
    tls = parts.scheme == "smtps"
    starttls = query.get("starttls") == ["1"]
    if tls and starttls:
        raise ImproperlyConfigured("EMAIL_URL: smtps:// is TLS already; ?starttls=1 goes with smtp://")
    return {
        "EMAIL_HOST": config["EMAIL_HOST"] or "localhost",
        "EMAIL_PORT": config["EMAIL_PORT"] or (465 if tls else 25),
        "EMAIL_HOST_USER": config["EMAIL_HOST_USER"] or "",
        "EMAIL_HOST_PASSWORD": config["EMAIL_HOST_PASSWORD"] or "",
        "EMAIL_USE_SSL": tls,
        "EMAIL_USE_TLS": starttls,
    }
