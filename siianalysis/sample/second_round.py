"""The sample network's second round: the next year's review of part of its tambons.

A year after the workshop (round 2563, named by the worksheets' dates) ``N_TAMBONS`` of the
sample's tambons send their worksheet again, in the folder ``2564/`` (the round named by
its folder). Most have moved on: their team is more mature (more outcomes reached, on more
rows) and Table 4's achievements say they did part of what they planned last round, and,
for some, what the experts suggested. ``N_SLIPPED`` of them slipped: a less mature team
(a new team, a year with less support), fewer outcomes, little of last year's plan done.

The experts' review of round 2563 is a filled review workbook in ``2563/`` (the round its
folder names): one or two suggestions per tambon of the second round, so their report can
set last round's suggestions beside this round's texts.

Deterministic: its own ``random.Random`` (the sample's seed + 2), so the first round's files
stay byte-identical whatever is done here.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from siianalysis.codebook import Codebook
from siianalysis.sample.layouts import GridSheet
from siianalysis.sample.model import Place, Worksheet, make_worksheet

ROUND_FOLDER = "2564"
REVIEW_FOLDER = "2563"
N_TAMBONS = 15
N_SLIPPED = 4
SECOND_DAY = dt.date(2021, 10, 26)
REVIEW_DAY = dt.date(2020, 11, 20)
LAYOUTS = ("template", "onesheet", "docx", "ods", "handmade")
REVIEWERS = ("ดร.สมชาย ใจดี", "อ.วิไลวรรณ ศรีสุข", "ผศ.ประเสริฐ คำมูล")
# pillar -> (suggestion, the words a team that took it up writes the next year)
SUGGESTIONS = {
    "people": ("ถอดบทเรียนคนต้นแบบ และจัดระบบพี่เลี้ยงให้แกนนำรุ่นใหม่",
               "ถอดบทเรียนคนต้นแบบ 3 คน และจัดระบบพี่เลี้ยงให้แกนนำรุ่นใหม่ของทุกหมู่บ้าน"),
    "mechanism": ("ยกร่างธรรมนูญสุขภาพตำบลร่วมกับ 4 องค์กรหลัก",
                  "ยกร่างธรรมนูญสุขภาพตำบลร่วมกับ 4 องค์กรหลัก ผ่านเวทีประชาคม"),
    "data": ("คืนข้อมูล TCNAP ให้ชุมชนผ่านเวทีประชาคมหมู่บ้าน",
             "คืนข้อมูล TCNAP ให้ชุมชนในเวทีประชาคมหมู่บ้านครบทุกหมู่"),
    "overall": ("เชื่อมแผนของตำบลเข้ากับแผนพัฒนาท้องถิ่น",
                "บรรจุแผนของตำบลเข้าในแผนพัฒนาท้องถิ่นแล้ว"),
}
PRIORITIES = ("เร่งด่วน", "ปานกลาง", "ไม่เร่งด่วน", "")
DONE = "ดำเนินการตามแผนปีที่แล้ว: "
REVIEW_HEADER = ("รหัสตำบล", "ตำบล", "ด้าน", "ชื่อผู้ทรงคุณวุฒิ", "ข้อเสนอแนะ", "ความเร่งด่วน", "วันที่ให้ข้อเสนอแนะ")


@dataclass(slots=True)
class Again:
    """One tambon's second-round worksheet, the layout to write it in, and what it shows."""

    worksheet: Worksheet
    layout: str
    note: str


def _first_line(text: str) -> str:
    """A plan's first item, without its bullet or number ("1. ", "- ")."""
    line = next((x for x in re.split(r"\n|, | / ", text) if x.strip()), "")
    return re.sub(r"^\s*(?:[-•*]|\d+[.)]|[๐-๙]+[.)])\s*", "", line).strip()


def _plans(first: Worksheet, table: str) -> list[str]:
    return [_first_line(e.fields.get("plan", "")) for e in first.tables.get(table, []) if e.fields.get("plan")]


