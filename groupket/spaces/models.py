"""Spaces, their members, posts, comments and reactions.

A space's name, address, description and rules are the space's, not a person's, and stay
searchable. What a member writes (titles, bodies, comments and their earlier versions) is
sealed under the author's own data key (P8.5): each such row points at that key with
on_delete=CASCADE, so destroying the key on Unregister destroys the writing too. A member who
unregisters may instead leave their posts and comments under "Withdrawn member": the rows are
re-sealed under their space's own key (Space.withdrawn_key) and lose their author, so nothing
ties them to the member any more (spaces.withdrawal).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groupket.core.fields import EncryptedBytesField, EncryptedTextField
from groupket.core.models import DataKey


class Space(models.Model):
    PUBLIC, MEMBERS_ONLY, HIDDEN = "public", "members", "hidden"
    VISIBILITY_CHOICES = [
        (PUBLIC, _("Public: anyone can read it")),
        (MEMBERS_ONLY, _("Members only: listed, readable by its members")),
        (HIDDEN, _("Hidden: not listed, reachable by invitation")),
    ]
    OPEN, APPROVAL, INVITATION = "open", "approval", "invitation"
    JOINING_CHOICES = [
        (OPEN, _("Open: anyone can join")),
        (APPROVAL, _("By approval of the organisers")),
        (INVITATION, _("By invitation only")),
    ]

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=40, unique=True)
    description = models.TextField(max_length=2000, blank=True)
    # Numbered by position: rule 1 is rules[0]. Reports will cite them by number.
    rules = models.JSONField(default=list, blank=True)
    visibility = models.CharField(max_length=10, choices=VISIBILITY_CHOICES, default=PUBLIC)
    joining = models.CharField(max_length=10, choices=JOINING_CHOICES, default=OPEN)
    # The secret part of the invitation link; empty when organisers have revoked it.
    invitation_token = models.CharField(max_length=64, blank=True, default="")
    # Stored now; enforced when screening arrives (issue 11, section 3). 0 is off.
    slow_mode_minutes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The key of what withdrawn members left here: a key of the space's, no person's; made on first use.
    withdrawn_key = models.ForeignKey(DataKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["visibility", "closed_at"], name="spaces_listed")]

    def __str__(self) -> str:
        return f"space {self.slug}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Membership(models.Model):
    """A member's place in a space: invited, asking to join, or in it with a role."""

    OWNER, ORGANISER, MEMBER = "owner", "organiser", "member"
    ROLE_CHOICES = [(OWNER, _("Owner")), (ORGANISER, _("Organiser")), (MEMBER, _("Member"))]
    ACTIVE, REQUESTED, INVITED = "active", "requested", "invited"
    STATUS_CHOICES = [(ACTIVE, _("Member")), (REQUESTED, _("Asked to join")), (INVITED, _("Invited"))]

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_memberships")
    role = models.CharField(max_length=10, choices=ROLE_CHOICES, default=MEMBER)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "member"], name="spaces_one_membership")]
        indexes = [models.Index(fields=["member", "status"], name="spaces_membership_member")]

    def __str__(self) -> str:
        return f"membership {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status == self.ACTIVE

    @property
    def runs_space(self) -> bool:
        return self.is_active and self.role in (self.OWNER, self.ORGANISER)


class Written(models.Model):
    """What posts and comments share: whether screening and moderators let others see it (P10.1).

    Everyone sees a shown item; a held one waits for review, a hidden one was hidden by a moderator
    or by a report of exposed personal information, and a removed one was deleted by a moderator and
    is destroyed once its appeal period ends. Those three are seen only by the author and the
    space's organisers. `censored`: screening masked a watched word before it was stored.
    """

    SHOWN, HELD, HIDDEN, REMOVED = "shown", "held", "hidden", "removed"
    STATE_CHOICES = [
        (SHOWN, _("Shown")),
        (HELD, _("Held for review")),
        (HIDDEN, _("Hidden by moderators")),
        (REMOVED, _("Removed by moderators")),
    ]
    state = models.CharField(max_length=10, choices=STATE_CHOICES, default=SHOWN)
    censored = models.BooleanField(default=False)

    class Meta:
        abstract = True

    @property
    def is_shown(self) -> bool:
        return self.state == self.SHOWN


class Post(Written):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="posts")
    # None once the author has unregistered and left the post under "Withdrawn member".
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="posts")
    # The author's data key: the post dies with it (P8.5); the space's withdrawn_key once it is left behind.
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    title = EncryptedTextField(null=True)
    body = EncryptedTextField()
    # The body as pages show it, made when it is written (spaces.feeds.cook) and sealed under the same key: a feed
    # page opens 20 of these instead of parsing 20 bodies. Made by the cook of `cooked_with` (markdown.COOK_VERSION);
    # a page parses a body whose HTML is missing or older, until `manage.py recook_bodies` makes it again.
    body_html = EncryptedTextField(null=True)
    cooked_with = models.PositiveSmallIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    pinned_at = models.DateTimeField(null=True, blank=True)
    # Kept in step by the services (and by Unregister), so a feed page needs no count query per post.
    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    # The ids of its PostImages in the order the author gave them, kept in step by the services: a feed page
    # builds every image address (and so knows which ones a body may show) without a query per post.
    image_ids = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            # The keyset of the feeds: newest first, the id breaking ties.
            models.Index(fields=["space", "-created_at", "-id"], name="spaces_post_space_feed"),
            # The home feed filters it by space and state before reading a row: an index-only scan (a member in
            # 50 of 1,000 spaces skips some 400 index entries a page that would each have been a heap fetch).
            models.Index(fields=["-created_at", "-id"], include=["space", "state"], name="spaces_post_feed"),
            # A space's pinned posts, found without reading its other posts (the first page of every space feed).
            models.Index(
                fields=["space", "-pinned_at"], condition=models.Q(pinned_at__isnull=False), name="spaces_post_pinned"
            ),
            models.Index(fields=["author", "-created_at"], name="spaces_post_author"),
        ]

    def __str__(self) -> str:
        return f"post {self.pk}"


