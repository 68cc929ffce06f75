"""A deterministic, realistic sample of the Northern network's worksheets.

``generate_sample(out_dir)`` writes what a coordinator's folder looks like
after the workshop (48 tambons from all 17 Northern provinces by default):
filled worksheets in every format teams send, some in province folders,
with the spellings and the flaws real files have. The same arguments give
byte-identical files (``random.Random(seed)``, fixed dates, ``freeze_zip``);
``data/raw/README.md`` lists every file.

Layouts (see ``layouts``): a) the template filled in, b) all tables on one
sheet at an offset, c) a hand-made workbook with the handout's typos,
d) .xlsm, e) .ods, f) .docx, g) the project's tidy CSV.

Deliberate flaws and cases (file names of the default run, ``seed=2563``;
``data/raw/README.md`` lists them per file):

- same tambon sent twice, the later one wins: ต.แม่สะเรียง (อ.แม่สะเรียง,
  แม่ฮ่องสอน): ``ตำบลแม่สะเรียง_แม่สะเรียง_แม่ฮ่องสอน.xlsx`` (28 ต.ค. 63,
  hand-made) and ``แม่ฮ่องสอน/ตำบลแม่สะเรียง_ส่งใหม่.docx`` (10 พ.ย. 2563,
  different content: it wins).
- same tambon twice on the same date (a tie, different content): ต.หัวฝาย
  (อ.สูงเม่น, แพร่): ``ต.หัวฝาย_ฉบับที่1.xlsx`` and ``ต.หัวฝาย_ฉบับที่2.ods``
  (2 พ.ย. 2563).
- one table missing (table 3, data): ``แบบฟอร์ม-ต.สระ.docx``.
- an "other (specify)" row with its label but no ticks (table 1 row 7,
  "ชมรมผู้สูงอายุ"): ``ตำบลเขากวางทอง_หนองฉาง_อุทัยธานี.xlsx``.
- text continued on the next row (label cell empty, text in the first text
  column; table 1 row 1): ``ต.นครสวรรค์ตก-อ.เมือง.xlsx``.
- ``<script>alert(1)</script>`` in a text cell (table 1 row 2, method):
  ``worksheet_510205.xlsx``; a text cell starting ``=HYPERLINK(`` (table 4
  row 1, plan; stored as text, not a formula): ``ตำบลวังหมัน_สามเงา_ตาก.xlsx``.
- ambiguous tick cells: "กำลังดำเนินการ" (table 2 row 1, outcome 3) in
  ``ใบงาน ต.ช้างตะลูด อ.หล่มสัก.ods``; "?" (table 3 row 4, outcome 2) in
  ``ระบบการจัดการพื้นที่_แช่ช้าง.xlsx``.
- ticks typed as numbers 1/0 in number cells: ``S-I-I_ตำบลบ้านป่า.xlsx``;
  ticks followed by a remark ("✓ (บางหมู่บ้าน)"): several files (README).
- an unknown tambon (no register has บ้านสุขใจ):
  ``ตำบลบ้านสุขใจ_อำเภอเมือง_น่าน.xlsx``.
- not worksheets: ``รายชื่อผู้เข้าร่วม.xlsx`` (attendee list), ``notes.txt``
  (and ``README.md``).
- a corrupt workbook (its first 60 % of bytes), for a tambon with no other
  file: ``worksheet_650114_แก้ไข.xlsx``.
- same-name tambons, so identity needs the district: ไชยสถาน in อ.เมืองน่าน
  (``แบบฟอร์ม-ต.ไชยสถาน.docx``, written "ต.ไชยสถาน อ.เมือง จ.น่าน", dated
  "๒๗ ตุลาคม ๒๕๖๓") and in อ.สารภี เชียงใหม่
  (``เชียงใหม่/ระบบการจัดการพื้นที่_ไชยสถาน.xlsx``); ป่าแดด in อ.ป่าแดด
  (``เชียงราย/แบบฟอร์ม-ต.ป่าแดด.xlsx``) and อ.แม่สรวย
  (``เชียงราย/ต.ป่าแดด-อ.แม่สรวย.ods``), both เชียงราย.
- the date as an Excel date cell: ``ตำบลแม่แรม_แม่ริม_เชียงใหม่.xlsx``.
- a second round (``second_round``): 15 tambons (แม่แรม among them) send again a
  year later in ``2564/``, 11 moved on and 4 slipped, Table 4 taking up part of
  last round's plans; the experts' review of round 2563 in ``2563/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from siianalysis.codebook import Codebook, load_codebook
from siianalysis.sample import content, second_round
from siianalysis.sample.layouts import (
    LAYOUT_EXT,
    GridSheet,
    Style,
    save_grid_xlsx,
    write_worksheet,
)
from siianalysis.sample.model import DATE_FORMS, Place, Worksheet, Writing, make_worksheet
from siianalysis.sample.places import ANCHORS, UNKNOWN, pick_network_places, pick_places

__all__ = ["generate_sample", "generate_network", "plan_sample", "main"]

MIN_TAMBONS = 17  # the anchors and the flaws need this many
WORKSHOP_DAY = dt.date(2020, 10, 27)
LAST_DAY = dt.date(2020, 11, 30)
# Layouts over the ordinary tambons, repeated (a b c f a e b f c g a b f d c e).
LAYOUT_CYCLE = (
    "template", "onesheet", "handmade", "docx", "template", "ods", "onesheet", "docx",
    "handmade", "csv", "template", "onesheet", "docx", "xlsm", "handmade", "ods",
)
SCRIPT_TEXT = "<script>alert(1)</script> อบรมแกนนำร่วมกับ รพ.สต."
HYPERLINK_TEXT = '=HYPERLINK("http://example.com/tambon","ดูรายละเอียดเพิ่มเติม")'


@dataclass(slots=True)
class FileSpec:
    """One file to write: a worksheet in a style, or one of the non-worksheets."""

    relpath: str
    kind: str  # worksheet | attendees | notes | corrupt
    worksheet: Worksheet | None = None
    style: Style | None = None
    notes: list[str] = field(default_factory=list)
    sheet: GridSheet | None = None  # a review workbook's grid


# ---------------------------------------------------------------- styles and names


def _date(rng: random.Random) -> dt.date:
    if rng.random() < 0.4:
        return WORKSHOP_DAY
    return WORKSHOP_DAY + dt.timedelta(days=rng.randint(1, (LAST_DAY - WORKSHOP_DAY).days))


def _writing(rng: random.Random, place: Place, layout: str) -> Writing:
    identities = ("bare", "short", "full") if layout == "template" else ("full", "short", "spaced", "short")
    forms = DATE_FORMS if layout in ("template", "onesheet", "xlsm") else DATE_FORMS[:-1]
    return Writing(
        identity=rng.choice(identities),
        capital_short=place.capital and rng.random() < 0.6,
        date_form=rng.choice(forms),
        thai_numbering=layout in ("handmade", "docx", "ods") and rng.random() < 0.5,
    )


def random_style(layout: str, rng: random.Random, place: Place) -> Style:
    """A plausible style for ``layout`` ("xlsm" is the template or one sheet, macro-enabled)."""
    seed = rng.randrange(1 << 30)
    if layout == "xlsm":
        base = rng.choice(("template", "onesheet"))
        return replace(random_style(base, rng, place), macro=True)
    writing = _writing(rng, place, layout)
    if layout == "template":
        return Style("template", writing, native_ticks=rng.random() < 0.25, seed=seed)
    if layout in ("onesheet", "ods"):
        header = "two" if rng.random() < 0.6 else "one"
        if header == "one" and rng.random() < 0.5:
            writing = replace(writing, thai_numbering=True)
        return Style(
            layout,
            writing,
            header=header,
            labels=rng.choice(("seed", "clean", "mixed")),
            offset=(rng.randint(0, 3), rng.randint(0, 2)),
            spacer_col=rng.random() < 0.3,
            native_ticks=layout == "onesheet" and rng.random() < 0.2,
            one_sheet=layout == "onesheet" or rng.random() < 0.5,
            titles=rng.random() < 0.75,
            seed=seed,
        )
    if layout == "handmade":
        return Style(
            "handmade",
            writing,
            labels=rng.choice(("mixed", "clean", "seed")),
            broken=True,
            typos=True,
            sheet_names=rng.choice(("short", "number", "sheetN")),
            seed=seed,
        )
    if layout == "docx":
        return Style("docx", writing, labels=rng.choice(("seed", "clean")), titles=rng.random() < 0.8, seed=seed)
    return Style(layout, writing, seed=seed)


_NAME_PATTERNS = (
    "ตำบล{t}_{a}_{p}",
    "แบบฟอร์ม-ต.{t}",
    "worksheet_{code}",
    "ใบงาน ต.{t} อ.{a}",
    "{t}-{p}",
    "S-I-I_ตำบล{t}",
    "งานกลุ่ม ต.{t} จ.{p}",
    "ระบบการจัดการพื้นที่_{t}",
    "ต.{t}-อ.{a}",
)


class _Names:
    """File names as teams give them, unique within the output (case-folded)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, stem: str, ext: str, folder: str = "") -> str:
        stem = stem.replace("/", "-").replace("\\", "-").strip()
        for i in range(1, 100):
            name = f"{stem}.{ext}" if i == 1 else f"{stem} ({i}).{ext}"
            rel = f"{folder}/{name}" if folder else name
            if rel.casefold() not in self.used:
                self.used.add(rel.casefold())
                return rel
        raise RuntimeError(f"no free name for {stem}")

    def for_place(self, rng: random.Random, place: Place, style: Style, ext: str, folder: str = "") -> str:
        amphoe = "เมือง" if style.writing.capital_short and place.capital else place.amphoe
        pattern = rng.choice(_NAME_PATTERNS)
        stem = pattern.format(t=place.tambon, a=amphoe, p=place.province, code=place.code)
        return self.take(stem, ext, folder)


