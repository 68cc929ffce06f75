"""Shared outputs carry no personal data: figures drawn with masked labels, the compiled
workbook and pages masked by default (``--no-mask`` keeps the data), the bundle's
pictures and text masked. A team writes a person's name and phone number into the
label of an "other" row and into its texts, as teams do."""

from __future__ import annotations

import base64
import re
import zipfile
from collections import Counter
from pathlib import Path

import matplotlib
import openpyxl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import siianalysis as sii
from siianalysis import sections
from siianalysis.analysis import plots
from siianalysis.cli import main
from siianalysis.sections import html
from siianalysis.workshop import compile as comp
from siianalysis.workshop.privacy import mask_dataset
from tests.worksheets import CB, Filled, Line, numbered, write_xlsx_per_sheet

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PEOPLE = CB.table("people")
PHONE, PHONE_DIGITS = "081-234-5678", "0812345678"
OTHER_LABEL = f"ชมรมผู้สูงอายุ นายสมชาย ใจดี โทร {PHONE}"
ID = "3260181590835"  # a valid check digit
WORKSHEET = Filled(
    "ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", "๒๗ ตุลาคม ๒๕๖๓",
    {"people": [
        Line(numbered(PEOPLE, "P1"), {"method": "ถอดบทเรียนคนต้นแบบ", "plan": "ขยายเครือข่าย"}, {"PC1": "✓"}),
        Line(f"6. อื่น ๆ (ระบุ) {OTHER_LABEL}",
             {"method": "ประชุมทุกเดือน", "plan": f"ขยายผลโดยกำนันทองสุข เรือนแก้ว เลขบัตร {ID}"},
             {"PC1": "✓", "PC3": "✓"})],
     "summary": [Line(numbered(CB.table("summary"), "S1"),
                      {"achievements": "มีคนต้นแบบ ติดต่อ somchai.j@gmail.com",
                       "plan": "ถอดบทเรียน ผู้ประสานงาน นางสาวจันทร์ทิพย์ ไชยวงศ์ โทร 089-765-\n4321"})]},
)
PERSONAL = ("สมชาย", "ใจดี", "จันทร์ทิพย์", "ไชยวงศ์", "ทองสุข", "เรือนแก้ว", "somchai.j@", ID, PHONE,
            "089-765-", "4321")


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    from siianalysis.normalise import normalise

    root = tmp_path_factory.mktemp("privacy")
    (root / "raw").mkdir()
    write_xlsx_per_sheet(root / "raw" / "แม่แรม.xlsx", WORKSHEET)
    normalise(root / "raw", root / "processed", jobs=1, progress=False)
    return root / "processed"


@pytest.fixture(scope="module")
def ds(processed):
    ds = sii.load(processed)
    assert OTHER_LABEL in set(ds.rows["label"]), "the team's label must reach the data for the test to mean anything"
    return ds


def _tid(ds) -> str:
    return ds.tambon_ids[0]


def _drawn_texts(fig) -> str:
    """Every text the figure draws, as drawn (tick labels from the axis, after drawing)."""
    FigureCanvasAgg(fig).draw()
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    for ax in fig.axes:
        texts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    return "\n".join(texts)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


# --- figures -------------------------------------------------------------------------------


def test_figure_labels_are_masked(ds):
    raw = _drawn_texts(plots.heatmap_rows_outcomes(ds, _tid(ds), "people"))
    assert "สมชาย" in raw and PHONE_DIGITS in _digits(raw.replace("\n", ""))  # drawn as written without masking

    fig = plots.heatmap_rows_outcomes(ds, _tid(ds), "people")
    counts = plots.mask_figure(fig)
    drawn = _drawn_texts(fig)
    assert counts == Counter(name=1, phone=1)
    assert "สมชาย" not in drawn and "ใจดี" not in drawn and "นายส*** ใ***" in drawn
    assert "2345678" not in _digits(drawn) and "0xx-xxx-xx78" in drawn.replace("\n", "")
    assert "ชมรมผู้สูงอายุ" in drawn  # the label still reads as the team's
    # drawing again (savefig) keeps the masked tick labels
    FigureCanvasAgg(fig).draw()
    assert "สมชาย" not in _drawn_texts(fig)


