"""Django's form renderer, with the plain <input> widgets written out in Python instead of through two templates.

A text, password, checkbox (...) widget renders Django's input.html, which includes attrs.html: two templates and
a loop for one tag, about 0.2 ms of CPU a field, the largest part of drawing a form (the login page's three fields
cost more than the rest of its body: bench/sign_in.py). The markup is Django's to the byte (its renderer strips the
newlines that end the template files); tests/core/test_form_renderer.py compares the two. Every other widget renders
through its template as before, and so would these if Django's templates for them changed (the test would say).
"""

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

# Django's widget templates that are {% include "django/forms/widgets/input.html" %} and nothing else.
PLAIN_INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)


def _shown(value: Any) -> str:
    # As the templates' {{ value|stringformat:'s' }}: the value as text, escaped unless it is already safe.
    return conditional_escape(str(value))


def render_input(widget: dict[str, Any]) -> SafeString:
    """input.html and attrs.html for this widget context, as Django's templates write them."""
    parts = [f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"']
    if widget["value"] is not None:
        parts.append(f' value="{_shown(widget["value"])}"')
    for name, value in widget["attrs"].items():
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        elif value is not False:
            parts.append(f' {conditional_escape(name)}="{_shown(value)}"')
    parts.append(">")
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name in PLAIN_INPUTS:
            return render_input(context["widget"])
        return super().render(template_name, context, request)
