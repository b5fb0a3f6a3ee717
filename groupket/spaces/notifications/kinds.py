"""The kinds of notification, what each says, and the email switch that covers it.

What a notification says is fixed text per kind (translated when shown); who caused it and what it is
about are read from the rows it points at, at display time. The moderation app tells a member about a
decision through `services.notify` with one of DECISIONS.
"""

from django.utils.translation import gettext_lazy as _

REPLY_TO_POST = "reply_to_post"
REPLY_TO_COMMENT = "reply_to_comment"
MENTION = "mention"
JOIN_REQUEST = "join_request"
JOIN_APPROVED = "join_approved"
MODERATION_DECISION = "moderation_decision"

# Kinds other apps may create through services.notify; the rest only the spaces' own services make.
EXTERNAL_KINDS = (MODERATION_DECISION,)

SAYS = {
    REPLY_TO_POST: _("Commented on your post"),
    REPLY_TO_COMMENT: _("Replied to your comment"),
    MENTION: _("Mentioned you"),
    JOIN_REQUEST: _("Asked to join your space"),
    JOIN_APPROVED: _("Your request to join was approved"),
    MODERATION_DECISION: _("A moderation decision about you"),
}

# What a moderation decision was: the moderation app passes one of these codes, sealed with the row.
DECISIONS = {
    "approved": _("Your held post or comment was approved and is now shown."),
    "hidden": _("A moderator hid your post or comment."),
    "deleted": _("A moderator deleted your post or comment."),
    "warned": _("You received a warning."),
    "silenced": _("You cannot post in a space for a while."),
    "suspended": _("Your use of Groupket is suspended for a while."),
    "appeal_upheld": _("Your appeal was upheld, and the action was undone."),
    "appeal_refused": _("Your appeal was refused."),
}

# The switches on /me/notifications/: each turns the mail of some kinds on or off (the list keeps them all).
EMAIL_SWITCHES = {
    "replies": (REPLY_TO_POST, REPLY_TO_COMMENT),
    "mentions": (MENTION,),
    "join_requests": (JOIN_REQUEST,),
    "join_answers": (JOIN_APPROVED,),
    "moderation": (MODERATION_DECISION,),
}
SWITCH_LABELS = {
    "replies": _("Comments on my posts and replies to my comments"),
    "mentions": _("Mentions of my ID"),
    "join_requests": _("Requests to join a space I run"),
    "join_answers": _("Answers to my requests to join"),
    "moderation": _("Moderation decisions about me"),
}
# In a one-click link: every switch at once (the List-Unsubscribe header).
ALL_SWITCHES = "all"


def switch_of(kind: str) -> str:
    for switch, kinds in EMAIL_SWITCHES.items():
        if kind in kinds:
            return switch
    raise ValueError(f"no email switch covers the notification kind {kind!r}")
