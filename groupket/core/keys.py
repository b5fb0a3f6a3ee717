"""Member data keys: create, open, re-wrap and destroy (P7.5, P8.5).

Other apps keep keys wrapped the same way (a `wrapped` and a `master_key_id`
column); settings.GROUPKET_WRAPPED_KEY_MODELS names their models so master-key
rotation re-wraps them too, without core importing those apps.
"""

from collections import OrderedDict
from collections.abc import Callable, Iterable

from django.apps import apps
from django.conf import settings
from django.db import models

from groupket.core.crypto import new_key, open_sealed, seal
from groupket.core.keyring import Keyring, load_keyring
from groupket.core.models import DataKey

# Opened data keys are kept in process memory only (never on disk), bounded.
_OPENED_LIMIT = 10_000
_opened: "OrderedDict[int, bytes]" = OrderedDict()


def _wrap_aad(master_key_id: str) -> bytes:
    return b"groupket data key|" + master_key_id.encode()


def wrap_aad(model_label: str, master_key_id: str) -> bytes:
    """What a wrapped key is bound to: its master key and, beyond data keys, the model that holds it."""
    if model_label == DataKey._meta.label:
        return _wrap_aad(master_key_id)
    return b"groupket wrapped key|" + model_label.encode() + b"|" + master_key_id.encode()


def wrapped_key_models() -> list[type[models.Model]]:
    labels = getattr(settings, "GROUPKET_WRAPPED_KEY_MODELS", [DataKey._meta.label])
    return [apps.get_model(label) for label in labels]


def wrap_new_key(model_label: str) -> tuple[bytes, bytes, str]:
    """A fresh 256-bit key: (plaintext, wrapped under the current master key, that master key's id)."""
    master = load_keyring().current
    plain = new_key()
    return plain, seal(master.secret, plain, aad=wrap_aad(model_label, master.key_id)), master.key_id


def unwrap_key(row: models.Model, keyring: Keyring | None = None) -> bytes:
    """The plaintext of a wrapped-key row of any model in GROUPKET_WRAPPED_KEY_MODELS.

    A caller unwrapping many rows passes the keyring it loaded once, instead of reading it for each.
    """
    master = (keyring or load_keyring()).get(row.master_key_id)
    return open_sealed(master.secret, bytes(row.wrapped), aad=wrap_aad(row._meta.label, master.key_id))


def create_data_key() -> DataKey:
    plain, wrapped, master_key_id = wrap_new_key(DataKey._meta.label)
    data_key = DataKey.objects.create(wrapped=wrapped, master_key_id=master_key_id)
    _remember(data_key.pk, plain)
    return data_key


def _remember(data_key_id: int, plain: bytes) -> None:
    _opened[data_key_id] = plain
    _opened.move_to_end(data_key_id)
    while len(_opened) > _OPENED_LIMIT:
        _opened.popitem(last=False)


def _unwrap(data_key: DataKey) -> bytes:
    return unwrap_key(data_key)


def open_data_key(data_key_id: int) -> bytes:
    """The plaintext data key, from memory or by unwrapping its row."""
    if data_key_id in _opened:
        _opened.move_to_end(data_key_id)
        return _opened[data_key_id]
    plain = _unwrap(DataKey.objects.get(pk=data_key_id))
    _remember(data_key_id, plain)
    return plain


def open_data_keys(data_key_ids: Iterable[int]) -> None:
    """Open many data keys at once: one query for all those not yet in memory, none when all are.

    A page showing rows of many members (a feed) calls this first, so that opening each
    row's sealed fields afterwards finds its key in memory instead of querying per row.
    """
    missing = {key_id for key_id in data_key_ids if key_id is not None and key_id not in _opened}
    if not missing:
        return
    if len(missing) > _OPENED_LIMIT:
        raise ValueError(f"cannot hold {len(missing)} data keys open at once (limit {_OPENED_LIMIT})")
    open_loaded_data_keys(DataKey.objects.filter(pk__in=missing))


def open_loaded_data_keys(data_keys: Iterable[DataKey]) -> None:
    """Open data keys whose rows a query has already read (a feed joins them to its posts): no query at all.

    The keyring is read once for the whole batch, not once per key; keys already open are not unwrapped again.
    """
    keyring = None
    for data_key in data_keys:
        if data_key.pk in _opened:
            _opened.move_to_end(data_key.pk)
            continue
        keyring = keyring or load_keyring()
        _remember(data_key.pk, unwrap_key(data_key, keyring))


def forget_data_key(data_key_id: int) -> None:
    _opened.pop(data_key_id, None)


def destroy_data_key(data_key_id: int) -> int:
    """Delete the key and, by cascade, every row sealed under it; the count deleted."""
    forget_data_key(data_key_id)
    deleted, _ = DataKey.objects.filter(pk=data_key_id).delete()
    return deleted


def rewrap_model_keys(
    model: type[models.Model], *, batch_size: int = 500, progress: Callable[[int], None] | None = None
) -> int:
    """Wrap every key row of one model under the current master key; returns how many moved."""
    master = load_keyring().current
    aad = wrap_aad(model._meta.label, master.key_id)
    moved = 0
    while True:
        batch = list(model._default_manager.exclude(master_key_id=master.key_id).order_by("pk")[:batch_size])
        if not batch:
            return moved
        for row in batch:
            row.wrapped = seal(master.secret, unwrap_key(row), aad=aad)
            row.master_key_id = master.key_id
        model._default_manager.bulk_update(batch, ["wrapped", "master_key_id"])
        moved += len(batch)
        if progress:
            progress(len(batch))


def rewrap_wrapped_keys(*, batch_size: int = 500, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Re-wrap the rows of every model in GROUPKET_WRAPPED_KEY_MODELS; how many moved, by model label."""
    return {
        model._meta.label: rewrap_model_keys(model, batch_size=batch_size, progress=progress)
        for model in wrapped_key_models()
    }


def rewrap_data_keys(*, batch_size: int = 500, progress: Callable[[int], None] | None = None) -> int:
    """Wrap every member data key under the current master key; returns how many moved."""
    return rewrap_model_keys(DataKey, batch_size=batch_size, progress=progress)
