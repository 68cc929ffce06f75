"""The way around the report site (issue 11, item 2): every link of every page resolves, in
``reports/`` and in the unpacked bundle; every report page has the links back and a table
of contents of its headings; the review workbook's links open the reports beside the
unpacked bundle; the index fits a phone.

One real site, built once (module fixture): the four worksheets of ``test_sections``
normalised, the real notebooks rendered by ``build_reports``, the compilation written into
the site after the reports (as a coordinator runs it), the bundle unpacked, a review
workbook beside it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import openpyxl
import pytest

from siianalysis.report import build_reports
from siianalysis.report.batch.frame import FRAME_MARK, TOC_ID, frame_page
from siianalysis.report.batch.index import link_compiled
from siianalysis.workshop.bundle import TOP_FOLDER, bundle_site
from siianalysis.workshop.compile import compile_html
from siianalysis.workshop.review.sheet import write_review_sheet
from tests.test_sections import build_processed

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

pytestmark = pytest.mark.skipif(not (NOTEBOOKS / "tambon_report.ipynb").exists(),
                                reason="notebooks not beside the package")


class Page(HTMLParser):
    """A page's links (``href``, ``src``), ids, h2 ids and the links inside the contents."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.h2: list[str] = []
        self.toc: list[str] = []
        self._in_toc = 0
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "h2":
            self.h2.append(a.get("id"))
        if tag == "nav" and a.get("id") == TOC_ID:
            self._in_toc = 1
        elif tag == "nav" and self._in_toc:
            self._in_toc += 1
        for name in ("href", "src"):
            if a.get(name):
                self.links.append(a[name])
                if name == "href" and self._in_toc:
                    self.toc.append(a[name])

    def handle_endtag(self, tag):
        if tag == "nav" and self._in_toc:
            self._in_toc -= 1


