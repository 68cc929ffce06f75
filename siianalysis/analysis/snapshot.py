"""Which network a tambon report compares the tambon with (issue 14).

A tambon report places its tambon among the others (ranks, medians, peers), but it is
rendered again only when the tambon's own rows change (``report.batch.tables``): at 7,255
tambons, re-rendering every page whenever any worksheet changes would make each change a
whole night's build. So a page says which network it compared with, the *snapshot*: the
processed set it was rendered from, named by

- ``set_id``: the set's content id (``_SET.json``, ``siianalysis.processed``): equal ids,
  equal data;
- ``date``: the day that set was written (UTC), what a reader is told;
- ``tambons``: how many current tambons it held.

The batch records each page's snapshot in its manifest; the index marks the pages
compared with an older one, and ``siianalysis report --stale`` re-renders only those.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from siianalysis.processed import MARKER, set_id

from .dataset import Dataset

SHORT_ID = 8  # characters of the set id shown to readers (enough to tell two sets apart)


@dataclass(frozen=True)
class Snapshot:
    set_id: str  # "" when the data is no processed set (frames built in memory)
    date: str  # ISO date the set was written (UTC), "" when unknown
    tambons: int

    @property
    def short_id(self) -> str:
        return self.set_id[:SHORT_ID]


def folder_snapshot(folder: Path | str, tambons: int = 0) -> Snapshot:
    """The snapshot of the processed set in ``folder`` (``set_id`` "" when it has no marker)."""
    folder = Path(folder)
    try:
        ident = set_id(folder) or ""
        written = datetime.fromtimestamp((folder / MARKER).stat().st_mtime, tz=timezone.utc).date().isoformat()
    except (OSError, ValueError, KeyError):
        ident, written = "", ""
    return Snapshot(set_id=ident, date=written, tambons=tambons)


def network_snapshot(ds: Dataset) -> Snapshot:
    """The snapshot ``ds`` was loaded from (memoised on it)."""
    def compute() -> Snapshot:
        n = int(ds.tambons["tambon_id"].nunique())
        return folder_snapshot(ds.path, n) if ds.path is not None else Snapshot("", "", n)
    return ds.memo(("snapshot",), compute)
