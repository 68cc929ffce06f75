"""Which tambon a worksheet is about, as the team wrote it.

Teams name their tambon on a cover sheet (a label cell "ตำบล" or "Subdistrict"
and the name beside it), in a line of text above the tables ("ต.ไชยสถาน อ.เมือง
จ.น่าน", "Tambon Mae Tha, Amphoe Mae On, Chiang Mai Province"), or only in the
file name. Field cells win over text lines, which win over a Word file's page
header or footer, which wins over the file name. The labels come from the
codebook's ``identity`` section.

The round (``siianalysis.rounds``) is read the same way: a field cell ("ปีงบประมาณ" |
"2567", "รอบที่" | "2"), read with its label so a lone "2" is round 2 of a "รอบที่" field,
or a line that starts with a round word ("ปี 2567", "Round 2"). A date line is a date,
not a round ("วันที่ 27 ตุลาคม พ.ศ. 2563"), and the handout's own lines are never read.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from dataclasses import dataclass, field

from siianalysis.codebook import Codebook
from siianalysis.parse.place_line import PLACE_KEYS, english_place
from siianalysis.readers.grid import Grid, RawDocument
from siianalysis.text import clean, fold

KEYS = ("tambon", "amphoe", "province", "worksheet_date", "round")
ROUND = "round"


@dataclass(slots=True)
class WrittenIdentity:
    """What the worksheet says about its place and date, with where it said it."""

    values: dict[str, str] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def offer(self, key: str, value: str, location: str) -> None:
        """Keeps the first value found for a key."""
        value = clean(value)
        if value and key not in self.values:
            self.values[key] = value
            self.locations[key] = location


@cache  # read-only: callers look up, never add
def field_keys(codebook: Codebook) -> dict[str, str]:
    """Folded label → identity key ("ชื่อตำบล" → "tambon", "subdistrict" → "tambon").

    A lone Latin letter ("A", "T": the folded "A.", "T.") is no field label: a cell
    holding one is a grade, a column name or a list mark.
    """
    keys: dict[str, str] = {}
    for key, label in codebook.identity.items():
        for k in label.keys():
            if not (len(k) == 1 and k.isascii()):
                keys.setdefault(k, key)
    return keys


@dataclass(frozen=True, slots=True)
class _EnglishName:
    """A name read from an English place line, answering like a regex match."""

    name: str

    def group(self, which: str = "name") -> str:
        return self.name


@dataclass(frozen=True, slots=True, eq=False)
class _LinePattern:
    """Finds one place key's name in a line: the Thai "<label><name>" pattern, else
    the English place line reading (``place_line``), which knows names with spaces
    and labels after the name ("Chiang Mai Province")."""

    key: str
    thai: re.Pattern[str]
    codebook: Codebook

    def search(self, text: str):
        if m := self.thai.search(text):
            return m
        name = english_place(text, self.codebook).get(self.key) if self.key in PLACE_KEYS else None
        return _EnglishName(name) if name else None


@cache  # built once per codebook and key: every grid of every worksheet asks
def _line_pattern(codebook: Codebook, key: str) -> _LinePattern:
    """Matches "<label> <name>" in running text, e.g. "ตำบลแม่แรม", "อ. แม่ริม", and
    English lines such as "Tambon Mae Tha, Amphoe Mae On, Chiang Mai Province".

    A Thai label must start a word ("คณะทำงานพัฒนาตำบล" is not a tambon name): it
    follows the start, a space or punctuation.
    """
    label = codebook.identity[key]
    words = sorted({clean(a) for a in (label.th, *label.aliases) if clean(a)}, key=len, reverse=True)
    thai = [re.escape(w) for w in words if not w.isascii()]
    alt = "|".join(thai)
    pattern = re.compile(rf"(?:^|(?<=[\s:(,/]))(?:{alt})\s*[:：]?\s*(?P<name>[^\s,:;()/_]+)")
    return _LinePattern(key, pattern, codebook)


@cache  # built once per codebook
def _round_line_pattern(codebook: Codebook) -> re.Pattern[str]:
    """A round word and what follows it, at the start of a line or after a space or
    punctuation ("ปีงบประมาณ 2567", "รอบที่ 2", "Round 2"): the value must hold a digit."""
    label = codebook.identity[ROUND]
    words = sorted({clean(a) for a in label.aliases if clean(a)}, key=len, reverse=True)
    alt = "|".join(re.escape(w) if not w.isascii() else rf"(?i:\b{re.escape(w)})" for w in words)
    return re.compile(rf"(?:^|(?<=[\s:(,/]))(?:{alt})\s*[:：.]?\s*[\d\u0e50-\u0e59][\d\u0e50-\u0e59]*")


def round_in_line(text: str, codebook: Codebook) -> str:
    """The round words and their value in a line ("ปี 2567" of "ต.แม่แรม ปี 2567"), or ``""``.

    Only a line that says nothing else (a place, labels: ``is_place_or_date_line``) names a
    round: a sentence that mentions a year ("แผนพัฒนาตำบล ปี 2564") is a note, and so the
    handout's own lines name none (tested). A date line is a date, not a round."""
    from siianalysis.parse.dates import parse_date

    text = clean(text)
    if not text or len(text) > 200 or not (m := _round_line_pattern(codebook).search(text)):
        return ""
    if parse_date(text) or not is_place_or_date_line(text, codebook):
        return ""
    return m.group(0)