def _ext(style: Style) -> str:
    return "xlsm" if style.macro else LAYOUT_EXT[style.layout]


# ---------------------------------------------------------------- the plan


def _flaw_notes(style: Style, ws: Worksheet) -> list[str]:
    notes = []
    if style.native_ticks and ws.tick_style[0] in ("1", "TRUE"):
        notes.append("ticks as number/boolean cells")
    if any(" (" in v for rows in ws.tables.values() for e in rows for v in e.ticks.values()):
        notes.append("ticks with a remark")
    if style.writing.capital_short and ws.place.capital:
        notes.append("อ.เมือง for the capital district")
    return notes


def _describe(style: Style, ws: Worksheet) -> str:
    parts = [style.layout + (" (.xlsm)" if style.macro else "")]
    if style.layout in ("onesheet", "ods") and style.header == "one":
        parts.append("one-level header")
    if style.layout == "ods":
        parts.append("one sheet" if style.one_sheet else "sheet per table")
    if style.spacer_col:
        parts.append("spacer column")
    if style.layout == "onesheet" and style.offset != (0, 0):
        parts.append(f"offset {chr(65 + style.offset[1])}{style.offset[0] + 1}")
    if style.writing.thai_numbering:
        parts.append("Thai digits")
    return ", ".join(parts)


