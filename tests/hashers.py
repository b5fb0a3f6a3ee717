import threading

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2Hasher(Argon2PasswordHasher):
    """Argon2id with test-sized costs: same algorithm and encoding, a fraction of the memory and time."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1


class CountingArgon2Hasher(QuickArgon2Hasher):
    """The real (test-sized) Argon2 hasher, counting every password it hashes or checks, from any thread."""

    runs = 0
    _lock = threading.Lock()

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.runs = 0

    def _count(self) -> None:
        with self._lock:
            type(self).runs += 1

    def encode(self, password: str, salt: str) -> str:
        self._count()
        return super().encode(password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        self._count()
        return super().verify(password, encoded)
