"""Master-key rotation (P7.5, P8.5): new key, re-wrap, re-index, destroy the old after a grace period.

A rotation may stop anywhere (an error, a kill, a reboot). Rows say which master key
wraps them, and each blind index pass is recorded (core.BlindIndexPass), so running
rotate_master_key again resumes the same rotation, and no master key is destroyed
while a wrapped key or a blind index may still need it.
"""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from groupket.core import keyring
from groupket.core.fields import BlindIndexField
from groupket.core.keys import rewrap_wrapped_keys, wrapped_key_models
from groupket.core.models import BlindIndexPass

BATCH = 500

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RotationResult:
    new_key_id: str
    data_keys_rewrapped: int
    indexes_recomputed: int
    destroyed_key_ids: list[str]
    # Keys of other models in GROUPKET_WRAPPED_KEY_MODELS (retention month keys, ...).
    other_keys_rewrapped: int = 0
    # True when this run finished a rotation that an earlier run began and did not finish.
    resumed: bool = False


def _indexed_models() -> Iterator[tuple[type[models.Model], list[BlindIndexField]]]:
    for model in apps.get_models():
        fields = [field for field in model._meta.concrete_fields if isinstance(field, BlindIndexField)]
        if fields:
            yield model, fields


def interrupted_rotation() -> str | None:
    """The current master key's id if the rotation to it never finished its blind index pass, else None."""
    ring = keyring.load_keyring()
    if not ring.retired():
        return None  # the first master key: no rotation made it
    finished = BlindIndexPass.objects.filter(master_key_id=ring.current_id, finished_at__isnull=False)
    return None if finished.exists() else ring.current_id


def count_rotation_work() -> int:
    """Rows a rotation (or the resumed one) will touch, for its progress bar."""
    resuming = interrupted_rotation()
    wrapped = sum(
        model._default_manager.exclude(master_key_id=resuming).count() if resuming else model._default_manager.count()
        for model in wrapped_key_models()
    )
    return wrapped + sum(model._default_manager.count() for model, _ in _indexed_models())


def _recompute_model(
    model: type[models.Model], fields: list[BlindIndexField], master: keyring.MasterKey, progress: Callable | None
) -> int:
    done, last_pk = 0, None
    while True:
        with transaction.atomic():
            rows = model._default_manager.select_for_update().order_by("pk")
            # Locked, so a concurrent change of the indexed value is not overwritten by a stale index.
            batch = list((rows if last_pk is None else rows.filter(pk__gt=last_pk))[:BATCH])
            if not batch:
                return done
            for row in batch:
                for field in fields:
                    setattr(row, field.attname, field.compute_for(row, master=master))
            model._default_manager.bulk_update(batch, [field.name for field in fields])
        last_pk = batch[-1].pk
        done += len(batch)
        if progress:
            progress(len(batch))


def recompute_blind_indexes(*, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every blind index under the current master key, batch by batch, recording the pass."""
    master = keyring.load_keyring().current
    index_pass = BlindIndexPass.objects.create(
        master_key_id=master.key_id, master_key_created=master.created, started_at=timezone.now()
    )
    done = sum(_recompute_model(model, fields, master, progress) for model, fields in _indexed_models())
    index_pass.finished_at = timezone.now()
    index_pass.save(update_fields=["finished_at"])
    return done


def _needed_by_wrapped_keys(key_ids: list[str]) -> set[str]:
    needed: set[str] = set()
    for model in wrapped_key_models():
        needed.update(model._default_manager.filter(master_key_id__in=key_ids).values_list("master_key_id", flat=True))
    return needed


def _needed_by_blind_indexes(candidates: list[keyring.MasterKey]) -> set[str]:
    """Keys some index may be computed under: no pass under a newer master key has finished since."""
    newest = BlindIndexPass.objects.filter(finished_at__isnull=False).aggregate(newest=Max("master_key_created"))
    return {key.key_id for key in candidates if newest["newest"] is None or newest["newest"] <= key.created}


def destroy_expired_master_keys(*, now: datetime | None = None, grace: bool = True) -> list[str]:
    """Destroy retired master keys past the grace period that no wrapped key and no blind index still needs."""
    moment = (now or timezone.now()) - (keyring.grace_period() if grace else timezone.timedelta(0))
    expired = keyring.retired_before(moment)
    ids = [key.key_id for key in expired]
    by_indexes = _needed_by_blind_indexes(expired)
    for key_id in sorted(by_indexes):
        logger.warning(
            "master key %s is kept past its grace period: blind indexes may still be computed under it; "
            "run manage.py rotate_master_key to finish the interrupted rotation",
            key_id,
        )
    needed = _needed_by_wrapped_keys(ids) | by_indexes
    doomed = [key_id for key_id in ids if key_id not in needed]
    if doomed:
        keyring.remove_master_keys(doomed)
    return doomed


def prepare_master_key() -> str:
    """Make the next master key current without re-wrapping anything yet; its id.

    For a site of several nodes: the new keyring is installed on every node first, then rotate_master_key
    (which sees an unfinished rotation) re-wraps and re-indexes, so no node meets a key it does not hold.
    """
    with keyring.rotation_lock():
        if interrupted_rotation() is not None:
            raise keyring.KeyringError(
                "a rotation is already prepared or was interrupted: run rotate_master_key to finish it first"
            )
        return keyring.add_master_key().current_id


def rotate_master_key(*, destroy_now: bool = False, progress: Callable[[int], None] | None = None) -> RotationResult:
    """Rotate to a new master key, or finish the rotation an earlier run left unfinished."""
    with keyring.rotation_lock():
        resuming = interrupted_rotation()
        if resuming is None:
            keyring.add_master_key()
        rewrapped = rewrap_wrapped_keys(batch_size=BATCH, progress=progress)
        reindexed = recompute_blind_indexes(progress=progress)
        destroyed = destroy_expired_master_keys(grace=not destroy_now)
    data_keys = rewrapped.pop("core.DataKey", 0)
    return RotationResult(
        new_key_id=keyring.load_keyring().current_id,
        data_keys_rewrapped=data_keys,
        indexes_recomputed=reindexed,
        destroyed_key_ids=destroyed,
        other_keys_rewrapped=sum(rewrapped.values()),
        resumed=resuming is not None,
    )


def destroy_expired_master_key_count() -> int:
    """The scheduled form of destroy_expired_master_keys."""
    return len(destroy_expired_master_keys())
