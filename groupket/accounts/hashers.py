"""Argon2id with the costs the operator sets (GROUPKET_ARGON2_TIME_COST, _MEMORY_COST, _PARALLELISM; P7.1).

The algorithm name stays Django's "argon2", so every hash Django's own hasher made still verifies; a hash made
with other costs is re-made with these at the member's next sign-in (Django's must_update compares them).
"""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    # Read at each use, not at import: the costs are settings (accounts.checks refuses weak ones).
    @property
    def time_cost(self) -> int:
        return settings.GROUPKET_ARGON2["time_cost"]

    @property
    def memory_cost(self) -> int:
        return settings.GROUPKET_ARGON2["memory_cost"]

    @property
    def parallelism(self) -> int:
        return settings.GROUPKET_ARGON2["parallelism"]
