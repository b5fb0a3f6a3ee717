"""My information, the policy page, Unregister and the export all read the one inventory (P1.4, P6.1).

An item added to privacy.inventory.ITEMS, and nothing else, shows up on every one of them.
"""

import dataclasses
import io
import json
import zipfile

import pytest
from django.test import Client

from groupket.accounts.models import Member
from groupket.privacy import inventory
from groupket.privacy.models import DataExport
from tests.factories import DEFAULT_PASSWORD

LABEL = "Test item XYZ"
KEY = "test_item_xyz"


@pytest.fixture
def extra_item(monkeypatch: pytest.MonkeyPatch) -> inventory.Item:
    """A copy of the bio item under a new key and label, added to the inventory only."""
    extra = dataclasses.replace(inventory.get_item("bio"), key=KEY, label=LABEL)
    monkeypatch.setattr(inventory, "ITEMS", (*inventory.ITEMS, extra))
    return extra


@pytest.fixture
def member_with_bio(member: Member) -> Member:
    member.bio = "Knits scarves on the subway"
    member.save(update_fields=["bio"])
    return member


PAGES = ["/me/", "/privacy/", "/me/unregister/", "/me/export/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_without_the_item_no_page_shows_it(signed_in: Client, url: str) -> None:
    page = signed_in.get(url)
    assert page.status_code == 200 and LABEL not in page.content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P1.4")
@pytest.mark.clause("P6.1")
@pytest.mark.parametrize("url", PAGES)
def test_an_item_added_to_the_inventory_appears_on_every_page(
    signed_in: Client, extra_item: inventory.Item, url: str
) -> None:
    page = signed_in.get(url)
    assert page.status_code == 200 and LABEL in page.content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_my_information_shows_what_the_added_item_holds(
    signed_in: Client, member_with_bio: Member, extra_item: inventory.Item
) -> None:
    page = signed_in.get("/me/").content.decode()
    row = page[page.index(f'data-item="{KEY}"') :]
    row = row[: row.index("</tr>")]
    assert LABEL in row and "Knits scarves on the subway" in row


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_the_export_carries_the_added_item(
    signed_in: Client, member_with_bio: Member, extra_item: inventory.Item, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post("/me/export/", {"password": DEFAULT_PASSWORD})
    export = DataExport.objects.get(member=member_with_bio)
    response = signed_in.get(f"/me/export/{export.pk}/download/")
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    items = {entry["key"]: entry for entry in data["sections"]["items"]}
    assert items[KEY]["label"] == LABEL and items[KEY]["value"] == "Knits scarves on the subway"
