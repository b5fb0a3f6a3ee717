"""What the tour of every page checks on each page: that it fits, its touch targets, its title, and axe-core.

Used by test_every_page.py; each check returns what it finds as lines of a report, so that one walk through
the site reports every problem at once.
"""

import os
import warnings
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.pages import Visit

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


def photograph(tab: Any, visit: Visit, viewport: dict[str, int], language: str, mode: str = "") -> None:
    """Save the page as a PNG for people to look at; a photograph that cannot be taken is a warning, not a failure.

    Chromium's capture can stall on a loaded 2-core machine after the fonts are in (CI saw one hang a full minute):
    the photograph is tried twice, and if both fail the tour goes on, since the page's checks do not depend on it.
    """
    if not visit.screenshot:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{language}-{viewport['width']}{mode}-{visit.screenshot}.png"
    for attempt in (1, 2):
        try:
            # caret="initial": hiding the caret would inject a <style>, which the page's CSP refuses (a console error).
            # The privacy page is over 10,000 px tall at 1280, which outlasts the tab's 10 s default when loaded.
            tab.screenshot(path=str(path), full_page=True, caret="initial", timeout=30_000)
            return
        except PlaywrightTimeoutError:
            if attempt == 2:
                where = f"{visit.name} at {viewport['width']} px{mode}"
                warnings.warn(f"no photograph of {where}: Chromium's capture timed out", stacklevel=2)


def shared_titles(titles: dict[str, set[str]]) -> list[str]:
    """Titles that two different pages (by their path) share."""
    owners: dict[str, list[str]] = {}
    for path, seen in titles.items():
        for title in seen:
            owners.setdefault(title, []).append(path)
    return [f"{title!r}: {', '.join(paths)}" for title, paths in owners.items() if len(paths) > 1]


AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations", "incomplete"],
}
# What axe cannot decide ("needs review") fails too, since a wrong aria-describedby shows up only there. Reviewed
# and kept: the inventory table's category rows are headers with scope="rowgroup" and no cell of their own (the
# WAI tutorial's multi-level pattern), which axe's th-has-data-cells cannot follow; and the charts of the access
# review and of analytics (the same pygal style), whose SVG text axe cannot find a background for: it is --muted on
# --card, 6.3:1 (light) and 7.7:1 (dark).
REVIEWED = {
    ("th-has-data-cells", "/privacy/"),
    ("th-has-data-cells", "/privacy/ signed in"),
    ("color-contrast", "/staff/access-review/"),
    ("color-contrast", "/staff/analytics/ a counted month"),
    ("color-contrast", "/staff/analytics/ as an analyst"),
}


class AxeAudit:
    """All that axe finds on the pages it is asked to check, whatever the impact."""

    def __init__(self, page: Any, language: str) -> None:
        self.page, self.language = page, language
        self.axe = Axe()
        self.checked: list[str] = []
        self.findings: list[str] = []

    def check(self, label: str, only: list[str] | None = None) -> None:
        """Run axe on the page as it is now (`only` these rules, if given), and keep what it finds under this label."""
        lang = self.page.evaluate("() => document.documentElement.lang")
        if lang != self.language:
            self.findings.append(f"[{self.language}] {label}: <html lang> is {lang!r}")
        # axe-core is injected once per page load (it is 570 kB), then run at each width.
        if not self.page.evaluate("() => typeof axe !== 'undefined'"):
            self.page.evaluate(self.axe.axe_script)
        options = {**AXE_OPTIONS, "runOnly": {"type": "rule", "values": only}} if only else AXE_OPTIONS
        results = self.page.evaluate("options => axe.run(document, options)", options)
        self.checked.append(label)
        for kind in ("violations", "incomplete"):
            for finding in results[kind]:
                if kind == "incomplete" and (finding["id"], label.split(" @ ")[0]) in REVIEWED:
                    continue
                targets = "; ".join(
                    " ".join(map(str, node["target"])) + "".join(f" ({check['message']})" for check in node["any"][:1])
                    for node in finding["nodes"][:3]
                )
                self.findings.append(
                    f"[{self.language}] {label}: {finding['id']} ({finding['impact']}"
                    f"{', needs review' if kind == 'incomplete' else ''}) {finding['help']} -> {targets}"
                )

    def report(self) -> str:
        return f"{len(self.findings)} axe findings on {len(self.checked)} pages:\n" + "\n".join(self.findings)
