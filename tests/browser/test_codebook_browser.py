"""The codebook in a real browser: headless Chromium (Debian ``chromium`` and
``chromium-driver``) driven by selenium over a ``file://`` URL (no server, no network).

Checks the rendered page: it renders; every table's printed values are in the DOM, in the
table's own section (the multiset of the printed values of the CSV, as reading derives them
from ``cell_type`` and the bounds, ``?`` for unresolved cells); no element sticks out of its
column; the table of contents stays on screen when scrolled to the end; every chart has alt
text. A screenshot is written to the test's tmp dir (look at it).

Skipped when Chromium or chromedriver is missing, unless ``OPENDATA_MH_BROWSER_REQUIRED=1``
(scripts/test.sh installs them and sets it, as CI does).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opendata_mh.codebook import write_codebook
from opendata_mh.csvfile import with_long_columns

PKG = Path(__file__).resolve().parents[2] / "datapackage"
CHROMIUM = next(
    (p for b in ("chromium", "chromium-browser", "google-chrome") if (p := shutil.which(b))), None
)
# Debian's chromium-driver is on PATH; GitHub's Ubuntu image keeps its driver in CHROMEWEBDRIVER
DRIVER = shutil.which("chromedriver") or shutil.which(
    "chromedriver", path=os.environ.get("CHROMEWEBDRIVER") or os.devnull
)
REQUIRED = os.environ.get("OPENDATA_MH_BROWSER_REQUIRED") == "1"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not (CHROMIUM and DRIVER):
        if REQUIRED:
            pytest.fail(
                "chromium / chromedriver not installed (apt-get install chromium chromium-driver)"
            )
        pytest.skip("chromium / chromedriver not installed")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    opts.add_argument("--window-size=1400,1000")
    driver = webdriver.Chrome(options=opts, service=Service(executable_path=DRIVER))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("codebook")
    write_codebook(PKG, out)
    browser.get((out / "codebook.html").as_uri())
    # readiness: selenium's get returns once the document has loaded; the heading is there
    assert browser.execute_script("return document.readyState") == "complete"
    browser.find_element("css selector", "h1")
    browser.save_screenshot(str(out / "top.png"))
    return browser


def _tables() -> list[tuple[str, list[dict[str, str]]]]:
    d = json.loads((PKG / "datapackage.json").read_text(encoding="utf-8"))
    out = []
    for r in d["resources"]:
        if "sdc" in r:
            with (PKG / r["path"]).open(encoding="utf-8", newline="") as f:
                out.append((r["name"], list(map(with_long_columns, csv.DictReader(f)))))
    return out


def test_page_renders(page: Any) -> None:
    assert page.title.startswith("Codebook")
    assert page.find_element("css selector", "h1").text.startswith("Codebook")
    assert page.execute_script("return document.documentElement.lang") == "en"


def test_every_tables_values_are_in_its_section(page: Any) -> None:
    checked = 0
    for name, rows in _tables():
        texts = page.execute_script(
            "return Array.from(document.querySelectorAll("
            "'#values-' + arguments[0] + ' table.printed td')).map(td => td.textContent.trim())"
            ".filter(t => t !== '')",
            name,
        )
        shown = {"unresolved": "?", "rounded": "≈{}"}  # as the page shows them
        want = Counter(shown.get(r["cell_type"], "{}").format(r["value_printed"]) for r in rows)
        assert Counter(texts) == want, name
        checked += len(rows)
    assert checked == 673  # every cell of the 22 tables
    # 705: international sexual exploitation, 2019 (table 1), in its row and column
    row = page.find_element(
        "xpath",
        "//table[@id='victims_by_form--per_year']//tr[th='Internationale seksuele uitbuiting']",
    )
    assert row.text.split()[-5:] == ["705", "317", "197", "217", "333"]


# elements right of their column (the main column, or the table / chart column of a pair); an
# element inside a box that clips or scrolls is judged by the box, which must not need to scroll
OVERFLOW_JS = """
const out = [];
const clips = el => {
  for (let a = el.parentElement; a; a = a.parentElement) {
    const o = getComputedStyle(a).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden') return a;
  }
  return null;
};
const name = el => el.tagName + '#' + el.id + ' ' + (el.textContent || '').slice(0, 40);
const main = document.querySelector('main') || document.body;
const right = main.getBoundingClientRect().right
  - parseFloat(getComputedStyle(main).paddingRight) + 1;
for (const el of main.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || clips(el)) continue;
  if (r.right > right) out.push(name(el));
  const col = el.closest('.values, figure');
  if (col && col !== el && r.right > col.getBoundingClientRect().right + 1)
    out.push('in column: ' + name(el));
}
if (document.documentElement.scrollWidth > window.innerWidth) out.push('page scrolls sideways');
for (const box of main.querySelectorAll('.scroll'))
  if (box.scrollWidth > box.clientWidth + 1) out.push('scrolls: ' + box.firstElementChild.id);
