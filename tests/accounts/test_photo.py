"""Profile photos: judged by content, scanned, re-encoded, served privately (P1.2, P7.2)."""

import os
import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image

from groupket.accounts.models import Member
from tests.clamd_peer import EICAR, EICAR_FOUND_AS, Clamd
from tests.conftest import sign_in
from tests.factories import MemberFactory
from tests.images import png_of


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


def with_claimed_size(data: bytes, width: int, height: int) -> bytes:
    """A real small JPEG or WebP whose header claims a larger canvas: refused from the header, never decoded."""
    data = bytearray(data)
    if data.startswith(b"\xff\xd8"):
        frame = next(data.index(marker) for marker in (b"\xff\xc2", b"\xff\xc0") if marker in data)
        data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    else:
        assert data[12:16] == b"VP8 "  # a lossy WebP's frame header
        data[26:30] = struct.pack("<HH", width, height)
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
    # 40 megapixels is under the pixel cap, but at 16 bits a channel it decodes into hundreds of MB.
    "16-bit png": (png_of(6000, 6600, bit_depth=16), "me.png", "image/png", "too large to process"),
    "4097 px rgb png": (png_of(4097, 4096), "me.png", "image/png", "too large to process"),
    "2897 px rgba png": (png_of(2897, 2896, colour_type=6), "me.png", "image/png", "too large to process"),
    # libjpeg holds every coefficient of a progressive JPEG at full size, whatever the scale it decodes at.
    "progressive jpeg": (
        with_claimed_size(image_bytes("JPEG", progressive=True), 6000, 4000),
        "me.jpg",
        "image/jpeg",
        "too large to process",
    ),
    # libwebp allocates the canvas on open: refused before Pillow sees the file.
    "webp canvas": (
        with_claimed_size(image_bytes("WEBP"), 3000, 3000),
        "me.webp",
        "image/webp",
        "too large to process",
    ),
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
@pytest.mark.parametrize(
    ("data", "size"),
    [
        # Exactly at the 64 MiB bound: 4096 x 4096 at 4 bytes a pixel, and half that many pixels with transparency.
        (png_of(4096, 4096), (1024, 1024)),
        (png_of(2896, 2896, colour_type=6), (1024, 1024)),
        # A 20-megapixel baseline JPEG is decoded at 1/4 scale: 5 MB, not the 80 its full size would take.
        (image_bytes("JPEG", (5000, 4000)), (1024, 819)),
    ],
    ids=["rgb png at the bound", "rgba png at the bound", "20 MP jpeg"],
)
def test_images_within_the_decoding_bound_are_accepted(signed_in: Client, member, data: bytes, size) -> None:
    assert upload(signed_in, member, data, name="me.png", content_type="image/png").status_code == 302
    assert served(signed_in).size == size


@pytest.mark.django_db
def test_the_decoding_bound_is_explained_in_korean(signed_in: Client, member, settings) -> None:
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    response = upload(signed_in, member, png_of(6000, 6600, bit_depth=16), name="me.png", content_type="image/png")
    assert response.status_code == 400
    assert "너무 커서 처리할 수 없습니다" in response.content.decode()


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
def clamd(settings, clamd_daemon: Clamd) -> Clamd:
    """The real clamd scans uploads."""
    settings.CLAMD_SOCKET = clamd_daemon.address
    return clamd_daemon


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
def test_clamd_rejects_an_infected_upload_and_nothing_is_stored(signed_in: Client, member, clamd) -> None:
    infected = image_bytes("PNG") + EICAR  # a valid PNG that Pillow alone would accept
    with clamd.watch() as verdicts:
        response = upload(signed_in, member, infected, name="me.png", content_type="image/png")
    assert response.status_code == 400
    assert "virus scanner found something harmful" in response.content.decode()
    assert stored_photo(member) is None
    # The original bytes reached clamd, before any decoding would drop what follows the image.
    assert verdicts == [f"{EICAR_FOUND_AS} FOUND"]


@pytest.mark.django_db
@pytest.mark.clause("P7.2")
def test_clamd_passes_a_clean_upload(signed_in: Client, member, clamd) -> None:
    clean = image_bytes("JPEG", (2000, 100))
    with clamd.watch() as verdicts:
        assert upload(signed_in, member, clean).status_code == 302
    assert verdicts == ["OK"]
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
