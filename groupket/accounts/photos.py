"""Profile photos: judged by their content, scanned, and re-encoded before they are stored (P7.2).

Only the pixels of an upload survive: the stored photo is a fresh WebP (JPEG where
Pillow lacks WebP) at most 1024 px on its long side, with no EXIF (camera, GPS),
XMP, ICC or text metadata. Uploads are held in memory only, never in a temporary
file, so a rejected file leaves nothing behind.
"""

import logging
import struct
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, features

from groupket.core import antivirus

logger = logging.getLogger(__name__)

MAX_SIDE = 1024
# Checked from the header before any pixel is decoded: a small file must not inflate into gigabytes.
MAX_PIXELS = 40_000_000
OUTPUT_FORMAT, OUTPUT_CONTENT_TYPE = ("WEBP", "image/webp") if features.check("webp") else ("JPEG", "image/jpeg")
ACCEPT = "image/jpeg,image/png,image/webp"

MESSAGES: dict[str, Promise] = {
    "too_big": _("The photo is larger than %(limit_mb)s MB. Choose a smaller one."),
    "type": _("This file is not a JPEG, PNG or WebP image. Choose a photo in one of those formats."),
    "corrupt": _("This image could not be read; it may be damaged. Choose another photo."),
    "too_many_pixels": _("This image has too many pixels. Choose a photo under %(megapixels)s megapixels."),
    "infected": _("The virus scanner found something harmful in this file, so it was not stored."),
    "scanner_unavailable": _("The virus scanner is not available right now, so no photo can be stored. Try later."),
}


class PhotoRejected(Exception):
    """The upload is not stored; `code` picks the message shown to the member."""

    def __init__(self, code: str) -> None:
        super().__init__(f"photo rejected: {code}")
        self.code = code

    @property
    def message(self) -> str:
        limits = {"limit_mb": settings.GROUPKET_PHOTO_MAX_BYTES // 2**20, "megapixels": MAX_PIXELS // 10**6}
        return MESSAGES[self.code] % limits


@dataclass(frozen=True)
class ProfilePhoto:
    """A photo that has passed every check and been re-encoded; only this is ever stored."""

    data: bytes
    content_type: str


def sniff_format(data: bytes) -> str | None:
    """The image format from the first bytes, whatever the file name or the browser claims."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def content_type_of(stored: bytes) -> str:
    """The Content-Type of a stored (re-encoded) photo."""
    image_format = sniff_format(stored)
    if image_format not in ("WEBP", "JPEG"):
        raise ValueError(f"stored photo is not re-encoded WebP or JPEG (starts {stored[:4]!r})")
    return f"image/{image_format.lower()}"


def make_profile_photo(original: bytes) -> ProfilePhoto:
    """Check the uploaded bytes and return the re-encoded photo, or raise PhotoRejected."""
    if len(original) > settings.GROUPKET_PHOTO_MAX_BYTES:
        raise PhotoRejected("too_big")
    if antivirus.is_configured():
        _scan(original)
    image_format = sniff_format(original)
    if image_format is None:
        raise PhotoRejected("type")
    return _reencode(_decode(original, image_format))


def _scan(original: bytes) -> None:
    try:
        verdict = antivirus.scan(original)
    except antivirus.ScannerUnavailable:
        logger.warning("photo refused: virus scanner unavailable")
        raise PhotoRejected("scanner_unavailable") from None
    if not verdict.clean:
        logger.warning("photo refused: virus scanner found %s", verdict.signature)
        raise PhotoRejected("infected")


# Hostile input reaches deep into Pillow's parsers (EXIF included); whatever they raise means "not a usable image".
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, TypeError, KeyError, IndexError, struct.error)


def _decode(original: bytes, image_format: str) -> Image.Image:
    try:
        with Image.open(BytesIO(original), formats=[image_format]) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise PhotoRejected("too_many_pixels")
            probe.verify()
        # verify() leaves the image unusable, so the pixels are decoded from a second open.
        image = Image.open(BytesIO(original), formats=[image_format])
        if image_format == "JPEG":
            # Decode at 1/2, 1/4 or 1/8 scale when that still covers the final size: far less memory and time.
            scale = MAX_SIDE / max(width, height)
            image.draft("RGB", (max(1, round(width * scale)), max(1, round(height * scale))))
        image.load()
        return ImageOps.exif_transpose(image)
    except Image.DecompressionBombError as error:
        # Pillow's own guard, for canvases so large it refuses to open them at all.
        raise PhotoRejected("too_many_pixels") from error
    except _DECODE_ERRORS as error:
        raise PhotoRejected("corrupt") from error


def _reencode(image: Image.Image) -> ProfilePhoto:
    keeps_alpha = OUTPUT_FORMAT == "WEBP" and (image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info)
    try:
        image = image.convert("RGBA" if keeps_alpha else "RGB")
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        # A new image from the raw pixels carries nothing else of the upload: no EXIF, XMP, ICC or text chunks.
        clean = Image.frombytes(image.mode, image.size, image.tobytes())
        out = BytesIO()
        clean.save(out, format=OUTPUT_FORMAT, quality=85)
    except _DECODE_ERRORS as error:
        raise PhotoRejected("corrupt") from error
    return ProfilePhoto(data=out.getvalue(), content_type=OUTPUT_CONTENT_TYPE)


class PhotoUploadHandler(FileUploadHandler):
    """Keeps the first uploaded photo in memory, never in a temporary file; other files are dropped.

    Bytes past the size limit are counted but not kept, so an oversized photo still
    arrives (with its true size and no content) and gets a clear error instead of vanishing.
    """

    field_name_accepted = "photo"

    def __init__(self, request: object = None) -> None:
        super().__init__(request)
        self.kept_one = False

    def new_file(self, field_name: str, *args: object, **kwargs: object) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.keeping = field_name == self.field_name_accepted and not self.kept_one
        self.buffer = BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.keeping and self.received <= settings.GROUPKET_PHOTO_MAX_BYTES:
            self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if not self.keeping:
            return None
        self.kept_one = True
        content = self.buffer if self.received <= settings.GROUPKET_PHOTO_MAX_BYTES else BytesIO()
        content.seek(0)
        return InMemoryUploadedFile(
            content,
            self.field_name,
            self.file_name,
            self.content_type,
            self.received,
            self.charset,
            self.content_type_extra,
        )
