from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from groupket.core.keyring import KeyringError, grace_period
from groupket.core.progress import ProgressBar
from groupket.core.rotation import count_rotation_work, rotate_master_key


class Command(BaseCommand):
    help = (
        "Make a new master key, re-wrap every member data key and recompute every blind index under it; "
        "the old master key is destroyed after the grace period (GROUPKET_KEY_GRACE_HOURS), or at once with --now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="destroy the old master key at once (no grace)")

    def handle(self, *args: Any, now: bool = False, **options: Any) -> None:
        bar = ProgressBar(total=count_rotation_work(), label="rotating", stream=self.stdout)
        try:
            result = rotate_master_key(destroy_now=now, progress=bar.advance)
        except KeyringError as error:
            self.stderr.write(self.style.ERROR(str(error)))
            raise SystemExit(1) from None
        bar.finish()
        self.stdout.write(
            self.style.SUCCESS(
                f"new master key {result.new_key_id}: {result.data_keys_rewrapped} data keys re-wrapped, "
                f"{result.indexes_recomputed} rows re-indexed"
            )
        )
        if result.destroyed_key_ids:
            self.stdout.write(f"destroyed master keys: {', '.join(result.destroyed_key_ids)}")
        else:
            self.stdout.write(f"the old master key is destroyed after {grace_period()} by run_schedules")