def plan_sample(n_tambons: int, seed: int, codebook: Codebook) -> list[FileSpec]:
    """Every file of the sample, with its worksheet and style (nothing written)."""
    if n_tambons < MIN_TAMBONS:
        raise ValueError(f"the sample needs at least {MIN_TAMBONS} tambons for its flaws, got {n_tambons}")
    rng = random.Random(seed)
    places, corrupt_place = pick_places(n_tambons, rng)
    names = _Names()
    specs: list[FileSpec] = []

    def worksheet(place: Place, date: dt.date | None = None, **kw) -> Worksheet:
        return make_worksheet(codebook, place, date or _date(rng), rng, **kw)

    def add(place: Place, ws: Worksheet, style: Style, stem: str | None = None, folder: str = "", notes=()) -> FileSpec:
        ext = _ext(style)
        rel = names.take(stem, ext, folder) if stem else names.for_place(rng, place, style, ext, folder)
        spec = FileSpec(rel, "worksheet", ws, style, [*notes, *_flaw_notes(style, ws)])
        specs.append(spec)
        return spec

    def folder_for(place: Place, p: float = 0.35) -> str:
        return place.province if rng.random() < p else ""

    # --- anchors: fixed places with fixed layouts
    by_code = {p.code: p for p in places}
    mae_raem = by_code[ANCHORS[0]]
    style = Style("template", Writing("bare", date_form="excel"), seed=rng.randrange(1 << 30))
    add(mae_raem, worksheet(mae_raem, WORKSHOP_DAY), style,
        stem=f"ตำบล{mae_raem.tambon}_{mae_raem.amphoe}_{mae_raem.province}", notes=["date as an Excel date cell"])
    chai_nan = by_code[ANCHORS[1]]
    style = Style("docx", Writing("short", capital_short=True, date_form="th_long_thai"), seed=rng.randrange(1 << 30))
    add(chai_nan, worksheet(chai_nan, WORKSHOP_DAY), style, stem=f"แบบฟอร์ม-ต.{chai_nan.tambon}",
        notes=["name shared with ไชยสถาน อ.สารภี เชียงใหม่"])
    for code, layout in zip(ANCHORS[2:], ("handmade", "onesheet", "ods")):
        place = by_code[code]
        add(place, worksheet(place), random_style(layout, rng, place), folder=place.province,
            notes=["tambon name repeats in another district"])

    # --- ordinary tambons; the first few carry the flaws
    ordinary = [p for p in places if p.code not in ANCHORS]
    others_people = {r.code for r in codebook.table("people").other_rows}
    layouts = [LAYOUT_CYCLE[i % len(LAYOUT_CYCLE)] for i in range(len(ordinary))]
    forced = {0: "handmade", 1: "onesheet", 2: "docx", 3: "template", 4: "onesheet", 5: "handmade",
              6: "template", 7: "ods", 8: "onesheet", 9: "template", 10: "handmade"}
    for i, place in enumerate(ordinary):
        layout = forced.get(i, layouts[i])
        style = random_style(layout, rng, place)
        remark_rate = 0.2 if i == 10 or rng.random() < 0.12 else 0.0
        tick_style = content.TICK_STYLES[i % len(content.TICK_STYLES)]
        if i == 9:  # ticks typed as numbers 1/0 in number cells
            tick_style, style = ("1", "0"), replace(style, native_ticks=True)
        ws = worksheet(place, remark_rate=remark_rate, tick_style=tick_style)
        notes: list[str] = []
        stem, folder = None, folder_for(place)
        if i == 0:  # sent twice: the later file wins
            ws.date = dt.date(2020, 10, 28)
            style = replace(style, writing=replace(style.writing, date_form="th_abbr"))
            stem, folder = f"ตำบล{place.tambon}_{place.amphoe}_{place.province}", ""
            notes.append("sent twice: the earlier file (see _ส่งใหม่)")
            later = worksheet(place, dt.date(2020, 11, 10), maturity=min(0.95, ws.maturity + 0.25))
            later_style = Style("docx", Writing("full", date_form="th_long_thai"), seed=rng.randrange(1 << 30))
            add(place, later, later_style, stem=f"ตำบล{place.tambon}_ส่งใหม่", folder=place.province,
                notes=["sent twice: the later file, which wins"])
        elif i == 1:  # sent twice on the same date
            ws.date = dt.date(2020, 11, 2)
            stem, folder = f"ต.{place.tambon}_ฉบับที่1", ""
            notes.append("sent twice with the same date (tie with _ฉบับที่2)")
            other = worksheet(place, ws.date)
            other_style = replace(random_style("ods", rng, place), writing=replace(style.writing, date_form="slash_be"))
            add(place, other, other_style, stem=f"ต.{place.tambon}_ฉบับที่2",
                notes=["sent twice with the same date (tie with _ฉบับที่1)"])
        elif i == 2:  # a table missing
            del ws.tables["data"]
            stem, folder = f"แบบฟอร์ม-ต.{place.tambon}", ""
            notes.append("table 3 (data) missing")
        elif i == 3:  # an "other" row with its label and no ticks
            row = next((e for e in ws.tables["people"] if e.code in others_people and not e.other_label),
                       ws.tables["people"][-1])
            row.other_label = "ชมรมผู้สูงอายุ"
            row.fields = {"method": "", "plan": "ตั้งชมรมให้ครบทุกหมู่บ้าน"}
            row.ticks = {k: "" for k in row.ticks}
            stem, folder = f"ตำบล{place.tambon}_{place.amphoe}_{place.province}", ""
            notes.append(f"table 1 row {row.code[1:]}: 'other' label, no ticks")
        elif i == 4:  # text continued on the next row
            ws.tables["people"][0].continuation = content.CONTINUATIONS[0]
            ws.tables["people"][0].fields["method"] = ws.tables["people"][0].fields["method"] or "ถอดบทเรียนคนต้นแบบ"
            amphoe = "เมือง" if place.capital else place.amphoe
            stem, folder = f"ต.{place.tambon}-อ.{amphoe}", ""
            notes.append("table 1 row 1 continues on an unlabelled row")
        elif i == 5:  # markup in a text cell
            ws.tables["people"][1].fields["method"] = SCRIPT_TEXT
            stem, folder = f"worksheet_{place.code}", ""
            notes.append("<script> in table 1 row 2 (method)")
        elif i == 6:  # a formula-looking text
            ws.tables["summary"][0].fields["plan"] = HYPERLINK_TEXT
            stem, folder = f"ตำบล{place.tambon}_{place.amphoe}_{place.province}", ""
            notes.append("=HYPERLINK(…) text in table 4 row 1 (plan)")
        elif i == 7:  # ambiguous tick: "in progress"
            ws.tables["mechanism"][0].ticks["MC3"] = content.AMBIGUOUS_TICKS[0]
            stem, folder = f"ใบงาน ต.{place.tambon} อ.{place.amphoe}", ""
            notes.append(f"ambiguous tick '{content.AMBIGUOUS_TICKS[0]}' (table 2 row 1, outcome 3)")
        elif i == 8:  # ambiguous tick: "?"
            ws.tables["data"][3].ticks["DC2"] = content.AMBIGUOUS_TICKS[1]
            stem, folder = f"ระบบการจัดการพื้นที่_{place.tambon}", ""
            notes.append(f"ambiguous tick '{content.AMBIGUOUS_TICKS[1]}' (table 3 row 4, outcome 2)")
        add(place, ws, style, stem=stem, folder=folder, notes=notes)

    # --- files that are not (readable) worksheets of the network
    style = Style("onesheet", Writing("full", capital_short=True, date_form="th_long"), offset=(2, 1),
                  seed=rng.randrange(1 << 30))
    add(UNKNOWN, worksheet(UNKNOWN), style, stem=f"ตำบล{UNKNOWN.tambon}_อำเภอเมือง_{UNKNOWN.province}",
        notes=["unknown tambon (no such subdistrict)"])
    specs.append(FileSpec("รายชื่อผู้เข้าร่วม.xlsx", "attendees", notes=["not a worksheet: attendee list"]))
    names.used.add("รายชื่อผู้เข้าร่วม.xlsx")
    specs.append(FileSpec("notes.txt", "notes", notes=["not a worksheet: coordinator's notes"]))
    names.used.add("notes.txt")
    corrupt_ws = worksheet(corrupt_place)
    corrupt_style = Style("template", Writing("short"), seed=rng.randrange(1 << 30))
    specs.append(FileSpec(names.take(f"worksheet_{corrupt_place.code}_แก้ไข", "xlsx"), "corrupt", corrupt_ws,
                          corrupt_style, ["corrupt: truncated xlsx"]))
    return specs


