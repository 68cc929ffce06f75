"""The processed set as the research exports read it, and its rounds.

``export_dataset`` loads a processed folder as every reader does (``analysis.dataset.load``:
a torn set is refused) and masks personal data the way the workshop's shared outputs do
(``workshop.privacy.mask_dataset``: names, phone numbers, e-mails and citizen IDs in every
column people wrote; codes, ticks and official place names kept) unless ``mask=False``.

Rounds (``siianalysis.rounds``): a network reviews its tambons again every year. Every
processed table carries a ``round`` column, a tambon is keyed by (``tambon_id``, ``round``),
the tables are exported with every round (``every_round``: ``Dataset.history``) and each
round is analysed as its own slice (``round_slices``). The exports ask ``key``,
``every_round`` and ``round_slices`` and never test for the column themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from siianalysis.analysis.dataset import Dataset, load
from siianalysis.schemas import COLUMNS

ROUND = "round"


def export_dataset(processed: str | Path, mask: bool = True) -> Dataset:
    """The processed set of ``processed``, personal data masked unless ``mask`` is False."""
    ds = load(processed)
    if not mask:
        return ds
    from siianalysis.workshop.privacy import mask_dataset

    return mask_dataset(ds)


def has_rounds(frame: pd.DataFrame) -> bool:
    return ROUND in frame.columns


def key(frame: pd.DataFrame, columns: list[str] | tuple[str, ...] = ("tambon_id",)) -> list[str]:
    """``columns`` with ``round`` after ``tambon_id`` when ``frame`` has the column."""
    out = list(columns)
    if has_rounds(frame) and ROUND not in out:
        out.insert(out.index("tambon_id") + 1 if "tambon_id" in out else len(out), ROUND)
    return out


def round_values(ds: Dataset) -> list[str]:
    """The rounds of ``ds`` in time order (``Dataset.rounds``; ``[""]`` for data without rounds)."""
    return ds.rounds


def round_slices(ds: Dataset) -> Iterator[tuple[str, Dataset]]:
    """(round, the network as it was in that round) for each round (``Dataset.in_round``).

    A slice is a new ``Dataset`` (scores are memoised on it, per round); lines about no
    tambon (a file-level problem) are in every slice.
    """
    for value in ds.rounds:
        yield value, ds.in_round(value)


def every_round(ds: Dataset) -> dict[str, pd.DataFrame]:
    """Each processed table with every round's lines (``Dataset.history``), as normalise wrote it."""
    whole = ds.history or ds
    return {name: getattr(whole, name) for name in COLUMNS}
