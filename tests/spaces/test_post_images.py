"""Photos in posts (issue 11, section 2): checked as profile photos are, sealed under the author's key, shown only
to those who may read the post, placed in the text only by their own address, exported and destroyed with the rest.

P7.2: each upload is judged by its content, scanned, re-encoded without metadata; a refused one leaves nothing.
P8.5: the photo is sealed under the author's data key and dies with it.
P6.1 / P6.3: the export holds the photos; Unregister destroys them, or re-seals them under the space's key.
"""

import base64
import json
import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image

from groupket.accounts.photos import make_profile_photo
from groupket.accounts.services.unregister import unregister_member
from groupket.privacy.models import DataExport, DestructionLog
from groupket.spaces import markdown
from groupket.spaces.forms import PostPhotosUploadHandler
from groupket.spaces.models import Membership, Post, PostImage, Space
from groupket.spaces.permissions import SpaceActionDenied
from groupket.spaces.services.members import leave_space
from groupket.spaces.services.posts import create_post, edit_post
from tests.accounts.test_photo import image_bytes, jpeg_with_gps
from tests.clamd_peer import EICAR, EICAR_FOUND_AS, Clamd
from tests.conftest import MEMBER_PAGE_QUERIES, sign_in
from tests.core.test_encryption_at_rest import _raw_database_bytes
from tests.factories import DEFAULT_PASSWORD, MemberFactory, join, make_space
from tests.markup import fragment, fragments


@pytest.fixture
def space(db: None) -> Space:
    return make_space(MemberFactory(username="space.owner"))


@pytest.fixture
def writer(space: Space):
    member = MemberFactory(username="photo.writer")
    join(member, space)
    return member


def photo_file(data: bytes | None = None, name: str = "walk.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, image_bytes("JPEG") if data is None else data, content_type)


def a_photo(size: tuple[int, int] = (64, 48)):
    return make_profile_photo(image_bytes("PNG", size))


def post_with_photos(author, space: Space, count: int = 2, body: str = "Look at this view.") -> Post:
    return create_post(
        actor=author, space=space, title=None, body=body, images=[a_photo((10 + n, 10)) for n in range(count)]
    )


def address(post: Post, image_id: int) -> str:
    return f"/s/{post.space.slug}/p/{post.pk}/images/{image_id}/"


def served(client: Client, url: str) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return Image.open(BytesIO(response.content))


# --- writing a post with photos ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
def test_a_member_posts_photos_and_they_are_shown_under_the_post_in_order_without_metadata(
    client: Client, space, writer
) -> None:
    sign_in(client, writer)
    uploads = [photo_file(jpeg_with_gps()), photo_file(image_bytes("PNG", (30, 20)), "map.png", "image/png")]
    response = client.post("/s/hiking-club/posts/new/", {"title": "", "body": "Our walk", "images": uploads})
    assert response.status_code == 302
    post = Post.objects.get()
    images = list(PostImage.objects.order_by("pk"))
    assert post.image_ids == [image.pk for image in images]
    assert {(image.author_id, image.data_key_id) for image in images} == {(writer.pk, writer.data_key_id)}
    raw = images[0].content
    assert b"SpyCam" not in raw and b"Exif" not in raw

    page = client.get(f"/s/hiking-club/p/{post.pk}/").content.decode()
    shown = fragment(page, class_="post-images")
    shown_images = fragments(shown, tag="img")
    assert len(shown_images) == 2
    assert all(f'src="{address(post, image.pk)}"' in img for img, image in zip(shown_images, images, strict=True))
    assert 'alt="Photo 1 of 2 in the post"' in shown
    first = served(client, address(post, images[0].pk))
    assert first.format == "WEBP" and first.size == (64, 48)
    assert dict(first.getexif()) == {} and not first.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert served(client, address(post, images[1].pk)).size == (30, 20)
    assert space.log_entries.get(action="post_created").detail == {"state": "shown", "images": 2}


@pytest.mark.django_db
def test_the_feed_shows_the_photos_and_costs_no_more_queries_for_them(
    client: Client, space, writer, django_assert_num_queries
) -> None:
    from tests.spaces.test_feeds import SPACE_FEED_QUERIES

    for _ in range(3):
        post_with_photos(writer, space, count=2, body="With @space.owner on the ridge")
    sign_in(client, writer)
    client.get("/s/hiking-club/")
    with django_assert_num_queries(SPACE_FEED_QUERIES):
        page = client.get("/s/hiking-club/").content.decode()
    assert len(fragments(page, class_="post-images")) == 3
    assert page.count('loading="lazy"') == 6


# --- bad uploads: a clear error, nothing changed, the text kept ----------------------------------------------------


def post_form(client: Client, images: list, body: str = "Typed before the photo failed") -> object:
    return client.post("/s/hiking-club/posts/new/", {"title": "Kept title", "body": body, "images": images})


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: photo_file(b"GIF89a not a photo at all", "cat.gif", "image/gif"), "is not a JPEG, PNG or WebP"),
        (lambda: photo_file(b"\xff\xd8\xff" + b"\0" * 50, "broken.jpg"), "could not be read"),
        (lambda: photo_file(b"\xff\xd8\xff" + bytes(5 * 2**20 + 1), "huge.jpg"), "larger than 5 MB"),
    ],
)
def test_a_refused_photo_stores_nothing_and_keeps_the_text(client: Client, space, writer, upload, message) -> None:
    sign_in(client, writer)
    response = post_form(client, [photo_file(), upload()])
    assert response.status_code == 400
    html = response.content.decode()
    assert message in fragment(html, class_="has-error")
    assert "Typed before the photo failed</textarea>" in html and 'value="Kept title"' in html
    assert "choose your photos again" in html
    assert not Post.objects.exists() and not PostImage.objects.exists()


