"""Rejecting analytics cookies (or sending GPC) changes nothing else: the whole member lifecycle works (P9.2).

A browser rejects on the banner (or sends Sec-GPC: 1 and never answers), then signs up, confirms its email
address, signs in, out and in again, edits the profile, changes the password, chooses news, looks at its
sessions and agreements, downloads its data, writes to the privacy officer, makes a space, joins another,
posts, comments, likes and leaves, and unregisters. Every step answers as it
would for anyone, no response ever sets an analytics cookie, the banner never comes back, and not one page
view is recorded.
"""

from pathlib import Path

import pytest
from django.test import Client

from groupket.accounts.models import Member
from groupket.analytics.browser import BROWSER_COOKIE
from groupket.analytics.models import PageView
from groupket.privacy.models import DataExport
from groupket.spaces.models import Post
from tests.accounts.test_verification import open_verification_link, verification_links
from tests.analytics.helpers import analytics_cookie, answer, banner_shown
from tests.factories import MemberFactory, make_space

PASSWORD = "Willow3harbor-Calm"
NEW_PASSWORD = "Cedar8meadow-Still"


class WatchingClient(Client):
    """Fails the test at once if any response sets the analytics cookie or shows the banner again."""

    def request(self, **request: object) -> object:
        response = super().request(**request)
        set_now = [name for name, morsel in response.cookies.items() if morsel["max-age"] != 0]
        assert BROWSER_COOKIE not in set_now, f"{request['PATH_INFO']} set the analytics cookie"
        if response.get("Content-Type", "").startswith("text/html"):
            assert not banner_shown(response.content.decode()), f"{request['PATH_INFO']} asked again"
        return response


def walk_the_community(client: Client) -> None:
    """Make a space, join another, post, comment, reply, like and leave: spaces work the same when refused."""
    other = make_space(MemberFactory(), slug="walkers", name="Walkers")
    new_space = {"name": "Refusers", "slug": "refusers", "description": "", "rules": "", "visibility": "public"}
    assert client.post("/spaces/new/", {**new_space, "joining": "open"})["Location"] == "/s/refusers/"
    for path in ("/spaces/", "/s/refusers/", "/s/walkers/", "/spaces/?q=walk"):
        assert client.get(path).status_code == 200, path
    assert client.post("/s/walkers/join/").status_code == 302
    assert client.post("/s/walkers/posts/new/", {"title": "Hello", "body": "A walk on Sunday?"}).status_code == 302
    post = Post.objects.get(space=other)
    assert client.get(f"/s/walkers/p/{post.pk}/").status_code == 200
    assert client.post(f"/s/walkers/p/{post.pk}/comments/", {"body": "Count me in"}).status_code == 302
    assert client.post(f"/s/walkers/p/{post.pk}/like/", {"like": "1"}).status_code == 302
    assert client.post("/s/walkers/leave/").status_code == 302


def walk(client: Client, mail_dir: Path, capture) -> None:
    signup = {
        "username": "reject.walker",
        "name": "Dana Reject",
        "email": "dana@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "agree_terms": "agree",
        "agree_privacy": "agree",
    }
    with capture(execute=True):
        assert client.post("/accounts/signup/", signup).status_code == 302
    [link] = verification_links(mail_dir)
    assert open_verification_link(client, link)["Location"] == "/accounts/login/"
    login = {"username": "reject.walker", "password": PASSWORD}
    assert client.post("/accounts/login/", login)["Location"] == "/me/"
    assert client.post("/accounts/logout/").status_code == 302
    assert client.post("/accounts/login/", login)["Location"] == "/me/"
    for path in ("/", "/me/", "/me/edit/", "/me/sessions/", "/me/consents/", "/me/disclosures/", "/privacy/"):
        assert client.get(path).status_code == 200, path
    profile = {"name": "Dana Reject-Kim", "email": "dana@example.org", "phone": "010-2345-6789", "bio": "Hello"}
    assert client.post("/me/edit/", profile)["Location"] == "/me/"
    assert client.post("/me/consents/", {"news": "yes"}).status_code == 302
    change = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post("/me/password/", change).status_code == 302
    with capture(execute=True):
        assert client.post("/me/export/", {"password": NEW_PASSWORD}).status_code == 302
    export = DataExport.objects.get()
    assert client.get(f"/me/export/{export.pk}/download/").status_code == 200
    with capture(execute=True):
        contact = {"kind": "other", "message": "Which cookies do you set?"}
        assert client.post("/privacy/contact/", contact).status_code == 302
    assert client.get("/cookies/").status_code == 200
    walk_the_community(client)
    unregister = {"password": NEW_PASSWORD, "confirm": "on"}
    assert client.post("/me/unregister/", unregister)["Location"] == "/me/unregister/done/"
    assert client.get("/me/unregister/done/").status_code == 200


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
@pytest.mark.parametrize("refusal", ["reject on the banner", "GPC signal"])
def test_the_member_lifecycle_works_the_same_with_analytics_refused(
    refusal: str, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    if refusal == "GPC signal":
        client = WatchingClient(HTTP_SEC_GPC="1")
    else:
        client = WatchingClient()
        assert banner_shown(Client().get("/").content.decode())
        answer(client, "reject")

    walk(client, mail_dir, django_capture_on_commit_callbacks)

    assert not Member.objects.with_username("reject.walker").exists()
    assert PageView.objects.count() == 0
    assert analytics_cookie(client) is None
