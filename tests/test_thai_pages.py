"""Thai pages in Thai (issue 11, item 5): problems in a reader's words, no developer words.

Unit: every problem code the package can write has a reader's sentence in both
languages; locations read as a person says them; the facts of a problem are read
back from the real messages. Rendered (slow): the real tambon and network report
notebooks, on a processed set normalised from sample files that carry problems of
several codes, show no problem code, library name, cell reference or ISO date in
the reader's text — codes and messages live only in the staff note
(``<details class="sii-staff">``).
"""

from __future__ import annotations

import ast
import html as htmllib
import re
import shutil
import string
from pathlib import Path

import pandas as pd
import pytest
import yaml

from siianalysis import words as w
from siianalysis.analysis.quality import MESSAGE_FIELDS, problem_fields
from siianalysis.codebook import load_codebook
from siianalysis.parse.resolve import resolve_place

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "siianalysis"
WORDS = yaml.safe_load((PACKAGE / "data" / "report_text.yaml").read_text(encoding="utf-8"))
CODES = set(WORDS["problem_codes"]) - {"other"}

# the modules that write problems (readers, parser, normalise, the review and form readers)
EMITTERS = [*(PACKAGE / "readers").rglob("*.py"), *(PACKAGE / "parse").rglob("*.py"),
            *(PACKAGE / "forms").rglob("*.py"), PACKAGE / "normalise.py", PACKAGE / "submissions.py",
            PACKAGE / "workshop" / "review" / "read.py"]
# kebab-case strings in those modules that are not problem codes: grid kinds, an XML tag, an
# XLSForm appearance
NOT_CODES = {"docx-table", "docx-text", "table-cell", "field-list"}
KEBAB = re.compile(r"[a-z]+(?:-[a-z]+)+")


def emitted_codes() -> set[str]:
    """Every kebab-case string constant of the modules that write problems, and every string
    given right after a severity (``Problem(file, where, "warning", "superseded", …)``)."""
    found = set()
    for path in EMITTERS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEBAB.fullmatch(node.value):
                found.add(node.value)
            if isinstance(node, ast.Call):
                values = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
                found |= {code for severity, code in zip(values, values[1:])
                          if severity in ("error", "warning", "info") and isinstance(code, str)}
    return found - NOT_CODES


# --- unit ------------------------------------------------------------------------------------


def readme_codes() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"`([a-z]+(?:-[a-z]+)*)`", readme[readme.index("Problem codes:"):].split("\n\n")[0]))


def test_every_problem_code_has_a_readers_sentence_in_both_languages():
    emitted = emitted_codes()
    assert {"ambiguous-tick", "unknown-tambon", "superseded", "review-bad-date", "corrupt-file"} <= emitted
    listed = readme_codes()
    any_code = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, emitted | listed)) + r")(?![\w-])")
    for code in emitted | listed:
        for lang in w.LANGS:
            text = w.t(f"problem_codes.{code}", lang)  # KeyError if missing
            assert len(text) > 20 and not any_code.search(text), (code, lang)
            if lang == "th":
                assert re.search("[\u0e00-\u0e7f]", text), code
    assert CODES <= emitted | listed, f"words for codes nothing writes: {sorted(CODES - emitted - listed)}"


def test_readme_lists_every_problem_code():
    missing = emitted_codes() - readme_codes()
    assert not missing, f"codes missing from README's list of problem codes: {sorted(missing)}"


def test_facts_name_only_what_their_message_gives():
    facts = {k: v for k, v in WORDS["problem_facts"].items() if k != "table_name"}
    assert set(facts) <= CODES and set(facts) <= set(MESSAGE_FIELDS)
    for code, texts in facts.items():
        groups = set(MESSAGE_FIELDS[code].groupindex) - {"number"}
        groups |= {"table"} if "number" in MESSAGE_FIELDS[code].groupindex else set()
        for lang in w.LANGS:
            named = {f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f}
            assert named <= groups, (code, lang, named - groups)