@pytest.mark.django_db
def test_more_than_four_photos_are_refused_before_any_is_read(client: Client, space, writer) -> None:
    sign_in(client, writer)
    response = post_form(client, [photo_file() for _ in range(5)])
    assert response.status_code == 400
    assert "A post can have at most 4 photos." in response.content.decode()
    assert not Post.objects.exists() and not PostImage.objects.exists()


@pytest.mark.clause("P7.2")
def test_the_upload_handler_holds_at_most_four_photos_in_memory_and_drops_other_files() -> None:
    handler = PostPhotosUploadHandler(None)
    received = []
    for number in range(6):
        handler.new_file("images", f"{number}.jpg", "image/jpeg", None)
        handler.receive_data_chunk(b"x" * 1000, 0)
        received.append(handler.file_complete(1000))
    handler.new_file("body", "sneaky.bin", "application/octet-stream", None)
    handler.receive_data_chunk(b"y" * 1000, 0)
    assert handler.file_complete(1000) is None
    assert [upload.size for upload in received] == [1000] * 6  # the form still sees six, and says so
    assert [len(upload.read()) for upload in received] == [1000] * 4 + [0, 0]


@pytest.fixture
def clamd(settings, clamd_daemon: Clamd) -> Clamd:
    """The real clamd scans uploads."""
    settings.CLAMD_SOCKET = clamd_daemon.address
    return clamd_daemon


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
def test_clamd_refuses_an_infected_photo_and_the_post_is_not_written(client: Client, space, writer, clamd) -> None:
    sign_in(client, writer)
    infected = image_bytes("PNG") + EICAR  # a valid PNG that Pillow alone would accept
    with clamd.watch() as verdicts:
        response = post_form(client, [photo_file(infected, "trail.png", "image/png")])
    assert response.status_code == 400
    assert "virus scanner found something harmful" in response.content.decode()
    assert verdicts == [f"{EICAR_FOUND_AS} FOUND"]
    assert not Post.objects.exists() and not PostImage.objects.exists()


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
def test_clamd_passes_clean_photos_and_an_unreachable_one_fails_closed(
    client: Client, space, writer, clamd, settings, tmp_path
) -> None:
    sign_in(client, writer)
    with clamd.watch() as verdicts:
        assert post_form(client, [photo_file(), photo_file()]).status_code == 302
    assert verdicts == ["OK", "OK"]
    settings.CLAMD_SOCKET = str(tmp_path / "clamd-is-down.sock")
    response = post_form(client, [photo_file()], body="second post")
    assert response.status_code == 503 and "Try later" in response.content.decode()
    assert Post.objects.count() == 1 and PostImage.objects.count() == 2


