"""A small hand-made processed dataset for the analysis tests, and tests of ``load``.

Other ``test_analysis_*`` modules import ``example_dataset`` from here.

The network (4 current tambons; a 5th id appears only in rows/ticks and must
be ignored). What each tambon ticked, row -> outcomes:

T1 500701 ต.สันทรายหลวง อ.สันทราย จ.เชียงใหม่ (50)
    people     P1: PC1 PC2 · P2: PC2 · P6 "กลุ่มผู้สูงอายุ": PC5
    mechanism  M1: MC1 MC4 · M4: MC2
    data       D1: DC1 · D3: DC2 · D7 "ข้อมูล TCNAP": (text only)
T2 500702 ต.สันทรายน้อย อ.สันทราย จ.เชียงใหม่ (50)
    people     P1 P2 P4 P5: (text only) · P3: PC3
    mechanism  M1..M5: (text only) · M6: MC7
    data       — table missing
T3 501201 ต.หางดง อ.หางดง จ.เชียงใหม่ (50)
    people     — table missing
    mechanism  M2: MC1..MC7
    data       D1..D4: (text only) · D5: DC3 DC4 DC5
T4 570101 ต.เวียง อ.เมืองเชียงราย จ.เชียงราย (57)
    people     P4: PC1 PC3 PC4
    mechanism  — table missing
    data       D1: DC1..DC5
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from siianalysis.analysis import Dataset, load
from siianalysis.codebook import load_codebook

T1, T2, T3, T4 = "500701", "500702", "501201", "570101"
STRAY = "999999"  # in rows/ticks but not in tambons: never scored

TICKED: dict[str, dict[str, dict[str, set[str]]]] = {
    T1: {
        "people": {"P1": {"PC1", "PC2"}, "P2": {"PC2"}, "P6": {"PC5"}},
        "mechanism": {"M1": {"MC1", "MC4"}, "M4": {"MC2"}},
        "data": {"D1": {"DC1"}, "D3": {"DC2"}, "D7": set()},
        "summary": {"S1": set()},
    },
    T2: {
        "people": {"P1": set(), "P2": set(), "P3": {"PC3"}, "P4": set(), "P5": set()},
        "mechanism": {"M1": set(), "M2": set(), "M3": set(), "M4": set(), "M5": set(), "M6": {"MC7"}},
    },
    T3: {
        "mechanism": {"M2": {f"MC{i}" for i in range(1, 8)}},
        "data": {"D1": set(), "D2": set(), "D3": set(), "D4": set(), "D5": {"DC3", "DC4", "DC5"}},
    },
    T4: {
        "people": {"P4": {"PC1", "PC3", "PC4"}},
        "data": {"D1": {f"DC{i}" for i in range(1, 6)}},
    },
    STRAY: {"people": {"P1": {"PC1", "PC2", "PC3", "PC4", "PC5"}}},
}
OTHER_LABELS = {(T1, "P6"): "กลุ่มผู้สูงอายุ", (T1, "D7"): "ข้อมูล TCNAP"}
TEXTS = [
    (T1, "people", "P1", "method", "ถอดบทเรียนคนต้นแบบ ศึกษาดูงานพื้นที่ต้นแบบ"),
    (T1, "people", "P6", "method", "ชมรมผู้สูงอายุ ระบบดูแลผู้สูงอายุ อาสาสมัครบริบาล"),
    (T1, "data", "D7", "method", "สำรวจข้อมูลด้วยโปรแกรม TCNAP และข้อมูล จปฐ."),
    (T1, "summary", "S1", "achievements", "ผู้นำการเปลี่ยนแปลงร่วมกับ อสม. และ รพ.สต."),
    (T2, "people", "P3", "method", "ค่ายพัฒนาแกนนำเยาวชน สภาเด็กและเยาวชนตำบล"),
    (T2, "people", "P3", "plan", "ส่งเสริมผู้นำรุ่นใหม่ให้เข้าร่วมเวทีประชาคม"),
    (T2, "mechanism", "M6", "assets", "วิทยุชุมชน เพจเฟซบุ๊กของตำบล กลุ่มไลน์"),
    (T3, "mechanism", "M2", "assets", "เวทีประชาคมหมู่บ้าน ธรรมนูญสุขภาพตำบล"),
    (T3, "mechanism", "M2", "plan", "จัดทำธรรมนูญสุขภาพ ร่วมกับ อบต. และกองทุนหลักประกันสุขภาพ"),
    (T3, "mechanism", "M2", "remark.MC5", "กองทุนหลักประกันสุขภาพท้องถิ่น"),
    (T3, "data", "D5", "method", "คืนข้อมูลผ่านเวทีประชาคม บรรจุในแผนพัฒนาท้องถิ่น"),
    (T4, "people", "P4", "method", "อบรมพัฒนาศักยภาพแกนนำ ชุมชนปลอดเหล้า"),
    (T4, "data", "D1", "method", "แผนที่เดินดิน ผังเครือญาติ ข้อมูล TPMAP"),
]


def example_frames() -> dict[str, pd.DataFrame]:
    cb = load_codebook()
    tambons = pd.DataFrame(
        [
            (T1, True, "สันทรายหลวง", "สันทราย", "เชียงใหม่", "50", "2020-10-27"),
            (T2, True, "สันทรายน้อย", "สันทราย", "เชียงใหม่", "50", "2020-10-27"),
            (T3, True, "หางดง", "หางดง", "เชียงใหม่", "50", ""),
            (T4, True, "เวียง", "เมืองเชียงราย", "เชียงราย", "57", "2020-10-27"),
        ],
        columns=["tambon_id", "resolved", "tambon_th", "amphoe_th", "province_th", "province_code", "worksheet_date"],
    )
    tambons["source_file"] = tambons["tambon_id"] + ".xlsx"
    rows, ticks = [], []
    for tid, tables in TICKED.items():
        for table, reported in tables.items():
            outcomes = [o.code for o in cb.table(table).outcomes]
            for row, ticked in reported.items():
                label = OTHER_LABELS.get((tid, row), cb.row(row).label.th)
                rows.append((tid, table, row, label, f"{tid}.xlsx"))
                # the contract: one tick line per reported row and outcome
                ticks += [(tid, table, row, o, o in ticked) for o in outcomes]
    return {
        "tambons": tambons,
        "rows": pd.DataFrame(rows, columns=["tambon_id", "table", "row_code", "label", "source"]),
        "ticks": pd.DataFrame(ticks, columns=["tambon_id", "table", "row_code", "criterion_code", "ticked"]),
        "texts": pd.DataFrame(TEXTS, columns=["tambon_id", "table", "row_code", "field", "text"]),
        "problems": pd.DataFrame(
            [(f"{T2}.xlsx", "sheet 1", "warning", "missing_table", "no data table", T2)],
            columns=["source_file", "location", "severity", "code", "message", "tambon_id"],
        ),
    }


def example_dataset() -> Dataset:
    return Dataset.from_frames(**example_frames())


# --- tests of load / Dataset ------------------------------------------------


def test_missing_folder_names_it_and_the_command(tmp_path):
    missing = tmp_path / "processed"
    with pytest.raises(FileNotFoundError) as err:
        load(missing)
    assert str(missing) in str(err.value)
    assert "siianalysis normalise" in str(err.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="tambons.parquet"):
        load(tmp_path)


def test_load_parquet_keeps_ids_as_text(tmp_path):
    frames = example_frames()
    frames["tambons"].loc[3, "tambon_id"] = "u-0a1b2c3d"
    for name, df in frames.items():
        if name != "problems":  # problems.parquet is optional
            df.to_parquet(tmp_path / f"{name}.parquet", index=False)
    ds = load(tmp_path)
    assert ds.path == tmp_path
    assert ds.tambon_ids == [T1, T2, T3, "u-0a1b2c3d"]
    for name in ("tambons", "rows", "ticks", "texts", "problems"):
        df = getattr(ds, name)
        assert pd.api.types.is_string_dtype(df["tambon_id"]), name
    assert ds.ticks["ticked"].dtype == bool
    assert ds.problems.empty and "severity" in ds.problems.columns
    # columns absent from the file exist, empty
    assert (ds.tambons["tambon_en"] == "").all()


def test_numeric_and_text_flags_are_normalised():
    ds = Dataset.from_frames(
        tambons=pd.DataFrame({"tambon_id": [500707.0, 500708], "resolved": ["True", "0"]}),
        ticks=pd.DataFrame({"tambon_id": [500707], "table": ["people"], "row_code": ["P1"],
                            "criterion_code": ["PC1"], "ticked": ["true"]}),
    )
    assert list(ds.tambons["tambon_id"]) == ["500707", "500708"]
    assert list(ds.tambons["resolved"]) == [True, False]
    assert ds.ticks["tambon_id"].iloc[0] == "500707" and bool(ds.ticks["ticked"].iloc[0])
    # a merge of a str column with a str column of another frame works
    assert len(ds.tambons.merge(ds.ticks, on="tambon_id")) == 1


def test_tambon_and_for_tambon():
    ds = example_dataset()
    t = ds.tambon(T4)
    assert t["tambon_th"] == "เวียง" and t["province_code"] == "57"
    with pytest.raises(KeyError):
        ds.tambon("123456")
    one = ds.for_tambon(T2)
    assert one.tambon_ids == [T2]
    assert set(one.rows["tambon_id"]) == {T2}
    assert len(one.rows) == 11 and len(one.problems) == 1
    assert "4 tambons" in repr(ds)


def test_import_is_lazy():
    # importing the package, and the load function, pulls in neither
    # matplotlib nor the tokenizer's dictionary
    code = (
        "import sys, siianalysis.analysis as a\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib'\n"
        "assert 'pandas' not in sys.modules, 'pandas'\n"
        "from siianalysis.analysis import load, tambon_scores, tokenize\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib after scores'\n"
        "assert callable(a.load) and a.load.__name__ == 'load'\n"
        "import siianalysis.analysis.thaitext as tt\n"
        "assert tt._trie.cache_info().currsize == 0\n"
        "from siianalysis.analysis import heatmap_rows_outcomes\n"
        "assert 'matplotlib' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])
