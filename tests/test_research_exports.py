"""Research exports (``siianalysis export --to datapackage|spss|stata``) on a processed set made
from real worksheets: the Data Package passes ``frictionless.validate`` with its primary and
foreign keys checked, carries the codebook's codes as categories and Thai and English
descriptions, and its CSVs give back the processed data; the SPSS and Stata files read back
with pyreadstat with their Thai (or English) labels, one line per tambon (× round), a 0/1
variable equal to the processed ticks. Rounds are tested as they will come: a ``round``
column in every table."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import frictionless
import pandas as pd
import pyreadstat
import pytest

import siianalysis as sii
from siianalysis.cli import main
from siianalysis.exports.analysis_file import analysis_file, tick_variable
from siianalysis.exports.datapackage import guard_text, unguard_text
from siianalysis.exports.source import export_dataset
from siianalysis.schemas import COLUMNS, schemas
from tests.worksheets import (
    CB,
    Filled,
    Line,
    numbered,
    write_docx,
    write_xlsx_per_sheet,
)

PEOPLE, MECHANISM, DATA, SUMMARY = (CB.table(t) for t in ("people", "mechanism", "data", "summary"))
PHONE = "081-234-5678"
FORMULA = '=HYPERLINK("http://example.org","คลิก")'
BULLET = "- ขยายเครือข่ายคนต้นแบบ"
OTHER_LABEL = f"ชมรมผู้สูงอายุ โทร {PHONE}"
# แม่แรม sends all four tables; ไชยสถาน (Nan) only Table 1, as a Word file
WORKSHEETS = {
    "แม่แรม.xlsx": Filled("ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", "27 ตุลาคม 2563", {
        "people": [Line(numbered(PEOPLE, "P1"), {"method": FORMULA, "plan": BULLET}, {"PC1": "✓", "PC3": "✓"}),
                   Line(f"6. อื่น ๆ (ระบุ) {OTHER_LABEL}", {"method": f"ประชุมทุกเดือน โทร {PHONE}"}, {"PC5": "✓"})],
        "mechanism": [Line(numbered(MECHANISM, "M1"), {"assets": "'คณะทำงานขับเคลื่อนตำบล"}, {"MC2": "✓"})],
        "data": [Line(numbered(DATA, "D1"), {"method": "ทีม TCNAP"}, {"DC1": "✓", "DC4": "✓"})],
        "summary": [Line(numbered(SUMMARY, "S1"), {"achievements": "มีคนต้นแบบ", "plan": "ถอดบทเรียน"})],
    }),
    "ไชยสถาน.docx": Filled("ต.ไชยสถาน อ.เมือง จ.น่าน", "27 ต.ค. 63", {
        "people": [Line(numbered(PEOPLE, "P2"), {"method": "อบรมผู้นำ"}, {"PC2": "✓"})],
    }),
}
THAI = re.compile("[\u0e00-\u0e7f]")


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    from siianalysis.normalise import normalise

    root = tmp_path_factory.mktemp("exports")
    (root / "raw").mkdir()
    for name, filled in WORKSHEETS.items():
        (write_docx if name.endswith(".docx") else write_xlsx_per_sheet)(root / "raw" / name, filled)
    normalise(root / "raw", root / "processed", jobs=1, progress=False)
    return root / "processed"


@pytest.fixture(scope="module")
def ds(processed):
    return sii.load(processed)


@pytest.fixture(scope="module")
def ids(ds):
    """(the tambon that sent every table, the one that sent Table 1 only)."""
    t = ds.tambons.set_index("tambon_th")["tambon_id"]
    return t["แม่แรม"], t["ไชยสถาน"]


def export(*args: str) -> int:
    return main(["export", *args])


@pytest.fixture(scope="module")
def package(processed, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("package") / "sii"
    assert export("--to", "datapackage", str(out), "--processed", str(processed), "--no-mask") == 0
    return out


def descriptor(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def resource(desc: dict, name: str) -> dict:
    return next(r for r in desc["resources"] if r["name"] == name)


# --- the Data Package ------------------------------------------------------------------------


def test_the_data_package_is_valid_with_its_keys(package):
    report = frictionless.validate(str(package / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    desc = descriptor(package)
    assert desc["$schema"].endswith("/2.0/datapackage.json")
    assert {r["name"] for r in desc["resources"]} == set(COLUMNS)
    for name, schema in schemas().items():  # the contract's uniqueness is each table's primary key
        assert resource(desc, name)["schema"].get("primaryKey") == (list(schema.unique) if schema.unique else None)
    fks = {r["name"]: r["schema"].get("foreignKeys") for r in desc["resources"]}
    assert fks["ticks"] == [{"fields": ["tambon_id", "round", "row_code"],
                             "reference": {"resource": "rows", "fields": ["tambon_id", "round", "row_code"]}}]
    assert fks["rows"][0]["reference"] == {"resource": "tambons", "fields": ["tambon_id", "round"]}


def test_frictionless_checks_the_keys_it_declares(package, tmp_path):
    """A tick of a row no table holds and a tambon twice: both found (the keys are checked,
    not only declared)."""
    broken = tmp_path / "broken"
    shutil.copytree(package, broken)
    ticks = (broken / "ticks.csv").read_text(encoding="utf-8").splitlines()
    ticks.append("999999,people,P1,PC1,True")
    (broken / "ticks.csv").write_text("\n".join(ticks) + "\n", encoding="utf-8")
    tambons = (broken / "tambons.csv").read_text(encoding="utf-8").splitlines()
    (broken / "tambons.csv").write_text("\n".join([*tambons, tambons[1]]) + "\n", encoding="utf-8")
    desc = descriptor(broken)
    for r in desc["resources"]:  # sizes and hashes made right, so only the keys are wrong
        r.pop("bytes"), r.pop("hash")
    (broken / "datapackage.json").write_text(json.dumps(desc, ensure_ascii=False), encoding="utf-8")
    report = frictionless.validate(str(broken / "datapackage.json"))
    found = {(task.name, error.type) for task in report.tasks for error in task.errors}
    assert ("ticks", "foreign-key") in found and ("tambons", "primary-key") in found


def test_the_categories_are_the_codebooks_codes_with_their_labels(package):
    desc = descriptor(package)
    fields = {f["name"]: f for f in resource(desc, "ticks")["schema"]["fields"]}
    rows = fields["row_code"]["categories"]
    assert [c["value"] for c in rows] == [r.code for t in CB.tables for r in t.rows]
    p1 = PEOPLE.row("P1").label
    assert rows[0]["label"] == f"{p1.th} / {p1.en}"
    outcomes = fields["criterion_code"]["categories"]
    assert [c["value"] for c in outcomes] == [o.code for o in CB.outcomes]
    assert all(CB.outcome(c["value"]).label.th in c["label"] for c in outcomes)
    assert fields["criterion_code"]["constraints"]["enum"] == [o.code for o in CB.outcomes]
    pillars = {f["name"]: f for f in resource(desc, "feedback")["schema"]["fields"]}["pillar"]["categories"]
    assert [c["value"] for c in pillars] == [p.code for p in CB.review.pillars]


def test_every_field_is_described_in_thai_and_english(package):
    desc = descriptor(package)
    assert THAI.search(desc["title"]) and "tambons" in desc["title"].lower()
    for r in desc["resources"]:
        assert THAI.search(r["description"]) and re.search(r"[A-Za-z]{4}", r["description"])
        for f in r["schema"]["fields"]:
            th, _, en = f["description"].partition("\n\n")
            assert THAI.search(th) and en and not THAI.search(en.split("\n\n")[0]), (r["name"], f["name"])


def test_the_csvs_give_back_the_processed_data(package, ds):
    """Read as a researcher's tool reads them (frictionless), one leading ' removed from a
    guarded text: the texts exactly as written, formula and bullet included."""
    texts = frictionless.Package(str(package / "datapackage.json")).get_resource("texts").read_rows()
    got = {(r["tambon_id"], r["row_code"] or "", r["field"]): unguard_text(r["text"]) for r in texts}
    want = {(t.tambon_id, t.row_code, t.field): t.text for t in ds.texts.itertuples()}
    assert got == want
    assert FORMULA in want.values() and BULLET in want.values()
    raw = (package / "texts.csv").read_text(encoding="utf-8")
    assert "\n" + FORMULA not in raw and ',"=HYPERLINK' not in raw and ",=" not in raw  # no spreadsheet runs it
    assert ",'- ขยาย" in raw and ",''คณะทำงาน" in raw  # a text that starts with ' keeps it when unguarded
    ticks = pd.read_csv(package / "ticks.csv", dtype=str, keep_default_na=False)
    assert len(ticks) == len(ds.ticks) and (ticks["ticked"] == ds.ticks["ticked"].astype(str)).all()


@pytest.mark.parametrize("text", ["=1+1", "+66", "-", "@x", "'", "''=x", "\t", "ผู้นำ", "", "＝１"])
def test_the_guard_is_undone_exactly(text):
    assert unguard_text(guard_text(text)) == text


def test_personal_data_is_masked_unless_asked(processed, package, tmp_path):
    assert PHONE in (package / "rows.csv").read_text(encoding="utf-8")  # --no-mask
    out = tmp_path / "masked"
    assert export("--to", "datapackage", str(out), "--processed", str(processed)) == 0
    for name in ("rows", "texts"):
        assert PHONE not in (out / f"{name}.csv").read_text(encoding="utf-8")
    assert descriptor(out)["siianalysis"]["masked"] is True
    assert frictionless.validate(str(out / "datapackage.json")).valid


def test_a_folder_of_other_files_is_not_replaced(processed, tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("keep me")
    assert export("--to", "datapackage", str(tmp_path), "--processed", str(processed)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not replaced" in err and "Traceback" not in err
    assert (tmp_path / "mine.txt").read_text() == "keep me"


# --- SPSS and Stata --------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["sav", "dta"])
def statfile(request, processed, tmp_path_factory):
    path = tmp_path_factory.mktemp("stat") / f"sii.{request.param}"
    assert export("--to", {"sav": "spss", "dta": "stata"}[request.param], str(path),
                  "--processed", str(processed)) == 0
    return (pyreadstat.read_sav if request.param == "sav" else pyreadstat.read_dta)(str(path))


def test_the_analysis_file_reads_back_a_line_per_tambon(statfile, ds):
    df, _ = statfile
    assert len(df) == len(ds.tambons) == 2
    assert set(df["tambon_id"]) == set(ds.tambons["tambon_id"])
    assert {"tambon_th", "province_th", "tambon_en", "province_code", "amphoe_code"} <= set(df.columns)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]{0,31}", c) for c in df.columns)
    texts = set(ds.texts["text"]) | set(ds.rows["label"])
    assert not any(v in texts for c in df.columns if df[c].dtype == object for v in df[c])  # no free text


def test_a_tick_variable_is_the_processed_tick(statfile, ds, ids):
    df, _ = statfile
    full, people_only = ids
    line = df.set_index("tambon_id").loc[full]
    ticks = ds.ticks[ds.ticks["tambon_id"] == full]
    for t in ticks.itertuples():
        assert line[tick_variable(t.row_code, t.criterion_code)] == float(t.ticked), (t.row_code, t.criterion_code)
    assert line["p1_pc1"] == 1 and line["p1_pc2"] == 0 and line["d1_dc4"] == 1
    assert line["p2_pc1"] == 0  # a row not reported: not reached
    nan = df.set_index("tambon_id").loc[people_only]
    assert nan["p2_pc2"] == 1 and math.isnan(nan["m1_mc1"]) and math.isnan(nan["d1_dc1"])  # tables not sent


def test_the_scores_are_the_analysis_scores(statfile, ds, ids):
    df, _ = statfile
    scores = sii.tambon_scores(ds).set_index("tambon_id")
    line = df.set_index("tambon_id")
    for column in ("people_outcome_coverage", "overall_outcome_coverage", "people_ticks", "lens_innovation"):
        assert line[column].tolist() == pytest.approx(scores.loc[line.index, column].astype(float).tolist(),
                                                      nan_ok=True)


def test_thai_labels_and_value_labels(statfile):
    _, meta = statfile
    label = meta.column_names_to_labels["p1_pc1"]
    assert PEOPLE.row("P1").label.th in label and PEOPLE.outcome("PC1").short.th in label
    assert meta.variable_value_labels["p1_pc1"] == {0: "ไม่บรรลุ", 1: "บรรลุ"}
    assert meta.variable_value_labels["people_present"] == {0: "ไม่ใช่", 1: "ใช่"}
    assert THAI.search(meta.column_names_to_labels["people_outcome_coverage"])
    assert THAI.search(meta.file_label)


@pytest.mark.parametrize("suffix, reader", [(".sav", pyreadstat.read_sav), (".dta", pyreadstat.read_dta)])
def test_english_labels(processed, tmp_path, suffix, reader):
    path = tmp_path / f"sii{suffix}"
    to = "spss" if suffix == ".sav" else "stata"
    assert export("--to", to, str(path), "--processed", str(processed), "--lang", "en") == 0
    _, meta = reader(str(path))
    assert meta.variable_value_labels["p1_pc1"] == {0: "not reached", 1: "reached"}
    assert meta.column_names_to_labels["p1_pc1"].startswith("Table 1 P1 Role models")
    assert not any(THAI.search(v or "") for v in meta.column_names_to_labels.values())


def test_a_wrong_suffix_is_refused_in_one_line_before_any_work(processed, tmp_path, capsys, monkeypatch):
    import siianalysis.exports.source

    monkeypatch.setattr(siianalysis.exports.source, "export_dataset",
                        lambda *a, **k: pytest.fail("the data was read before the arguments were checked"))
    assert export("--to", "spss", str(tmp_path / "out.txt"), "--processed", str(processed)) == 2
    assert export("--to", "stata", str(tmp_path / "out.sav"), "--processed", str(processed)) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["siianalysis export: 'TMP/out.txt' does not end in .sav: this command writes an SPSS data file "
                   "(e.g. out.sav)".replace("TMP", str(tmp_path)),
                   "siianalysis export: 'TMP/out.sav' does not end in .dta: this command writes a Stata dataset "
                   "(e.g. out.dta)".replace("TMP", str(tmp_path))]
    assert not (tmp_path / "out.txt").exists()


# --- rounds: a round column in every table, when it comes ---------------------------------------


@pytest.fixture(scope="module")
def two_rounds(processed, ids, tmp_path_factory) -> Path:
    """The same set in two rounds: 2563 as processed; in 2564 only the full tambon again,
    now also reaching PC2 on row P1."""
    full, _ = ids
    out = tmp_path_factory.mktemp("rounds") / "processed"
    out.mkdir()
    for name in COLUMNS:
        if not (processed / f"{name}.parquet").is_file():
            continue
        first = pd.read_parquet(processed / f"{name}.parquet").assign(round="2563")
        second = first[first["tambon_id"] == full].assign(round="2564")
        if name == "ticks":
            p1_pc2 = (second["row_code"] == "P1") & (second["criterion_code"] == "PC2")
            assert p1_pc2.any()
            second.loc[p1_pc2, "ticked"] = True
        pd.concat([first, second], ignore_index=True).to_parquet(out / f"{name}.parquet", index=False)
    return out


def test_rounds_are_keys_of_the_data_package(two_rounds, tmp_path):
    out = tmp_path / "package"
    assert export("--to", "datapackage", str(out), "--processed", str(two_rounds)) == 0
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "note"])
    desc = descriptor(out)
    assert resource(desc, "tambons")["schema"]["primaryKey"] == ["tambon_id", "round"]
    assert resource(desc, "ticks")["schema"]["primaryKey"][:2] == ["tambon_id", "round"]
    assert resource(desc, "ticks")["schema"]["foreignKeys"][0]["fields"] == ["tambon_id", "round", "row_code"]


def test_rounds_are_lines_of_the_analysis_file(two_rounds, ids, tmp_path):
    full, people_only = ids
    path = tmp_path / "rounds.dta"
    assert export("--to", "stata", str(path), "--processed", str(two_rounds)) == 0
    df, meta = pyreadstat.read_dta(str(path))
    assert len(df) == 3 and list(df.columns[:2]) == ["tambon_id", "round"]
    line = df.set_index(["tambon_id", "round"])
    assert line.loc[(full, "2563"), "p1_pc2"] == 0 and line.loc[(full, "2564"), "p1_pc2"] == 1
    assert line.loc[(people_only, "2563"), "p2_pc2"] == 1
    assert meta.column_names_to_labels["round"] == "รอบ"
    ds = export_dataset(two_rounds, mask=False)
    frame = analysis_file(ds).frame  # the scores are the round's own
    by = frame.set_index(["tambon_id", "round"])["people_outcome_coverage"]
    assert by[(full, "2564")] == pytest.approx(by[(full, "2563")] + 1 / len(PEOPLE.outcomes))
