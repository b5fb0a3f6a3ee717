"""System checks of the accounts settings: password hashing never weaker than OWASP's Argon2id minimum (P7.1)."""

from typing import Any

from django.conf import settings
from django.core import checks

# OWASP Password Storage Cheat Sheet, Argon2id: equally strong pairs of (memory in KiB, iterations), parallelism 1.
OWASP_ARGON2ID_MINIMUMS = ((47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5))


def meets_owasp_minimum(*, time_cost: int, memory_cost: int) -> bool:
    return any(memory_cost >= memory and time_cost >= time for memory, time in OWASP_ARGON2ID_MINIMUMS)


def check_argon2_costs(**kwargs: Any) -> list[checks.CheckMessage]:
    costs = settings.GROUPKET_ARGON2
    time_cost, memory_cost, parallelism = costs["time_cost"], costs["memory_cost"], costs["parallelism"]
    if parallelism < 1 or memory_cost < 8 * parallelism:
        return [
            checks.Error(
                f"GROUPKET_ARGON2_PARALLELISM is {parallelism} with GROUPKET_ARGON2_MEMORY_COST {memory_cost}: "
                "Argon2 needs at least 1 lane and 8 KiB of memory per lane.",
                id="accounts.E002",
            )
        ]
    if meets_owasp_minimum(time_cost=time_cost, memory_cost=memory_cost):
        return []
    return [
        checks.Error(
            f"Argon2id costs time_cost={time_cost}, memory_cost={memory_cost} KiB are below OWASP's minimum.",
            hint="Use at least GROUPKET_ARGON2_TIME_COST=2 with GROUPKET_ARGON2_MEMORY_COST=19456 (19 MiB), or "
            "one of OWASP's equal pairs (KiB, iterations): 47104/1, 12288/3, 9216/4, 7168/5.",
            id="accounts.E001",
        )
    ]
