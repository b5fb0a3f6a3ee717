"""`{% post_card shown %}`, a post's card, and `{% comment_actions comment slug %}`, what later apps put beside a
comment (spaces.cards), each in the including page's context."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from groupket.spaces.cards import render_card, written_actions
from groupket.spaces.feeds import ShownPost
from groupket.spaces.models import Comment

register = template.Library()


@register.simple_tag(takes_context=True)
def post_card(context: template.Context, shown: ShownPost) -> SafeString:
    return render_card(shown, context)


@register.simple_tag(takes_context=True)
def comment_actions(context: template.Context, comment: Comment, slug: str) -> SafeString:
    """Each written action beside another member's comment, after " · " as the comment's other links are."""
    made = written_actions(context, comment, kind="comment", slug=slug)
    return mark_safe("".join(f" · {action}" for action in made))  # noqa: S308 - each action's own escaped HTML
