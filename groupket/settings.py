"""Groupket settings.

Every setting that varies between machines is read from the environment here and
nowhere else (README, "Configuration"). The defaults are safe on a laptop;
GROUPKET_ENV=production turns on every production safeguard.
"""

import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from groupket.environment import StrictEnv, smtp_settings

BASE_DIR = Path(__file__).resolve().parent.parent
# A value that cannot be read as its type stops startup, naming the variable (groupket.environment).
env = StrictEnv()
VAR_DIR = Path(env.str("GROUPKET_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

GROUPKET_ENV = env.choice("GROUPKET_ENV", choices=("development", "production"), default="development")
PRODUCTION = GROUPKET_ENV == "production"


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env.str(name, default=default).split(",") if item.strip()]


def _secret_key() -> str:
    key = env.str("GROUPKET_SECRET_KEY", default="")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("GROUPKET_SECRET_KEY must be set when GROUPKET_ENV=production")
    # A laptop gets a random key kept beside the database, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("GROUPKET_DEBUG", default=False)
ALLOWED_HOSTS = _list("GROUPKET_ALLOWED_HOSTS", "127.0.0.1,localhost")
SITE_URL = env.str("GROUPKET_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "groupket.core",
    "groupket.privacy",
    "groupket.accounts",
    "groupket.staff",
    "groupket.spaces",
    "groupket.moderation",
    "groupket.orders",
    "django_otp",  # its Device, throttle and middleware; the devices themselves are staff's, sealed
    "groupket.analytics",  # last: it may read every app above it, and none reads it
]

MIDDLEWARE = [
    # First: everything after it, throttling and the staff network gate included, sees the visitor's address.
    "groupket.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "groupket.core.middleware.PermissionsPolicyMiddleware",
    "groupket.core.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store on every response to a signed-in member and to every sent form (P7.5).
    "groupket.core.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "groupket.accounts.middleware.SignInActivityMiddleware",
    # Ends staff sessions after 30 idle minutes or 12 hours (P7.7); ordinary members cost it no query.
    "groupket.staff.middleware.StaffSessionMiddleware",
    # After the sign-in check, so a session just ended is not sent to the renewal page (P3.1).
    "groupket.privacy.middleware.PolicyAgreementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it sees the signed-in member and the resolved page; with consent only, it counts the page (P9.1).
    "groupket.analytics.middleware.CookieChoiceMiddleware",
]

ROOT_URLCONF = "groupket.urls"
WSGI_APPLICATION = "groupket.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "groupket" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "groupket.accounts.context_processors.member_notices",
                "groupket.staff.context_processors.staff_console_link",
                "groupket.spaces.context_processors.space_desk_links",
            ],
        },
    },
]

# Django's renderer, with the plain <input> widgets drawn without their two templates (core.form_renderer).
FORM_RENDERER = "groupket.core.form_renderer.FormRenderer"
# The empty login and signup pages of a visitor not signed in are rendered once per process, each response getting
# its own CSRF token (core.page_shells). Production only: there the templates change only with a release, which
# restarts gunicorn; on a laptop runserver reloads an edited template.
GROUPKET_PAGE_SHELLS = PRODUCTION

