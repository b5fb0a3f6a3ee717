"""Master-key rotation (P7.5, P8.5): new key, re-wrap, re-index, destroy the old after a grace period."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from groupket.core import keyring
from groupket.core.fields import BlindIndexField
from groupket.core.keys import rewrap_wrapped_keys, wrapped_key_models

BATCH = 500


@dataclass(frozen=True)
class RotationResult:
    new_key_id: str
    data_keys_rewrapped: int
    indexes_recomputed: int
    destroyed_key_ids: list[str]
    # Keys of other models in GROUPKET_WRAPPED_KEY_MODELS (retention month keys, ...).
    other_keys_rewrapped: int = 0


def _indexed_models() -> Iterator[tuple[type[models.Model], list[BlindIndexField]]]:
    for model in apps.get_models():
        fields = [field for field in model._meta.concrete_fields if isinstance(field, BlindIndexField)]
        if fields:
            yield model, fields


def count_rotation_work() -> int:
    wrapped = sum(model._default_manager.count() for model in wrapped_key_models())
    return wrapped + sum(model._default_manager.count() for model, _ in _indexed_models())


def recompute_blind_indexes(*, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every blind index under the current master key, batch by batch."""
    master = keyring.load_keyring().current
    done = 0
    for model, fields in _indexed_models():
        last_pk = 0
        while True:
            with transaction.atomic():
                batch = list(model._default_manager.filter(pk__gt=last_pk).order_by("pk")[:BATCH])
                if not batch:
                    break
                for row in batch:
                    for field in fields:
                        setattr(row, field.attname, field.compute_for(row, master=master))
                model._default_manager.bulk_update(batch, [field.name for field in fields])
            last_pk = batch[-1].pk
            done += len(batch)
            if progress:
                progress(len(batch))
    return done


def destroy_expired_master_keys(*, now: "timezone.datetime | None" = None, grace: bool = True) -> list[str]:
    """Destroy retired master keys past the grace period that no wrapped key (of any model) still needs."""
    moment = (now or timezone.now()) - (keyring.grace_period() if grace else timezone.timedelta(0))
    expired = [key.key_id for key in keyring.retired_before(moment)]
    still_used: set[str] = set()
    for model in wrapped_key_models():
        still_used.update(
            model._default_manager.filter(master_key_id__in=expired).values_list("master_key_id", flat=True)
        )
    doomed = [key_id for key_id in expired if key_id not in still_used]
    if doomed:
        keyring.remove_master_keys(doomed)
    return doomed


def rotate_master_key(*, destroy_now: bool = False, progress: Callable[[int], None] | None = None) -> RotationResult:
    new_ring = keyring.add_master_key()
    rewrapped = rewrap_wrapped_keys(progress=progress)
    reindexed = recompute_blind_indexes(progress=progress)
    destroyed = destroy_expired_master_keys(grace=not destroy_now)
    data_keys = rewrapped.pop("core.DataKey", 0)
    return RotationResult(new_ring.current_id, data_keys, reindexed, destroyed, sum(rewrapped.values()))


def destroy_expired_master_key_count() -> int:
    """The scheduled form of destroy_expired_master_keys."""
    return len(destroy_expired_master_keys())
