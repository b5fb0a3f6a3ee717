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
operation; taking an attempt's slots in all its windows is one Lua script, so one round trip instead of three
per window. The local-memory cache's incr() and decr() hold its lock, so they are atomic as they are.
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

# Attempt.succeeded() on Redis in one round trip: the first ARGV[1] keys are deleted (windows started afresh),
# the others given back as _GIVE_BACK does.
_SUCCEED = """
local forgotten = tonumber(ARGV[1])
for index, key in ipairs(KEYS) do
  if index <= forgotten then
    redis.call('DEL', key)
  elseif redis.call('EXISTS', key) == 1 then
    redis.call('DECR', key)
  end
end
return false
"""

# begin() on Redis in one round trip: the windows in order, each as begin()'s loop does it (the pause read, the
# bucket made and incremented, the other buckets added), all in one atomic script. KEYS per window: its pause,
# its current bucket, its other buckets; ARGV: now in milliseconds, then per window whether it pauses, its
# limit, the bucket's lifetime and how many other buckets. Returns the refusing window's number (0: none) and
# what each window taken saw; a refusal gives back every slot taken.
_BEGIN = """
local now_ms = tonumber(ARGV[1])
local taken, seen = {}, {}
local k, a, window, refused = 1, 2, 0, 0
while a <= #ARGV do
  window = window + 1
  local pauses, limit, lifetime, others = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), ARGV[a + 2], tonumber(ARGV[a + 3])
  a = a + 4
  local pause, current = KEYS[k], KEYS[k + 1]
  if pauses == 1 then
    local until_ms = redis.call('GET', pause)
    -- A pause not written as a number (an older release's) still pauses: refuse rather than guess.
    if until_ms and (tonumber(until_ms) == nil or tonumber(until_ms) > now_ms) then
      refused = window
      break
    end
  end
  redis.call('SET', current, 0, 'EX', lifetime, 'NX')
  local count = redis.call('INCR', current)
  for other = k + 2, k + 1 + others do
    local value = redis.call('GET', KEYS[other])
    if value then count = count + tonumber(value) end
  end
  k = k + 2 + others
  taken[#taken + 1] = current
  seen[#seen + 1] = count
  if count > limit then
    refused = window
    break
  end
end
if refused > 0 then
  for _, bucket in ipairs(taken) do
    if redis.call('EXISTS', bucket) == 1 then redis.call('DECR', bucket) end
  end
end
return {refused, unpack(seen)}
"""


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
                _cache().set(limit.lock_key, _milliseconds(self.now + limit.lock), timeout=limit.lock)
                paused = True
        return paused

    def succeeded(self, *, forget: tuple[Limit, ...] = ()) -> None:
        """Start the `forget` windows afresh; give this attempt's slot back in every other one."""
        cache = _cache()
        if _single_redis(cache):
            forgotten = [bucket for limit, _, _ in self.taken if limit in forget for bucket in limit.buckets(self.now)]
            given_back = [bucket for limit, bucket, _ in self.taken if limit not in forget]
            keys = [cache.make_key(key) for key in (*forgotten, *given_back)]
            if keys:
                cache._cache.get_client(keys[0], write=True).eval(_SUCCEED, len(keys), *keys, len(forgotten))
            return
        for limit, bucket, _seen in self.taken:
            if limit in forget:
                _cache().delete_many(limit.buckets(self.now))
            else:
                give_back(bucket)


def begin(*limits: Limit, now: float | None = None) -> Attempt:
    """Take a slot in each window, in order; TooManyAttempts (every slot given back) when one is full or paused."""
    attempt = Attempt(now=time.time() if now is None else now)
    cache = _cache()
    if _single_redis(cache):
        return _begin_in_redis(cache, limits, attempt)
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


def _begin_in_redis(cache: RedisCache, limits: tuple[Limit, ...], attempt: Attempt) -> Attempt:
    """begin() as one script (_BEGIN): one round trip instead of three per window."""
    keys: list[str] = []
    args: list[int | float] = [attempt.now * 1000]
    currents = []
    for limit in limits:
        *earlier, current, following = limit.buckets(attempt.now)
        # make_key, not make_and_validate_key: our keys are ASCII without spaces (a prefix and a blind index), and
        # the check walks every character of the 34 keys a sign-in names, in Python (0.15 ms of its CPU).
        keys += [cache.make_key(key) for key in (limit.lock_key, current, *earlier, following)]
        args += [1 if limit.lock else 0, limit.limit, limit.window + limit.bucket_seconds, len(earlier) + 1]
        currents.append(current)
    client = cache._cache.get_client(keys[0], write=True)
    refused, *seen = client.eval(_BEGIN, len(keys), *keys, *args)
    if refused:
        limit = limits[refused - 1]
        raise TooManyAttempts(limit.key, pause_seconds=limit.lock or limit.window)
    attempt.taken = list(zip(limits, currents, seen, strict=True))
    return attempt


def _milliseconds(seconds: float) -> int:
    # A pause's end as a whole number, which the cache stores as it is and _BEGIN can compare.
    return math.ceil(seconds * 1000)


def _paused(limit: Limit, now: float) -> bool:
    if not limit.lock:
        return False
    until = _cache().get(limit.lock_key)
    return until is not None and until > now * 1000


def _give_back_all(attempt: Attempt) -> None:
    for _limit, bucket, _seen in attempt.taken:
        give_back(bucket)


def _cache() -> BaseCache:
    # The backend itself, not django.core.cache.cache's proxy, so that it can be told apart.
    return caches["default"]


def _single_redis(cache: BaseCache) -> bool:
    """One Redis server: a whole attempt's bookkeeping can then be one Lua script, atomic on that server."""
    return isinstance(cache, RedisCache) and len(cache._servers) == 1


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