# --- Database -------------------------------------------------------------------
# Persistent connections in production, each ended after this many seconds (so that a PostgreSQL backend's memory
# does not only grow); bench/sign_in.py holds its own through a run. Outside production each request has its own.
_CONN_MAX_AGE = env.int("GROUPKET_DB_CONN_MAX_AGE", default=60)
DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'groupket.sqlite3'}"),
        conn_max_age=_CONN_MAX_AGE if PRODUCTION else 0,
    )
}
# On PostgreSQL, parameters travel apart from the statement (server-side binding), so that a statement run again on
# a connection is parsed and planned once: psycopg prepares it at its sixth run, its own default (bench/sign_in.py:
# a third of PostgreSQL's CPU for a sign-in). Off for a pooler that cannot keep prepared statements (PgBouncer in
# transaction mode before 1.21).
_PREPARED_STATEMENTS = env.bool("GROUPKET_DB_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with bulk statements cut to the protocol's parameter limit (core.postgresql).
    DATABASES["default"]["ENGINE"] = "groupket.core.postgresql"
    # Added to what the URL's query string says (sslmode and the like), never in its place.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5 if _PREPARED_STATEMENTS else None
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with the database file (and its -wal and -shm) created 0600.
    DATABASES["default"]["ENGINE"] = "groupket.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        # WAL for concurrent readers; secure_delete so freed pages are zeroed (P8.5).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA secure_delete=ON; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # The test database is a file, so tests can read its raw bytes (P8.5).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-groupket.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# W040: SQLite keeps an index's key columns and leaves out its INCLUDE columns (the feed index covers space and
# state for PostgreSQL's index-only scans, bench/feed.py); the index is still right there, only not covering.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Cache and tasks ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# A Redis restart is waited out (10 tries over about 6 s) rather than shown as error pages; what it costs is the
# cache and the throttling counters it held (README, "Running in production").
GROUPKET_REDIS_CACHE_OPTIONS = {"retry": Retry(ExponentialBackoff(cap=1.0, base=0.05), 10), "socket_connect_timeout": 1}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "groupket.core.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": GROUPKET_REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Without a broker, tasks run in-process so `make run` needs no server. Celery still opens a
# producer to check serializers on an eager call: the in-memory transport keeps it off the network.
CELERY_TASK_ALWAYS_EAGER = not env.str("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# The broker is RabbitMQ (README, "The task broker"): it puts a message back in its queue the moment the worker
# holding it loses its connection, so a killed worker's task runs again at once; Redis as a broker hands it out
# again only after a visibility timeout that must outlast the longest task. It also keeps queued tasks apart
# from the cache, so restarting Redis loses no task. Acknowledged late, one at a time: a task taken by a worker
# that dies is delivered again, so every task is written to be run again safely (each tasks.py says how).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Scheduled jobs change the keyring and the access log's files, so they run on the keyring host's own worker
# (deploy/systemd/groupket-schedules.service reads this queue); everything else goes to the default "celery".
CELERY_TASK_ROUTES = {"groupket.core.tasks.run_scheduled_job": {"queue": "schedules"}}

# --- Members, passwords, sessions -----------------------------------------------------
AUTH_USER_MODEL = "accounts.Member"
AUTHENTICATION_BACKENDS = ["groupket.accounts.backends.MemberBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:me"
PASSWORD_HASHERS = [
    # Argon2id first: every new hash is Argon2id (P7.1), with the costs below; Django's own hashes still verify.
    "groupket.accounts.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Argon2id costs (README, "Password hashing"): OWASP's minimum by default, t=2 and 19 MiB on one lane, rather than
# Django's 100 MiB on 8 lanes, which costs each sign-in about 9 times the CPU and 5 times the memory, and whose
# lanes buy nothing on a node of few cores. accounts.checks refuses anything below OWASP's minimum.
GROUPKET_ARGON2 = {
    "time_cost": env.int("GROUPKET_ARGON2_TIME_COST", default=2),
    "memory_cost": env.int("GROUPKET_ARGON2_MEMORY_COST", default=19456),  # KiB
    "parallelism": env.int("GROUPKET_ARGON2_PARALLELISM", default=1),
}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "groupket.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "groupket.accounts.passwords.LettersAndDigitsValidator"},
    {"NAME": "groupket.accounts.passwords.NoPersonalItemsValidator"},
    {"NAME": "groupket.accounts.passwords.CommonPasswordValidator"},
]
# Database sessions, a sign-in's written once with all it holds (accounts/session_store.py).
SESSION_ENGINE = "groupket.accounts.session_store"
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
GROUPKET_SHARED_COMPUTER_IDLE_SECONDS = 30 * 60
GROUPKET_VERIFICATION_MAX_AGE = 48 * 3600
GROUPKET_UNVERIFIED_DAYS = 7
# A previous address is kept, sealed, only to send it the notice of the change (accounts.EmailChangeNotice).
GROUPKET_UNSENT_NOTICE_DAYS = 2
GROUPKET_RESET_MAX_AGE = 3600
# Django's reset tokens (accounts.services.passwords) expire after one hour.
PASSWORD_RESET_TIMEOUT = GROUPKET_RESET_MAX_AGE
GROUPKET_LOGIN_RECORD_DAYS = 90
GROUPKET_PASSWORD_REMINDER_DAYS = 180
GROUPKET_PASSWORD_SNOOZE_DAYS = 30
# Rules of apps below accounts, applied on every page that sets a password (accounts.services.passwords):
# policy(*, member, new_password) -> list of translated reasons to refuse it (empty: allowed), and
# recorder(*, member, old_password_hash), called after each change in the same transaction.
GROUPKET_PASSWORD_POLICIES = ["groupket.staff.services.safeguards.staff_password_policy"]
GROUPKET_PASSWORD_CHANGE_RECORDERS = ["groupket.staff.services.safeguards.record_password_change"]
# What apps below accounts learn about a member as they sign in, read in the sign-in's own member query rather
# than in one query each after it (accounts.backends): {attribute: "path.to.read"}, read(member) -> an expression
# over the member's row (member is OuterRef("pk")), whose value is left on the signed-in member as that attribute.
# The query is compiled once per process (accounts.backends._sign_in_statement): a read may hold no value of the
# moment (a time, a setting read at call time), which would stay as it was at the first sign-in.
GROUPKET_SIGN_IN_READS = {
    "holds_staff_role": "groupket.staff.selectors.holds_role",
    "cookie_choice_in_ledger": "groupket.analytics.selectors.cookie_choice_in_ledger",
}
# Steps of apps below accounts run by Unregister in its transaction, before the member's key is destroyed:
# step(*, member, keep_writing) -> {destruction-log category: count} (accounts.services.unregister);
# keep_writing is the member's choice to leave their posts and comments under "Withdrawn member".
GROUPKET_WITHDRAWAL_STEPS = [
    "groupket.moderation.withdrawal.withdraw_from_moderation",
    "groupket.spaces.withdrawal.withdraw_from_spaces",
    "groupket.orders.withdrawal.withdraw_from_orders",
]

# Data exports (P6.1): downloadable for a day, destroyed after a week.
GROUPKET_EXPORT_DOWNLOAD_HOURS = 24
GROUPKET_EXPORT_KEEP_DAYS = 7
# The sections of data.json, in order (privacy.export_sections); each app lists its own here.
GROUPKET_EXPORT_SECTIONS = [
    "groupket.accounts.export.items",
    "groupket.privacy.export_sections.consents",
    "groupket.accounts.export.login_records",
    "groupket.accounts.export.sessions",
    "groupket.privacy.export_sections.disclosures",
    "groupket.spaces.export.spaces",
    "groupket.spaces.export.posts",
    "groupket.spaces.export.post_images",
    "groupket.spaces.export.comments",
    "groupket.spaces.export.likes",
    "groupket.moderation.export.reports",
    "groupket.moderation.export.moderation_decisions",
    "groupket.orders.export.orders",
    "groupket.spaces.export.notifications",
    "groupket.spaces.export.notification_mail",
]
# Feeds (spaces.feeds): posts per page.
GROUPKET_FEED_PAGE_SIZE = 20
# Screening before a post or comment is shown (spaces.screening, P10.1), and the report link beside each: a
# written action is a function called once a page that returns the maker of its HTML for one post or comment,
# `make(written, kind="post" or "comment", slug=<the space's>)` -> SafeString (spaces.cards.written_actions).
GROUPKET_SCREENING = "groupket.moderation.screening.screen"
GROUPKET_WRITTEN_ACTIONS = ["groupket.moderation.links.report_links"]
GROUPKET_SPACE_DESK_LINKS = ["moderation/_space_link.html"]

# Scheduled jobs (core.schedules): Celery beat in production, `manage.py run_schedules` from cron.
GROUPKET_SCHEDULES = {
    "delete_unverified_members": {
        "function": "groupket.accounts.services.cleanup.delete_unverified_members",
        "every_hours": 1,
    },
    "purge_stale_reset_requests": {
        "function": "groupket.accounts.services.cleanup.purge_stale_reset_requests",
        "every_hours": 1,
    },
    "destroy_unsent_email_change_notices": {
        "function": "groupket.accounts.services.cleanup.destroy_unsent_email_change_notices",
        "every_hours": 24,
    },
    "purge_old_login_records": {
        "function": "groupket.accounts.services.sign_in.purge_old_login_records",
        "every_hours": 24,
    },
    "destroy_expired_master_keys": {
        "function": "groupket.core.rotation.destroy_expired_master_key_count",
        "every_hours": 1,
    },
    # Every 2 years from opt-in, news subscribers are told they are still subscribed (P4.1).
    "remind_news_subscribers": {
        "function": "groupket.privacy.services.reminders.remind_news_subscribers",
        "every_hours": 24,
    },
    "destroy_expired_exports": {
        "function": "groupket.privacy.services.exports.destroy_expired_exports",
        "every_hours": 24,
    },
    "sweep_retained_records": {
        "function": "groupket.privacy.services.retention.sweep_retained_records",
        "every_hours": 24,
    },
    # The retained records' month partitions ahead of need, so that no Unregister makes one (PostgreSQL).
    "make_upcoming_retained_partitions": {
        "function": "groupket.privacy.services.retention.make_upcoming_retained_partitions",
        "every_hours": 24,
    },
    # Emails to the privacy officer become requests on the desk (P6.2); nothing when no mailbox is set.
    "fetch_officer_mail": {
        "function": "groupket.staff.services.intake.fetch_officer_mail",
        "every_hours": 1,
    },
    # A legal request may forbid telling the member until a date; the notice goes out that day (P5.2).
    "send_due_disclosure_notices": {
        "function": "groupket.privacy.services.disclosures.send_due_disclosure_notices",
        "every_hours": 24,
    },
    # Staff access records are kept 2 years (P7.8).
    "purge_old_access_log": {
        "function": "groupket.staff.services.access_log.purge_old_access_log",
        "every_hours": 24,
    },
    # The access log's newest row, signed into a file beside the keyring (P7.8).
    "checkpoint_access_log": {
        "function": "groupket.staff.services.access_log.checkpoint_access_log",
        "every_hours": 1,
    },
    # The development outbox (no EMAIL_URL) holds names and addresses in plain text: a week, then deleted.
    "delete_old_outbox_mail": {
        "function": "groupket.core.mail.delete_old_outbox_mail",
        "every_hours": 24,
    },
    # Reports, held items, decisions and the moderation log: 1 year after each case closes (P10.1).
    "destroy_closed_moderation_records": {
        "function": "groupket.moderation.retention.destroy_closed_moderation_records",
        "every_hours": 24,
    },
    # Requests to the privacy officer are kept 3 years after they are answered (P8.2).
    "destroy_expired_requests": {
        "function": "groupket.staff.services.requests_retention.destroy_expired_requests",
        "every_hours": 24,
    },
    # Analytics page views become daily and monthly counts; the views themselves go after 90 days (P9.1).
    "roll_up_page_views": {
        "function": "groupket.analytics.services.rollup.roll_up_page_views",
        "every_hours": 24,
    },
    "destroy_old_page_views": {
        "function": "groupket.analytics.services.rollup.destroy_old_page_views",
        "every_hours": 24,
    },
    # Notification mail gathered while a member's last one is under 15 minutes old (spaces.notifications.mail).
    "send_due_notification_mail": {
        "function": "groupket.spaces.notifications.mail.send_due_notification_mail",
        "every_hours": 5 / 60,
    },
}

# Group orders (orders.jobs): deadlines are kept hourly, delivery addresses destroyed daily once the
# order is completed and this many days have passed for disputes.
GROUPKET_SCHEDULES["settle_group_orders"] = {"function": "groupket.orders.jobs.settle_group_orders", "every_hours": 1}
GROUPKET_SCHEDULES["destroy_delivery_addresses"] = {
    "function": "groupket.orders.jobs.destroy_delivery_addresses",
    "every_hours": 24,
}
GROUPKET_ORDER_DISPUTE_DAYS = 30
# The shipping partners an organiser may offer (orders.partners): a JSON list in the environment, each with a slug,
# its names in English and Korean, the delivery items it receives, the purpose and how long it keeps them (P5.4).
GROUPKET_SHIPPING_PARTNERS = env.json(
    "GROUPKET_SHIPPING_PARTNERS",
    default=[
        {
            "slug": "hangang-express",
            "name_en": "Hangang Express",
            "name_ko": "한강택배",
            "purpose_en": "Delivering your order to you",
            "purpose_ko": "주문한 상품 배송",
            "retention_en": "Until 3 months after delivery, then destroyed",
            "retention_ko": "배송 완료 후 3개월까지 보관 후 파기",
        }
    ],
)
# A partner with an API (orders.partner.client; the sandbox: python -m groupket.orders.partner.sandbox) receives
# its hand-offs over HTTP and signs its delivery webhooks: {slug: {"url", "api_key", "webhook_secret"}}. A
# partner not named here gets its hand-offs as a CSV the organiser downloads for the partner's portal.
GROUPKET_SHIPPING_PARTNER_APIS = env.json("GROUPKET_SHIPPING_PARTNER_APIS", default={})
# An order is completed this many days after its last delivery even if a buyer never confirms receipt.
GROUPKET_ORDER_RECEIPT_DAYS = 7
GROUPKET_SCHEDULES["complete_delivered_orders"] = {
    "function": "groupket.orders.jobs.complete_delivered_orders",
    "every_hours": 1,
}

# --- Encryption keys -----------------------------------------------------------------
GROUPKET_KEYRING = env.str("GROUPKET_KEYRING", default="")
GROUPKET_KEYRING_FILE = Path(env.str("GROUPKET_KEYRING_FILE", default=str(VAR_DIR / "keyring.json")))
GROUPKET_KEY_GRACE_HOURS = env.float("GROUPKET_KEY_GRACE_HOURS", default=24.0)
# The access log's MAC keys and signed checkpoints (P7.8); empty: files beside GROUPKET_KEYRING_FILE.
GROUPKET_ACCESS_LOG_KEYS_FILE = env.str("GROUPKET_ACCESS_LOG_KEYS_FILE", default="")
GROUPKET_ACCESS_LOG_CHECKPOINT_FILE = env.str("GROUPKET_ACCESS_LOG_CHECKPOINT_FILE", default="")
# Models whose rows hold a key wrapped by the master key (`wrapped`, `master_key_id`): rotation re-wraps them all.
GROUPKET_WRAPPED_KEY_MODELS = ["core.DataKey", "privacy.RetentionKey"]

# --- Staff (P7.4, P7.7) ------------------------------------------------------------------
# The staff console answers only from these networks (CIDR list); everyone else gets the ordinary 404.
GROUPKET_STAFF_NETWORKS = _list("GROUPKET_STAFF_NETWORKS", "127.0.0.0/8,::1/128")
# Reverse proxies (CIDR list) whose X-Forwarded-For names the visitor (core.middleware.ClientAddressMiddleware).
GROUPKET_TRUSTED_PROXIES = _list("GROUPKET_TRUSTED_PROXIES", "")
GROUPKET_STAFF_PASSWORD_DAYS = 90
GROUPKET_STAFF_PASSWORD_HISTORY = 5
GROUPKET_STAFF_IDLE_SECONDS = 30 * 60
GROUPKET_STAFF_SESSION_SECONDS = 12 * 3600

# --- Uploads -----------------------------------------------------------------------------
CLAMD_SOCKET = env.str("CLAMD_SOCKET", default="")
GROUPKET_PHOTO_MAX_BYTES = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# --- Mail ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("GROUPKET_FROM_EMAIL", default="Groupket <no-reply@groupket.localhost>")
GROUPKET_MAIL_DIR = Path(env.str("GROUPKET_MAIL_DIR", default=str(VAR_DIR / "mail")))
GROUPKET_OUTBOX_KEEP_DAYS = 7
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    _mail = smtp_settings(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail["EMAIL_HOST"]
    EMAIL_PORT = _mail["EMAIL_PORT"]
    EMAIL_HOST_USER = _mail["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _mail["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_SSL = _mail["EMAIL_USE_SSL"]
    EMAIL_USE_TLS = _mail["EMAIL_USE_TLS"]
    EMAIL_TIMEOUT = 20
else:
    # Every message becomes an .eml file a person can open (README, "Mail").
    EMAIL_BACKEND = "groupket.core.mail.EmlFileBackend"

# --- Card payments (P5.3) ----------------------------------------------------------------------
# The payment gateway (Toss Payments' v1 API, or our sandbox: python -m groupket.orders.gateway.sandbox).
# The secret key goes in a Basic Authorization header, so production refuses a plain-HTTP gateway.
GROUPKET_PAYMENT_URL = env.str(
    "GROUPKET_PAYMENT_URL", default="https://api.tosspayments.com" if PRODUCTION else "http://127.0.0.1:8765"
).rstrip("/")
# How long a gateway call may take before its outcome is unknown (then looked up, never sent with a new key).
GROUPKET_PAYMENT_TIMEOUT_SECONDS = 30.0
# The processor card payments are entrusted to, as the inventory, the policy and the disclosure records name it.
_processor = env.str("GROUPKET_PAYMENT_PROCESSOR", default="")
GROUPKET_PAYMENT_PROCESSOR = _processor or "Toss Payments"
# Its name in the Korean policy text (privacy.documents.configured), as the officer's has a Korean form of its own.
GROUPKET_PAYMENT_PROCESSOR_KO = env.str("GROUPKET_PAYMENT_PROCESSOR_KO", default="") or _processor or "토스페이먼츠"
GROUPKET_PAYMENT_SECRET_KEY = env.str("GROUPKET_PAYMENT_SECRET_KEY", default="" if PRODUCTION else "test_sk_sandbox")
if PRODUCTION and not GROUPKET_PAYMENT_URL.startswith("https://"):
    raise ImproperlyConfigured("GROUPKET_PAYMENT_URL must start with https:// when GROUPKET_ENV=production")

# --- The privacy officer (P11.1) ------------------------------------------------------------
_officer_name = env.str("GROUPKET_PRIVACY_OFFICER_NAME", default="")
GROUPKET_PRIVACY_OFFICER = {
    "name": _officer_name or "Groupket Privacy Officer",
    # Korean pages and mails name the officer in Korean rather than glue an English name into Korean text.
    "name_ko": env.str("GROUPKET_PRIVACY_OFFICER_NAME_KO", default="") or _officer_name or "그룹켓 개인정보 보호책임자",
    "email": env.str("GROUPKET_PRIVACY_OFFICER_EMAIL", default="privacy@groupket.localhost"),
    "phone": env.str("GROUPKET_PRIVACY_OFFICER_PHONE", default="+82-2-0000-0000"),
}
# Requests to the officer (P6.2): answered within 10 days; emails read from this mailbox, if set.
GROUPKET_REQUEST_DUE_DAYS = 10
GROUPKET_REQUEST_VERIFY_MAX_AGE = 7 * 24 * 3600
GROUPKET_REQUEST_MESSAGE_MAX_CHARS = 5000
GROUPKET_OFFICER_MAILBOX = env.str("GROUPKET_OFFICER_MAILBOX", default="")
if GROUPKET_OFFICER_MAILBOX and not GROUPKET_OFFICER_MAILBOX.startswith(("maildir:", "imaps://")):
    raise ImproperlyConfigured("GROUPKET_OFFICER_MAILBOX must start with maildir: or imaps://")
GROUPKET_OFFICER_MAIL_MAX_BYTES = 10 * 1024 * 1024
GROUPKET_REQUEST_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
GROUPKET_REQUEST_ATTACHMENTS_MAX = 10

# --- Cookies and analytics (P9.1–P9.3) ---------------------------------------------------------------
# The choice cookie is kept 180 days; the analytics identifier 30, then a new random one replaces it.
GROUPKET_COOKIE_CHOICE_DAYS = 180
GROUPKET_ANALYTICS_ID_DAYS = 30
# A browser counts as returning on a day when it also came on one of the 30 days before.
GROUPKET_ANALYTICS_RETURNING_DAYS = 30
# Staff never see a count under this, nor a figure from which one could be worked out.
GROUPKET_ANALYTICS_MIN_COUNT = 5
# How long a page view's insert may wait on PostgreSQL (a lock, a slow disk) before it is given up: the worker
# that sent the page is not held longer for a count.
GROUPKET_ANALYTICS_INSERT_TIMEOUT = env.float("GROUPKET_ANALYTICS_INSERT_TIMEOUT", default=5.0)
if not 0.001 <= GROUPKET_ANALYTICS_INSERT_TIMEOUT <= 3600:
    # PostgreSQL reads a statement_timeout of 0 as none at all, and a negative one refuses every insert.
    raise ImproperlyConfigured(
        f"GROUPKET_ANALYTICS_INSERT_TIMEOUT must be seconds from 0.001 to 3600, not {GROUPKET_ANALYTICS_INSERT_TIMEOUT}"
    )

# --- Languages -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "groupket" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Seoul"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files ------------------------------------------------------------------------------------
STATIC_URL = "/static/"
# Only production collects static files; a laptop serves them from the source folders.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "groupket" / "static"]
# Without collectstatic (a laptop), whitenoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security headers (P7.3, P7.5) ---------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
GROUPKET_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# --- Logging: never personal data, so only levels and event names go out -----------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env.choice(
            "GROUPKET_LOG_LEVEL", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), default="INFO"
        ),
    },
    "loggers": {
        # Django's request logger prints the path and, on errors, request details.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # httpx logs every request's URL at INFO; the payment gateway's URLs name payment keys and order references.
        "httpx": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
