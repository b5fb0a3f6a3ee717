"""`{% post_card shown %}`: a post's card (spaces.cards), in the including page's context."""

from django import template
from django.utils.safestring import SafeString

from groupket.spaces.cards import render_card
from groupket.spaces.feeds import ShownPost

register = template.Library()


@register.simple_tag(takes_context=True)
def post_card(context: template.Context, shown: ShownPost) -> SafeString:
    return render_card(shown, context)
