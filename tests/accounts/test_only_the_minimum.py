"""Only the four items are asked for; a member who gives nothing more gets the whole service (P1.1, P2.1, P2.2)."""

import pytest
from django.test import Client

from groupket.accounts.forms.profile import ProfileForm
from groupket.privacy import inventory
from groupket.privacy.models import ConsentEvent
from tests.conftest import sign_in
from tests.factories import MemberFactory

REQUIRED = {"username", "password", "name", "email"}
MEMBER_PAGES = [
    "/",
    "/me/",
    "/me/edit/",
    "/me/password/",
    "/me/sessions/",
    "/me/consents/",
    "/me/export/",
    "/me/disclosures/",
    "/me/unregister/",
    "/privacy/",
    "/terms/",
    "/privacy/contact/",
    "/spaces/",
    "/spaces/new/",
]


@pytest.mark.clause("P1.1")
@pytest.mark.clause("P2.1")
def test_of_what_members_give_the_inventory_requires_exactly_the_four_items_of_the_policy() -> None:
    # Sign-in records and copies are made by the service as it runs; these are what a member types in.
    given = {inventory.IDENTITY, inventory.CONTACT, inventory.CREDENTIAL, inventory.PROFILE}
    assert {item.key for item in inventory.ITEMS if item.category in given and item.required} == REQUIRED
    assert {item.key for item in inventory.ITEMS if item.category in given and not item.required} >= {
        "phone",
        "bio",
        "photo",
    }


@pytest.mark.clause("P2.2")
def test_no_form_makes_an_optional_item_required() -> None:
    optional = {item.path.field for item in inventory.ITEMS if not item.required}
    profile_fields = set(ProfileForm.base_fields) & optional
    assert profile_fields >= {"phone", "bio", "photo"}
    assert [name for name in profile_fields if ProfileForm.base_fields[name].required] == []


@pytest.mark.django_db
@pytest.mark.clause("P2.2")
@pytest.mark.clause("P1.1")
def test_a_member_who_gave_nothing_optional_reaches_every_page_of_the_service(client: Client) -> None:
    member = MemberFactory()  # the four items, no phone, bio or photo, and no to news
    assert (member.phone, member.bio, member.photo) == (None, None, None)
    assert not ConsentEvent.objects.filter(member=member, document=ConsentEvent.MARKETING, granted=True).exists()
    sign_in(client, member)

    for page in MEMBER_PAGES:
        response = client.get(page)
        assert (response.status_code, response.get("Location")) == (200, None), page
    # Edit Profile saves with every optional item left empty.
    response = client.post("/me/edit/", {"name": member.name, "email": member.email, "phone": "", "bio": ""})
    assert response.status_code == 302 and response["Location"] == "/me/"
