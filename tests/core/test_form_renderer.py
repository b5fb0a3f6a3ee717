"""The plain <input> widgets drawn in Python (core.form_renderer) are Django's own markup, byte for byte."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from groupket.core.form_renderer import PLAIN_INPUTS, FormRenderer


class EveryInput(forms.Form):
    text = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(strip=False, widget=forms.PasswordInput(render_value=True))
    agree = forms.BooleanField(required=False, help_text="Read the terms first")
    email = forms.EmailField(widget=forms.EmailInput(attrs={"spellcheck": False, "data-x": 'a"b<c>&'}))
    number = forms.IntegerField(min_value=1)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    hidden = forms.CharField(widget=forms.HiddenInput)
    upload = forms.FileField(required=False)
    web = forms.URLField(required=False, assume_scheme="https")
    phone = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}))


BOUND = {
    "text": 'Ab "quoted" <b>&amp;',
    "password": "p<a>ss",
    "agree": "on",
    "email": "not an address",
    "number": "0",
    "when": "2026-12-01",
    "hidden": mark_safe("<i>safe</i>"),  # noqa: S308 - a value already marked safe is not escaped again
    "web": "",
}


@pytest.mark.parametrize("data", [None, BOUND, {}], ids=["unbound", "bound with errors", "empty"])
def test_plain_inputs_are_djangos_markup(data: dict | None) -> None:
    django_form = EveryInput(data, renderer=DjangoTemplates())
    ours = EveryInput(data, renderer=FormRenderer())
    for name in EveryInput.base_fields:
        assert str(ours[name]) == str(django_form[name]), name
    assert ours.as_div() == django_form.as_div()


def test_only_templates_that_are_input_html_alone_are_drawn_in_python() -> None:
    engine = DjangoTemplates().engine
    for name in PLAIN_INPUTS:
        source = engine.get_template(name).template.source
        assert source == '{% include "django/forms/widgets/input.html" %}\n', name
    input_html = engine.get_template("django/forms/widgets/input.html").template.source
    assert input_html == (
        '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %} '
        'value="{{ widget.value|stringformat:\'s\' }}"{% endif %}{% include "django/forms/widgets/attrs.html" %}>\n'
    )


def test_the_site_draws_forms_with_it(settings) -> None:
    assert settings.FORM_RENDERER == "groupket.core.form_renderer.FormRenderer"
