"""Profile photos: judged by their content, scanned, and re-encoded before they are stored (P7.2).

Only the pixels of an upload survive: the stored photo is a fresh WebP (JPEG where
Pillow lacks WebP) at most 1024 px on its long side, with no EXIF (camera, GPS),
XMP, ICC or text metadata. Uploads are held in memory only, never in a temporary
file, so a rejected file leaves nothing behind.
"""

import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from PIL import Image, ImageMode, ImageOps, features

from groupket.core import antivirus

logger = logging.getLogger(__name__)
View = Callable[..., HttpResponse]

MAX_SIDE = 1024
# Checked from the header before any pixel is decoded: a small file must not inflate into gigabytes.
MAX_PIXELS = 40_000_000
# The pixels' size in memory once decoded (at the reduced JPEG scale, in the mode re-encoding works in),
# also from the header: 40 megapixels of 16-bit colour would still take hundreds of MB per upload.
MAX_DECODED_BYTES = 64 * 2**20
OUTPUT_FORMAT, OUTPUT_CONTENT_TYPE = ("WEBP", "image/webp") if features.check("webp") else ("JPEG", "image/jpeg")
ACCEPT = "image/jpeg,image/png,image/webp"

MESSAGES: dict[str, Promise] = {
    "too_big": _("The photo is larger than %(limit_mb)s MB. Choose a smaller one."),
    "type": _("This file is not a JPEG, PNG or WebP image. Choose a photo in one of those formats."),
    "corrupt": _("This image could not be read; it may be damaged. Choose another photo."),
    "too_many_pixels": _("This image has too many pixels. Choose a photo under %(megapixels)s megapixels."),
    "too_much_memory": _(
        "This image is too large to process: decoding it would take more than %(decoded_mb)s MB. "
        "Choose a photo with fewer pixels or fewer colours."
    ),
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
        limits = {
            "limit_mb": settings.GROUPKET_PHOTO_MAX_BYTES // 2**20,
            "megapixels": MAX_PIXELS // 10**6,
            "decoded_mb": MAX_DECODED_BYTES // 2**20,
        }
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


def photo_response(data: bytes, content_type: str, *, cache_control: str | None) -> HttpResponse:
    """A stored photo as an <img> asks for it, never sniffed as another type; `cache_control` as its page allows
    (None: the caller sets the caching headers)."""
    response = HttpResponse(data, content_type=content_type)
    if cache_control is not None:
        response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response


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


def check_upload(upload: UploadedFile) -> ProfilePhoto:
    """One uploaded file, through every check of a profile photo: what any form that takes photos calls."""
    if upload.size > settings.GROUPKET_PHOTO_MAX_BYTES:
        raise PhotoRejected("too_big")
    return make_profile_photo(upload.read())


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
    """The loaded image, once its header shows its pixels fit MAX_PIXELS and MAX_DECODED_BYTES."""
    if image_format == "WEBP":
        # libwebp allocates the whole canvas as soon as Pillow opens the file, so its size is read first.
        _refuse_too_large(*_webp_size(original), per_pixel=_WORKING_BYTES * _WEBP_COPIES_WITH_ALPHA)
    try:
        with Image.open(BytesIO(original), formats=[image_format]) as probe:
            _refuse_too_large(probe.width, probe.height, per_pixel=0)
            probe.verify()
        # verify() leaves the image unusable, so the pixels are decoded from a second open.
        image = Image.open(BytesIO(original), formats=[image_format])
        extra = 0
        if image_format == "JPEG":
            extra = _progressive_jpeg_bytes(image)
            # Decode at 1/2, 1/4 or 1/8 scale when that still covers the final size: far less memory and time.
            scale = MAX_SIDE / max(image.size)
            image.draft("RGB", (max(1, round(image.width * scale)), max(1, round(image.height * scale))))
        if decoded_bytes(image, original, image_format) + extra > MAX_DECODED_BYTES:
            raise PhotoRejected("too_much_memory")
        image.load()
        return image
    except Image.DecompressionBombError as error:
        # Pillow's own guard, for canvases so large it refuses to open them at all.
        raise PhotoRejected("too_many_pixels") from error
    except _DECODE_ERRORS as error:
        raise PhotoRejected("corrupt") from error


def _refuse_too_large(width: int, height: int, *, per_pixel: int) -> None:
    if width * height > MAX_PIXELS:
        raise PhotoRejected("too_many_pixels")
    if width * height * per_pixel > MAX_DECODED_BYTES:
        raise PhotoRejected("too_much_memory")


# Pillow keeps every mode of more than one 8-bit band (RGB included) in 4 bytes a pixel, like RGBA.
_WORKING_BYTES = 4
# A WebP is held three times while it loads (libwebp's canvas, the frame it hands over, Pillow's image),
# and a fourth for resampling with transparency; its header is costed before its mode is known.
_WEBP_COPIES = 3
_WEBP_COPIES_WITH_ALPHA = _WEBP_COPIES + 1


def decoded_bytes(image: Image.Image, original: bytes, image_format: str) -> int:
    """The memory the pixels take while decoded and re-encoded, from the header alone.

    A pixel costs the largest of the file's own samples, Pillow's form of them and the RGB(A) form
    re-encoding works in. A photo that keeps transparency costs one copy more, because resampling
    works on a premultiplied copy of it; a WebP two more (see _WEBP_COPIES).
    """
    per_pixel = max(_sample_bytes(original), _memory_bytes(image.mode), _WORKING_BYTES)
    copies = (_WEBP_COPIES if image_format == "WEBP" else 1) + int(_keeps_alpha(image))
    return image.width * image.height * per_pixel * copies


def _keeps_alpha(image: Image.Image) -> bool:
    return OUTPUT_FORMAT == "WEBP" and (image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info)


def _memory_bytes(mode: str) -> int:
    described = ImageMode.getmode(mode)
    return int(described.typestr[-1]) if len(described.bands) == 1 else _WORKING_BYTES


_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by IHDR colour type: grey, RGB, palette, grey+alpha, RGBA


def _sample_bytes(original: bytes) -> int:
    """Bytes a pixel of a PNG's own samples (16 bits a channel doubles them); JPEG and WebP have 8-bit samples."""
    if sniff_format(original) != "PNG" or original[12:16] != b"IHDR":
        return 1
    bit_depth, colour_type = original[24], original[25]
    return -(-_PNG_CHANNELS.get(colour_type, 4) * bit_depth // 8)


def _progressive_jpeg_bytes(image: Image.Image) -> int:
    """libjpeg keeps every DCT coefficient (2 bytes a sample) of a progressive JPEG at full size, whatever the scale."""
    if not image.info.get("progressive"):
        return 0
    h_max = max(layer[1] for layer in image.layer)
    v_max = max(layer[2] for layer in image.layer)
    return sum(-(-image.width * h // h_max) * -(-image.height * v // v_max) * 2 for _id, h, v, _table in image.layer)


def _webp_size(original: bytes) -> tuple[int, int]:
    """The canvas of a WebP from its first chunk (lossy VP8, lossless VP8L or extended VP8X); (0, 0) when unreadable,
    which Pillow then refuses as corrupt."""
    chunk = original[12:16]
    if chunk == b"VP8 " and original[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", original[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and original[20:21] == b"\x2f":
        (bits,) = struct.unpack("<I", original[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(original) >= 30:
        return int.from_bytes(original[24:27], "little") + 1, int.from_bytes(original[27:30], "little") + 1
    return 0, 0


def _reencode(image: Image.Image) -> ProfilePhoto:
    mode = "RGBA" if _keeps_alpha(image) else "RGB"
    try:
        # No copy when the mode is already right, and the turn by EXIF orientation only once the image is
        # small: at full size each would hold a second copy of the decoded pixels.
        if image.mode != mode:
            image = image.convert(mode)
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        image = ImageOps.exif_transpose(image)
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


class PhotosUploadHandler(PhotoUploadHandler):
    """Keeps up to `most` files of one field in memory, each as PhotoUploadHandler keeps one (posts, disputes).

    A file past the count still arrives, with its true size but no content, so the form can say there were too
    many; only `most` photos are ever held in memory, however many a request carries.
    """

    most = 1

    def __init__(self, request: object = None) -> None:
        super().__init__(request)
        self.kept = 0

    def new_file(self, field_name: str, *args: object, **kwargs: object) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.in_field = field_name == self.field_name_accepted
        self.keeping = self.in_field and self.kept < self.most

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if self.in_field and not self.keeping:
            return InMemoryUploadedFile(
                BytesIO(), self.field_name, self.file_name, self.content_type, self.received, self.charset
            )
        upload = super().file_complete(file_size)
        if upload is not None:
            self.kept += 1
        return upload


def uploads_kept_in_memory(handler: type[FileUploadHandler]) -> Callable[[View], View]:
    """Parse a view's uploads with `handler`: nothing uploaded ever touches the disk (P7.2).

    The CSRF check reads the body, which fixes the upload handlers, so it is moved
    inside: the handlers are swapped first, then the unchanged CSRF check runs.
    """

    def decorate(view: View) -> View:
        protected = csrf_protect(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            request.upload_handlers = [handler(request)]
            return protected(request, *args, **kwargs)

        return csrf_exempt(wrapper)

    return decorate
