from django.db import models

from groupket.core.ids import random_row_id


class DataKey(models.Model):
    """One member's 256-bit data key, stored only wrapped by a master key (P8.5).

    Every row encrypted under this key points here with on_delete=CASCADE, so
    destroying the key removes the rows too; copies elsewhere (a WAL, a backup)
    stay sealed under a key that no longer exists.

    The id is random: processes cache opened keys by id, so an id must never come
    back for another key (after a rolled-back signup, or the newest key's deletion).
    """

    id = models.BigIntegerField(primary_key=True, default=random_row_id, editable=False)
    wrapped = models.BinaryField()
    master_key_id = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"data key {self.pk} under {self.master_key_id}"


class ScheduledRun(models.Model):
    """When each scheduled job last ran, so `run_schedules` runs only what is due."""

    job = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.job} at {self.last_run_at:%Y-%m-%d %H:%M}"


class BlindIndexPass(models.Model):
    """One recomputation of every blind index under one master key (P8.5).

    finished_at is set once every row was done. A retired master key may still be
    what some indexes are computed under until a pass under a newer key finishes,
    so destroy_expired_master_keys keeps it until then.
    """

    master_key_id = models.CharField(max_length=64)
    master_key_created = models.DateTimeField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"blind index pass under {self.master_key_id}"
