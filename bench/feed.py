"""Feed pages at scale: 100,000 members, 1,000 spaces, 1,000,000 posts on PostgreSQL (issue 11, section 6).

Target: the p95 of a space's feed page, and of the home feed of a member in 50 spaces, is at most 2x the p95
of a bare view in the same run. The bare view runs one indexed query on the same posts table (a space's
newest posts after a cursor) and renders the same number of rows in the same page layout (base.html), but
opens and renders nothing: the difference is what the feeds add (authors and bodies opened, Markdown
rendered and sanitised, likes and mentions looked up).

Requests go through the whole Django stack in-process (the test client, every middleware, a signed-in
member's session), each at a random page: a random space and a random point in its feed for the space
feed and the bare view, a random point of the member's 50 spaces for the home feed. The three are
interleaved, so load on the machine falls on all alike. Data keys stay cached as the product caches them
(at most 10,000 open in a process): most pages meet authors whose keys are not open yet.

Seeding is real data, sealed with the real crypto: every member has a data key of their own (wrapped by
the master key), their ID, name and email sealed under it with blind indexes; every post's title, body and the
body's HTML (made by spaces.markdown.cook, as for a post written on the site) sealed under its author's key.
It is written with COPY, not the ORM, for speed. A seeded database is reused by later runs (the keyring stays
in var/bench-feed/); --reseed starts again.

PostgreSQL only, on the benchmarks' server (BENCH_POSTGRES_URL, bench/common.py), in the database
groupket_bench_feed (BENCH_DATABASE names another): made on the first run and kept for the next, since seeding
takes minutes; --reseed empties it and seeds again. DATABASE_URL is never read.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, postgres_url, write_result  # noqa: E402

MEMBERS = 100_000
SPACES = 1_000
POSTS = 1_000_000
SPACES_PER_MEMBER = 3
VIEWER_SPACES = 50
SAMPLES = 300
WARMUP = 30
TARGET = 2.0
CHUNK = 10_000
SLUG = "bench-space-{}"
VIEWER = "bench.viewer"
PASSWORD = "orange7river-Stone"
VAR_DIR = ROOT / "var" / "bench-feed"


def setup_django() -> None:
    os.environ["GROUPKET_VAR_DIR"] = str(VAR_DIR)
    os.environ.pop("GROUPKET_KEYRING", None)
    os.environ.pop("GROUPKET_KEYRING_FILE", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["GROUPKET_LOG_LEVEL"] = "WARNING"
    os.environ["GROUPKET_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "groupket.settings"
    sys.path.insert(0, str(ROOT))
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "feed_baseline"


# --- seeding ----------------------------------------------------------------------------------------------------


class Progress:
    def __init__(self, total: int) -> None:
        from django.core.management.base import OutputWrapper

        from groupket.core.progress import ProgressBar

        self.bar = ProgressBar(total=total, label="seeding", stream=OutputWrapper(sys.stdout))

    def advance(self, count: int) -> None:
        self.bar.advance(count)


def is_seeded() -> bool:
    from groupket.spaces.markdown import COOK_VERSION
    from groupket.spaces.models import Post, Space

    keyring = Path(VAR_DIR / "keyring.json")
    return (
        keyring.exists()
        and Space.objects.filter(slug=SLUG.format(SPACES - 1)).exists()
        and (Post.objects.count() >= POSTS)
        # Seeded before posts kept their HTML, or by an older cook: seed again, or the feeds would parse every body.
        and not Post.objects.exclude(cooked_with=COOK_VERSION).exists()
    )


def reset_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    (VAR_DIR / "keyring.json").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def _copy(table: str, columns: list[str], rows) -> None:  # noqa: ANN001 - an iterable of tuples
    from django.db import connection

    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _sealer(label: str):  # noqa: ANN202
    from groupket.core.crypto import seal

    def sealed(key: bytes, field: str, text: str) -> bytes:
        return seal(key, text.encode(), aad=f"{label}.{field}".encode())

    return sealed


def seed_members(progress: Progress) -> dict[int, tuple[int, bytes]]:
    """100,000 members, each with a data key of their own; {member id: (data key id, plain key)}."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from groupket.accounts.normalise import normalise_email_key, normalise_username_key
    from groupket.core import blind_index
    from groupket.core.ids import random_row_id
    from groupket.core.keys import wrap_new_key
    from groupket.core.models import DataKey

    sealed, password, now = _sealer("accounts.Member"), make_password(PASSWORD), timezone.now()
    keys: dict[int, tuple[int, bytes]] = {}
    for start in range(1, MEMBERS + 1, CHUNK):
        numbers = range(start, min(start + CHUNK, MEMBERS + 1))
        made = {number: (random_row_id(), *wrap_new_key(DataKey._meta.label)) for number in numbers}
        _copy(
            "core_datakey",
            ["id", "wrapped", "master_key_id", "created_at"],
            ((key_id, wrapped, master, now) for key_id, _plain, wrapped, master in made.values()),
        )
        rows = []
        for number, (key_id, plain, _wrapped, _master) in made.items():
            username, email = f"bench{number}", f"bench{number}@example.org"
            rows.append((
                number, password, key_id, sealed(plain, "username", username),
                blind_index.compute("username", normalise_username_key(username)),
                sealed(plain, "name", f"Bench Member {number}"), sealed(plain, "email", email),
                blind_index.compute("email", normalise_email_key(email)), now, now, True, 0,
            ))  # fmt: skip
            keys[number] = (key_id, plain)
        _copy(
            "accounts_member",
            ["id", "password", "data_key_id", "username", "username_index", "name", "email", "email_index",
             "joined_at", "password_changed_at", "is_active", "unread_notifications"],
            rows,
        )  # fmt: skip
        progress.advance(len(rows))
    _reset_sequence("accounts_member")
    return keys