class PostImage(models.Model):
    """A photo attached to a post (at most 4), checked as a profile photo is (accounts.photos, P7.2) and sealed
    under the author's data key like the post itself: it dies with the key, or is re-sealed under the space's
    withdrawn_key when the author leaves their writing behind. Removing it from the post deletes it; earlier
    versions of a post keep no images."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    # None once the author has unregistered and left the post under "Withdrawn member".
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    content = EncryptedBytesField()
    content_type = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["author"], name="spaces_post_image_author")]

    def __str__(self) -> str:
        return f"image {self.pk} of post {self.post_id}"


class Revision(models.Model):
    """An earlier version of a post or comment, kept when its author edits it; sealed like what it replaced."""

    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    body = EncryptedTextField()
    # When this version was written (the creation, or the edit before), and when the next one replaced it.
    created_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-replaced_at", "-pk"]


class PostRevision(Revision):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    title = EncryptedTextField(null=True)

    def __str__(self) -> str:
        return f"revision {self.pk} of post {self.post_id}"


class Comment(Written):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    # One level of replies: a reply's parent is always a comment on the post itself.
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="comments"
    )  # None: left under "Withdrawn member"
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    body = EncryptedTextField()
    body_html = EncryptedTextField(null=True)  # as Post.body_html
    cooked_with = models.PositiveSmallIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["post", "created_at", "id"], name="spaces_comment_post"),
            models.Index(fields=["author"], name="spaces_comment_author"),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk}"


class CommentRevision(Revision):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")

    def __str__(self) -> str:
        return f"revision {self.pk} of comment {self.comment_id}"


class Reaction(models.Model):
    LIKE = "like"
    KIND_CHOICES = [(LIKE, _("Like"))]

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=10, choices=KIND_CHOICES, default=LIKE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "member", "kind"], name="spaces_one_reaction")]
        indexes = [models.Index(fields=["member", "post"], name="spaces_reaction_member")]

    def __str__(self) -> str:
        return f"reaction {self.pk}"


class SpaceLogEntry(models.Model):
    """One change in a space: who did what to whom, by ids and codes only, never any text a member wrote.

    Once a member unregisters, the entries keep the change but no longer name them.
    """

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="log_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="space_log_entries"
    )
    action = models.CharField(max_length=40)
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.SET_NULL, null=True, related_name="+")
    # Settings as they became (e.g. {"slow_mode_minutes": 5}); codes and numbers only.
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["space", "-created_at"], name="spaces_log_space")]

    def __str__(self) -> str:
        return f"space log entry {self.pk}"


class Notification(models.Model):
    """Something that happened that concerns a member, shown in their list and maybe mailed.

    Only ids and a kind code are stored in the clear: what the list shows (who, which post, its title) is
    read at display time from the sealed rows it points at, and the one free part, `detail` (what a
    moderation decision was and where to read it), is sealed under the recipient's own key, so the
    notification dies with them (P8.5). A post, comment or member that goes away leaves the notification
    saying so, rather than deleting it behind the unread count's back.
    """

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    # Who caused it, where that is shown (a reply, a mention, a request to join); never a moderator.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    space = models.ForeignKey(Space, on_delete=models.SET_NULL, null=True, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.SET_NULL, null=True, related_name="+")
    detail = EncryptedTextField(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # True while the member wants this kind by email and no mail has carried it yet.
    mail_due = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["member", "-created_at", "-id"], name="spaces_notification_list"),
            models.Index(fields=["member"], condition=models.Q(mail_due=True), name="spaces_notification_mail_due"),
        ]

    def __str__(self) -> str:
        return f"notification {self.pk}"


class NotificationSettings(models.Model):
    """Which kinds of notification a member gets by email, and when the last notification mail went out.

    A member without a row has every switch on; the row is made on the first change or mail.
    """

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notification_settings"
    )
    # The kinds (spaces.notifications.kinds.EMAIL_SWITCHES) the member has turned off by email.
    email_off = models.JSONField(default=list, blank=True)
    # At most one notification mail per member per 15 minutes: the rest wait for the next one.
    last_mailed_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    # "settings page" or "link in a mail": where the member last changed a switch.
    changed_via = models.CharField(max_length=20, blank=True, default="")

    def __str__(self) -> str:
        return f"notification settings of member {self.member_id}"
