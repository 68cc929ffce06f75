"""What a team wrote outside its worksheet's tables, shown in its tambon report.

``outside_tables(ds, tambon_id, lang="th") -> Section``: the worksheet's notes
(``Dataset.notes``: a Word paragraph between tables, a cell beside or under a
table, kept by ``parse.outside``), each with where it was written in the file, in
reading order. A note is the team's own text: personal data in it is masked
(``analysis.personal_data``), then it is escaped like every worksheet text.
``notes_table`` is the table itself, shared with the workshop's compiled pages.
"""

from __future__ import annotations

import re

import pandas as pd

from siianalysis.analysis.dataset import Dataset
from siianalysis.analysis.personal_data import mask_personal_data
from siianalysis.words import check_lang, location_text, t

from .html import Markup, Section, explain, note, table

KEY = "outside_notes"


_NEIGHBOUR = re.compile(r"^(?P<where>.*) \((?P<side>after|before) table (?P<table>\d+)\)$")


def where_in_file(source: str, lang: str = "th") -> str:
    """Where in its file a note was written, in a reader's words (``words.location_text``):
    "file.docx: text 2, paragraph 1 (after table 1)" → "ข้อความช่วงที่ 2 ในเอกสาร ย่อหน้าที่ 1
    (ต่อจากตารางที่ 1 ในเอกสาร)". The file is the worksheet's, named in the report's header
    (a file name holds no ": ")."""
    _, sep, where = source.partition(": ")
    where = where if sep else source
    if m := _NEIGHBOUR.match(where):
        side = t(f"{KEY}.{m['side']}_table", lang, table=m["table"])
        return f"{location_text(m['where'], lang)} {side}"
    return location_text(where, lang)


def notes_table(notes: pd.DataFrame, lang: str = "th", mask: bool = True) -> Markup:
    """``Dataset.notes`` lines as a table: where in the file, and the text (personal data
    masked with ``mask``; the workshop's compilation passes text it masked already)."""
    shown = mask_personal_data if mask else str
    rows = [[shown(where_in_file(s, lang)), shown(x)] for s, x in zip(notes["source"], notes["text"], strict=True)]
    return table([t(f"{KEY}.where", lang), t(f"{KEY}.text", lang)], rows)


def outside_tables(ds: Dataset, tambon_id: str, lang: str = "th") -> Section:
    """The team's notes outside the tables: where each was written and its text (masked);
    one line saying there is none when the worksheet has none. ``data["notes"]``: the
    ``Dataset.notes`` lines of the tambon, as stored (unmasked)."""
    check_lang(lang)
    tid = str(ds.tambon(str(tambon_id))["tambon_id"])  # KeyError naming an unknown id
    notes = ds.notes[ds.notes["tambon_id"] == tid].reset_index(drop=True)
    parts: list[object] = [explain(t(f"{KEY}.explain", lang))]
    if notes.empty:
        parts.append(note(t(f"{KEY}.none", lang), "sii-muted"))
    else:
        parts.append(notes_table(notes, lang))
    return Section(f"tambon.{KEY}", t(f"{KEY}.title", lang), parts, data={"notes": notes})
