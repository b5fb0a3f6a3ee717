"""Profile photos: judged by content, scanned, re-encoded, served privately (P1.2, P7.2)."""

import os
import struct
import zlib
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image

from groupket.accounts.models import Member
from tests.conftest import sign_in
from tests.core.test_antivirus import EICAR, ClamdPeer
from tests.factories import MemberFactory


def image_bytes(image_format: str = "JPEG", size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    mode = "RGBA" if image_format == "PNG" else "RGB"
    out = BytesIO()
    # PNGs are half transparent, to show transparency survives re-encoding.
    Image.new(mode, size, (30, 140, 90, 128)[: len(mode)]).save(out, image_format, **save)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam Industries"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (37.0, 33.0, 59.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (126.0, 58.0, 40.0),
        }
    )
    data = image_bytes("JPEG", exif=exif)
    assert Image.open(BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture really carries GPS
    return data


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas: a decompression bomb's shape."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    ihdr = bytes(data[12:16]) + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr))
    return bytes(data)


def upload(
    client: Client, member: Member, data: bytes, name: str = "me.jpg", content_type: str = "image/jpeg", **fields: str
) -> object:
    member = Member.objects.get(pk=member.pk)
    form = {"name": member.name, "email": member.email, "phone": "", "bio": ""}
    return client.post("/me/edit/", {**form, **fields, "photo": SimpleUploadedFile(name, data, content_type)})


def stored_photo(member: Member) -> bytes | None:
    return Member.objects.get(pk=member.pk).photo


def served(client: Client) -> Image.Image:
    response = client.get("/me/photo/")
    assert response.status_code == 200
    return Image.open(BytesIO(response.content))


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
def test_exif_and_gps_are_gone_after_upload(signed_in: Client, member) -> None:
    response = upload(signed_in, member, jpeg_with_gps())
    assert response.status_code == 302
    raw = stored_photo(member)
    assert b"SpyCam" not in raw and b"Exif" not in raw and b"EXIF" not in raw
    image = served(signed_in)
    assert image.format == "WEBP" and image.size == (64, 48)
    assert dict(image.getexif()) == {} and not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "xmp", "icc_profile"} & set(image.info)


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
def test_large_photo_is_downscaled_to_1024_on_the_long_side(signed_in: Client, member) -> None:
    assert upload(signed_in, member, image_bytes("JPEG", (3000, 1500))).status_code == 302
    assert served(signed_in).size == (1024, 512)


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
def test_type_comes_from_content_so_a_png_named_jpg_is_accepted(signed_in: Client, member) -> None:
    response = upload(signed_in, member, image_bytes("PNG", (40, 40)), name="holiday.jpg", content_type="image/jpeg")
    assert response.status_code == 302
    image = served(signed_in)
    assert image.format == "WEBP" and image.mode == "RGBA" and image.size == (40, 40)


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
def test_webp_upload_is_accepted(signed_in: Client, member) -> None:
    assert upload(signed_in, member, image_bytes("WEBP"), name="me.webp", content_type="image/webp").status_code == 302
    assert served(signed_in).size == (64, 48)