# A fill-in blank written into a label cell ("วันที่ ..........", "ตำบล ____").
_BLANK = re.compile(r"[.…_]{3,}")


def _cell_value_beside(grid, r: int, c: int) -> tuple[str, str]:
    """The first non-empty cell right of (r, c), else the one below, unless the label cell
    holds its own blank ("วันที่ ........"): the value goes there, so what is below (a Word
    file's next paragraph, a table's title) is no value of it."""
    for cc in range(c + 1, min(c + 4, grid.n_cols)):
        if clean(grid.value(r, cc)):
            return grid.value(r, cc), grid.ref(r, cc)
    if clean(grid.value(r + 1, c)) and not _BLANK.search(grid.value(r, c)):
        return grid.value(r + 1, c), grid.ref(r + 1, c)
    return "", ""


def field_label_key(text: str, codebook: Codebook) -> str | None:
    """The identity key a label cell names ("ตำบล" → "tambon"), or None."""
    return field_keys(codebook).get(fold(text)) if len(text) < 30 else None


def cell_value_ref(grid: Grid, r: int, c: int) -> str:
    """Where the value of the label cell at (r, c) is (``""`` if it has none)."""
    return _cell_value_beside(grid, r, c)[1]


@lru_cache(maxsize=16384)  # the same place and date lines recur on every sheet
def is_place_or_date_line(text: str, codebook: Codebook) -> bool:
    """Whether a line only names a place and a date ("ต.แม่แรม อ.แม่ริม จ.เชียงใหม่
    วันที่ 27 ต.ค. 63", "Tambon Mae Tha, Amphoe Mae On", "วันที่ 27/10/2563"): once the
    labels with their names and the date are taken out, nothing but labels is left."""
    from siianalysis.parse.dates import without_date

    text = clean(text)
    if not text or len(text) > 200:
        return False
    rest = text
    for key in ("tambon", "amphoe", "province"):
        rest = _line_pattern(codebook, key).thai.sub(" ", rest)
    rest = _round_line_pattern(codebook).sub(" ", rest)  # "ปีงบประมาณ 2567" beside the place
    dated = without_date(rest)
    if dated is not None:
        rest = dated
    named = rest != text or dated is not None
    if not named and english_place(text, codebook):
        return True  # an English place line ("Tambon Mae Tha, Amphoe Mae On, Chiang Mai Province")
    labels = field_keys(codebook)
    return named and all(not k or k in labels for k in (fold(w) for w in rest.split()))


def _cells_outside_tables(doc: RawDocument, table_rows: dict[int, set[int]]):
    """(grid, row, col, text) of every non-empty cell that is not inside a worksheet table."""
    for gi, grid in enumerate(doc.grids):
        skip = table_rows.get(gi, set())
        for r, row in enumerate(grid.cells):
            if r in skip:
                continue
            for c, cell in enumerate(row):
                if cell:
                    yield grid, r, c, cell