def _reset_sequence(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # The table name is one of this file's constants, never input.
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608


def seed_spaces(rng: random.Random, progress: Progress) -> dict[int, list[int]]:
    """1,000 public spaces; each member in 3 of them (the first to join owns it); {space id: member ids}."""
    from django.utils import timezone

    from groupket.spaces.models import Space

    Space.objects.bulk_create(
        [
            Space(name=f"Bench space {number}", slug=SLUG.format(number), description="A space of the benchmark.")
            for number in range(SPACES)
        ],
        batch_size=1000,
    )
    space_ids = list(Space.objects.filter(slug__startswith="bench-space-").order_by("pk").values_list("pk", flat=True))
    members_of: dict[int, list[int]] = {space_id: [] for space_id in space_ids}
    for member_id in range(1, MEMBERS + 1):
        for space_id in rng.sample(space_ids, SPACES_PER_MEMBER):
            members_of[space_id].append(member_id)
    now = timezone.now()
    rows = (
        (space_id, member_id, "owner" if index == 0 else "member", "active", now)
        for space_id, member_ids in members_of.items()
        for index, member_id in enumerate(member_ids)
    )
    _copy("spaces_membership", ["space_id", "member_id", "role", "status", "created_at"], rows)
    progress.advance(MEMBERS * SPACES_PER_MEMBER)
    return members_of


BODIES = (
    "**Walk {n}** on Saturday at {h}:00. Meet at the north gate.\n\nBring water and a hat, @bench{m}. "
    "Route and map: https://example.org/walks/{n}\n\n- 8 km, easy\n- back by {e}:00",
    "토요일 {h}시에 성곽길을 걷습니다. 모임 장소는 혜화문 앞입니다.\n\n"
    "> 지난주 사진은 https://example.org/photos/{n} 에 있습니다.\n\n"
    "참가하실 분은 댓글로 알려 주세요. @bench{m} 님도 오시나요?",
    "Question {n}: does anyone know a good shop for hiking boots near Jongno? I tried two already and "
    "neither had my size. Thanks in advance!\n\n*Edit:* found one, thanks @bench{m}.",
)


def seed_posts(rng: random.Random, members_of: dict[int, list[int]], keys: dict, progress: Progress) -> None:
    """1,000 posts in each space by its members over the last two years, sealed under each author's key.

    Written oldest first, as a site receives them: the table's rows and ids then follow time, as on a site, and
    not space after space (which put a home feed page's 20 posts in 20 far-apart places of the table, and a space's
    feed page in one).
    """
    from groupket.spaces.markdown import COOK_VERSION, cook

    sealed = _sealer("spaces.Post")
    now = datetime.now(UTC)
    columns = ["space_id", "author_id", "data_key_id", "title", "body", "body_html", "cooked_with", "created_at",
               "like_count", "comment_count", "state", "censored", "image_ids"]  # fmt: skip
    per_space = POSTS // len(members_of)
    written = sorted(
        (now - timedelta(seconds=rng.randint(60, 730 * 86400)), space_id, number)
        for space_id in members_of
        for number in range(per_space)
    )
    for start in range(0, len(written), CHUNK):
        batch = []
        for created, space_id, number in written[start : start + CHUNK]:
            author = rng.choice(members_of[space_id])
            key_id, plain = keys[author]
            hour, mention = rng.randint(6, 11), rng.randint(1, MEMBERS)
            text = rng.choice(BODIES).format(n=number, h=hour, e=hour + 6, m=mention)
            title = sealed(plain, "title", f"Walk {number} in space {space_id}") if number % 10 < 7 else None
            batch.append((space_id, author, key_id, title, sealed(plain, "body", text),
                          sealed(plain, "body_html", cook(text)), COOK_VERSION, created, rng.randint(0, 30), 0,
                          "shown", False, "[]"))  # fmt: skip
        _copy("spaces_post", columns, batch)
        progress.advance(len(batch))


def seed_viewer(rng: random.Random, members_of: dict[int, list[int]]):  # noqa: ANN201
    """The member whose home feed is measured: signed up as anyone does, then in 50 of the spaces."""
    from groupket.accounts.services.registration import Signup, register_member
    from groupket.spaces.models import Membership

    viewer = register_member(
        signup=Signup(
            username=VIEWER, name="Bench Viewer", email="bench.viewer@example.org", password=PASSWORD,
            agree_terms=True, agree_privacy=True, marketing_opt_in=False,
        )
    )  # fmt: skip
    chosen = rng.sample(sorted(members_of), VIEWER_SPACES)
    Membership.objects.bulk_create([Membership(space_id=space_id, member=viewer) for space_id in chosen])
    return viewer


def seed() -> None:
    from django.db import connection

    rng = random.Random(20261201)  # noqa: S311 - test data, not secrets
    started = time.perf_counter()
    reset_database()
    progress = Progress(MEMBERS + MEMBERS * SPACES_PER_MEMBER + POSTS)
    keys = seed_members(progress)
    members_of = seed_spaces(rng, progress)
    seed_posts(rng, members_of, keys, progress)
    seed_viewer(rng, members_of)
    progress.bar.finish()
    with connection.cursor() as cursor:
        # What autovacuum does after a bulk load (it may be off, as on this machine): statistics, and the visibility
        # map an index-only scan needs.
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.0f} s")