@pytest.mark.parametrize(("location", "th", "en"), [
    ("whole file", "ทั้งไฟล์", "whole file"),
    ("Sheet1!B3", "แผ่นงาน Sheet1 เซลล์ B3", "sheet Sheet1, cell B3"),
    ("ตาราง 2 กลไก!E12", "แผ่นงาน ตาราง 2 กลไก เซลล์ E12", "sheet ตาราง 2 กลไก, cell E12"),
    ("ตาราง1!row 7", "แผ่นงาน ตาราง1 แถวที่ 7", "sheet ตาราง1, row 7"),
    ("รวม!28:54", "แผ่นงาน รวม แถวที่ 28–54", "sheet รวม, rows 28–54"),
    ("table 2, row 3", "ตารางที่ 2 ในเอกสาร แถวที่ 3", "table 2 of the document, row 3"),
    ("table 2, row 3, cell 4", "ตารางที่ 2 ในเอกสาร แถวที่ 3 ช่องที่ 4", "table 2 of the document, row 3, cell 4"),
    ("text 1, paragraph 5", "ข้อความช่วงที่ 1 ในเอกสาร ย่อหน้าที่ 5", "text 1 of the document, paragraph 5"),
    ("header, paragraph 2", "ส่วนหัวของเอกสาร ย่อหน้าที่ 2", "the document's header, paragraph 2"),
    ("page margins", "หัวกระดาษหรือท้ายกระดาษของเอกสาร", "the document's page header or footer"),
    ("file name", "ชื่อไฟล์", "the file's name"),
    ("line 12", "บรรทัดที่ 12", "line 12"),
    ("line 12, column 3", "บรรทัดที่ 12 คอลัมน์ที่ 3", "line 12, column 3"),
    ("Sheet2", "แผ่นงาน Sheet2", "sheet Sheet2"),
    ("ต.แม่แรม!1:27, ต.สะลวง", "แผ่นงาน ต.แม่แรม แถวที่ 1–27, แผ่นงาน ต.สะลวง",
     "sheet ต.แม่แรม, rows 1–27, sheet ต.สะลวง"),
    ("", "ไม่ระบุตำแหน่ง", "not given"),
])
def test_locations_in_a_readers_words(location, th, en):
    assert w.location_text(location, "th") == th
    assert w.location_text(location, "en") == en


def test_a_problem_sentence_says_what_was_written_and_what_it_means():
    cb = load_codebook()
    place = resolve_place("บ้านสุขใจ", "เมือง", "น่าน")
    assert place.problem_code == "unknown-tambon"
    fields = problem_fields(cb, place.problem_code, place.problem, "th")
    assert fields == {"written": "ตำบล บ้านสุขใจ / อำเภอ เมือง / จังหวัด น่าน"}
    sentence = w.problem_sentence("unknown-tambon", "th", **fields)
    assert sentence.startswith("ที่เขียนไว้: ตำบล บ้านสุขใจ") and w.t("problem_codes.unknown-tambon", "th") in sentence
    assert "geothai" not in sentence and place.tambon_id not in sentence

    tick = "data outcome DC2: 'กำลังทำ' is not a tick the codebook knows; counted as not reached, kept as a remark"
    th = w.problem_sentence("ambiguous-tick", "th", **problem_fields(cb, "ambiguous-tick", tick, "th"))
    assert th.startswith("ช่องผลลัพธ์ DC2 (") and "“กำลังทำ”" in th
    assert "“กำลังทำ”" in w.problem_sentence("ambiguous-tick", "en", **problem_fields(cb, "ambiguous-tick", tick, "en"))

    old = ("another worksheet for the same tambon is current: ต.หัวฝาย_ฉบับที่2.ods "
           "(dated 2020-11-02; this one no date)")
    th = w.problem_sentence("superseded", "th", **problem_fields(cb, "superseded", old, "th"))
    assert "ต.หัวฝาย_ฉบับที่2.ods (ลงวันที่ 2 พฤศจิกายน 2563)" in th and w.t("date.unknown", "th") in th
    assert not re.search(r"\d{4}-\d{2}-\d{2}", th)

    missing = "table 3 (data, การพัฒนา “ระบบข้อมูลชุมชน”) was not found in this worksheet"
    assert problem_fields(cb, "table-missing", missing, "en")["table"].startswith("Table 3 (")
    # a message the pattern does not fit: the general sentence alone, never a half-filled one
    assert problem_fields(cb, "ambiguous-tick", "something else", "th") == {}
    assert w.problem_sentence("ambiguous-tick", "th") == w.t("problem_codes.ambiguous-tick", "th")
    assert w.problem_sentence("no-such-code", "en") == w.t("problem_codes.other", "en")


# --- rendered pages --------------------------------------------------------------------------

# sample worksheets with problems: unknown tambon, ambiguous ticks, a missing table, a file sent
# twice, plus three files that cannot be read (a text file, a damaged workbook, a list of names)
SAMPLE_FILES = ("ตำบลบ้านสุขใจ_อำเภอเมือง_น่าน.xlsx", "ระบบการจัดการพื้นที่_แช่ช้าง.xlsx",
                "ใบงาน ต.ช้างตะลูด อ.หล่มสัก.ods", "แบบฟอร์ม-ต.สระ.docx", "ต.หัวฝาย_ฉบับที่1.xlsx",
                "ต.หัวฝาย_ฉบับที่2.ods", "notes.txt", "worksheet_650114_แก้ไข.xlsx", "รายชื่อผู้เข้าร่วม.xlsx")
