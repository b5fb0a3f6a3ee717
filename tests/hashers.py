from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2Hasher(Argon2PasswordHasher):
    """Argon2id with test-sized costs: same algorithm and encoding, a fraction of the memory and time."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1