# --- measuring --------------------------------------------------------------------------------------------------


def signed_in_client():  # noqa: ANN201
    from django.conf import settings
    from django.test import Client, RequestFactory

    from groupket.accounts.models import Member
    from groupket.accounts.services.sessions import start_sign_in
    from groupket.accounts.session_store import SessionStore

    viewer = Member.objects.with_username(VIEWER).get()
    request = RequestFactory().get("/", HTTP_USER_AGENT="groupket-bench")
    request.session = SessionStore()
    start_sign_in(request=request, member=viewer, shared_computer=False)
    request.session.save()
    client = Client(HTTP_USER_AGENT="groupket-bench")
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    return client, viewer


def cursor_points(rng: random.Random, viewer) -> tuple[list[tuple[str, str]], list[str]]:  # noqa: ANN001
    """Random pages: (space slug, cursor) for the space feed and the bare view, and cursors of the home feed."""
    from groupket.spaces.feeds import encode_cursor
    from groupket.spaces.models import Membership, Post, Space

    spaces = dict(Space.objects.filter(slug__startswith="bench-space-").values_list("pk", "slug"))
    count = SAMPLES + WARMUP
    # A random point in each chosen space's feed: the post at a random offset (the first 900 leave a full page).
    space_pages = []
    for space_id in rng.choices(list(spaces), k=count):
        offset = rng.randint(0, 900)
        post = Post.objects.filter(space_id=space_id).order_by("-created_at", "-pk").only("created_at")[offset]
        space_pages.append((spaces[space_id], encode_cursor(post) if offset else ""))
    theirs = Membership.objects.filter(member=viewer).values("space_id")
    # The newest 40,000 posts of the member's 50 spaces (of about 50,000), read once; a page starts after one.
    home = list(Post.objects.filter(space_id__in=theirs).order_by("-created_at", "-pk").only("created_at")[:40_000])
    home_pages = [encode_cursor(home[offset]) if offset else "" for offset in rng.choices(range(len(home)), k=count)]
    return space_pages, home_pages


