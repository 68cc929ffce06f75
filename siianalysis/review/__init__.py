"""The experts' review (ผู้ทรงคุณวุฒิ), the workshop's step 3: a workbook out, suggestions back in.

- ``sheet``  ``write_review_sheet(processed_dir, out_path)``: one protected Thai
  workbook row per tambon × pillar (people, mechanism, data, overall) with what a
  reviewer needs to judge it (the team's Table 4 text and plans, its scores against
  the network, a link to its report) and four empty columns for the reviewer.
- ``read``   ``read_review(doc, codebook)``: a filled review workbook, recognised by
  its header row (not by any marker), as ``feedback`` records and ``problems``;
  ``feedback_frame(records)`` sorts them into the ``FEEDBACK_COLUMNS`` frame.

The workbook is meant to sit beside the ``reports/`` folder (or inside the bundle
that holds it): its report links are relative paths (``reports/tambon/<id>.html``).

Column headers of the review proper come from the codebook
(``codebook.review.columns``), score headers from ``data/report_text.yaml``; the
workbook's own prose (instructions, the headers of the context columns) is below.
Importing this package imports neither openpyxl nor pandas: the names are
resolved on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Written in a hidden sheet so a person (or a future version) can tell what the file
# is. The reader never needs it: reviewers copy rows into workbooks of their own.
MARKER_SHEET = "_siianalysis"
MARKER = "siianalysis review workbook"
FORMAT_VERSION = 1

# Column order of the review sheet.
IDENTITY_COLUMNS = ("tambon_id", "tambon", "amphoe", "province", "pillar")
CONTEXT_COLUMNS = (
    "summary_achievements", "summary_plan", "team_plans",
    "outcome_coverage", "tick_rate", "network_median", "report",
)
REVIEWER_COLUMNS = ("reviewer", "suggestion", "priority", "reviewed_on")
SHEET_COLUMNS = IDENTITY_COLUMNS + CONTEXT_COLUMNS + REVIEWER_COLUMNS
# Score headers are the tambon report's own words (report_text.yaml, tambon.scorecard.*).
SCORE_COLUMNS = ("outcome_coverage", "tick_rate", "network_median")

# The workbook's own prose (not codebook labels). {fields} are filled by the writer
# with codebook labels (column headers, priorities).
WORDS: dict[str, dict[str, Any]] = {
    "th": {
        "instructions_sheet": "คำชี้แจง",
        "review_sheet": "ข้อเสนอแนะรายตำบล",
        "summary_achievements": "รูปธรรมที่ทำมาแล้ว (จากตาราง 4)",
        "summary_plan": "แนวทางยกระดับ (จากตาราง 4)",
        "team_plans": "สิ่งที่ทีมจะทำ (จากตาราง 1-3)",
        "report": "รายงานตำบล (ไฟล์)",
        "more": "… (ข้อความเต็มในรายงานตำบล)",
        "title": "แบบบันทึกข้อเสนอแนะของผู้ทรงคุณวุฒิ ระบบการจัดการพื้นที่ คน-กลไก-ข้อมูล (S-I-I)",
        "instructions": (
            "1) ชีต “{sheet}” มีหนึ่งแถวต่อหนึ่งตำบลและหนึ่งด้าน ({pillars})",
            "2) คอลัมน์ด้านซ้ายคือสิ่งที่ทีมตำบลเขียนไว้ในใบงานและคะแนนเทียบกับเครือข่าย (อ่านอย่างเดียว) "
            "ข้อความยาวถูกตัดให้สั้น ข้อความเต็มอยู่ในรายงานตำบล",
            "3) คอลัมน์ “{report}” เปิดรายงานตำบลฉบับเต็ม "
            "ลิงก์ใช้ได้เมื่อไฟล์นี้อยู่ในโฟลเดอร์เดียวกับโฟลเดอร์ reports "
            "(เช่น เมื่อแตกไฟล์ชุดรายงานไว้ทั้งชุด)",
            "4) กรอกเฉพาะ 4 คอลัมน์สีเหลืองด้านขวา: “{reviewer}” “{suggestion}” “{priority}” และ “{reviewed_on}”",
            "5) “{suggestion}” เขียนได้หลายบรรทัด (กด Alt+Enter เพื่อขึ้นบรรทัดใหม่)",
            "6) “{priority}” เลือกจากรายการ: {priorities} หรือเว้นว่าง",
            "7) “{reviewed_on}” ใส่วันที่ที่ให้ข้อเสนอแนะ เช่น 2 พ.ย. 2563",
            "8) แถวที่ไม่ได้กรอกจะไม่ถูกนับ ไม่จำเป็นต้องกรอกทุกแถว ผู้ทรงคุณวุฒิหลายท่านกรอกในไฟล์เดียวกันได้ "
            "(แต่ละแถวมีชื่อของผู้กรอก) หรือแต่ละท่านใช้ไฟล์ของตนเอง",
            "9) กรองแถว (ปุ่มลูกศรบนหัวตาราง) ปรับความกว้างคอลัมน์และความสูงแถว และเพิ่มคอลัมน์ทางขวาได้ "
            "ข้อความในคอลัมน์ที่เพิ่มเองจะถูกเก็บรวมไว้กับข้อเสนอแนะของแถวนั้น",
            "10) ชีตถูกป้องกันไว้ไม่ให้แก้ข้อความของทีมโดยไม่ตั้งใจ โดยไม่มีรหัสผ่าน "
            "หากต้องการเรียงลำดับแถว ให้ยกเลิกการป้องกันก่อน "
            "(Review > Unprotect Sheet / รีวิว > ยกเลิกการป้องกันแผ่นงาน)",
            "11) อย่าแก้ “{tambon_id}” และ “{pillar}” หากคัดลอกแถวไปไว้ในไฟล์อื่น ให้คัดลอกแถวหัวตารางไปด้วย",
        ),
    },
    "en": {
        "instructions_sheet": "Instructions",
        "review_sheet": "Review by tambon",
        "summary_achievements": "Done so far (Table 4)",
        "summary_plan": "How to raise it (Table 4)",
        "team_plans": "What the team will do (Tables 1-3)",
        "report": "Tambon report (file)",
        "more": "… (full text in the tambon report)",
        "title": "Experts' suggestions: area management system, people – mechanism – data (S-I-I)",
        "instructions": (
            "1) The sheet “{sheet}” has one row per tambon and pillar ({pillars}).",
            "2) The columns on the left are what the tambon team wrote in its worksheet and its scores "
            "against the network (read only). Long texts are shortened; the full text is in the tambon report.",
            "3) The column “{report}” opens the full tambon report. The links work when this file sits "
            "in the same folder as the reports folder (e.g. with the whole report bundle unpacked).",
            "4) Fill in only the four yellow columns on the right: “{reviewer}”, “{suggestion}”, "
            "“{priority}” and “{reviewed_on}”.",
            "5) “{suggestion}” takes several lines (Alt+Enter for a new line).",
            "6) “{priority}”: pick from the list ({priorities}) or leave blank.",
            "7) “{reviewed_on}”: the date of your review, e.g. 2 Nov 2020.",
            "8) Rows left empty are not counted; you need not fill every row. Several reviewers may fill "
            "the same file (each row carries its reviewer's name) or each use a file of their own.",
            "9) You may filter rows (the arrows on the header), resize columns and rows, and add columns on "
            "the right; text in a column you add is kept with that row's suggestion.",
            "10) The sheet is protected, without a password, against changing the team's text by accident. "
            "To sort rows, unprotect it first (Review > Unprotect Sheet).",
            "11) Do not change “{tambon_id}” or “{pillar}”. If you copy rows into another file, copy the "
            "header row with them.",
        ),
    },
}


def words(lang: str = "th") -> dict[str, Any]:
    """The review workbook's own prose in ``lang`` ("th" or "en")."""
    return WORDS["en" if lang == "en" else "th"]


def context_header(key: str, lang: str = "th") -> str:
    """The header of a context column (``CONTEXT_COLUMNS``) in ``lang``."""
    if key in SCORE_COLUMNS:
        from siianalysis.words import t

        return t(f"tambon.scorecard.{key}", "en" if lang == "en" else "th")
    return str(words(lang)[key])


_EXPORTS = {
    "write_review_sheet": "sheet",
    "build_review_workbook": "sheet",
    "ReviewRead": "read",
    "read_review": "read",
    "FEEDBACK_COLUMNS": "read",
    "feedback_frame": "read",
}

__all__ = sorted([*_EXPORTS, "MARKER_SHEET", "SHEET_COLUMNS", "context_header", "words"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # for type checkers only
    from .read import FEEDBACK_COLUMNS, ReviewRead, feedback_frame, read_review
    from .sheet import build_review_workbook, write_review_sheet
