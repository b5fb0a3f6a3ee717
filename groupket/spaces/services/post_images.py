"""The photos of a post, inside the post services' transactions: sealed under the post's own key (P8.5).

Each photo has already passed every check of a profile photo (accounts.photos, P7.2) when it gets here; only
its re-encoded bytes are stored. Post.image_ids keeps their order, so pages build their addresses without a query.
"""

from collections.abc import Collection, Sequence

from groupket.accounts.photos import ProfilePhoto
from groupket.spaces.models import Post, PostImage


def attach(post: Post, photos: Sequence[ProfilePhoto]) -> list[int]:
    """Store the photos under the post's key, by its author; their ids, in order."""
    return [
        PostImage.objects.create(
            post=post,
            author_id=post.author_id,
            data_key_id=post.data_key_id,
            content=photo.data,
            content_type=photo.content_type,
        ).pk
        for photo in photos
    ]


def detach(post: Post, image_ids: Collection[int]) -> int:
    """Delete these photos of the post (ids of other posts are ignored); how many went."""
    deleted, _by_model = PostImage.objects.filter(post=post, pk__in=list(image_ids)).delete()
    return deleted