def timed(client, url: str) -> float:  # noqa: ANN001
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return elapsed * 1000


def measure(rng: random.Random) -> dict[str, list[float]]:
    client, viewer = signed_in_client()
    space_pages, home_pages = cursor_points(rng, viewer)
    urls = {
        "bare": [f"/bench/bare/{slug}/?after={cursor}" for slug, cursor in space_pages],
        "space_feed": [f"/s/{slug}/?after={cursor}" for slug, cursor in space_pages],
        "home_feed": [f"/?after={cursor}" for cursor in home_pages],
    }
    check_pages_match(client, urls)
    times: dict[str, list[float]] = {name: [] for name in urls}
    for index in range(SAMPLES + WARMUP):
        for name in rng.sample(list(urls), len(urls)):  # a new order each round
            elapsed = timed(client, urls[name][index])
            if index >= WARMUP:
                times[name].append(elapsed)
    return times


def check_pages_match(client, urls: dict[str, list[str]]) -> None:  # noqa: ANN001
    """The bare view and the feeds show the same number of rows, and the feeds open every body and author."""
    bare = client.get(urls["bare"][0]).content.decode()
    feed = client.get(urls["space_feed"][0]).content.decode()
    home = client.get(urls["home_feed"][0]).content.decode()
    rows = bare.count('class="bare-row"')
    assert rows == feed.count('class="card post"') == home.count('class="card post"') == 20, rows
    assert feed.count('class="post-body"') == 20 and feed.count(">@bench") >= 20, "every author's ID is opened"


def percentile(values: list[float], fraction: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def profile_space_feed(rng: random.Random) -> str:
    """Where a space feed page spends its time: the top of cProfile's cumulative list over 30 pages."""
    import cProfile
    import io
    import pstats

    client, viewer = signed_in_client()
    space_pages, _home = cursor_points(rng, viewer)
    profiler = cProfile.Profile()
    profiler.enable()
    for slug, cursor in space_pages[:30]:
        client.get(f"/s/{slug}/?after={cursor}")
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reseed", action="store_true", help="drop the tables and seed again")
    parser.add_argument("--profile", action="store_true", help="only print where a space feed page spends its time")
    options = parser.parse_args()
    os.environ["DATABASE_URL"] = postgres_url("feed", keep=True)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if options.reseed or not is_seeded():
        seed()
    rng = random.Random()  # noqa: S311 - which pages to ask for, not secrets
    if options.profile:
        print(profile_space_feed(rng))
        return 0
    times = measure(rng)
    figures = {name: {"p50_ms": round(percentile(v, 0.5), 1), "p95_ms": round(percentile(v, 0.95), 1)}
               for name, v in times.items()}  # fmt: skip
    bare = figures["bare"]["p95_ms"]
    ratios = {name: round(figures[name]["p95_ms"] / bare, 2) for name in ("space_feed", "home_feed")}
    passed = all(ratio <= TARGET for ratio in ratios.values())
    target = f"p95 <= {TARGET}x the bare view's (space feed, home feed of a member in 50 spaces; wall time)"
    result = {"members": MEMBERS, "spaces": SPACES, "posts": POSTS, "samples": SAMPLES, "target_ratio": TARGET,
              "target": target, "figures": figures, "p95_ratios": ratios, "passed": passed}  # fmt: skip
    summary = (
        f"p50/p95 ms: bare {figures['bare']['p50_ms']}/{bare}, space feed {figures['space_feed']['p50_ms']}/"
        f"{figures['space_feed']['p95_ms']} (x{ratios['space_feed']}), home feed {figures['home_feed']['p50_ms']}/"
        f"{figures['home_feed']['p95_ms']} (x{ratios['home_feed']}), target p95 <= x{TARGET}; "
        f"{POSTS:,} posts, {MEMBERS:,} members"
    )
    figure = f"p95 ratio {ratios['space_feed']} (space feed), {ratios['home_feed']} (home feed)"
    write_result("feed", result, summary, figure)
    print(summary)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
