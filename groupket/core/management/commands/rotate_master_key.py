from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from groupket.core.keyring import KeyringError, grace_period
from groupket.core.progress import ProgressBar
from groupket.core.rotation import (
    RotationResult,
    count_rotation_work,
    interrupted_rotation,
    prepare_master_key,
    rotate_master_key,
)


class Command(BaseCommand):
    help = (
        "Make a new master key, re-wrap every member data key and recompute every blind index under it; "
        "the old master key is destroyed after the grace period (GROUPKET_KEY_GRACE_HOURS), or at once with --now. "
        "When an earlier run stopped before finishing, this run finishes that rotation instead of starting another."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="destroy the old master key at once (no grace)")
        parser.add_argument(
            "--prepare",
            action="store_true",
            help="only make the new master key, to install the keyring on every node before re-wrapping",
        )

    def handle(self, *args: Any, now: bool = False, prepare: bool = False, **options: Any) -> None:
        if prepare:
            self._prepare()
            return
        resuming = interrupted_rotation()
        if resuming:
            self.stdout.write(
                self.style.WARNING(
                    f"resuming the interrupted rotation to master key {resuming}: re-wrapping the keys it did not "
                    "reach and recomputing every blind index; no new master key is made"
                )
            )
        bar = ProgressBar(total=count_rotation_work(), label="rotating", stream=self.stdout)
        try:
            result = rotate_master_key(destroy_now=now, progress=bar.advance)
        except KeyringError as error:
            self.stderr.write(self.style.ERROR(str(error)))
            raise SystemExit(1) from None
        bar.finish()
        self.stdout.write(self.style.SUCCESS(_summary(result)))
        if result.destroyed_key_ids:
            self.stdout.write(f"destroyed master keys: {', '.join(result.destroyed_key_ids)}")
        else:
            self.stdout.write(f"the old master key is destroyed after {grace_period()} by run_schedules")

    def _prepare(self) -> None:
        try:
            key_id = prepare_master_key()
        except KeyringError as error:
            self.stderr.write(self.style.ERROR(str(error)))
            raise SystemExit(1) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"prepared master key {key_id}: nothing is re-wrapped yet; install this keyring on every node, "
                "then run rotate_master_key again to re-wrap and re-index"
            )
        )


def _summary(result: RotationResult) -> str:
    what = "finished the interrupted rotation to" if result.resumed else "new"
    return (
        f"{what} master key {result.new_key_id}: {result.data_keys_rewrapped} data keys re-wrapped, "
        f"{result.indexes_recomputed} rows re-indexed"
    )
