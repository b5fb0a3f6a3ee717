"""The data-inventory system check: undeclared personal columns and prohibited items fail `check` (P1.4, P2.3).

The check takes its inventory and models as arguments, so these tests feed a test
inventory and a model registered in an isolated app registry, never the real ones.
"""

from collections.abc import Iterator

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models
from django.test.utils import isolate_apps
from django.utils.functional import lazy
from django.utils.translation import get_language

from groupket.core.fields import EncryptedTextField
from groupket.privacy import inventory
from groupket.privacy.checks import check_inventory, looks_personal
from groupket.privacy.inventory import Item


@pytest.fixture
def shopper() -> Iterator[type[models.Model]]:
    """A model that exists only in an isolated registry: the real app registry never sees it."""
    with isolate_apps("groupket.privacy"):

        class Shopper(models.Model):
            notes = EncryptedTextField(null=True)
            display_name = models.CharField(max_length=50)
            shoe_size = models.PositiveSmallIntegerField()

            class Meta:
                app_label = "privacy"

        yield Shopper


def item(key: str = "notes", field: str = "privacy.Shopper.notes", **changes: object) -> Item:
    values = {"label": "Notes", "category": inventory.PROFILE, "required": False, "purposes": (inventory.SERVICE,)}
    values.update(changes)
    return Item(key=key, field=field, **values)


# Both personal columns of the test model, declared: the baseline that passes.
DECLARED = (item(), item("display_name", "privacy.Shopper.display_name", label="Shown name"))


def ids(messages: list) -> list[str]:
    return [message.id for message in messages]


@pytest.mark.clause("P1.4")
@pytest.mark.clause("P2.3")
def test_the_real_project_passes_the_check() -> None:
    assert [message for message in run_checks(tags=["privacy"])] == []
    call_command("check")  # raises SystemCheckError on any error


@pytest.mark.clause("P1.4")
def test_a_fully_declared_test_inventory_passes(shopper: type[models.Model]) -> None:
    assert check_inventory(DECLARED, [shopper], not_personal={}) == []


@pytest.mark.clause("P1.4")
def test_an_undeclared_encrypted_column_fails(shopper: type[models.Model]) -> None:
    [message] = check_inventory(DECLARED[1:], [shopper], not_personal={})
    assert message.id == "privacy.E001"
    assert "privacy.Shopper.notes" in message.msg and message.is_serious()


def visitor_with(column: str) -> type[models.Model]:
    """A test model with one text column of this name (call inside isolate_apps)."""
    meta = type("Meta", (), {"app_label": "privacy"})
    return type("Visitor", (models.Model,), {column: models.TextField(), "__module__": __name__, "Meta": meta})


@pytest.mark.clause("P1.4")
@pytest.mark.parametrize("column", ["display_name", "home_address", "birth_date", "contact_emails", "user_agent"])
def test_an_undeclared_column_named_like_personal_data_fails(column: str) -> None:
    with isolate_apps("groupket.privacy"):
        [message] = check_inventory((), [visitor_with(column)], not_personal={})
    assert message.id == "privacy.E002"
    assert f"privacy.Visitor.{column}" in message.msg


@pytest.mark.clause("P2.3")
@pytest.mark.parametrize(
    ("column", "topic"),
    [("religion", "ideology or beliefs"), ("blood_type", "health"), ("hometown", "place of origin")],
)
def test_an_undeclared_column_named_like_a_prohibited_topic_fails(column: str, topic: str) -> None:
    with isolate_apps("groupket.privacy"):
        [message] = check_inventory((), [visitor_with(column)], not_personal={})
    assert message.id == "privacy.E011"
    assert f"privacy.Visitor.{column}" in message.msg and topic in message.msg


@pytest.mark.clause("P1.4")
@pytest.mark.parametrize("column", ["shoe_size", "filename", "codename", "page", "created_at", "usage_count"])
def test_columns_that_only_look_close_are_not_called_personal(column: str) -> None:
    assert not looks_personal(column)