def broken_links(root: Path) -> list[str]:
    """Every link of every page under ``root`` whose file or anchor is not there."""
    bad, pages = [], {}
    for path in sorted(root.rglob("*.html")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        pages[path.resolve()] = Page(path.read_text(encoding="utf-8"))
    for path, page in pages.items():
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme in ("data",) or href.startswith("data:"):
                continue
            assert not parts.scheme and not parts.netloc, (path, href)  # nothing leaves the site
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.is_file():
                bad.append(f"{path.relative_to(root.resolve())}: {href} (no file)")
                continue
            if parts.fragment:
                ids = pages[target].ids if target in pages else set()
                if parts.fragment not in ids:
                    bad.append(f"{path.relative_to(root.resolve())}: {href} (no anchor)")
    return bad


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("navigation")
    processed = build_processed(root)
    reports = root / "reports"
    result = build_reports(processed, reports, notebooks_dir=NOTEBOOKS, jobs=2, progress=False)
    assert result.failed == 0, result.summary()
    # the compilation after the reports, as the workshop runs it; the index learns of it
    compile_html(processed, reports)
    assert link_compiled(reports)
    bundle = bundle_site(reports, root / "out" / "site.zip")
    unpacked = root / "unpacked"
    with zipfile.ZipFile(bundle.out_zip) as zf:
        zf.extractall(unpacked)
    workbook = write_review_sheet(processed, unpacked / "review.xlsx")
    return {"root": root, "processed": processed, "reports": reports, "result": result, "zip": bundle.out_zip,
            "unpacked": unpacked, "workbook": workbook}


@pytest.mark.slow
def test_every_link_resolves_in_reports_and_in_the_unpacked_bundle(site):
    reports, unpacked = site["reports"], site["unpacked"]
    pages = sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*.html"))
    assert {"index.html", "network.html", "compiled/index.html"} <= set(pages)
    assert sum(p.startswith("tambon/") for p in pages) == 4 and sum(p.startswith("compiled/") for p in pages) == 5
    assert broken_links(reports) == []
    assert broken_links(unpacked / TOP_FOLDER) == []


@pytest.mark.slow
def test_the_index_reaches_every_page_and_every_page_leads_back(site):
    reports = site["reports"]
    index = Page((reports / "index.html").read_text(encoding="utf-8"))
    tambons = sorted(p.relative_to(reports).as_posix() for p in (reports / "tambon").glob("*.html"))
    assert {"network.html", "compiled/index.html", *tambons} <= set(index.links)
    for page in ["network.html", *tambons]:
        links = Page((reports / page).read_text(encoding="utf-8")).links
        back = "index.html" if page == "network.html" else "../index.html"
        assert links.count(back) == 2, page  # top and bottom
        if page != "network.html":
            assert links.count("../network.html") == 2, page
    for page in (reports / "compiled").glob("*.html"):
        assert "../index.html" in Page(page.read_text(encoding="utf-8")).links, page.name


@pytest.mark.slow
def test_the_contents_list_every_h2_of_the_page(site):
    reports = site["reports"]
    for path in [reports / "network.html", *sorted((reports / "tambon").glob("*.html"))]:
        page = Page(path.read_text(encoding="utf-8"))
        assert len(page.h2) >= 5 and None not in page.h2, path.name
        toc = [h.removeprefix("#") for h in page.toc]
        # the wide and the phone contents list the same headings, h2s in page order
        assert [h for h in toc if h in page.h2] == page.h2 * 2, path.name
        assert all(h in page.ids for h in toc)


def test_framing_twice_is_framing_once():
    page = ('<html><body><main>\n<div class="cell"><h1>T</h1></div>\n<div class="cell"><h2 id="a">A &amp; B</h2>'
            '<h3>x</h3><h3>y</h3></div>\n<div class="cell"><h2 id="b">B</h2></div>\n</main></body></html>')
    once = frame_page(page, "tambon/500707.html")
    assert frame_page(once, "tambon/500707.html") == once
    assert once.count(FRAME_MARK) == 3
    assert '<h3 id="a-1">x</h3>' in once and '<h3 id="a-2">y</h3>' in once
    assert '<a href="#a">A &amp; B</a>' in once and 'href="../index.html"' in once
    assert once.index(f'id="{TOC_ID}"') < once.index('<h2 id="a">') and once.index("<h1>") < once.index(TOC_ID)
    network = frame_page(page, "network.html", "en")
    assert 'href="index.html"' in network and 'aria-current="page">Network report' in network


@pytest.mark.slow
def test_the_zip_unpacks_into_one_folder_and_the_review_workbook_opens_the_reports(site):
    with zipfile.ZipFile(site["zip"]) as zf:
        assert {n.split("/", 1)[0] for n in zf.namelist()} == {TOP_FOLDER}
    unpacked = site["unpacked"]
    wb = openpyxl.load_workbook(site["workbook"])
    targets = [c.hyperlink.target for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.hyperlink]
    assert len(targets) >= 3 * 4  # a link on every resolved tambon's rows
    for target in targets:
        assert (unpacked / target).is_file(), target


@pytest.mark.slow
def test_the_index_counts_each_province_and_keeps_the_build_log_for_staff(site):
    page = (site["reports"] / "index.html").read_text(encoding="utf-8")
    assert "จังหวัดเชียงใหม่ (2 ตำบล)" in page and "(50)" not in page
    assert re.search(r"\d{1,2} ตุลาคม 2563", page) and not re.search(r"\d{4}-\d\d-\d\d", page.split("staff")[0])
    assert page.index("สร้างใหม่") > page.index('<details class="staff"')
    # Thai names are never broken inside a word
    assert "break-all" not in page and "overflow-wrap: anywhere" not in page.split("details.staff")[0]


def _scroll_width(page: Path, width: int) -> int:
    """The page's document width in headless Chromium in a viewport ``width`` px wide: the
    page in an iframe of that width (a headless window is at least 500 px wide), measured
    by a line of script in a probe page beside it, written into the DOM Chromium dumps."""
    probe = page.with_name(f"probe-{width}.html")
    probe.write_text(
        f'<!DOCTYPE html><html><body style="margin:0"><iframe src="{page.name}" width="{width}" height="844" '
        'style="border:0"></iframe><script>const f = document.querySelector("iframe");'
        'f.onload = () => document.body.setAttribute("data-sw", f.contentDocument.documentElement.scrollWidth);'
        "</script></body></html>", encoding="utf-8")
    try:
        dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                              "--disable-background-networking", "--allow-file-access-from-files",
                              "--window-size=1280,900", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
                             capture_output=True, text=True, timeout=120).stdout
    finally:
        probe.unlink()
    found = re.search(r'data-sw="(\d+)"', dom)
    assert found, dom[-500:]
    return int(found.group(1))


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium here")
def test_the_index_fits_a_phone(site):
    index = site["reports"] / "index.html"
    assert _scroll_width(index, 390) <= 390
    assert _scroll_width(index, 1280) <= 1280
