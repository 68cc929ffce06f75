"""Print and PDF: the pages' print rules, figures at twice the density, and A4 PDFs whose Thai
reads back as written (``report/exporters/pdf.py``, ``report/pdf_text.py``, ``--pdf``).

The PDFs are read with pypdf (pure Python: CI has no poppler). Thai is compared after NFKC
on both sides: a PDF gives ำ back as its decomposition ํ + า (``pdf_text``), and pypdf may
put a space where glyphs are positioned apart, so spaces are dropped too.
"""

from __future__ import annotations

import base64
import http.server
import re
import struct
import threading
import unicodedata
from pathlib import Path

import pytest

from siianalysis.report.options import RenderOptions
from siianalysis.sections import html as h
from tests.test_bundle import ID_MASKED, ID_WRITTEN, VID, site  # noqa: F401 - site: the fixture
from tests.test_report_batch import (
    CM,
    FIXTURES,
    LEADING_ZERO,
    UNRESOLVED,
    notebooks_dir,
    write_processed,
)

pypdf = pytest.importorskip("pypdf")
weasy = pytest.importorskip("siianalysis.report.exporters.pdf")
TEMPLATE_CSS = Path(h.__file__).resolve().parents[1] / "report" / "template" / "siireport" / "siireport.css"
A4 = (595, 842)


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pages_text(pdf: Path | bytes) -> list[str]:
    import io

    reader = pypdf.PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    return [norm(p.extract_text()) for p in reader.pages]


def page_size(pdf: Path) -> tuple[int, int]:
    box = pypdf.PdfReader(pdf).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def page(body: str) -> str:
    """A report page as the template writes it: the page style sheet, the sections' one, ``body``."""
    return (f'<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"><style>{TEMPLATE_CSS.read_text()}'
            f'</style></head><body><main><style>{h.CSS}</style>{body}</main></body></html>')


# --- the rules -----------------------------------------------------------------------------

def test_print_rules_are_in_the_style_sheets():
    css = TEMPLATE_CSS.read_text(encoding="utf-8")
    assert re.search(r"@page\s*\{\s*size:\s*A4", css)
    print_rules = css[css.index("@media print"):] + h.CSS[h.CSS.index("@media print"):]
    assert re.search(r"h1,h2,h3,h4,h5,h6\{break-after:avoid", print_rules)
    assert ".sii h1,.sii h2,.sii h3,.sii h4{break-after:avoid" in print_rules
    assert "thead{display:table-header-group}" in print_rules and "tr," in print_rules
    # no page per section: nothing forces a break before a heading, nor keeps a whole cell on one page
    for rules in (css, h.CSS):
        assert not re.search(r"break-before\s*:\s*(page|always)", rules)
        assert not re.search(r"\.(cell|output_area)[^{}]*\{[^}]*break-inside:avoid", rules)


def test_figures_are_twice_as_dense_as_they_are_wide():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 1.5))
    fig.add_subplot().plot([0, 1])
    img = str(h.figure(fig, alt="กราฟ"))
    width = int(re.search(r'<img class="sii-fig"[^>]* width="(\d+)"', img).group(1))
    png = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", img).group(1))
    assert (width, struct.unpack(">II", png[16:24])) == (300, (600, 300))
    assert h.FIGURE_DENSITY == 2


# --- a page printed --------------------------------------------------------------------------

@pytest.mark.slow
def test_thai_reads_back_as_written_and_headings_stay_with_what_follows(tmp_path):
    # (a tone mark over ำ, as in น้ำ, reads back after the nikhahit: the order the glyphs are drawn in)
    words = "ตำบลสันป่ายาง ป่า ปั่น ฝ้าย ที่นี่ ญาติ ฐาน ปู่ ฎีกา อำเภอแม่แตง"
    sections = []
    n = 16
    for i in range(n):
        # each on a page of its own, after a block that leaves 0-30 mm: some heading meets the page's end
        filler = f'<div style="break-before:page;height:{236 + 2 * i}mm">ย่อหน้า</div>'
        rows = [(f"หัวตาราง{i}แถว{r}", "ข้อมูล") for r in range(6)]
        sections.append(f'<section class="sii">{filler}{h.heading(f"หัวข้อที่{i}ของรายงาน")}'
                        f'{h.table(["แถว", "ค่า"], rows)}</section>')
    pdf = weasy.html_to_pdf(page(f'<section class="sii"><h1>{words}</h1></section>' + "".join(sections)), tmp_path)
    texts = pages_text(pdf)
    assert len(texts) > n
    assert norm(words) in texts[0]  # ยาง stays ยาง after an ำ (WeasyPrint's own map gives ยำง)
    for i in range(n):
        on = [n for n, text in enumerate(texts) if f"หัวข้อที่{i}ของรายงาน" in text]
        assert len(on) == 1 and f"หัวตาราง{i}แถว0" in texts[on[0]], (i, on)  # the heading's table starts beside it