REJECTED = {
    "text renamed .jpg": (b"hello, this is not a photo\n", "notes.jpg", "image/jpeg", "not a JPEG, PNG or WebP"),
    "svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "me.svg",
        "image/svg+xml",
        "not a JPEG, PNG or WebP",
    ),
    "gif": (image_bytes("GIF"), "me.gif", "image/gif", "not a JPEG, PNG or WebP"),
    "6 MB": (b"\xff\xd8\xff" + os.urandom(6 * 2**20), "big.jpg", "image/jpeg", "larger than 5 MB"),
    "truncated png": (image_bytes("PNG", (300, 300))[:80], "me.png", "image/png", "could not be read"),
    "truncated jpeg": (image_bytes("JPEG", (300, 300))[:400], "me.jpg", "image/jpeg", "could not be read"),
    "png header only": (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "me.png", "image/png", "could not be read"),
    "pixel bomb": (png_claiming_size(8000, 6000), "me.png", "image/png", "too many pixels"),
    "huge bomb": (png_claiming_size(60000, 60000), "me.png", "image/png", "too many pixels"),
}


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
@pytest.mark.parametrize("case", list(REJECTED))
def test_bad_upload_gets_a_clear_error_and_changes_nothing(signed_in: Client, member, settings, case: str) -> None:
    # A temp folder that does not exist: an upload spooled to disk would crash instead of getting a clean 400.
    settings.FILE_UPLOAD_TEMP_DIR = "/nonexistent/groupket-upload-tmp"
    upload(signed_in, member, image_bytes("PNG"), name="first.png")
    before = stored_photo(member)
    assert before is not None

    data, name, content_type, message = REJECTED[case]
    response = upload(signed_in, member, data, name=name, content_type=content_type, bio="new bio")
    assert response.status_code == 400
    assert message in response.content.decode()
    after = Member.objects.get(pk=member.pk)
    assert after.photo == before and after.bio is None


@pytest.mark.django_db
@pytest.mark.clause("P1.2")
def test_photo_can_be_added_and_deleted_again(signed_in: Client, member) -> None:
    upload(signed_in, member, image_bytes("JPEG"))
    assert 'src="/me/photo/"' in signed_in.get("/me/").content.decode()

    current = Member.objects.get(pk=member.pk)
    response = signed_in.post("/me/edit/", {"name": current.name, "email": current.email, "remove_photo": "on"})
    assert response.status_code == 302
    assert Member.objects.filter(pk=member.pk, photo__isnull=True).exists()
    assert signed_in.get("/me/photo/").status_code == 404
    page = signed_in.get("/me/").content.decode()
    assert 'src="/me/photo/"' not in page
    assert 'data-item="photo"' in page.split('class="not-given"', 1)[1].split("</p>", 1)[0]


@pytest.mark.django_db
def test_a_new_photo_and_delete_together_is_refused(signed_in: Client, member) -> None:
    response = upload(signed_in, member, image_bytes("JPEG"), remove_photo="on")
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assert stored_photo(member) is None


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
def test_photo_is_served_privately_to_its_own_member_only(client: Client, member) -> None:
    sign_in(client, member)
    upload(client, member, image_bytes("JPEG"))
    response = client.get("/me/photo/")
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == stored_photo(member)

    stranger = Client()
    sign_in(stranger, MemberFactory())
    assert stranger.get("/me/photo/").status_code == 404
    assert Client().get("/me/photo/").status_code == 302


@pytest.fixture
def clamd(settings) -> Iterator[ClamdPeer]:
    with ClamdPeer() as peer:
        settings.CLAMD_SOCKET = peer.address
        yield peer


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
def test_clamd_rejects_an_infected_upload_and_nothing_is_stored(signed_in: Client, member, clamd) -> None:
    infected = image_bytes("PNG") + EICAR  # a valid PNG that Pillow alone would accept
    response = upload(signed_in, member, infected, name="me.png", content_type="image/png")
    assert response.status_code == 400
    assert "virus scanner found something harmful" in response.content.decode()
    assert stored_photo(member) is None
    assert clamd.streams == [infected]  # the original bytes, before any decoding


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
def test_clamd_passes_a_clean_upload(signed_in: Client, member, clamd) -> None:
    clean = image_bytes("JPEG", (2000, 100))
    assert upload(signed_in, member, clean).status_code == 302
    assert clamd.streams == [clean]
    assert served(signed_in).size == (1024, 51)


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
def test_unreachable_clamd_fails_closed(signed_in: Client, member, settings, tmp_path: Path) -> None:
    settings.CLAMD_SOCKET = str(tmp_path / "clamd-is-down.sock")
    response = upload(signed_in, member, image_bytes("JPEG"), bio="kept back too")
    assert response.status_code == 503
    assert "Try later" in response.content.decode()
    after = Member.objects.get(pk=member.pk)
    assert after.photo is None and after.bio is None
