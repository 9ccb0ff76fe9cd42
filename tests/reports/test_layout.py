"""The report's layout in a real headless browser (Debian's chromium): at a 1280-pixel
window no table scrolls sideways or runs past the page, on any page, in either language.
(That tables fit the printed page is checked on the PDFs, in test_pdf.py.)"""

from __future__ import annotations

import pytest

from samenspel.reports.i18n import LANGUAGES

# Every table, with the tables folded away in <details> opened: the names of those that
# are wider than the window, scroll sideways in a box around them, or make the page scroll.
OVERFLOWING_TABLES = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const window_width = document.documentElement.clientWidth;
  const found = [];
  for (const table of document.querySelectorAll('table')) {
    const name = (table.caption ? table.caption.textContent : table.id || '').trim()
      || table.querySelector('th').textContent.trim();
    const box = table.getBoundingClientRect();
    if (box.left < 0 || box.right > window_width + 0.5) found.push(`${name}: past the window`);
    for (let up = table; up && up !== document.documentElement; up = up.parentElement) {
      if (up.scrollWidth > up.clientWidth + 1 && up !== document.body)
        found.push(`${name}: scrolls in <${up.tagName.toLowerCase()} class="${up.className}">`);
    }
  }
  if (document.documentElement.scrollWidth > window_width) found.push('the page scrolls');
  return found;
}"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_table_scrolls_sideways_at_1280_pixels(written_report, browser, language):
    site, _ = written_report
    pages = sorted((site / language).rglob("*.html"))
    assert len(pages) >= 6 + 3 + 9  # shared pages, three municipalities, nine areas
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    overflowing = {}
    tables = 0
    for path in pages:
        page.goto(path.as_uri())
        tables += page.locator("table").count()
        if found := page.evaluate(OVERFLOWING_TABLES):
            overflowing[str(path.relative_to(site))] = found
    page.close()
    assert tables > 3 * len(pages)  # the pages hold their tables
    assert overflowing == {}
