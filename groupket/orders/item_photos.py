"""A group order's item photos: up to 4, each checked exactly as a profile photo is (accounts.photos: size, content
sniffed, scanned by clamd, decoded within limits, re-encoded without metadata, held in memory only; P7.2), as a
dispute's photos are (dispute_uploads.py); then a small copy is made of the checked photo for lists."""

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from django.core.files.uploadedfile import UploadedFile
from PIL import Image

from groupket.accounts import photos

MAX_PHOTOS = 4
FIELD = "photos"
THUMBNAIL_SIDE = 240


class ItemPhotoUploadHandler(photos.PhotosUploadHandler):
    """Keeps the first MAX_PHOTOS files of the `photos` field in memory; one past them arrives empty, with its size,
    so that the form can say there were too many."""

    field_name_accepted = FIELD
    most = MAX_PHOTOS


@dataclass(frozen=True)
class ItemPhoto:
    """A checked, re-encoded photo of the item and its small copy: only this is ever stored."""

    photo: bytes
    thumbnail: bytes
    content_type: str
    width: int
    height: int


class TooManyPhotos(ValueError):
    """More than MAX_PHOTOS files were sent."""


def check_item_photos(uploads: Sequence[UploadedFile]) -> list[ItemPhoto]:
    """Every upload checked as a profile photo is, in order; the first refused one raises photos.PhotoRejected
    (or TooManyPhotos), and then nothing of any of them is kept."""
    if len(uploads) > MAX_PHOTOS:
        raise TooManyPhotos(f"at most {MAX_PHOTOS} photos, not {len(uploads)}")
    checked = []
    for upload in uploads:
        checked.append(_with_thumbnail(photos.check_upload(upload)))
    return checked


def _with_thumbnail(checked: photos.ProfilePhoto) -> ItemPhoto:
    # The photo is already our own re-encoding (at most 1024 px, no metadata), so opening it again is safe.
    with Image.open(BytesIO(checked.data)) as image:
        width, height = image.size
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
        out = BytesIO()
        image.save(out, format=photos.OUTPUT_FORMAT, quality=80)
    return ItemPhoto(checked.data, out.getvalue(), checked.content_type, width, height)