@pytest.mark.clause("P1.4")
def test_a_column_listed_as_not_personal_with_a_reason_passes(shopper: type[models.Model]) -> None:
    exempt = {"privacy.Shopper.display_name": "the name of a shop window, not of a person"}
    assert check_inventory(DECLARED[:1], [shopper], not_personal=exempt) == []


@pytest.mark.clause("P1.4")
@pytest.mark.parametrize(
    ("exempt", "problem"),
    [
        ({"privacy.Shopper.shoe_sizes": "a typo"}, "is no field"),
        ({"privacy.Shopper.display_name": "  "}, "has no reason"),
        ({"privacy.Shopper.notes": "declared and exempt at once"}, "is also declared"),
    ],
)
def test_a_bad_exemption_fails(shopper: type[models.Model], exempt: dict[str, str], problem: str) -> None:
    messages = check_inventory(DECLARED, [shopper], not_personal=exempt)
    assert ids(messages) == ["privacy.E007"]
    assert problem in messages[0].msg and next(iter(exempt)) in messages[0].msg


@pytest.mark.clause("P1.4")
@pytest.mark.parametrize("reference", ["privacy.Shopper.nothing", "privacy.Nobody.notes", "Shopper.notes", "notes"])
def test_an_item_that_points_at_no_field_fails(shopper: type[models.Model], reference: str) -> None:
    messages = check_inventory((*DECLARED, item("ghost", reference)), [shopper], not_personal={})
    assert ids(messages) == ["privacy.E003"]
    assert "'ghost'" in messages[0].msg and reference in messages[0].msg


def test_an_items_reference_is_read_as_its_model_and_field() -> None:
    path = inventory.ItemPath.parse("accounts.LoginRecord.ip_address")
    assert (path.model, path.field, path.on_member) == ("accounts.LoginRecord", "ip_address", False)
    assert inventory.get_item("email").path == inventory.ItemPath("accounts.Member", "email")
    assert inventory.get_item("email").path.on_member


@pytest.mark.parametrize("reference", ["Shopper.notes", "notes", "privacy.Shopper.notes.extra", "privacy..notes", ""])
def test_a_reference_not_of_the_form_app_model_field_is_refused_naming_it(reference: str) -> None:
    with pytest.raises(ValueError, match="app_label.Model.field") as refused:
        inventory.ItemPath.parse(reference)
    assert repr(reference) in str(refused.value)


@pytest.mark.clause("P2.3")
@pytest.mark.parametrize(
    ("category", "topic"),
    [
        ("race", "race or ethnicity"),
        ("ethnic_origin", "race or ethnicity"),
        ("religion", "ideology or beliefs"),
        ("registered_domicile", "place of origin or registered domicile"),
        ("political_views", "political orientation"),
        ("criminal_records", "criminal records"),
        ("health", "health"),
        ("medical_history", "health"),
        ("sexual_orientation", "sexual life or orientation"),
    ],
)
def test_an_item_of_a_prohibited_category_fails(shopper: type[models.Model], category: str, topic: str) -> None:
    messages = check_inventory((DECLARED[1], item(category=category)), [shopper], not_personal={})
    assert ids(messages) == ["privacy.E004"]
    assert topic in messages[0].msg and "'notes'" in messages[0].msg


@pytest.mark.clause("P2.3")
def test_an_item_with_a_prohibited_purpose_fails(shopper: type[models.Model]) -> None:
    prohibited = item(purposes=(inventory.SERVICE, "political_campaigns"))
    messages = check_inventory((DECLARED[1], prohibited), [shopper], not_personal={})
    assert ids(messages) == ["privacy.E005"]
    assert "'political_campaigns'" in messages[0].msg


def _korean_only(korean: str) -> object:
    """A label that speaks of the topic only when read in Korean."""
    return lazy(lambda: korean if get_language() == "ko" else "Condition", str)()