def read_identity(doc: RawDocument, codebook: Codebook, table_rows: dict[int, set[int]]) -> WrittenIdentity:
    """Finds tambon, amphoe, province, date and round in a document.

    ``table_rows`` maps a grid's index to the rows inside worksheet tables, which
    are skipped: a team's method text may well say "ตำบล…".
    """
    from siianalysis.parse.dates import parse_date

    found = WrittenIdentity()
    labels = field_keys(codebook)
    patterns = {k: _line_pattern(codebook, k) for k in ("tambon", "amphoe", "province")}
    cells = list(_cells_outside_tables(doc, table_rows))
    # 1. Field cells: a label cell with the value beside it.
    for grid, r, c, cell in cells:
        key = labels.get(fold(cell)) if len(cell) < 30 else None
        if key:
            value, where = _cell_value_beside(grid, r, c)
            if key == ROUND and clean(value):
                value = f"{cell} {value}"  # read with its label: "2" beside "รอบที่" is round 2
            found.offer(key, value, where)
    # 2. Lines of text: "ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่ วันที่ …".
    for grid, r, c, cell in cells:
        text = clean(cell)
        if not text or len(text) > 200:
            continue
        for key, pattern in patterns.items():
            if key not in found.values and (m := pattern.search(text)):
                found.offer(key, m.group("name"), grid.ref(r, c))
        if "worksheet_date" not in found.values and parse_date(text):
            found.offer("worksheet_date", text, grid.ref(r, c))
        if ROUND not in found.values and (written := round_in_line(text, codebook)):
            found.offer(ROUND, written, grid.ref(r, c))
    # 3. The page header or footer of a Word file (a letterhead naming the tambon), when the
    #    body does not say: the place only, as a footer's date is when it was printed; a line
    #    naming the tambon with its district or province ("เครือข่ายตำบลสุขภาวะ" is no place).
    if "tambon" not in found.values:
        for line in doc.margins:
            text = clean(line)
            if len(text) <= 200 and patterns["tambon"].search(text) and (
                    patterns["amphoe"].search(text) or patterns["province"].search(text)):
                for key, pattern in patterns.items():
                    if key not in found.values and (m := pattern.search(text)):
                        found.offer(key, m.group("name"), "page margins")  # a page header or footer
                break
    # 4. The file name, when the document itself does not say.
    stem = re.sub(r"[_\-]+", " ", doc.source_file.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    for key, pattern in patterns.items():
        if key not in found.values and (m := pattern.search(stem)):
            found.offer(key, m.group("name"), "file name")
    return found


def place_rows(grid: Grid, skip: set[int], codebook: Codebook) -> list[tuple[int, str]]:
    """(first row, tambon as folded) of every place a grid names outside its tables.

    A place is a tambon field (a label cell with a value beside it) or a text line
    naming a tambon with its district or province ("ต.ไชยสถาน อ.เมือง จ.น่าน"):
    a lone "ตำบล…" in a note is a mention, not a place. Its first row is the
    first of the place block it stands in (province and district lines just above
    the tambon belong to it), so a sheet cut there keeps the block whole.
    """
    labels = field_keys(codebook)
    patterns = {k: _line_pattern(codebook, k) for k in ("tambon", "amphoe", "province")}
    found: list[tuple[int, str]] = []

    def identity_row(r: int) -> bool:
        for cell in grid.cells[r]:
            text = clean(cell) if cell else ""
            if not text or len(text) > 200:
                continue
            if labels.get(fold(text)) or any(p.search(text) for p in patterns.values()):
                return True
        return False

    for r, row in enumerate(grid.cells):
        if r in skip:
            continue
        name = ""
        for c, cell in enumerate(row):
            text = clean(cell) if cell else ""
            if not text or len(text) > 200:
                continue
            if len(text) < 30 and labels.get(fold(text)) == "tambon":
                name = _cell_value_beside(grid, r, c)[0]
            elif (m := patterns["tambon"].search(text)) and (
                    patterns["amphoe"].search(text) or patterns["province"].search(text)):
                name = m.group("name")
            if name:
                break
        key = fold(name)
        if not key:
            continue
        first = r
        while first - 1 >= 0 and first - 1 not in skip and identity_row(first - 1):
            first -= 1
        if not found or found[-1][1] != key or first > found[-1][0] + 4:
            found.append((first, key))
    return found
