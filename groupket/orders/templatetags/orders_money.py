"""Amounts in Korean won as people read them: 12,000원 in Korean, ₩12,000 in English."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def won(amount: int | None) -> str:
    if amount is None:
        return ""
    return _("₩%(amount)s") % {"amount": f"{int(amount):,}"}
