"""Every page fits a 360 px phone and a laptop, in English and Korean, and says where you are in its title.

The tour of tests/e2e/pages.py stops on every page a member and a staff member can reach (signed out,
signed in, with a form's errors shown, in the staff console). On each, at 360 x 740 and at 1280 x 900:
  - nothing is wider than the viewport: `document.documentElement.scrollWidth` stays within it (tables
    stack their rows or scroll inside their own box, long words and addresses wrap);
  - on the phone, every button, field, menu link and disclosure summary is at least 44 x 44 px
    (a checkbox or radio button counts by its label); links inside running text are exempt, as in WCAG 2.5.8;
  - the main pages are photographed, for people to look at: $GROUPKET_SCREENSHOT_DIR, or var/screenshots/
    (not committed), as <language>-<width>-<page>.png.
Then every page has a <title> of its own: no two different pages share one.

Chromium runs with hidden scrollbars (CHROMIUM_ARGS), as a phone overlays its own, so the viewport's
whole width is the page's.
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Recorded, Tabs
from tests.e2e.pages import LANGUAGES, PHONE, WIDTHS, Tour, Visit, prepare_tour

SCREENSHOTS = Path(os.environ.get("GROUPKET_SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / "var/screenshots")
TARGET = 44

# The widest few elements past the viewport's right edge, outside any box that scrolls by itself.
OVERFLOW = """() => {
  const root = document.documentElement, width = root.clientWidth;
  const scrolls = element => element.closest('.table-scroll, pre, [data-scrolls]') !== null;
  const culprits = [...document.body.querySelectorAll('*')]
    .filter(element => element.getBoundingClientRect().right > width + 0.5 && !scrolls(element))
    .map(element => `${element.tagName.toLowerCase()}${element.className ? '.' + element.className : ''}`
                    + ` (${Math.round(element.getBoundingClientRect().right)} px)`);
  return {scrollWidth: root.scrollWidth, width, culprits: culprits.slice(-3)};
}"""
# Targets smaller than 44 x 44 px on the page as it is laid out now.
SMALL_TARGETS = """(size) => {
  const targets = document.querySelectorAll(
    'button, a.button, input:not([type=hidden]), select, textarea, summary, nav a, .site-footer a');
  const small = [];
  for (const target of targets) {
    const box = (['checkbox', 'radio'].includes(target.type) && (target.closest('label') || target.labels[0]) || target)
      .getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown (inside a closed <details>, say)
    if (box.width < size - 0.5 || box.height < size - 0.5) {
      const name = (target.innerText || target.name || target.type || '').trim().slice(0, 30);
      small.push(`${target.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


def overflow(tab: Any, visit: Visit, viewport: dict[str, int], language: str) -> list[str]:
    found = tab.evaluate(OVERFLOW)
    if found["scrollWidth"] <= found["width"] <= viewport["width"]:
        return []
    return [
        f"[{language} {viewport['width']}] {visit.name}: {found['scrollWidth']} px wide in {found['width']} px; "
        f"widest: {', '.join(found['culprits'])}"
    ]


def small_targets(tab: Any, visit: Visit, language: str) -> list[str]:
    return [f"[{language}] {visit.name}: {target}" for target in tab.evaluate(SMALL_TARGETS, TARGET)]


def photograph(tab: Any, visit: Visit, viewport: dict[str, int], language: str) -> None:
    if visit.screenshot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"{language}-{viewport['width']}-{visit.screenshot}.png"), full_page=True)


def shared_titles(titles: dict[str, set[str]]) -> list[str]:
    """Titles that two different pages (by their path) share."""
    owners: dict[str, list[str]] = {}
    for path, seen in titles.items():
        for title in seen:
            owners.setdefault(title, []).append(path)
    return [f"{title!r}: {', '.join(paths)}" for title, paths in owners.items() if len(paths) > 1]


@pytest.mark.e2e
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_fits_a_phone_and_a_laptop_and_has_its_own_title(
    live_server: Any, tabs: Tabs, recorded: Recorded, language: str
) -> None:
    people = prepare_tour()
    tab = tabs.open(locale=language, viewport=PHONE)
    too_wide: list[str] = []
    too_small: list[str] = []
    titles: dict[str, set[str]] = {}
    visited = 0

    for visit in Tour(tab, live_server.url, people):
        visited += 1
        # Alternate the order, so that each page is laid out at the other width once without a resize.
        for viewport in WIDTHS if visited % 2 else reversed(WIDTHS):
            tab.set_viewport_size(viewport)
            too_wide += overflow(tab, visit, viewport, language)
            if viewport is PHONE:
                too_small += small_targets(tab, visit, language)
            photograph(tab, visit, viewport, language)
        title = tab.title()
        assert title.strip(), f"{visit.name} has no title"
        titles.setdefault(urlsplit(tab.url).path, set()).add(title)

    assert visited > 40
    assert too_wide == [], "\n".join(too_wide)
    assert too_small == [], "\n".join(too_small)
    assert shared_titles(titles) == [], "\n".join(shared_titles(titles))
    assert recorded.console_errors == []
