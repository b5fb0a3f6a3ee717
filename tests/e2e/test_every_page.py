"""Every page fits a 360 px phone and a laptop, passes axe-core, and says where you are, in English and Korean.

The tour of tests/e2e/pages.py stops on every page a member and a staff member can reach (signed out,
signed in, with a form's errors shown, in the staff console after the second factor), in one tab per
language. Each page is loaded once and checked at 360 x 740 and at 1280 x 900 (the same page, resized):
  - nothing is wider than the viewport: `document.documentElement.scrollWidth` stays within it (tables stack
    their rows or scroll inside their own box, long words and addresses wrap);
  - on the phone, every button, field, menu link and section summary is at least 44 x 44 px (a checkbox or
    a radio button counts by its label); links inside running text are exempt, as in WCAG 2.5.8;
  - axe-core (bundled by axe-playwright-python) finds nothing against WCAG 2.0 and 2.1 A and AA, and the
    page's <html lang> says its language;
  - the main pages are photographed for people to look at: $GROUPKET_SCREENSHOT_DIR, or var/screenshots/
    (not committed), as <language>-<width>-<page>.png; on the phone also in dark mode (<language>-360-dark-<page>.png),
    where axe checks the colour contrast again.
Then no two different pages share a <title>.

Chromium runs with hidden scrollbars (CHROMIUM_ARGS), as a phone overlays its own, so the viewport's whole
width is the page's. Playwright's evaluate() runs axe through the DevTools protocol, which the page's CSP
(`script-src 'self'`) does not govern, so the CSP stays on: a console error from it fails the test.
"""

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, Recorded, Tabs

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed")

from tests.e2e.checks import AxeAudit, overflow, photograph, shared_titles, small_targets  # noqa: E402
from tests.e2e.pages import LANGUAGES, PHONE, WIDTHS, Tour, prepare_tour  # noqa: E402


@pytest.mark.e2e
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_fits_both_widths_passes_axe_and_has_its_own_title(
    live_server: Any, tabs: Tabs, recorded: Recorded, language: str
) -> None:
    people = prepare_tour()
    tab = tabs.open(locale=language, viewport=PHONE)
    audit = AxeAudit(tab, language)
    too_wide: list[str] = []
    too_small: list[str] = []
    titles: dict[str, set[str]] = {}
    visited = 0

    for visit in Tour(tab, live_server.url, people):
        visited += 1
        # Alternate the order, so that each page is first laid out at the width the last one ended with.
        for viewport in WIDTHS if visited % 2 else reversed(WIDTHS):
            tab.set_viewport_size(viewport)
            too_wide += overflow(tab, visit, viewport, language)
            if viewport is PHONE:
                too_small += small_targets(tab, visit, language)
            audit.check(f"{visit.name} @ {viewport['width']}")
            photograph(tab, visit, viewport, language)
            if visit.screenshot and viewport is PHONE:
                tab.emulate_media(color_scheme="dark")
                audit.check(f"{visit.name} @ {viewport['width']} dark", only=["color-contrast"])
                photograph(tab, visit, viewport, language, "-dark")
                tab.emulate_media(color_scheme="light")
        titles.setdefault(urlsplit(tab.url).path, set()).add(tab.title())

    problems = {
        "wider than the viewport": too_wide,
        "touch targets under 44 x 44 px": too_small,
        "titles shared by different pages": shared_titles(titles),
        "axe findings": audit.findings,
        "console errors": recorded.console_errors,
    }
    report = "\n".join(f"{kind}:\n  " + "\n  ".join(found) for kind, found in problems.items() if found)
    assert visited > 40 and len([label for label in audit.checked if not label.endswith(" dark")]) == 2 * visited
    assert all(title.strip() for seen in titles.values() for title in seen)
    assert not report, report
