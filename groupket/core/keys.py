"""Member data keys: create, open, re-wrap and destroy (P7.5, P8.5)."""

from collections import OrderedDict
from collections.abc import Callable

from groupket.core.crypto import new_key, open_sealed, seal
from groupket.core.keyring import load_keyring
from groupket.core.models import DataKey

# Opened data keys are kept in process memory only (never on disk), bounded.
_OPENED_LIMIT = 10_000
_opened: "OrderedDict[int, bytes]" = OrderedDict()


def _wrap_aad(master_key_id: str) -> bytes:
    return b"groupket data key|" + master_key_id.encode()


def create_data_key() -> DataKey:
    master = load_keyring().current
    plain = new_key()
    data_key = DataKey.objects.create(
        wrapped=seal(master.secret, plain, aad=_wrap_aad(master.key_id)), master_key_id=master.key_id
    )
    _remember(data_key.pk, plain)
    return data_key


def _remember(data_key_id: int, plain: bytes) -> None:
    _opened[data_key_id] = plain
    _opened.move_to_end(data_key_id)
    while len(_opened) > _OPENED_LIMIT:
        _opened.popitem(last=False)


def _unwrap(data_key: DataKey) -> bytes:
    master = load_keyring().get(data_key.master_key_id)
    return open_sealed(master.secret, bytes(data_key.wrapped), aad=_wrap_aad(master.key_id))


def open_data_key(data_key_id: int) -> bytes:
    """The plaintext data key, from memory or by unwrapping its row."""
    if data_key_id in _opened:
        _opened.move_to_end(data_key_id)
        return _opened[data_key_id]
    plain = _unwrap(DataKey.objects.get(pk=data_key_id))
    _remember(data_key_id, plain)
    return plain


def forget_data_key(data_key_id: int) -> None:
    _opened.pop(data_key_id, None)


def destroy_data_key(data_key_id: int) -> int:
    """Delete the key and, by cascade, every row sealed under it; the count deleted."""
    forget_data_key(data_key_id)
    deleted, _ = DataKey.objects.filter(pk=data_key_id).delete()
    return deleted


def rewrap_data_keys(*, batch_size: int = 500, progress: Callable[[int], None] | None = None) -> int:
    """Wrap every data key under the current master key; returns how many moved."""
    master = load_keyring().current
    moved = 0
    while True:
        batch = list(DataKey.objects.exclude(master_key_id=master.key_id).order_by("pk")[:batch_size])
        if not batch:
            return moved
        for data_key in batch:
            plain = _unwrap(data_key)
            data_key.wrapped = seal(master.secret, plain, aad=_wrap_aad(master.key_id))
            data_key.master_key_id = master.key_id
        DataKey.objects.bulk_update(batch, ["wrapped", "master_key_id"])
        moved += len(batch)
        if progress:
            progress(len(batch))
