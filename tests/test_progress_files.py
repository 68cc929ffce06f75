"""Progress over rounds from real files (openpyxl, python-docx): two rounds of the same
tambons in round folders and by date alone, with the experts' review of the first round,
normalised, then the progress section of the real tambon notebook (papermill)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import openpyxl
import papermill as pm
import pytest

import siianalysis as sii
from siianalysis.normalise import normalise
from siianalysis.sections import html as h
from siianalysis.sections.progress import progress
from siianalysis.words import t
from tests.worksheets import CB, Filled, Line, numbered, write_docx, write_xlsx_per_sheet

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PEOPLE, MECHANISM, SUMMARY = CB.table("people"), CB.table("mechanism"), CB.table("summary")
MAE_RAEM, MAE_RAEM_ID = "ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", "500707"
CHAI, CHAI_ID = "ต.ไชยสถาน อ.เมือง จ.น่าน", "550104"
PLAN = "จัดค่ายพัฒนาแกนนำเยาวชน และตั้งสภาเด็กและเยาวชนตำบล"
DONE = "จัดค่ายพัฒนาแกนนำเยาวชนแล้ว 2 รุ่น"
SUGGESTION = "ตั้งสภาเด็กและเยาวชนตำบล และจัดค่ายแกนนำเยาวชน"


def tables(people: list[str], mechanism: list[str], plan: str = "", done: str = "") -> dict:
    return {
        "people": [Line(numbered(PEOPLE, "P1"), {"method": "อบรมแกนนำ"}, {o: "✓" for o in people})],
        "mechanism": [Line(numbered(MECHANISM, "M1"), {}, {o: "✓" for o in mechanism})],
        "summary": [Line(numbered(SUMMARY, "S1"), {"plan": plan, "achievements": done})],
    }


def write_review(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    labels = CB.review.columns
    ws.append([labels[k].th for k in ("tambon_id", "pillar", "reviewer", "suggestion", "priority")])
    ws.append([MAE_RAEM_ID, "คน", "ดร.สมชาย", SUGGESTION, "เร่งด่วน"])
    ws.append([MAE_RAEM_ID, "ข้อมูล", "ดร.สมชาย", "คืนข้อมูลให้ชุมชนผ่านเวทีประชาคมหมู่บ้าน", ""])
    wb.save(path)


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("progress") / "raw"
    (raw / "2563").mkdir(parents=True)
    (raw / "2564").mkdir()
    # แม่แรม: round folders; the review of round 2563 in its folder
    write_xlsx_per_sheet(raw / "2563" / "แม่แรม.xlsx", Filled(MAE_RAEM, "27 ตุลาคม 2563",
                                                           tables(["PC1"], ["MC1", "MC2"], plan=PLAN)))
    write_xlsx_per_sheet(raw / "2564" / "แม่แรม.xlsx", Filled(MAE_RAEM, "2 พฤศจิกายน 2564",
                                                           tables(["PC1", "PC2"], ["MC1"], done=DONE)))
    write_review(raw / "2563" / "ข้อเสนอแนะ.xlsx")
    # ไชยสถาน: no round folder, the dates alone
    write_docx(raw / "ไชยสถาน_63.docx", Filled(CHAI, "27 ต.ค. 63", tables(["PC1"], ["MC1"])))
    write_docx(raw / "ไชยสถาน_64.docx", Filled(CHAI, "5 พ.ย. 64", tables(["PC1", "PC3"], ["MC1"])))
    normalise(raw, raw.parent / "processed", jobs=1, progress=False)
    return raw.parent / "processed"


def test_both_ways_of_naming_rounds_give_the_progress(processed):
    ds = sii.load(processed)
    assert ds.rounds == ["2563", "2564"]
    assert ds.rounds_of(MAE_RAEM_ID) == ["2563", "2564"] and ds.rounds_of(CHAI_ID) == ["2563", "2564"]
    mae = progress(ds, MAE_RAEM_ID).data["facts"]
    got = {s: set(g["outcome_code"]) for s, g in mae.outcomes.groupby("status")}
    assert got["gained"] == {"PC2"} and got["lost"] == {"MC2"} and got["kept"] == {"PC1", "MC1"}
    people = mae.plans.set_index("pillar").loc["people"]
    assert [x for _, x in people["plans"]] == [PLAN] and [x for _, x in people["achievements"]] == [DONE]
    assert list(mae.suggestions["suggestion"]) == [SUGGESTION, "คืนข้อมูลให้ชุมชนผ่านเวทีประชาคมหมู่บ้าน"]
    assert mae.suggestions["match"].iloc[0] > 0.5  # ค่าย… แกนนำเยาวชน written this round
    chai = progress(ds, CHAI_ID).data["facts"]
    assert set(chai.status_of("gained")["outcome_code"]) == {"PC3"} and chai.status_of("lost").empty
    assert chai.suggestions.empty


@pytest.mark.slow
def test_the_tambon_notebook_renders_the_progress_section(processed, tmp_path):
    out = tmp_path / "tambon.ipynb"
    pm.execute_notebook(str(NOTEBOOKS / "tambon_report.ipynb"), str(out),
                        parameters={"processed_dir": str(processed), "lang": "th", "tambon_id": MAE_RAEM_ID},
                        kernel_name="python3", cwd=str(NOTEBOOKS), progress_bar=False, log_output=False,
                        execution_timeout=300)
    nb = nbformat.read(out, as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") if isinstance(o.get("data", {}).get("text/html"), str)
                   else "".join(o.get("data", {}).get("text/html", [])) for c in nb.cells for o in c.get("outputs", []))
    assert str(h.esc(t("progress.title", "th"))) in html
    assert str(h.esc(t("progress.gained", "th", n=1))) in html and DONE in html and PLAN in html
    assert str(h.esc(t("progress.found", "th"))) in html