STAFF = re.compile(r'<details class="sii-staff">.*?</details>', re.S)
DEVELOPER_WORDS = ("geothai", "PyThaiNLP", "themes.yaml", "Sheet1!", "whole file", "siianalysis/")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def reader_text(page: str) -> str:
    """What a reader sees: the page's text without style, pictures and the staff notes."""
    page = re.sub(r"<style\b.*?</style>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<img\b[^>]*>", " ", STAFF.sub(" ", page))
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


def sections_of(page: str) -> dict[str, str]:
    """The page's sections by their ``data-section`` key."""
    found = re.findall(r'<section class="sii sii-section" data-section="([^"]+)">(.*?)</section>', page, re.S)
    return dict(found)


def leaks(page: str) -> dict[str, list[str]]:
    """Per section, the developer words, problem codes and ISO dates in the reader's text."""
    codes = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(CODES, key=len, reverse=True)))
                       + r")(?![\w-])")
    out = {}
    for key, body in sections_of(page).items():
        text = reader_text(body)
        found = [word for word in DEVELOPER_WORDS if word in text]
        found += codes.findall(text) + ISO_DATE.findall(text)
        if found:
            out[key] = found
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from siianalysis.cli import main
    from siianalysis.normalise import normalise

    root = tmp_path_factory.mktemp("thai_pages")
    raw = root / "raw"
    raw.mkdir()
    for name in SAMPLE_FILES:
        shutil.copy(ROOT / "data" / "raw" / name, raw / name)
    normalise(raw, root / "processed", jobs=1, progress=False)
    problems = pd.read_parquet(root / "processed" / "problems.parquet")
    assert {"unknown-tambon", "ambiguous-tick", "table-missing", "superseded", "corrupt-file",
            "unsupported-format", "not-a-worksheet"} <= set(problems["code"])
    assert main(["report", "--processed", str(root / "processed"), "--out", str(root / "reports"),
                 "--jobs", "1"]) == 0
    return root


def page(site: Path, name: str) -> str:
    return (site / "reports" / name).read_text(encoding="utf-8")


@pytest.mark.slow
def test_problem_facts_are_read_from_every_real_message(site):
    cb = load_codebook()
    problems = pd.read_parquet(site / "processed" / "problems.parquet")
    for p in problems.itertuples():
        if p.code in MESSAGE_FIELDS:
            assert problem_fields(cb, p.code, p.message, "th"), (p.code, p.message)


@pytest.mark.slow
def test_thai_pages_speak_to_readers(site):
    problems = pd.read_parquet(site / "processed" / "problems.parquet")
    tambons = pd.read_parquet(site / "processed" / "tambons.parquet")
    pages = {"network.html": page(site, "network.html")}
    pages |= {f"tambon/{tid}.html": page(site, f"tambon/{tid}.html") for tid in tambons["tambon_id"]}
    for name, html in pages.items():
        assert sections_of(html), name
        assert leaks(html) == {}, name

    # the quality sections say it in Thai, where it happened and what it means
    unresolved = tambons.loc[~tambons["resolved"], "tambon_id"].iloc[0]
    quality = reader_text(sections_of(pages[f"tambon/{unresolved}.html"])["tambon.quality_notes"])
    assert "แผ่นงาน Sheet1 เซลล์ B3" in quality
    assert "ที่เขียนไว้: ตำบล บ้านสุขใจ / อำเภอ เมือง / จังหวัด น่าน" in quality
    assert w.t("problem_codes.unknown-tambon", "th") in quality
    superseded = problems.loc[problems["code"] == "superseded", "tambon_id"]
    for tid in superseded:
        text = reader_text(sections_of(pages[f"tambon/{tid}.html"])["tambon.quality_notes"])
        assert "ทั้งไฟล์" in text and "(ลงวันที่ " in text and " 2563" in text
    tick = problems.loc[problems["message"].str.contains("กำลังดำเนินการ"), "tambon_id"].iloc[0]
    text = reader_text(sections_of(pages[f"tambon/{tick}.html"])["tambon.quality_notes"])
    assert "“กำลังดำเนินการ”" in text and w.t("problem_codes.ambiguous-tick", "th") in text
    network = reader_text(sections_of(pages["network.html"])["network.quality_summary"])
    for code in set(problems["code"]):
        assert w.t(f"problem_codes.{code}", "th") in network, code

    # the staff keep every code and message, in a collapsed note marked for them
    staff = "".join(STAFF.findall(pages["network.html"]))
    assert w.t("problem_staff.summary", "th").split(":")[0] in staff
    for p in problems[problems["severity"] == "error"].itertuples():
        assert p.code in staff and htmllib.escape(p.message, quote=False) in staff
    assert "PyThaiNLP" in staff and "themes.yaml" in staff
    tambon_staff = "".join(STAFF.findall(pages[f"tambon/{unresolved}.html"]))
    assert "unknown-tambon" in tambon_staff and "Sheet1!B3" in tambon_staff
