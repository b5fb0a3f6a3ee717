"""Sign-in throttling (P7.1): failures are counted in the shared cache, per ID and per IP address.

5 failures on one ID within 15 minutes lock that ID for 15 minutes; 20 failures from
one IP address (an IPv6 /64) within 15 minutes refuse that address for 15 minutes. Counters are
keyed by a blind index, never by the typed ID or the address, so the cache (Redis in
production) holds no personal data. An ID that does not exist is counted and locked
exactly like one that does, so a lock says nothing about whether the ID exists.

Failures go into one-minute buckets that are incremented atomically (safe across
workers); the window is the sum of the last 15 buckets.
"""

import ipaddress
import time

from django.core.cache import cache

from groupket.accounts.normalise import normalise_username_key
from groupket.core import blind_index

WINDOW_SECONDS = 15 * 60
LOCK_SECONDS = 15 * 60
USERNAME_LIMIT = 5
IP_LIMIT = 20
_BUCKET_SECONDS = 60
_BUCKETS = WINDOW_SECONDS // _BUCKET_SECONDS


def _now() -> float:
    # One clock for buckets and locks, so tests can move it forward.
    return time.time()


def _username_key(username: str) -> str:
    return "signin:id:" + blind_index.compute("signin-throttle-id", normalise_username_key(username))


def _ip_key(ip: str) -> str:
    return "signin:ip:" + blind_index.compute("signin-throttle-ip", _address_group(ip))


def _address_group(ip: str) -> str:
    # One IPv6 visitor usually holds a whole /64, so a /64 counts as one address.
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6 and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _subjects(*, username: str, ip: str) -> list[tuple[str, int]]:
    return [(_username_key(username), USERNAME_LIMIT), (_ip_key(ip), IP_LIMIT)]


def _bucket_keys(key: str, now: float) -> list[str]:
    current = int(now // _BUCKET_SECONDS)
    return [f"{key}:{bucket}" for bucket in range(current - _BUCKETS + 1, current + 1)]


def is_locked(*, username: str, ip: str) -> bool:
    """Whether sign-in is refused for this ID or from this address right now."""
    now = _now()
    locks = cache.get_many([f"{key}:lock" for key, _ in _subjects(username=username, ip=ip)])
    return any(until > now for until in locks.values())


def note_failure(*, username: str, ip: str) -> bool:
    """Count one failed try against the ID and the address; whether either is now locked."""
    now = _now()
    locked = False
    for key, limit in _subjects(username=username, ip=ip):
        buckets = _bucket_keys(key, now)
        _increment(buckets[-1])
        if sum(cache.get_many(buckets).values()) >= limit:
            cache.set(f"{key}:lock", now + LOCK_SECONDS, timeout=LOCK_SECONDS)
            locked = True
    return locked


def _increment(bucket: str) -> None:
    # add() creates the bucket only if missing; incr() is atomic in Redis and in the local cache.
    cache.add(bucket, 0, timeout=WINDOW_SECONDS + _BUCKET_SECONDS)
    try:
        cache.incr(bucket)
    except ValueError:  # the bucket expired between add() and incr()
        cache.set(bucket, 1, timeout=WINDOW_SECONDS + _BUCKET_SECONDS)


def forget_failures(*, username: str) -> None:
    """After a successful sign-in the ID starts afresh; the address keeps its count."""
    cache.delete_many(_bucket_keys(_username_key(username), _now()))
