"""The intermediate form of structured sources: records, beside the grids.

A workbook or a Word file is read into grids, and the parser finds its tables by
content. A source that is already structured (the project's tidy CSV; exports of
online forms next) says by code which table, row and field each value belongs
to, so it is read into ``Record`` s instead: one value as written, with the
codes it came with and the line or cell it came from. Readers pass codes and
values as written; what they mean (which codes the codebook knows, which values
are ticks, what a label says) is for ``siianalysis.parse.records``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The place and date of a worksheet, by the names every structured source gives them.
IDENTITY_KEYS = ("tambon", "amphoe", "province", "worksheet_date")


@dataclass(frozen=True, slots=True)
class Record:
    """One value of a worksheet as a structured source wrote it.

    ``table``, ``row_code`` and ``field`` are codes as written (the codebook's,
    in any case, or codes it does not know); ``label`` is the row's label when
    the source gives one (the team's own for an "other" row). ``identity`` maps
    the ``IDENTITY_KEYS`` a source gives to their values as written (records of
    one worksheet may share one mapping). ``ref`` names where the value was
    written, for a person to find it: ``line 12`` of a CSV, a cell of an export.

    A record with no table, row, label, field or value only names its place.
    """

    table: str
    row_code: str
    label: str
    field: str
    value: str
    ref: str
    identity: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def names_only_place(self) -> bool:
        return not any(s.strip() for s in (self.table, self.row_code, self.label, self.field, self.value))
