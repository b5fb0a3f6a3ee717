"""Opened data keys cached in process memory never stand for another key (P7.5)."""

import pytest
from django.db import transaction

from groupket.accounts.models import Member
from groupket.core.keys import create_data_key, open_data_key, wrap_new_key
from groupket.core.models import DataKey
from tests.core.keys_worker import start_worker


class SignupFailed(Exception):
    pass


def _roll_back_a_new_data_key() -> DataKey:
    with pytest.raises(SignupFailed), transaction.atomic():
        data_key = create_data_key()
        open_data_key(data_key.pk)  # opened, hence cached, inside the transaction
        raise SignupFailed("the signup failed after its data key was made")
    return data_key


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P7.5")
def test_a_rolled_back_data_key_never_opens_the_next_members_data() -> None:
    rolled_back = _roll_back_a_new_data_key()
    assert not DataKey.objects.filter(pk=rolled_back.pk).exists()
    # Another web process signs a member up next; then this process shows that member's page.
    worker = start_worker("sign-up", "next.member")
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    member = Member.objects.get(pk=int(out.split()[1]))
    assert member.username == "next.member"  # opened with its own key, not the rolled-back one
    assert member.data_key_id != rolled_back.pk


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_a_data_key_made_after_a_rollback_opens_as_itself() -> None:
    rolled_back = _roll_back_a_new_data_key()
    plain, wrapped, master_key_id = wrap_new_key(DataKey._meta.label)
    other = DataKey.objects.create(wrapped=wrapped, master_key_id=master_key_id)  # as another process would
    assert other.pk != rolled_back.pk
    assert open_data_key(other.pk) == plain