# ---------------------------------------------------------------- writing


def _attendees(path: Path, places: list[Place], rng: random.Random) -> Path:
    sheet = GridSheet("รายชื่อ")
    sheet.put(0, 0, "รายชื่อผู้เข้าร่วมประชุมเครือข่ายผู้นำชุมชนท้องถิ่น ภาคเหนือ")
    for c, head in enumerate(content.ATTENDEE_HEADER):
        sheet.put(2, c, head)
        sheet.header_cells.add((2, c))
        sheet.table_cells.add((2, c))
    for i in range(30):
        place = places[i % len(places)]
        values = (
            i + 1,
            f"{rng.choice(('นาย', 'นาง', 'นางสาว'))}{rng.choice(content.FIRST_NAMES)} {rng.choice(content.LAST_NAMES)}",
            rng.choice(content.POSITIONS),
            f"{place.tambon} / {place.province}",
            f"08{rng.randint(0, 99999999):08d}",
        )
        for c, value in enumerate(values):
            sheet.put(3 + i, c, value)
            sheet.table_cells.add((3 + i, c))
    sheet.widths = {0: 8, 1: 30, 2: 24, 3: 30, 4: 16}
    return save_grid_xlsx(path, [sheet])


def _notes_text(specs: list[FileSpec]) -> str:
    twice = sorted({s.worksheet.place.tambon for s in specs if s.worksheet and any("sent twice" in n for n in s.notes)})
    lines = [
        "บันทึกของผู้ประสานงานเครือข่ายภาคเหนือ",
        "- รวบรวมแบบทบทวนระบบการจัดการพื้นที่ จากการประชุม ๒๗ ต.ค. ๖๓ และที่ส่งตามมาทางไลน์/อีเมล",
        f"- ตำบลที่ส่งไฟล์มามากกว่า 1 ครั้ง: {', '.join(twice)}",
        "- บางไฟล์เปิดไม่ได้ ให้ติดต่อทีมตำบลส่งใหม่",
        "",
    ]
    return "\n".join(lines)