def pick(firsts: dict[str, Worksheet], rng: random.Random, n: int = N_TAMBONS) -> list[str]:
    """The tambon codes that send again (``n`` of ``firsts``, in code order)."""
    return sorted(rng.sample(sorted(firsts), min(n, len(firsts))))


def reviews(codes: list[str], firsts: dict[str, Worksheet], rng: random.Random) -> list[tuple[str, str, str]]:
    """(tambon code, pillar, suggestion) of the round-2563 review: one or two pillars a tambon."""
    out = []
    for code in codes:
        for pillar in sorted(rng.sample(sorted(SUGGESTIONS), rng.choice((1, 2)))):
            out.append((code, pillar, SUGGESTIONS[pillar][0]))
    return out


def second_round(codes: list[str], firsts: dict[str, Worksheet], suggested: list[tuple[str, str, str]],
                 rng: random.Random, codebook: Codebook) -> list[Again]:
    """The second-round worksheets: the first ``N_SLIPPED`` codes slipped, the others moved on
    (module doc); Table 4's achievements take up part of last round's plans and, for those
    that moved on, some of the experts' suggestions."""
    out = []
    pillar_table = {tb.pillar: tb for tb in codebook.tables}
    for i, code in enumerate(codes):
        first = firsts[code]
        slipped = i < N_SLIPPED
        delta = -rng.uniform(0.25, 0.4) if slipped else rng.uniform(0.15, 0.4)
        maturity = min(0.97, max(0.08, first.maturity + delta))
        date = SECOND_DAY + dt.timedelta(days=rng.randint(0, 20))
        ws = make_worksheet(codebook, first.place, date, rng, maturity=maturity, tick_style=first.tick_style)
        taken_up = 0
        for entry in ws.tables["summary"]:
            table = codebook.tables[int(entry.code[1:]) - 1]
            plans = _plans(first, table.code) + [_first_line(e.fields.get("plan", ""))
                                                 for e in first.tables["summary"] if e.code == entry.code
                                                 and e.fields.get("plan")]
            done = rng.sample(plans, min(len(plans), 0 if slipped else rng.choice((1, 2))))
            lines = [f"{DONE}{p}" for p in done]
            for tid, pillar, _ in suggested:
                if tid == code and not slipped and pillar_table[pillar].number in (table.number, 4) \
                        and rng.random() < 0.7:
                    lines.append(SUGGESTIONS[pillar][1])
                    taken_up += 1
            if lines:
                entry.fields["achievements"] = "\n".join([*lines, entry.fields.get("achievements", "")]).strip()
        note = ("round 2564: slipped (less mature team)" if slipped else "round 2564: moved on") + (
            f"; takes up {taken_up} of the experts' suggestions" if taken_up else "")
        out.append(Again(ws, LAYOUTS[i % len(LAYOUTS)], note))
    return out


def review_sheet(suggested: list[tuple[str, str, str]], firsts: dict[str, Worksheet],
                 codebook: Codebook, rng: random.Random) -> GridSheet:
    """The experts' filled review workbook of round 2563, as a grid (header on row 2)."""
    labels = {p.code: p.label.th for p in codebook.review.pillars}
    sheet = GridSheet("ข้อเสนอแนะ")
    sheet.put(0, 0, "ข้อเสนอแนะของผู้ทรงคุณวุฒิ เวทีเครือข่ายภาคเหนือ ปี 2563")
    for c, head in enumerate(REVIEW_HEADER):
        sheet.put(1, c, head)
        sheet.header_cells.add((1, c))
        sheet.widths[c] = 40 if c == 4 else 16
    for r, (code, pillar, text) in enumerate(suggested, start=2):
        place: Place = firsts[code].place
        day = REVIEW_DAY + dt.timedelta(days=rng.randint(0, 5))
        for c, value in enumerate((code, place.tambon, labels[pillar], rng.choice(REVIEWERS), text,
                                   rng.choice(PRIORITIES), f"{day.day}/{day.month}/{day.year + 543}")):
            sheet.put(r, c, value)
            sheet.table_cells.add((r, c))
    return sheet
