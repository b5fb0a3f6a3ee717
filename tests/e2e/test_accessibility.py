"""Every page a member or a staff member sees passes axe-core's WCAG 2.0 and 2.1 A and AA rules, in both languages.

axe-core (bundled by axe-playwright-python) runs inside Debian's chromium on each page of the tour in
tests/e2e/pages.py as the live server serves it: signed out, signed in through the real login form, with a
form's validation errors shown, and in the staff console after the second factor. Each page is checked in
English and in Korean (Accept-Language: ko), and its <html lang> must say which, at a phone's width and at a
laptop's (the same page, resized: stacked tables and wrapped menus are checked too).

Playwright's evaluate() runs axe through the DevTools protocol, which the page's CSP
(`script-src 'self'`) does not govern, so the CSP stays on: a console error from it would fail
the test.
"""

from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, Recorded, Tabs
from tests.e2e.pages import LANGUAGES, PHONE, WIDTHS, Tour, prepare_tour

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
axe_playwright = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
)
expect = sync_api.expect

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations", "incomplete"],
}
# What axe cannot decide ("needs review") fails too, since a wrong aria-describedby shows up only there. Reviewed
# and kept: the inventory table's category rows are headers with scope="rowgroup" and no cell of their own (the
# WAI tutorial's multi-level pattern), which axe's th-has-data-cells cannot follow.
REVIEWED = {("th-has-data-cells", "/privacy/"), ("th-has-data-cells", "/privacy/ signed in")}


class AxeAudit:
    """All that axe finds on the pages it is asked to check, whatever the impact."""

    def __init__(self, page: Any, language: str) -> None:
        self.page, self.language = page, language
        self.axe = axe_playwright.Axe()
        self.checked: list[str] = []
        self.findings: list[str] = []

    def check(self, label: str) -> None:
        """Run axe on the page as it is now, and keep what it finds under this label."""
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)
        results = self.axe.run(self.page, options=AXE_OPTIONS).response
        self.checked.append(label)
        for kind in ("violations", "incomplete"):
            for finding in results[kind]:
                if kind == "incomplete" and (finding["id"], label.split(" @ ")[0]) in REVIEWED:
                    continue
                targets = "; ".join(" ".join(map(str, node["target"])) for node in finding["nodes"])
                self.findings.append(
                    f"[{self.language}] {label}: {finding['id']} ({finding['impact']}"
                    f"{', needs review' if kind == 'incomplete' else ''}) {finding['help']} -> {targets}"
                )

    def report(self) -> str:
        return f"{len(self.findings)} axe findings on {len(self.checked)} pages:\n" + "\n".join(self.findings)


@pytest.mark.e2e
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_passes_axe_at_both_widths(live_server: Any, tabs: Tabs, recorded: Recorded, language: str) -> None:
    people = prepare_tour()
    tab = tabs.open(locale=language, viewport=PHONE)
    audit = AxeAudit(tab, language)

    for visit in Tour(tab, live_server.url, people):
        for viewport in WIDTHS:
            tab.set_viewport_size(viewport)
            audit.check(f"{visit.name} @ {viewport['width']}")

    assert len(audit.checked) > 80
    assert audit.findings == [], audit.report()
    assert recorded.console_errors == []