def _write(spec: FileSpec, out_dir: Path, codebook: Codebook, specs: list[FileSpec], rng: random.Random) -> Path:
    path = out_dir / spec.relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    if spec.kind == "worksheet":
        return write_worksheet(path, spec.worksheet, spec.style, codebook)
    if spec.kind == "attendees":
        places = [s.worksheet.place for s in specs if s.kind == "worksheet" and s.worksheet.place.code]
        return _attendees(path, places, rng)
    if spec.kind == "notes":
        path.write_text(_notes_text(specs), encoding="utf-8")
        return path
    if spec.kind == "review":
        return save_grid_xlsx(path, [spec.sheet])
    if spec.kind == "corrupt":
        write_worksheet(path, spec.worksheet, spec.style, codebook)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) * 3 // 5])
        return path
    raise ValueError(spec.kind)


def _readme(specs: list[FileSpec], n_tambons: int, seed: int) -> str:
    lines = [
        "# data/raw: the sample network's worksheets",
        "",
        "Generated by `siianalysis.sample` (do not edit by hand; the pipeline treats this",
        "folder as immutable input). Regenerate with:",
        "",
        "```",
        f".venv/bin/python -m siianalysis.sample data/raw --n {n_tambons} --seed {seed}",
        "```",
        "",
        "The same arguments give byte-identical files. Tambons are real subdistricts of",
        "the 17 Northern provinces (geothai); the free text is realistic but invented.",
        "See the docstring of `siianalysis/sample/__init__.py` for the deliberate flaws.",
        "",
        "| file | tambon (code) | layout | date | notes |",
        "|---|---|---|---|---|",
    ]
    for spec in specs:
        if spec.worksheet is not None:
            place = spec.worksheet.place
            who = f"{place.tambon}, {place.amphoe}, {place.province} ({place.code or 'none'})"
            date = spec.worksheet.date.isoformat()
            layout = _describe(spec.style, spec.worksheet) if spec.kind == "worksheet" else "xlsx (truncated)"
        else:
            who, date, layout = "", "", spec.relpath.rsplit(".", 1)[-1]
        lines.append(f"| `{spec.relpath}` | {who} | {layout} | {date} | {'; '.join(spec.notes)} |")
    lines.append("")
    return "\n".join(lines)