def test_report_heat_maps_are_text_the_bundle_masks(ds, tmp_path):
    """The tambon report's heat maps are grids of text (issue 14), no longer pictures: the
    team's own row label is in the page as written, like the rest of what it wrote, and
    ``mask_html`` (the bundle, every shared output) masks it there."""
    from siianalysis.workshop.privacy import mask_html

    page = str(sections.tambon.heatmaps(ds, _tid(ds), "th"))
    assert "<img" not in page and 'class="sii-grid"' in page
    assert "ชมรมผู้สูงอายุ" in page and "สมชาย" in page  # the report itself: as written
    masked = mask_html(f"<html><body>{page}</body></html>")
    assert "สมชาย" not in masked and "2345678" not in _digits(masked) and "นายส*** ใ***" in masked
    assert "ชมรมผู้สูงอายุ" in masked  # the label still reads as the team's


def test_unmasked_figure_keeps_report_bytes(ds):
    """Where there is nothing to mask, the masked picture is the unmasked one, byte for byte."""
    tid = _tid(ds)
    assert (html.figure(plots.heatmap_rows_outcomes(ds, tid, "data"))
            == html.figure(plots.heatmap_rows_outcomes(ds, tid, "data"), mask=False))
    assert (html.figure(plots.heatmap_rows_outcomes(ds, tid, "people"))
            != html.figure(plots.heatmap_rows_outcomes(ds, tid, "people"), mask=False))


def test_unresolved_tambon_name_masked_in_titles(ds):
    """A place that did not resolve keeps the name as written, which may hold anything."""
    import dataclasses

    tambons = ds.tambons.copy()
    tambons["resolved"] = False
    tambons["tambon_th"] = "บ้านใหม่ ผู้ประสาน 089-876-5432"
    odd = dataclasses.replace(ds, tambons=tambons)
    fig = plots.sii_profile(odd, _tid(ds))
    plots.mask_figure(fig)
    drawn = _drawn_texts(fig)
    assert "8765432" not in _digits(drawn) and "0xx-xxx-xx32" in drawn


# --- the compilation ----------------------------------------------------------------------


def _workbook_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                     if c.value is not None)


def test_compiled_workbook_masked_by_default(ds, processed, tmp_path):
    text = _workbook_text(comp.compile_workbook(processed, tmp_path / "compiled.xlsx"))
    for item in PERSONAL:
        assert item not in text, item
    assert "นายส*** ใ***" in text and "นางสาวจ*** ไ***" in text and "กำนันท*** เ***" in text
    assert "0xx-xxx-\nxx21" in text and "s***@gmail.com" in text and "xxxxxxxxxxxx5" in text
    assert "ขยายผลโดย" in text and "ถอดบทเรียน" in text  # the content stays

    raw = _workbook_text(comp.compile_workbook(processed, tmp_path / "internal.xlsx", mask=False))
    for item in PERSONAL:
        assert item in raw, item


def test_compiled_pages_masked(processed, tmp_path):
    pages = comp.compile_html(processed, tmp_path / "site")
    text = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    for item in PERSONAL:
        assert item not in text, item
    assert "นางสาวจ*** ไ***" in text


