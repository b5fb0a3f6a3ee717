"""No write path stores an encrypted column's value unsealed: update() and bulk_update() refuse it (P7.5)."""

from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from groupket.accounts.models import Member, SignIn
from groupket.core.fields import EncryptedField, UnsealedValue
from tests.factories import MemberFactory, make_post, make_space

PLAIN_PHOTO = b"\x89PNG plain photo bytes of the member"


def _raw_column(member: Member, column: str) -> bytes | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM accounts_member WHERE id = %s", [member.pk])  # noqa: S608
        value = cursor.fetchone()[0]
    return None if value is None else bytes(value)


@contextmanager
def _refused(match: str | None = None) -> Iterator[pytest.ExceptionInfo]:
    """The refusal, in a savepoint: update() marks the surrounding transaction for rollback, as it should."""
    with pytest.raises(UnsealedValue, match=match) as refusal, transaction.atomic():
        yield refusal


def _encrypted_fields() -> list[tuple[type, EncryptedField]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedField)
    ]


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_update_refuses_a_plaintext_photo_and_stores_nothing() -> None:
    member = MemberFactory()
    member.photo = b"a sealed photo"
    member.save(update_fields=["photo"])
    before = _raw_column(member, "photo")
    with _refused() as refused:
        Member.objects.filter(pk=member.pk).update(photo=PLAIN_PHOTO)
    assert "accounts.Member.photo" in str(refused.value)
    assert "plain photo" not in str(refused.value)
    assert _raw_column(member, "photo") == before
    assert PLAIN_PHOTO not in before


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_bulk_update_refuses_encrypted_fields_and_stores_nothing() -> None:
    member = MemberFactory(name="Sealed Name")
    before = _raw_column(member, "name")
    member.name = "Plain Name"
    with _refused(r"accounts\.Member\.name"):
        Member.objects.bulk_update([member], ["name"])
    assert _raw_column(member, "name") == before
    assert Member.objects.get(pk=member.pk).name == "Sealed Name"


@pytest.mark.django_db
def test_update_may_still_clear_an_encrypted_column_and_change_plain_ones() -> None:
    member = MemberFactory()
    member.bio = "to be cleared"
    member.save(update_fields=["bio"])
    assert Member.objects.filter(pk=member.pk).update(bio=None, is_active=False) == 1
    assert _raw_column(member, "bio") is None
    sign_in = SignIn.objects.create(member=member, data_key=member.data_key, session_key="k1", user_agent="pytest")
    assert SignIn.objects.filter(pk=sign_in.pk).update(session_key="k2", last_seen_at=timezone.now()) == 1
    assert SignIn.objects.get(pk=sign_in.pk).user_agent == "pytest"


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_every_model_with_an_encrypted_field_refuses_a_plaintext_update() -> None:
    found = _encrypted_fields()
    assert {model._meta.label for model, _ in found} >= {"accounts.Member", "accounts.SignIn", "staff.PrivacyRequest"}
    for model, field in found:
        for manager in (model._default_manager, model._base_manager):
            with _refused(rf"{model._meta.label}\.{field.name}\b"):
                manager.filter(pk__isnull=True).update(**{field.name: b"plain"})
            with _refused():
                manager.filter(pk__isnull=True).update(**{field.name: "plain"})


@pytest.mark.django_db
@pytest.mark.parametrize("label", ["accounts.Member", "spaces.Post"])
def test_dumpdata_refuses_a_sealed_column_instead_of_writing_it_out_in_plain(label: str) -> None:
    member = MemberFactory(name="Kim Dumped-Name")
    make_post(member, make_space(member), "Dumped-body-secret")
    out = StringIO()
    with pytest.raises(CommandError, match=r"is sealed under its row's data key .* back up the database itself"):
        call_command("dumpdata", label, stdout=out)
    assert "Dumped" not in out.getvalue()