def generate_sample(out_dir: Path, n_tambons: int = 48, seed: int = 2563) -> list[Path]:
    """Writes the sample network's files under ``out_dir``; returns them sorted.

    Args:
        out_dir: folder to write into (created; existing files of the same
            names are overwritten, others are left alone).
        n_tambons: how many distinct Northern tambons have a worksheet
            (at least 17; duplicates and the other extra files come on top).
        seed: the random seed; the same arguments give byte-identical files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    codebook = load_codebook()
    specs = plan_sample(n_tambons, seed, codebook)
    specs += plan_second_round(specs, seed, codebook)
    rng = random.Random(seed + 1)
    written = [_write(spec, out_dir, codebook, specs, rng) for spec in specs]
    readme = out_dir / "README.md"
    readme.write_text(_readme(specs, n_tambons, seed), encoding="utf-8")
    return sorted([*written, readme])


def plan_second_round(specs: list[FileSpec], seed: int, codebook: Codebook) -> list[FileSpec]:
    """The second round's files (``second_round``): worksheets in ``2564/``, the review of
    round 2563 in ``2563/``. Tambons sent once in round 2563 qualify; แม่แรม always sends."""
    rng = random.Random(seed + 2)
    counts: dict[str, int] = {}
    for s in specs:
        if s.kind == "worksheet" and s.worksheet.place.code:
            counts[s.worksheet.place.code] = counts.get(s.worksheet.place.code, 0) + 1
    firsts = {s.worksheet.place.code: s.worksheet for s in specs
              if s.kind == "worksheet" and counts.get(s.worksheet.place.code) == 1}
    anchor = ANCHORS[0]
    others = {c: w for c, w in firsts.items() if c != anchor}
    codes = second_round.pick(others, rng, second_round.N_TAMBONS - 1) + [anchor]
    suggested = second_round.reviews(codes, firsts, rng)
    names = _Names()
    out = []
    for again in second_round.second_round(codes, firsts, suggested, rng, codebook):
        place = again.worksheet.place
        style = random_style(again.layout, rng, place)
        rel = names.for_place(rng, place, style, _ext(style), second_round.ROUND_FOLDER)
        out.append(FileSpec(rel, "worksheet", again.worksheet, style, [again.note, *_flaw_notes(style, again.worksheet)]))
    sheet = second_round.review_sheet(suggested, firsts, codebook, rng)
    out.append(FileSpec(f"{second_round.REVIEW_FOLDER}/ข้อเสนอแนะผู้ทรงคุณวุฒิ.xlsx", "review",
                        notes=["the experts' review of round 2563"], sheet=sheet))
    return out


# ---------------------------------------------------------------- benchmark networks

_NETWORK_LAYOUTS = {"xlsx": ("template", "onesheet", "handmade"), "xlsm": ("xlsm",), "ods": ("ods",),
                    "docx": ("docx",), "csv": ("csv",)}


def generate_network(
    out_dir: Path, n_tambons: int = 500, seed: int = 2563, formats: tuple[str, ...] = ("xlsx", "docx")
) -> list[Path]:
    """Many clean worksheets for benchmarks, one file per tambon: ``worksheet_<code>.<ext>``.

    Args:
        out_dir: folder to write into (created).
        n_tambons: how many tambons; Northern ones first, then from all of
            Thailand (outside Bangkok) when more are asked for.
        seed: the random seed (same arguments, same bytes).
        formats: file formats to cycle through: xlsx (template, one-sheet and
            hand-made layouts in turn), xlsm, ods, docx, csv.
    """
    unknown = [f for f in formats if f not in _NETWORK_LAYOUTS]
    if unknown or not formats:
        raise ValueError(f"unknown format(s) {unknown}; choose from {', '.join(_NETWORK_LAYOUTS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    codebook = load_codebook()
    rng = random.Random(seed)
    written = []
    for i, place in enumerate(pick_network_places(n_tambons, rng)):
        fmt = formats[i % len(formats)]
        choices = _NETWORK_LAYOUTS[fmt]
        style = random_style(choices[(i // len(formats)) % len(choices)], rng, place)
        ws = make_worksheet(codebook, place, _date(rng), rng, tick_style=rng.choice(content.TICK_STYLES[:7]))
        path = out_dir / f"worksheet_{place.code}.{_ext(style)}"
        written.append(write_worksheet(path, ws, style, codebook))
    return sorted(written)


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """``python -m siianalysis.sample OUT_DIR [--n N] [--seed S] [--network --formats xlsx,docx]``."""
    parser = argparse.ArgumentParser(prog="python -m siianalysis.sample", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n", type=int, default=None, help="number of tambons (sample: 48, network: 500)")
    parser.add_argument("--seed", type=int, default=2563)
    parser.add_argument("--network", action="store_true", help="many clean worksheets for benchmarks instead")
    parser.add_argument("--formats", default="xlsx,docx", help="network formats, comma separated")
    args = parser.parse_args(argv)
    if args.network:
        formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
        paths = generate_network(args.out_dir, args.n or 500, args.seed, formats)
    else:
        paths = generate_sample(args.out_dir, args.n or 48, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files ({size / 1024:.0f} KiB) under {args.out_dir}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