# --- editing: add, remove, place in the text -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_author_adds_and_removes_photos_and_places_one_in_the_text(client: Client, space, writer) -> None:
    post = post_with_photos(writer, space, count=2)
    first, second = post.image_ids
    sign_in(client, writer)
    edit_page = client.get(f"/s/hiking-club/p/{post.pk}/edit/").content.decode()
    assert f"<code>![what the photo shows]({address(post, second)})</code>" in edit_page

    body = f"The summit:\n\n![the summit at dawn]({address(post, second)})"
    response = client.post(
        f"/s/hiking-club/p/{post.pk}/edit/",
        {"title": "", "body": body, "remove_images": [str(first)], "images": [photo_file()]},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    third = PostImage.objects.exclude(pk__in=[first, second]).get().pk
    assert post.image_ids == [second, third]
    assert not PostImage.objects.filter(pk=first).exists()
    assert client.get(address(post, first)).status_code == 404
    page = client.get(f"/s/hiking-club/p/{post.pk}/").content.decode()
    assert f'<img src="{address(post, second)}" alt="the summit at dawn">' in fragment(page, class_="post-body")
    below = fragment(page, class_="post-images")
    assert address(post, third) in below and address(post, second) not in below  # placed once, not twice
    entry = space.log_entries.filter(action="post_edited").get()
    assert entry.detail == {"state": "shown", "images_added": 1, "images_removed": 1}


@pytest.mark.django_db
def test_an_edit_that_would_pass_four_photos_changes_nothing(client: Client, space, writer) -> None:
    post = post_with_photos(writer, space, count=3)
    sign_in(client, writer)
    response = client.post(
        f"/s/hiking-club/p/{post.pk}/edit/",
        {"title": "", "body": "changed text", "images": [photo_file(), photo_file()]},
    )
    assert response.status_code == 400
    assert "A post can have at most 4 photos." in response.content.decode()
    post.refresh_from_db()
    assert (post.body, len(post.image_ids), PostImage.objects.count()) == ("Look at this view.", 3, 3)


@pytest.mark.django_db
def test_the_services_refuse_a_fifth_photo_and_a_photo_from_someone_who_left(space, writer) -> None:
    with pytest.raises(SpaceActionDenied):
        post_with_photos(writer, space, count=5)
    assert not Post.objects.exists() and not PostImage.objects.exists()
    post = post_with_photos(writer, space, count=1)
    leave_space(actor=writer, space=space)
    with pytest.raises(SpaceActionDenied):
        edit_post(actor=writer, post=post, title=None, body=post.body, add_images=[a_photo()])
    # Their own photo stays theirs to take down (P1.2), in the space or not.
    assert edit_post(actor=writer, post=post, title=None, body=post.body, remove_image_ids=post.image_ids)
    assert not PostImage.objects.exists() and Post.objects.get().image_ids == []


# --- the sanitiser: only this post's own photos ------------------------------------------------------------------


def rendered(text: str, images: list[str]) -> str:
    return str(markdown.render(markdown.parse(text), {}, images))


OURS = "/s/hiking-club/p/7/images/31/"


def test_an_image_of_the_posts_own_photos_is_kept_with_its_alt_text() -> None:
    assert rendered(f"![a ridge]({OURS})", [OURS]) == f'<p><img src="{OURS}" alt="a ridge"></p>\n'


@pytest.mark.parametrize(
    "source",
    [
        "https://elsewhere.example/tracker.png",
        "//elsewhere.example/p.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "/s/hiking-club/p/8/images/32/",  # another post's photo
        "/me/photo/",
    ],
)
def test_any_other_image_source_is_dropped_and_its_alt_text_kept(source: str) -> None:
    html = rendered(f'Before ![the alt words]({source} "title") after', [OURS])
    assert html == "<p>Before the alt words after</p>\n"


def test_a_javascript_image_is_not_even_parsed_as_one_and_stays_text() -> None:
    html = rendered("![x](javascript:alert(1))", [OURS])
    assert html == "<p>![x](javascript:alert(1))</p>\n"


def test_the_sanitiser_itself_drops_an_img_src_that_is_not_one_of_ours() -> None:
    cleaned = markdown._cleaner.clean(
        f'<img src="{OURS}" alt="a"><img src="https://x.example/a.png" alt="b"><img src="data:,x" onerror="y">'
    )
    assert cleaned == f'<img src="{OURS}" alt="a"><img alt="b"><img>'


def test_comments_show_no_images_at_all() -> None:
    assert "<img" not in rendered(f"![x]({OURS})", [])


# --- who may see a photo ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_public_spaces_photo_is_served_to_anyone_privately_cached(space, writer) -> None:
    post = post_with_photos(writer, space, count=1)
    response = Client().get(address(post, post.image_ids[0]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("image/webp", "nosniff")


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", [Space.MEMBERS_ONLY, Space.HIDDEN])
def test_a_restricted_spaces_photo_is_a_404_to_non_members_and_never_stored_by_a_browser(
    space, writer, visibility: str
) -> None:
    post = post_with_photos(writer, space, count=1)
    Space.objects.filter(pk=space.pk).update(visibility=visibility)
    url = address(post, post.image_ids[0])
    outsider, requested = MemberFactory(), MemberFactory()
    Membership.objects.create(space=space, member=requested, status=Membership.REQUESTED)
    for visitor in (None, outsider, requested):
        client = Client()
        if visitor is not None:
            sign_in(client, visitor)
        assert client.get(url).status_code == 404  # not 403: a hidden space's existence is not told
    reader = MemberFactory()
    join_as_member(reader, space)
    client = Client()
    sign_in(client, reader)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def join_as_member(member, space: Space) -> None:
    Membership.objects.create(space=space, member=member, status=Membership.ACTIVE)


@pytest.mark.django_db
def test_a_held_posts_photo_is_seen_by_its_author_only_and_ids_of_other_posts_are_404(space, writer) -> None:
    post = post_with_photos(writer, space, count=1)
    other = post_with_photos(writer, space, count=1)
    Post.objects.filter(pk=post.pk).update(state=Post.HELD)
    url = address(post, post.image_ids[0])
    author = Client()
    sign_in(author, writer)
    reader = Client()
    sign_in(reader, MemberFactory())
    assert author.get(url).status_code == 200 and reader.get(url).status_code == 404
    assert author.get(address(post, other.image_ids[0])).status_code == 404  # another post's photo by this post
    assert author.get(address(post, 10**9)).status_code == 404


# --- the member's data: sealed, exported, destroyed --------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P8.5")
def test_photos_are_sealed_under_the_authors_key_and_none_survives_unregister() -> None:
    owner, author = MemberFactory(), MemberFactory()
    space = make_space(owner)
    join(author, space)
    post = post_with_photos(author, space, count=2)
    stored = [PostImage.objects.get(pk=pk).content for pk in post.image_ids]
    raw = _raw_database_bytes()
    for photo in stored:
        assert photo[:64] not in raw  # the re-encoded photo is on disk only as ciphertext
    assert all(photo.startswith(b"RIFF") for photo in stored)  # and yet it opens with the author's key

    unregister_member(member=author, password=DEFAULT_PASSWORD)

    assert not PostImage.objects.exists() and not Post.objects.exists()
    assert dict(DestructionLog.objects.values_list("category", "count"))["post images"] == 2
    assert Client().get(address(post, post.image_ids[0])).status_code == 404


@pytest.mark.django_db
@pytest.mark.clause("P6.3")
def test_photos_left_under_withdrawn_member_are_resealed_under_the_spaces_key(space, writer) -> None:
    post = post_with_photos(writer, space, count=2)
    before = [PostImage.objects.get(pk=pk).content for pk in post.image_ids]

    unregister_member(member=writer, password=DEFAULT_PASSWORD, keep_writing=True)

    space.refresh_from_db()
    images = [PostImage.objects.get(pk=pk) for pk in post.image_ids]
    assert {(image.author_id, image.data_key_id) for image in images} == {(None, space.withdrawn_key_id)}
    assert [image.content for image in images] == before
    assert served(Client(), address(post, images[0].pk)).format == "WEBP"
    logged = space.log_entries.get(action="writing_left_on_withdrawal").detail
    assert (logged["posts"], logged["images"]) == (1, 2)


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_the_export_holds_each_photo_of_the_members_posts(
    client: Client, space, writer, django_capture_on_commit_callbacks
) -> None:
    post = post_with_photos(writer, space, count=2)
    someone = MemberFactory()
    post_with_photos(someone, make_space(someone, slug="their-space"), count=1)  # someone else's photos stay out
    sign_in(client, writer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/me/export/", {"password": DEFAULT_PASSWORD})
    export = DataExport.objects.get(member=writer)
    archive = zipfile.ZipFile(BytesIO(client.get(f"/me/export/{export.pk}/download/").content))
    sections = json.loads(archive.read("data.json"))["sections"]

    rows = sections["post_images"]
    assert [(row["post"], row["number"], row["address"]) for row in rows] == [
        (f"/s/hiking-club/p/{post.pk}/", number, address(post, pk)) for number, pk in enumerate(post.image_ids, 1)
    ]
    photo = rows[0]["photo"]
    assert photo["content_type"] == "image/webp"
    assert Image.open(BytesIO(base64.b64decode(photo["base64"]))).size == (10, 10)
    assert {item["key"]: item["value"] for item in sections["items"]}["post_images"] == {"records": 2}
    assert archive.read("index.html").decode().count('src="data:image/webp;base64,') == 2  # seen, not just listed


@pytest.mark.django_db
def test_a_photo_takes_a_fixed_number_of_queries(client: Client, space, writer, django_assert_num_queries) -> None:
    post = post_with_photos(writer, space, count=1)
    sign_in(client, writer)
    url = address(post, post.image_ids[0])
    client.get(url)
    # The member's page queries; the space, the visitor's membership, the post, the photo.
    with django_assert_num_queries(MEMBER_PAGE_QUERIES + 4):
        assert client.get(url).status_code == 200