@pytest.mark.slow
def test_the_pdf_loads_nothing_from_outside_and_keeps_links_relative(tmp_path):
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        outside = tmp_path.parent / "outside.png"
        body = (f'<section class="sii"><h1>ตำบลทดสอบ</h1><img src="{url}/a.png"><img src="{outside.as_uri()}">'
                f'<p style="background:url({url}/b.png)">ข้อความ</p>'
                f'<p><a href="tambon/{CM}.html">ตำบลเพื่อน</a> <a href="#sii-x">ในหน้านี้</a></p>'
                f'<h2 id="sii-x">หัวข้อ</h2></section>')
        pdf = weasy.html_to_pdf(page(body), tmp_path)
    finally:
        server.shutdown()
    assert hits == []
    import io

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    uris = [a.get_object()["/A"].get("/URI") for p in reader.pages for a in p.get("/Annots", [])
            if "/URI" in a.get_object().get("/A", {})]
    assert uris == [f"tambon/{CM}.html"]
    assert norm("ตำบลทดสอบ") in pages_text(pdf)[0]


# --- reports ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_render_report_writes_an_a4_pdf_beside_the_page(tmp_path):
    from siianalysis.report import render_report

    processed = write_processed(tmp_path / "processed")
    out = tmp_path / "out" / f"{CM}.html"
    params = {"tambon_id": CM, "processed_dir": str(processed), "lang": "th"}
    r = render_report(FIXTURES / "tambon_print.ipynb", params, out, options=RenderOptions(extra_formats=("pdf",)))
    assert (r.status, r.output) == ("rendered", str(out)), r
    pdf = out.with_suffix(".pdf")
    assert page_size(pdf) == A4
    texts = pages_text(pdf)
    whole = "".join(texts)
    for title in ("ตำบลสันทรายหลวงอำเภอสันทราย", "ผลลัพธ์ที่ทำเครื่องหมาย", "แผนงานของทีม",
                  "ข้อเสนอแนะจากผู้ทรงคุณวุฒิ", "กิจกรรมของทีมตำบลสันทรายหลวงครั้งที่60"):
        assert norm(title) in whole, title
    assert len(texts) >= 2 and norm("แถวทำอะไรลำดับ") in texts[1]  # the long table's head again on page 2
    html = out.read_text(encoding="utf-8")
    assert "@page{size:A4" in html and "break-after:avoid" in html
    img = re.search(r'<img class="sii-fig" src="data:image/png;base64,([A-Za-z0-9+/=]+)" width="(\d+)"', html)
    assert struct.unpack(">I", base64.b64decode(img.group(1))[16:20])[0] == 2 * int(img.group(2))

    # a run that fails keeps its partial page (where it stopped) but leaves no PDF, not even the older one
    failing = {**params, "tambon_id": LEADING_ZERO}  # the fixture fails for this one
    r = render_report(FIXTURES / "tambon_failing.ipynb", failing, out, extra_formats=(".pdf",))
    assert r.status == "failed" and out.is_file() and not pdf.exists()


