"""What the parser gives, whatever it read: rows, worksheets, documents.

Grids (``parse.worksheet``) and records (``parse.records``) are interpreted into
the same values, so everything after the parser is the same for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from siianalysis.codebook import Codebook
from siianalysis.parse.identity import WrittenIdentity
from siianalysis.parse.outside import Note
from siianalysis.problems import ProblemLog


@dataclass(slots=True)
class ParsedRow:
    table: str
    row_code: str
    label: str
    source: str
    ticks: dict[str, bool] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def has_content(self) -> bool:
        return any(self.ticks.values()) or any(self.texts.values())


@dataclass(slots=True)
class ParsedWorksheet:
    source_file: str
    identity: WrittenIdentity
    tables_found: dict[str, str]
    rows: list[ParsedRow]
    problems: ProblemLog
    part: str = ""  # the sheets it was read from, when its file holds several worksheets
    notes: list[Note] = field(default_factory=list)  # text written outside its tables (``parse.outside``)

    @property
    def is_worksheet(self) -> bool:
        return bool(self.tables_found)

    @property
    def source(self) -> str:
        """The file, and the sheets within it when the file holds several worksheets."""
        return f"{self.source_file}#{self.part}" if self.part else self.source_file


@dataclass(slots=True)
class ParsedDocument:
    """Every worksheet of one document, and the problems of the document as a whole
    (hidden sheets, tables tied to no place)."""

    source_file: str
    worksheets: list[ParsedWorksheet]
    problems: ProblemLog


def note_missing_tables(found: dict[str, str], codebook: Codebook, source_file: str, where: str,
                        problems: ProblemLog) -> None:
    """A worksheet that has some tables says which of the codebook's it lacks."""
    if not found:
        return
    for table in codebook.tables:
        if table.code not in found:
            problems.warning(
                source_file, where, "table-missing",
                f"table {table.number} ({table.code}, {table.title.th}) was not found in this worksheet",
            )
