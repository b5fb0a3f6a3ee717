"""Encrypted model fields: the column holds AES-GCM ciphertext under the owner's data key.

A model with encrypted fields has a `data_key` foreign key to core.DataKey. On the
instance the attribute reads and writes plaintext; the value is sealed on save and
opened on first read. The ciphertext is bound to its model and field, so a value
copied into another column does not open.

Only a value sealed by the field on save reaches the column. QuerySet.update(),
bulk_update() and filters have no instance, hence no data key to seal with: a
value given to them is refused (UnsealedValue) instead of being stored in plain, and Django's
serializers (dumpdata) are refused one (NotSerialisable) instead of writing it out in plain.
"""

from typing import Any

from django.db import models

from groupket.core import blind_index
from groupket.core.crypto import open_sealed, seal
from groupket.core.keys import open_data_key


class Sealed(bytes):
    """Ciphertext as read from the database, not yet opened."""


class _SealedForSave(bytes):
    """Ciphertext the field itself just sealed: the only non-null value its column accepts."""


class UnsealedValue(TypeError):
    """A value reached an encrypted column without being sealed under its row's data key (a developer error)."""


class NotSerialisable(TypeError):
    """Django's serializers (dumpdata, fixtures) asked for a sealed value: it would leave its key in plain."""


class _PlaintextAttribute:
    def __init__(self, field: "EncryptedField") -> None:
        self.field = field

    def __get__(self, instance: models.Model | None, owner: type) -> Any:
        if instance is None:
            return self
        attname = self.field.attname
        if attname not in instance.__dict__ and instance.pk is not None and not instance._state.adding:
            # Deferred (a row read with only() or defer()): load the ciphertext now, as Django loads a deferred
            # field, so the value opens below instead of reading as None.
            rows = type(instance)._base_manager.db_manager(instance._state.db).filter(pk=instance.pk)
            instance.__dict__[attname] = rows.values_list(attname, flat=True).first()
        value = instance.__dict__.get(attname)
        if isinstance(value, Sealed):
            value = self.field.open(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        if isinstance(value, memoryview):
            value = Sealed(value)
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.BinaryField):
    """Base: subclasses say how plaintext becomes bytes and back."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, _PlaintextAttribute(self))

    def _aad(self, instance: models.Model) -> bytes:
        return f"{instance._meta.label}.{self.name}".encode()

    def _key(self, instance: models.Model) -> bytes:
        data_key_id = getattr(instance, "data_key_id", None)
        if data_key_id is None:
            raise ValueError(f"{instance._meta.label}.{self.name} needs a data_key before it is saved or read")
        return open_data_key(data_key_id)

    def open(self, instance: models.Model, sealed: bytes) -> Any:
        return self.from_plain_bytes(open_sealed(self._key(instance), bytes(sealed), aad=self._aad(instance)))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Sealed | None:
        return None if value is None else Sealed(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> bytes | None:
        value = getattr(model_instance, self.attname)
        if value is None:
            return None
        plain = self.to_plain_bytes(value)
        return _SealedForSave(seal(self._key(model_instance), plain, aad=self._aad(model_instance)))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is not None and not isinstance(value, _SealedForSave):
            # Never the value itself in the message: it is personal data.
            raise UnsealedValue(
                f"{self.model._meta.label}.{self.name} is encrypted under each row's own data key, which "
                "QuerySet.update(), bulk_update() and filters cannot seal with; set the attribute on each "
                f"instance and call save(update_fields=[{self.name!r}]) instead"
            )
        return super().get_db_prep_value(value, connection, prepared)

    def value_to_string(self, obj: models.Model) -> str:
        # What dumpdata writes: the attribute is the plaintext, which a dump would carry out of its key and past
        # the crypto-shredding of Unregister (P8.5). Refused, saying what keeps it sealed.
        raise NotSerialisable(
            f"{self.model._meta.label}.{self.name} is sealed under its row's data key and Django's serializers "
            "(dumpdata) do not write it out: back up the database itself, apart from the keyring (README, "
            '"Keyring backups")'
        )

    def to_plain_bytes(self, value: Any) -> bytes:
        raise NotImplementedError

    def from_plain_bytes(self, raw: bytes) -> Any:
        raise NotImplementedError


class EncryptedTextField(EncryptedField):
    def to_plain_bytes(self, value: Any) -> bytes:
        return str(value).encode("utf-8")

    def from_plain_bytes(self, raw: bytes) -> str:
        return raw.decode("utf-8")


class EncryptedBytesField(EncryptedField):
    def to_plain_bytes(self, value: Any) -> bytes:
        return bytes(value)

    def from_plain_bytes(self, raw: bytes) -> bytes:
        return raw


class BlindIndexField(models.CharField):
    """The keyed HMAC of another field's normalised plaintext, kept in step on every save.

    Rotation finds these fields on every model and recomputes them under the new
    master key (core.rotation).
    """

    def __init__(self, *args: Any, source: str, kind: str, normaliser: Any, **kwargs: Any) -> None:
        self.source, self.kind, self.normaliser = source, kind, normaliser
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, kind=self.kind, normaliser=self.normaliser)
        return name, path, args, kwargs

    def compute_for(self, instance: models.Model, master: Any = None) -> str | None:
        plain = getattr(instance, self.source)
        if plain is None:
            return None
        return blind_index.compute(self.kind, self.normaliser(plain), master=master)

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = self.compute_for(model_instance)
        setattr(model_instance, self.attname, value)
        return value