return out.slice(0, 20);
"""


def test_nothing_overflows_its_column(page: Any) -> None:
    bad = page.execute_script(OVERFLOW_JS)
    assert bad == []


def test_a_narrow_window_never_scrolls_the_page_sideways(page: Any) -> None:
    """At 900 px wide a wide table scrolls in its own box; the page itself never does."""
    page.set_window_size(900, 1000)
    try:
        width = page.execute_script("return window.innerWidth")
        assert page.execute_script("return document.documentElement.scrollWidth") <= width
    finally:
        page.set_window_size(1400, 1000)


def test_navigation_stays_on_screen(page: Any, tmp_path: Path) -> None:
    page.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    page.find_element("css selector", "nav.toc")
    top, bottom, height = page.execute_script(
        "const r = document.querySelector('nav.toc').getBoundingClientRect();"
        "return [r.top, r.bottom, window.innerHeight];"
    )
    assert top >= -1 and bottom <= height + 1 and bottom > 100
    # a link of the table of contents jumps to its table
    page.find_element("css selector", "nav.toc a[href='#om_disposals']").click()
    top = page.execute_script(
        "return document.getElementById('om_disposals').getBoundingClientRect().top"
    )
    assert abs(top) < 5
    page.save_screenshot(str(tmp_path / "om_disposals.png"))


def test_every_chart_has_alt_text_and_dutch_is_marked(page: Any) -> None:
    charts = page.find_elements("css selector", "figure.chart svg")
    assert len(charts) == 18
    for svg in charts:
        assert svg.get_attribute("role") == "img"
        assert len(svg.get_attribute("aria-label") or "") > 40
    unmarked = page.execute_script(
        "return Array.from(document.querySelectorAll('.nl, table.printed'))"
        ".filter(e => e.closest('[lang]').lang !== 'nl').length"
    )
    assert unmarked == 0


# every id of the page, and every reference inside a chart (clip-path="url(#…)", the markers'
# xlink:href="#…") with the chart (svg) it sits in and the chart its target sits in
IDS_JS = """
const ids = Array.from(document.querySelectorAll('[id]')).map(e => e.id);
const svgs = Array.from(document.querySelectorAll('svg'));
const refs = [];
svgs.forEach((svg, i) => {
  for (const el of svg.querySelectorAll('*')) {
    const targets = [];
    for (const a of el.attributes) {
      for (const m of a.value.matchAll(/url\\(#([^)]+)\\)/g)) targets.push(m[1]);
      if ((a.name === 'href' || a.name === 'xlink:href') && a.value.startsWith('#'))
        targets.push(a.value.slice(1));
    }
    for (const t of targets) {
      const hit = document.getElementById(t);
      refs.push([i, t, hit ? svgs.indexOf(hit.closest('svg')) : -1]);
    }
  }
});
return [ids, refs];
"""


def test_ids_are_unique_and_chart_references_stay_in_their_chart(page: Any) -> None:
    """matplotlib's SVG ids (figure_1, clip paths, markers) repeat from chart to chart; inline,
    a chart's clip-path or marker reference must resolve to its own definition."""
    ids, refs = page.execute_script(IDS_JS)
    dupes = {k: n for k, n in Counter(ids).items() if n > 1}
    assert dupes == {}
    assert len(refs) > 1000  # the markers and clip paths of 18 charts
    assert [r for r in refs if r[0] != r[2]] == []


# the words of a section (from its h2 to the next h2) that the browser lays out on more than
# one line: per text node, a Range over each whitespace-separated word, its client rects on
# more than one line (a word may still wrap as a whole to the next line)
SPLIT_WORDS_JS = """
const h2 = document.getElementById(arguments[0]);
const out = [];
let checked = 0;
for (let el = h2.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling) {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects())
        .filter(r => r.width > 0).map(r => Math.round(r.top)));
      checked += 1;
      if (tops.size > 1) out.push(m[0]);
    }
  }
}
return [checked, out];
"""


@pytest.mark.parametrize("width", [1400, 900])
def test_how_to_read_the_cells_breaks_no_word(page: Any, width: int) -> None:
    """The section's table has long code names (value_lower, conf_status): they wrap as a
    whole or the table scrolls in its box, never split mid-word."""
    page.set_window_size(width, 1000)
    try:
        checked, split = page.execute_script(SPLIT_WORDS_JS, "cells")
    finally:
        page.set_window_size(1400, 1000)
    assert checked > 200
    assert split == []


BESIDE_JS = """
return Array.from(document.querySelectorAll('.pair')).filter(p => p.querySelector('figure'))
  .map(p => {
    const v = p.querySelector('.values').getBoundingClientRect();
    const f = p.querySelector('figure').getBoundingClientRect();
    return [p.closest('section').id, f.left >= v.right - 1 && f.top < v.bottom,
            Math.round(f.width)];
  });
"""


def test_every_table_stands_beside_its_chart_on_a_wide_screen(page: Any) -> None:
    """At 1400 px every printed table, the wide ones (ten columns of table 4) too, has its chart
    to its right, at least 23rem (368 px) wide; no table needs its scroll box there
    (test_nothing_overflows_its_column)."""
    pairs = page.execute_script(BESIDE_JS)
    assert len(pairs) == 18
    assert [name for name, beside, _w in pairs if not beside] == []
    assert min(w for _n, _b, w in pairs) >= 368


def test_every_link_of_the_page_resolves(page: Any) -> None:
    """The table of contents, the coverage matrix and the index from questions to tables link
    to sections of the page: every ``href="#…"`` outside the charts names an id of the page."""
    links = page.execute_script(
        "return Array.from(document.querySelectorAll('a[href^=\"#\"]'))"
        ".map(a => a.getAttribute('href').slice(1))"
    )
    assert len(links) > 100
    missing = page.execute_script(
        "return arguments[0].filter(id => !document.getElementById(id))", links
    )
    assert missing == []
    # the curated index: the police-share question links table 12 and the totals
    row = page.find_element("css selector", "#q-police_share")
    hrefs = [a.get_attribute("href").split("#")[1] for a in row.find_elements("css selector", "a")]
    assert hrefs == ["victims_by_reporter", "totals"]
