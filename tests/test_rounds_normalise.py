"""Rounds through ``normalise`` and ``load``, on worksheets written as real files (openpyxl,
python-docx): round folders, dates alone, a revision inside a round, old processed data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import siianalysis as sii
from siianalysis.normalise import normalise
from tests.worksheets import CB, Filled, Line, numbered, write_docx, write_xlsx_per_sheet

PEOPLE = CB.table("people")
MAE_RAEM = "ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่"
CHAI = "ต.ไชยสถาน อ.เมือง จ.น่าน"


def people(*ticks: str, plan: str = "") -> dict:
    return {"people": [Line(numbered(PEOPLE, "P1"), {"plan": plan} if plan else {}, {t: "✓" for t in ticks})]}


def ticked(ds, tambon_id: str) -> set[str]:
    t = ds.ticks[(ds.ticks["tambon_id"] == tambon_id) & ds.ticks["ticked"]]
    return set(t["criterion_code"])


@pytest.fixture(scope="module")
def by_folder(tmp_path_factory) -> tuple[Path, sii.Dataset]:
    raw = tmp_path_factory.mktemp("folders") / "raw"
    (raw / "2563").mkdir(parents=True)
    (raw / "2564").mkdir()
    write_xlsx_per_sheet(raw / "2563" / "แม่แรม.xlsx", Filled(MAE_RAEM, "27 ตุลาคม 2563", people("PC1", plan="ขยายผล")))
    write_docx(raw / "2563" / "ไชยสถาน.docx", Filled(CHAI, "27 ต.ค. 63", people("PC2")))
    # round 2564: แม่แรม again, and a revision three weeks later that supersedes it
    write_xlsx_per_sheet(raw / "2564" / "แม่แรม.xlsx", Filled(MAE_RAEM, "1 พฤศจิกายน 2564", people("PC1")))
    write_xlsx_per_sheet(raw / "2564" / "แม่แรม_แก้ไข.xlsx",
                         Filled(MAE_RAEM, "22 พฤศจิกายน 2564", people("PC1", "PC2", "PC3")))
    result = normalise(raw, raw.parent / "processed", jobs=1, progress=False)
    return raw.parent / "processed", result


def test_round_folders_keep_both_rounds_and_a_revision_supersedes_within_one(by_folder):
    processed, result = by_folder
    tambons = result.tables["tambons"]
    assert sorted(zip(tambons["tambon_id"], tambons["round"])) == [("500707", "2563"), ("500707", "2564"),
                                                                     ("550104", "2563")]
    problems = result.tables["problems"]
    superseded = problems[problems["code"] == "superseded"]
    assert list(superseded["source_file"]) == ["2564/แม่แรม.xlsx"] and list(superseded["round"]) == ["2564"]
    assert set(result.tables["ticks"]["round"]) == {"2563", "2564"}

    ds = sii.load(processed)
    assert ds.rounds == ["2563", "2564"] and ds.rounds_of("500707") == ["2563", "2564"]
    # each tambon's latest round is what the reports describe
    assert dict(zip(ds.tambons["tambon_id"], ds.tambons["round"])) == {"500707": "2564", "550104": "2563"}
    assert ticked(ds, "500707") == {"PC1", "PC2", "PC3"}
    earlier = ds.in_round("2563")
    assert ticked(earlier, "500707") == {"PC1"} and ticked(earlier, "550104") == {"PC2"}
    assert list(earlier.texts.loc[earlier.texts["field"] == "plan", "text"]) == ["ขยายผล"]
    assert ds.history is not None and len(ds.history.tambons) == 3
    assert ds.for_tambon("500707").history.rounds == ["2563", "2564"]


def test_dates_alone_name_rounds_and_the_switch_puts_all_in_one(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_xlsx_per_sheet(raw / "a.xlsx", Filled(MAE_RAEM, "27 ตุลาคม 2563", people("PC1")))
    write_xlsx_per_sheet(raw / "b.xlsx", Filled(MAE_RAEM, "2 พฤศจิกายน 2564", people("PC2")))
    by_date = normalise(raw, None, jobs=1, progress=False)
    assert sorted(by_date.tables["tambons"]["round"]) == ["2563", "2564"]
    assert "superseded" not in set(by_date.tables["problems"]["code"])
    one = normalise(raw, None, jobs=1, progress=False, rounds="none")
    assert list(one.tables["tambons"]["round"]) == [""]
    assert list(one.tables["problems"].loc[one.tables["problems"]["code"] == "superseded", "source_file"]) == ["a.xlsx"]
    with pytest.raises(ValueError, match="rounds must be one of"):
        normalise(raw, None, jobs=1, progress=False, rounds="yearly")


def test_a_worksheet_no_rule_places_is_warned_when_others_have_rounds(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2564").mkdir(parents=True)
    write_xlsx_per_sheet(raw / "2564" / "a.xlsx", Filled(MAE_RAEM, "2 พฤศจิกายน 2564", people("PC2")))
    write_xlsx_per_sheet(raw / "b.xlsx", Filled(CHAI, "", people("PC1")))
    problems = normalise(raw, None, jobs=1, progress=False).tables["problems"]
    unknown = problems[problems["code"] == "round-unknown"]
    assert list(unknown["source_file"]) == ["b.xlsx"] and list(unknown["tambon_id"]) == ["550104"]


def test_processed_data_from_before_rounds_loads_as_one_round(by_folder, tmp_path):
    processed, _ = by_folder
    old = tmp_path / "old"
    old.mkdir()
    for path in processed.glob("*.parquet"):  # as written before rounds: no round column, one round
        frame = pd.read_parquet(path)
        if "round" in frame.columns and "tambon_id" in frame.columns:
            frame = frame[frame["round"].isin(["2563", ""])]
        frame.drop(columns=["round"], errors="ignore").to_parquet(old / path.name, index=False)
    ds = sii.load(old)
    assert ds.rounds == [""] and ds.history is None
    assert set(ds.tambons["tambon_id"]) == {"500707", "550104"} and set(ds.tambons["round"]) == {""}
    assert ticked(ds, "500707") == {"PC1"}


def test_the_summary_counts_tambons_once_and_says_the_rounds(by_folder):
    _, result = by_folder
    summary = result.summary()
    assert "tambons:     2 (2 resolved" in summary
    assert "rounds:      2563: 2 tambons, 2564: 1 tambons" in summary


def test_the_batch_plans_each_tambon_s_page_of_its_latest_round(by_folder, tmp_path):
    from siianalysis.report.batch.plan import plan_reports

    processed, _ = by_folder
    notebooks = Path(__file__).resolve().parents[1] / "notebooks"
    plan = plan_reports(processed, tmp_path / "reports", notebooks_dir=notebooks)
    rows = plan.tambons.set_index("tambon_id")
    assert rows.loc["500707", "round"] == "2564" and rows.loc["500707", "worksheet_date"] == "2021-11-22"
    assert list(plan.tambons["tambon_id"]) == ["500707", "550104"]  # each tambon once, in file order
