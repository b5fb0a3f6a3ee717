"""A dispute's photos: up to 3, each checked as a profile photo is (content sniffed, scanned, re-encoded without
metadata, held in memory only; accounts.photos, P7.2)."""

from groupket.accounts import photos

MAX_IMAGES = 3
FIELD = "images"


class DisputeUploadHandler(photos.PhotosUploadHandler):
    """Keeps at most MAX_IMAGES files of the `images` field in memory; anything else is dropped unread."""

    field_name_accepted = FIELD
    most = MAX_IMAGES
