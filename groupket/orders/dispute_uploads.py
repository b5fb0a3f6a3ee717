"""A dispute's photos: up to 3, each checked as a profile photo is (content sniffed, scanned, re-encoded without
metadata, held in memory only; accounts.photos, P7.2)."""

from groupket.accounts import photos

MAX_IMAGES = 3
FIELD = "images"


class DisputeUploadHandler(photos.PhotoUploadHandler):
    """Keeps at most MAX_IMAGES files of the `images` field in memory; anything else is dropped unread."""

    field_name_accepted = FIELD

    def __init__(self, request: object = None) -> None:
        super().__init__(request)
        self.kept = 0

    def new_file(self, field_name: str, *args: object, **kwargs: object) -> None:
        super().new_file(field_name, *args, **kwargs)
        # Past the limit the file still arrives (as an empty upload) so the form can say there were too many.
        self.keeping = field_name == self.field_name_accepted

    def file_complete(self, file_size: int):  # noqa: ANN201 (the base class's signature)
        upload = super().file_complete(file_size)
        self.kept_one = False
        if upload is not None:
            self.kept += 1
        return upload
