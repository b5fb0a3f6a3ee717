"""A group order's item photos: up to 4, each checked exactly as a profile photo is (accounts.photos: size, content
sniffed, scanned by clamd, decoded within limits, re-encoded without metadata, held in memory only; P7.2), as a
dispute's photos are (dispute_uploads.py); then a small copy is made of the checked photo for lists."""

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image

from groupket.accounts import photos

MAX_PHOTOS = 4
FIELD = "photos"
THUMBNAIL_SIDE = 240


class ItemPhotoUploadHandler(photos.PhotoUploadHandler):
    """Keeps the first MAX_PHOTOS files of the `photos` field in memory, each up to the photo size limit.

    A file past the limit still arrives, empty but with its size, so that the form can say there were too many;
    its bytes are counted, never kept, so memory stays at MAX_PHOTOS photos whatever the request holds.
    """

    field_name_accepted = FIELD

    def __init__(self, request: object = None) -> None:
        super().__init__(request)
        self.kept = 0

    def new_file(self, field_name: str, *args: object, **kwargs: object) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.keeping = field_name == self.field_name_accepted
        self.counting_only = self.kept >= MAX_PHOTOS

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.keeping and not self.counting_only and self.received <= settings.GROUPKET_PHOTO_MAX_BYTES:
            self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int):  # noqa: ANN201 (the base class's signature)
        upload = super().file_complete(file_size)
        if upload is not None:
            self.kept += 1
        return upload


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
        if upload.size > settings.GROUPKET_PHOTO_MAX_BYTES:
            raise photos.PhotoRejected("too_big")
        checked.append(_with_thumbnail(photos.make_profile_photo(upload.read())))
    return checked


def _with_thumbnail(checked: photos.ProfilePhoto) -> ItemPhoto:
    # The photo is already our own re-encoding (at most 1024 px, no metadata), so opening it again is safe.
    with Image.open(BytesIO(checked.data)) as image:
        width, height = image.size
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
        out = BytesIO()
        image.save(out, format=photos.OUTPUT_FORMAT, quality=80)
    return ItemPhoto(checked.data, out.getvalue(), checked.content_type, width, height)