@pytest.mark.clause("P2.3")
@pytest.mark.parametrize(
    ("changes", "part"),
    [
        ({"key": "blood_type"}, "key"),
        ({"key": "religion"}, "key"),
        ({"field": "privacy.Visitor.criminal_record"}, "field name"),
        ({"label": "Place of origin"}, "label"),
        ({"label": "Disability status"}, "label"),
        ({"label": _korean_only("건강 상태")}, "label"),
        ({"label": _korean_only("출신지")}, "label"),
    ],
)
def test_an_item_whose_key_field_or_label_names_a_prohibited_topic_fails(
    shopper: type[models.Model], changes: dict[str, object], part: str
) -> None:
    with isolate_apps("groupket.privacy"):
        visitor = visitor_with("criminal_record")
        exempt = {} if "field" in changes else {"privacy.Visitor.criminal_record": "declared by no item in this test"}
        changes = {"key": "notes", "field": "privacy.Shopper.notes", **changes}
        messages = check_inventory((DECLARED[1], item(**changes)), [shopper, visitor], not_personal=exempt)
    prohibited = [message for message in messages if message.id == "privacy.E006"]
    assert len(prohibited) == 1 and f"The {part} of inventory item '{changes['key']}'" in prohibited[0].msg
    # Only E001 may come with it: the item moved to the prohibited column, leaving notes undeclared.
    assert set(ids(messages)) <= {"privacy.E006", "privacy.E001"}


@pytest.mark.clause("P1.4")
def test_an_unknown_category_or_undeclared_purpose_fails(shopper: type[models.Model]) -> None:
    messages = check_inventory(
        (DECLARED[1], item(category="hobbies", purposes=("profiling",))), [shopper], not_personal={}
    )
    assert sorted(ids(messages)) == ["privacy.E008", "privacy.E009"]
    assert any("'hobbies'" in message.msg for message in messages)
    assert any("'profiling'" in message.msg for message in messages)


@pytest.mark.clause("P1.4")
def test_an_item_declared_twice_fails(shopper: type[models.Model]) -> None:
    messages = check_inventory((*DECLARED, item(label="Notes again")), [shopper], not_personal={})
    assert ids(messages) == ["privacy.E010"]
    assert "'notes'" in messages[0].msg


@pytest.mark.clause("P2.3")
def test_manage_py_check_fails_when_the_real_inventory_declares_a_prohibited_item(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bio = inventory.get_item("bio")
    religion = Item("religion", "Religion", bio.field, inventory.PROFILE, False, (inventory.SERVICE,))
    monkeypatch.setattr(inventory, "ITEMS", (*inventory.ITEMS, religion))
    with pytest.raises(SystemCheckError) as failure:
        call_command("check")
    assert "privacy.E006" in str(failure.value) and "'religion'" in str(failure.value)


@pytest.mark.clause("P1.4")
def test_manage_py_check_fails_when_a_real_personal_column_is_left_undeclared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inventory, "ITEMS", tuple(item for item in inventory.ITEMS if item.key != "phone"))
    with pytest.raises(SystemCheckError) as failure:
        call_command("check")
    assert "privacy.E001" in str(failure.value) and "accounts.Member.phone" in str(failure.value)


@pytest.mark.clause("P1.4")
def test_a_sealed_copy_is_declared_with_its_item_and_a_copy_that_is_no_field_fails() -> None:
    with isolate_apps("groupket.privacy"):

        class Diary(models.Model):
            entry = EncryptedTextField()
            entry_html = EncryptedTextField(null=True)

            class Meta:
                app_label = "privacy"

        entry = item("entry", "privacy.Diary.entry")
        assert ids(check_inventory((entry,), [Diary], not_personal={})) == ["privacy.E001"]  # the copy undeclared
        declared = (item("entry", "privacy.Diary.entry", copies=("entry_html",)),)
        assert check_inventory(declared, [Diary], not_personal={}) == []
        mistyped = (item("entry", "privacy.Diary.entry", copies=("entry_htm",)),)
        messages = check_inventory(mistyped, [Diary], not_personal={})
    assert sorted(ids(messages)) == ["privacy.E001", "privacy.E003"]  # the mistyped copy, and the real one undeclared
    assert any(message.id == "privacy.E003" and "privacy.Diary.entry_htm" in message.msg for message in messages)
