"""The workshop's steps 3 and 4 through the command line, as a coordinator runs them:
worksheets → review workbook → reviewer fills it → normalise → reports, compilation,
bundle to share (personal data masked)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path, PurePosixPath

import openpyxl
import pytest

from siianalysis.cli import main
from tests.worksheets import CB, Filled, Line, numbered, write_xlsx_per_sheet

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PEOPLE = CB.table("people")
PHONE = "081-234-5678"
WORKSHEET = Filled(
    "ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", "๒๗ ตุลาคม ๒๕๖๓",
    {"people": [Line(numbered(PEOPLE, "P1"), {"method": f"ติดต่อผู้ประสานงาน โทร. {PHONE}", "plan": "ขยายเครือข่าย"},
                     {"PC1": "✓"})],
     "summary": [Line(numbered(CB.table("summary"), "S1"), {"achievements": "มีคนต้นแบบ", "plan": "ถอดบทเรียน"})]},
)


def _fill_one_row(path: Path) -> None:
    """A reviewer types a suggestion for the people pillar of the first tambon."""
    wb = openpyxl.load_workbook(path)
    suggestion = CB.review.columns["suggestion"].th
    ws = next(s for s in wb.worksheets if suggestion in [c.value for c in s[1]])
    header = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
    cols = {k: header[CB.review.columns[k].th] for k in ("pillar", "reviewer", "suggestion", "priority")}
    people = next(p for p in CB.review.pillars if p.code == "people").label.th
    high = next(p for p in CB.review.priorities if p.code == "high").label.th
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, cols["pillar"]).value == people)
    ws.cell(row, cols["reviewer"], "ศ.ดร.สมชาย ใจดี")
    ws.cell(row, cols["suggestion"], "เชื่อมคนต้นแบบกับสภาเด็กและเยาวชน")
    ws.cell(row, cols["priority"], high)
    wb.save(path)


@pytest.mark.slow
@pytest.mark.skipif(not (NOTEBOOKS / "tambon_report.ipynb").exists(), reason="notebooks not beside the package")
def test_review_compile_bundle_through_the_cli(tmp_path, capsys):
    raw, processed, reports = tmp_path / "raw", tmp_path / "processed", tmp_path / "reports"
    raw.mkdir()
    write_xlsx_per_sheet(raw / "แม่แรม.xlsx", WORKSHEET)
    assert main(["normalise", str(raw), "--out", str(processed), "--quiet", "--jobs", "1"]) == 0

    review = tmp_path / "review.xlsx"
    assert main(["review-sheet", "--processed", str(processed), "--out", str(review)]) == 0
    _fill_one_row(review)
    (raw / "reviews").mkdir()
    (raw / "reviews" / "review.xlsx").write_bytes(review.read_bytes())
    assert main(["normalise", str(raw), "--out", str(processed), "--quiet", "--jobs", "1"]) == 0
    assert "suggestions: 1 from expert-review workbooks" in capsys.readouterr().out

    assert main(["report", "--processed", str(processed), "--out", str(reports), "--notebooks", str(NOTEBOOKS),
                 "--jobs", "1", "--quiet"]) == 0
    tambon_html = (reports / "tambon" / "500707.html").read_text(encoding="utf-8")
    assert "เชื่อมคนต้นแบบกับสภาเด็กและเยาวชน" in tambon_html and "ศ.ดร.สมชาย ใจดี" in tambon_html
    assert PHONE in tambon_html  # the site on disk is for internal use

    assert main(["compile", "--processed", str(processed), "--out", str(tmp_path / "compiled.xlsx"),
                 "--html-dir", str(reports)]) == 0
    sheet_text = " ".join(str(c.value) for ws in openpyxl.load_workbook(tmp_path / "compiled.xlsx").worksheets
                          for row in ws.iter_rows() for c in row if c.value)
    assert "เชื่อมคนต้นแบบกับสภาเด็กและเยาวชน" in sheet_text and "ถอดบทเรียน" in sheet_text
    assert (reports / "compiled" / "500707.html").exists()

    site = tmp_path / "site.zip"
    assert main(["bundle", "--reports", str(reports), "--out", str(site)]) == 0
    with zipfile.ZipFile(site) as z:
        assert all(n.startswith("reports/") for n in z.namelist())  # one folder of its own
        names = {n.removeprefix("reports/") for n in z.namelist()}
        assert {"index.html", "network.html", "tambon/500707.html", "compiled/500707.html"} <= names
        assert not any(n.endswith(".ipynb") or n.startswith(".") for n in names)
        for name in (n for n in names if n.endswith(".html")):
            page = z.read(f"reports/{name}").decode("utf-8")
            assert PHONE not in page, name
            for href in re.findall(r'href="([^"#:]+\.html)"', page):
                target = posixpath.normpath(str(PurePosixPath(name).parent / href))  # ../index.html from tambon/
                assert target in names, (name, href)
        assert "โทร. 0" in z.read("reports/tambon/500707.html").decode("utf-8")  # masked, still readable
        assert 'href="compiled/index.html"' in z.read("reports/index.html").decode("utf-8")  # compile linked it
    assert main(["bundle", "--reports", str(tmp_path / "nothing"), "--out", str(site)]) == 2