@pytest.mark.slow
def test_report_pdf_from_the_command_line_skips_and_fails_like_any_output(tmp_path, monkeypatch, capsys):
    from siianalysis.cli import main
    from siianalysis.report import build_reports, exporters

    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    out = tmp_path / "reports"
    args = ["report", "--processed", str(processed), "--out", str(out), "--notebooks", str(nbs), "--jobs", "1",
            "--quiet"]
    assert main(args) == 0  # HTML only
    assert not list(out.rglob("*.pdf"))
    assert main([*args, "--pdf"]) == 0  # every report lacks its PDF: all rendered again
    assert "4 rendered, 0 skipped" in capsys.readouterr().out
    docs = ["network", f"tambon/{CM}", f"tambon/{LEADING_ZERO}", f"tambon/{UNRESOLVED}"]
    for rel in docs:
        assert page_size(out / f"{rel}.pdf") == A4 and (out / f"{rel}.html").is_file()
    assert norm("ชื่อตำบล: สันทรายหลวง") in "".join(pages_text(out / "tambon" / f"{CM}.pdf"))
    assert main([*args, "--pdf"]) == 0 and "0 rendered, 4 skipped" in capsys.readouterr().out
    assert main(args) == 0 and "0 rendered, 4 skipped" in capsys.readouterr().out  # PDFs kept, not wanted now
    (out / "tambon" / f"{CM}.pdf").unlink()
    assert main([*args, "--pdf"]) == 0 and "1 rendered, 3 skipped" in capsys.readouterr().out
    assert (out / "tambon" / f"{CM}.pdf").is_file()
    # a report rendered again without --pdf loses its older PDF (it would show older inputs)
    assert main([*args, "--force"]) == 0 and not list(out.rglob("*.pdf"))

    # a PDF that cannot be made fails its report, named; the batch goes on
    real = exporters.get(".pdf")

    def export(notebook, path, options, title):
        if path.stem == LEADING_ZERO:
            raise RuntimeError("no room on the page")
        real.export(notebook, path, options, title)

    monkeypatch.setitem(exporters._REGISTRY, ".pdf", exporters.Exporter(".pdf", export))
    result = build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False, extra_formats=(".pdf",))
    failed = {r.key: r for r in result.failures()}
    assert list(failed) == [f"tambon/{LEADING_ZERO}"] and result.rendered == 3
    assert failed[f"tambon/{LEADING_ZERO}"].error_message == ".pdf export failed: no room on the page"
    assert (out / "tambon" / f"{LEADING_ZERO}.html").is_file() and not (out / "tambon" / f"{LEADING_ZERO}.pdf").exists()
    assert (out / "tambon" / f"{CM}.pdf").is_file()


@pytest.mark.slow
def test_the_bundle_carries_pdfs_printed_from_its_masked_pages(site, tmp_path):  # noqa: F811 - the fixture
    import zipfile

    from siianalysis.workshop.bundle import bundle_site

    (site / "tambon" / "500707.pdf").write_bytes(b"%PDF-1.7 printed unmasked: 081-234-5678")  # report --pdf's
    out, again = tmp_path / "site.zip", tmp_path / "again.zip"
    result = bundle_site(site, out, pdf=weasy.html_to_pdf)
    bundle_site(site, again, pdf=weasy.html_to_pdf)
    assert out.read_bytes() == again.read_bytes()  # the same site, the same bytes, PDFs too
    assert "tambon/500707.pdf" not in result.skipped and "tambon/500707.pdf" in result.files
    with zipfile.ZipFile(out) as zf:
        pdfs = sorted(n for n in zf.namelist() if n.endswith(".pdf"))
        assert pdfs == ["reports/network.pdf", "reports/tambon/500707.pdf", "reports/tambon/u-0123456789.pdf"]
        printed = zf.read("reports/tambon/500707.pdf")
        page = zf.read("reports/tambon/500707.html").decode("utf-8")
    text = "".join(pages_text(printed))
    assert b"printed unmasked" not in printed and norm("ไชยสถาน") in text and norm("งบ 150,000 บาท") in text
    # masked as the page is: no phone number, e-mail name or citizen ID as written
    assert "081-234-5678" not in page and "081-234-5678" not in text and "somchai" not in text
    assert VID not in text and ID_WRITTEN not in text and norm(ID_MASKED) in text


@pytest.mark.slow
def test_pdfs_on_a_dask_cluster_to_an_fsspec_url(tmp_path):
    """The Dask path treats the PDF as one more output: rendered on a worker into its staging
    folder and uploaded beside the HTML; the rerun skips."""
    from siianalysis.report import build_reports

    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    folder = tmp_path / "remote" / "reports"
    kw = dict(notebooks_dir=nbs, scheduler="local", jobs=1, progress=False, tambon_ids=[CM], network=False,
              extra_formats=(".pdf",))
    result = build_reports(processed, folder.as_uri(), **kw)
    assert (result.rendered, result.failed) == (1, 0), result.summary()
    assert page_size(folder / "tambon" / f"{CM}.pdf") == A4 and (folder / "tambon" / f"{CM}.html").is_file()
    assert norm("สันทรายหลวง") in "".join(pages_text(folder / "tambon" / f"{CM}.pdf"))
    again = build_reports(processed, folder.as_uri(), **kw)
    assert (again.rendered, again.skipped) == (0, 1)
