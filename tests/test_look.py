"""The look every page shares: the icons and the web app manifest, and the stylesheet's rules for Korean,
dark mode and the focus ring; nothing is loaded from another origin."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from PIL import Image, ImageChops

from groupket.core.management.commands.draw_icons import PNGS

STYLESHEET = Path(settings.BASE_DIR) / "groupket" / "static" / "css" / "groupket.css"
KOREAN_FONTS = ['"Apple SD Gothic Neo"', '"Malgun Gothic"', '"Noto Sans KR"', '"Noto Sans CJK KR"', "sans-serif"]


def rule(css: str, selector: str) -> str:
    """The declarations of the first rule whose selector list is exactly `selector`."""
    match = re.search(r"(?:^|\}|\*/)\s*" + re.escape(selector) + r"\s*\{([^}]*)\}", css, re.MULTILINE)
    assert match, f"no rule for {selector}"
    return match.group(1)


@pytest.mark.django_db
def test_every_page_names_its_icons_manifest_and_theme_colour(client: Client) -> None:
    for path in ("/", "/accounts/login/", "/no-such-page/"):
        head = client.get(path).content.decode().split("</head>", 1)[0]
        assert re.search(r'<link rel="icon" href="/static/img/groupket\.svg" type="image/svg\+xml">', head), path
        assert '<link rel="icon" href="/static/img/favicon-32.png" type="image/png" sizes="32x32">' in head
        assert '<link rel="apple-touch-icon" href="/static/img/apple-touch-icon.png">' in head
        assert '<link rel="manifest" href="/manifest.webmanifest">' in head
        assert '<meta name="theme-color" content="#2f6f5e" media="(prefers-color-scheme: light)">' in head


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "description"), [("en", "Your information"), ("ko", "회원님의 정보")])
def test_the_manifest_puts_groupket_on_a_home_screen_in_the_visitors_language(
    client: Client, language: str, description: str
) -> None:
    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["lang"] == language and manifest["description"].startswith(description)
    assert (manifest["start_url"], manifest["display"], manifest["theme_color"]) == ("/", "standalone", "#2f6f5e")
    purposes = set()
    for icon in manifest["icons"]:
        found = finders.find(icon["src"].removeprefix("/static/"))
        width, height = (int(side) for side in icon["sizes"].split("x"))
        with Image.open(found) as image:
            assert image.format == "PNG" and image.size == (width, height), icon
        purposes.add(icon["purpose"])
    assert purposes == {"any", "maskable"}
    assert client.post("/manifest.webmanifest").status_code == 405


def test_the_committed_icons_are_what_draw_icons_draws(tmp_path: Path) -> None:
    call_command("draw_icons", folder=tmp_path, stdout=open("/dev/null", "w"))  # noqa: SIM115
    committed = Path(settings.BASE_DIR) / "groupket" / "static" / "img"
    assert (tmp_path / "groupket.svg").read_text() == (committed / "groupket.svg").read_text()
    for name, (size, _rounded) in PNGS.items():
        with Image.open(tmp_path / name) as drawn, Image.open(committed / name) as kept:
            assert kept.size == (size, size)
            assert ImageChops.difference(drawn.convert("RGBA"), kept.convert("RGBA")).getbbox() is None, name


def test_korean_breaks_between_words_in_a_font_with_korean_glyphs() -> None:
    css = STYLESHEET.read_text(encoding="utf-8")
    korean = rule(css, ":lang(ko)")
    assert "word-break: keep-all" in korean and "overflow-wrap: anywhere" in korean
    stack = re.search(r"font-family:([^;]+);", korean).group(1)
    assert [font.strip() for font in stack.split(",")] == KOREAN_FONTS
    # The default stack has Korean glyphs too, in the same order, before the generic family.
    default = re.search(r"--font:([^;]+);", css).group(1)
    assert [font.strip() for font in default.split(",")][-5:] == KOREAN_FONTS


def test_the_stylesheet_loads_no_font_or_file_from_anywhere() -> None:
    css = STYLESHEET.read_text(encoding="utf-8")
    assert "@import" not in css and "@font-face" not in css and "url(" not in css


def test_dark_mode_and_a_visible_focus_ring() -> None:
    css = STYLESHEET.read_text(encoding="utf-8")
    dark = css.split("@media (prefers-color-scheme: dark)", 1)[1].split("}\n}", 1)[0]
    for variable in ("--ink", "--bg", "--card", "--brand", "--line", "--field", "--focus"):
        assert f"{variable}:" in dark
    assert "outline: 3px solid var(--focus)" in rule(css, ":focus-visible")
    # Colours come from the variables, so dark mode reaches every rule: no colour literal outside :root's two blocks.
    outside = css.split("--radius: 10px;", 1)[1].split("@media (prefers-color-scheme: dark)", 1)[0]
    outside += css.split("--focus: #8ab8ff;", 1)[1]
    assert re.findall(r"#[0-9a-fA-F]{3,6}\b", outside) == []