def test_compile_command_masks_and_no_mask_keeps(processed, tmp_path, capsys):
    out = tmp_path / "compiled.xlsx"
    assert main(["compile", "--processed", str(processed), "--out", str(out), "--html-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "masked: 1 citizen id, 2 phone, 1 email, 3 name" in printed
    text = _workbook_text(out)
    assert not any(item in text for item in PERSONAL)
    page = (tmp_path / "compiled" / f"{sii.load(processed).tambon_ids[0]}.html").read_text(encoding="utf-8")
    assert not any(item in page for item in PERSONAL)

    kept = tmp_path / "internal.xlsx"
    assert main(["compile", "--processed", str(processed), "--out", str(kept), "--no-mask"]) == 0
    assert "--no-mask" in capsys.readouterr().out
    text = _workbook_text(kept)
    assert all(item in text for item in PERSONAL)


def test_mask_dataset_leaves_codes_and_official_names(ds):
    counts: Counter = Counter()
    masked = mask_dataset(ds, counts)
    assert counts == Counter(name=3, phone=2, email=1, citizen_id=1)
    assert masked.tambons.equals(ds.tambons)  # resolved: geothai's names, nothing written by people
    assert masked.ticks is ds.ticks
    assert list(masked.rows["row_code"]) == list(ds.rows["row_code"])
    assert "ชมรมผู้สูงอายุ นายส*** ใ*** โทร 0xx-xxx-xx78" in set(masked.rows["label"])
    assert OTHER_LABEL in set(ds.rows["label"])  # the original is untouched


# --- the bundle, from a real report --------------------------------------------------------


def _pngs(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'data:image/png;base64,([A-Za-z0-9+/=]+)', page)]


def test_bundle_of_section_pages_has_masked_pictures_and_text(ds, tmp_path):
    """A site made of the report sections' HTML (as the notebooks display it), bundled."""
    from siianalysis.workshop.bundle import bundle_site

    tid = _tid(ds)
    root = tmp_path / "reports"
    (root / "tambon").mkdir(parents=True)
    (root / "index.html").write_text(f'<a href="tambon/{tid}.html">x</a>', encoding="utf-8")
    body = "\n".join(str(f(ds, tid, "th")) for f in (sections.tambon.header, sections.tambon.heatmaps,
                                                      sections.tambon.team_words, sections.tambon.summary_table))
    (root / "tambon" / f"{tid}.html").write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    assert all(item in body for item in ("สมชาย", PHONE, "จันทร์ทิพย์", "ทองสุข", ID))  # the site on disk: as written
    result = bundle_site(root, tmp_path / "site.zip")
    with zipfile.ZipFile(tmp_path / "site.zip") as zf:
        page = zf.read(f"reports/tambon/{tid}.html").decode("utf-8")  # the zip's one folder
    text = re.sub(r'data:image/png;base64,[A-Za-z0-9+/=]+', "", page)
    for item in PERSONAL:
        assert item not in text, item
    assert result.masked["name"] >= 1 and result.masked["phone"] >= 1
    # the heat maps' grid of text carries the team's label masked, like every other text
    grid = re.search(r'<table class="sii-grid">.*?</table>', page, re.DOTALL).group(0)
    assert "ชมรมผู้สูงอายุ" in grid and "นายส*** ใ***" in grid


@pytest.mark.slow
@pytest.mark.skipif(not (NOTEBOOKS / "tambon_report.ipynb").exists(), reason="notebooks not beside the package")
def test_bundle_of_a_report_has_masked_pictures_and_text(ds, processed, tmp_path):
    reports, site = tmp_path / "reports", tmp_path / "site.zip"
    assert main(["report", "--processed", str(processed), "--out", str(reports), "--notebooks", str(NOTEBOOKS),
                 "--jobs", "1", "--quiet"]) == 0
    assert main(["bundle", "--reports", str(reports), "--out", str(site)]) == 0
    tid = _tid(ds)
    with zipfile.ZipFile(site) as zf:
        page = zf.read(f"reports/tambon/{tid}.html").decode("utf-8")  # the zip's one folder
    text = re.sub(r'data:image/png;base64,[A-Za-z0-9+/=]+', "", page)
    for item in PERSONAL:
        assert item not in text, item
    # the people heat map is a grid of text: the bundle masks the team's label there too
    grid = re.search(r'<table class="sii-grid">.*?</table>', text, re.DOTALL).group(0)
    assert "ชมรมผู้สูงอายุ" in grid and "นายส*** ใ***" in grid
