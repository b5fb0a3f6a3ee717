"""Attempt limits that hold under concurrency, in the shared cache (Redis when REDIS_URL is set).

An attempt takes its slot in every window it is limited by BEFORE the work it guards (a password
check, a mail): an atomic increment of the window's current bucket, which returns the bucket's new
count, plus what the window's earlier buckets hold. Increments are serialised by the cache, so the
n-th try in a bucket sees n: however many run at once, exactly as many as the limit leaves go ahead,
and every later one sees more and is refused. A refused attempt gives its slot back, and so does one
whose outcome should not count (a right password from a shared address).

A window is `BUCKETS` buckets wide and slides by one bucket. An attempt also reads the bucket after
its own, so two attempts on either side of a bucket boundary still see each other: whichever
incremented later reads the other's increment. Keys carry no personal data: callers pass a blind
index or a member number.

Django's RedisCache.incr() checks that the key exists and increments it in a second round trip, so a
bucket deleted in between would come back without an expiry; here each step is one atomic Redis
operation. The local-memory cache's incr() and decr() hold its lock, so they are atomic as they are.
"""

import contextlib
import math
import time
from dataclasses import dataclass, field

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache
from django.utils.translation import gettext as _

BUCKETS = 15

# Decrement only a bucket that still exists: one a success has just forgotten must not come back below zero.
_GIVE_BACK = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end return false"


class TooManyAttempts(Exception):
    """A limit is reached: the guarded work was not done. `key` names the window (no personal data)."""

    def __init__(self, key: str, *, pause_seconds: int) -> None:
        super().__init__(f"attempt limit reached for {key}")
        self.key = key
        self.pause_seconds = pause_seconds


def paused_message(refused: TooManyAttempts) -> str:
    """What a signed-in member is told on any page whose password or code check is paused."""
    minutes = max(1, math.ceil(refused.pause_seconds / 60))
    return _(
        "Too many wrong tries. For your safety, password and code checks on your account are paused "
        "for %(minutes)d minutes: please try again later."
    ) % {"minutes": minutes}


@dataclass(frozen=True)
class Limit:
    """At most `limit` attempts within `window` seconds; reaching it after a failure pauses `lock` seconds."""

    key: str
    limit: int
    window: int
    lock: int = 0

    @property
    def bucket_seconds(self) -> int:
        return max(1, self.window // BUCKETS)

    def buckets(self, now: float) -> list[str]:
        """The window's buckets at `now`, oldest first, and the one after (see the module's docstring)."""
        current = int(now // self.bucket_seconds)
        return [f"{self.key}:{bucket}" for bucket in range(current - BUCKETS + 1, current + 2)]

    @property
    def lock_key(self) -> str:
        return f"{self.key}:lock"


@dataclass
class Attempt:
    """The slots one attempt holds; told its outcome, it keeps them, gives them back or forgets the window."""

    now: float
    taken: list[tuple[Limit, str, int]] = field(default_factory=list)  # (limit, bucket, total seen)

    def failed(self) -> bool:
        """Keep the slots; pause each window this failure filled. Whether any is now paused."""
        paused = False
        for limit, _bucket, seen in self.taken:
            if limit.lock and seen >= limit.limit:
                _cache().set(limit.lock_key, self.now + limit.lock, timeout=limit.lock)
                paused = True
        return paused

    def succeeded(self, *, forget: tuple[Limit, ...] = ()) -> None:
        """Start the `forget` windows afresh; give this attempt's slot back in every other one."""
        for limit, bucket, _seen in self.taken:
            if limit in forget:
                _cache().delete_many(limit.buckets(self.now))
            else:
                give_back(bucket)


def begin(*limits: Limit, now: float | None = None) -> Attempt:
    """Take a slot in each window, in order; TooManyAttempts (every slot given back) when one is full or paused."""
    attempt = Attempt(now=time.time() if now is None else now)
    for limit in limits:
        if _paused(limit, attempt.now):
            _give_back_all(attempt)
            raise TooManyAttempts(limit.key, pause_seconds=limit.lock or limit.window)
        *earlier, current, following = limit.buckets(attempt.now)
        count = increment(current, timeout=limit.window + limit.bucket_seconds)
        seen = count + sum(_cache().get_many([*earlier, following]).values())
        attempt.taken.append((limit, current, seen))
        if seen > limit.limit:
            _give_back_all(attempt)
            raise TooManyAttempts(limit.key, pause_seconds=limit.lock or limit.window)
    return attempt


def _paused(limit: Limit, now: float) -> bool:
    if not limit.lock:
        return False
    until = _cache().get(limit.lock_key)
    return until is not None and until > now


def _give_back_all(attempt: Attempt) -> None:
    for _limit, bucket, _seen in attempt.taken:
        give_back(bucket)


def _cache() -> BaseCache:
    # The backend itself, not django.core.cache.cache's proxy, so that it can be told apart.
    return caches["default"]


def increment(key: str, *, timeout: int) -> int:
    """Add one to the counter and return the new count; a missing counter starts at 0 and lives `timeout` s."""
    cache = _cache()
    if isinstance(cache, RedisCache):
        name = cache.make_and_validate_key(key)
        pipeline = cache._cache.get_client(name, write=True).pipeline(transaction=True)
        pipeline.set(name, 0, ex=timeout, nx=True)
        pipeline.incr(name)
        return pipeline.execute()[1]
    while True:
        cache.add(key, 0, timeout=timeout)
        try:
            return cache.incr(key)
        except ValueError:  # deleted or expired between add() and incr(): start it again
            continue


def give_back(key: str) -> None:
    """Take one off the counter if it still exists."""
    cache = _cache()
    if isinstance(cache, RedisCache):
        name = cache.make_and_validate_key(key)
        cache._cache.get_client(name, write=True).eval(_GIVE_BACK, 1, name)
        return
    with contextlib.suppress(ValueError):  # forgotten or expired meanwhile: nothing to give back
        cache.decr(key)
