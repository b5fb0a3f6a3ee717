from django.db import models


class DataKey(models.Model):
    """One member's 256-bit data key, stored only wrapped by a master key (P8.5).

    Every row encrypted under this key points here with on_delete=CASCADE, so
    destroying the key removes the rows too; copies elsewhere (a WAL, a backup)
    stay sealed under a key that no longer exists.
    """

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
