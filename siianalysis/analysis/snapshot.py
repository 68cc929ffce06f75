"""Which network a tambon report compares the tambon with (issue 14).

A tambon report places its tambon among the others (ranks, medians, peers), but it is
rendered again only when the tambon's own rows change (``report.batch.tables``): at 7,255
tambons, re-rendering every page whenever any worksheet changes would make each change a
whole night's build. So a page says which network it compared with, the *snapshot*: the
processed set it was rendered from, named by

- ``set_id``: the set's content id (``_SET.json``, ``siianalysis.processed``): equal ids,
  equal data;
- ``date``: the date of the latest worksheet in it, what a reader is told ("the network as
  of its latest worksheet"): taken from the data, not the clock, so the same worksheets
  give the same pages and the same bundle bytes on any day (issue 10's reproducibility);
- ``tambons``: how many current tambons it held.

The batch records each page's snapshot in its manifest; the index marks the pages
compared with an older one, and ``siianalysis report --stale`` re-renders only those.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from siianalysis.processed import set_id

from .dataset import Dataset

SHORT_ID = 8  # characters of the set id shown to readers (enough to tell two sets apart)


@dataclass(frozen=True)
class Snapshot:
    set_id: str  # "" when the data is no processed set (frames built in memory)
    date: str  # ISO date of the set's latest worksheet, "" when none is dated
    tambons: int

    @property
    def short_id(self) -> str:
        return self.set_id[:SHORT_ID]


def folder_snapshot(folder: Path | str, tambons: int = 0, date: str = "") -> Snapshot:
    """The snapshot of the processed set in ``folder`` (``set_id`` "" when it has no marker)."""
    try:
        ident = set_id(Path(folder)) or ""
    except (OSError, ValueError, KeyError):
        ident = ""
    return Snapshot(set_id=ident, date=date, tambons=tambons)


def network_snapshot(ds: Dataset) -> Snapshot:
    """The snapshot ``ds`` was loaded from (memoised on it)."""
    def compute() -> Snapshot:
        n = int(ds.tambons["tambon_id"].nunique())
        dates = [d for d in ds.tambons["worksheet_date"] if d]
        latest = max(dates) if dates else ""
        return folder_snapshot(ds.path, n, latest) if ds.path is not None else Snapshot("", latest, n)
    return ds.memo(("snapshot",), compute)
