"""The processed set as the research exports read it, and its rounds.

``export_dataset`` loads a processed folder as every reader does (``analysis.dataset.load``:
a torn set is refused) and masks personal data the way the workshop's shared outputs do
(``workshop.privacy.mask_dataset``: names, phone numbers, e-mails and citizen IDs in every
column people wrote; codes, ticks and official place names kept) unless ``mask=False``.

Rounds: a network reviews its tambons again every year. When the processed tables carry a
``round`` column, a tambon is keyed by (``tambon_id``, ``round``) and each round is exported
as its own slice (``round_slices``); without one the whole set is one round. The exports ask
``key`` and ``round_slices`` and never test for the column themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
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


def _round_order(value: str) -> tuple[str, int]:
    """Rounds in natural order: "" first, then "r2" before "r10", years in time order."""
    digits = re.sub(r"\D", "", value)
    return re.sub(r"\d+", "", value), int(digits) if digits else -1


def round_values(ds: Dataset) -> list[str | None]:
    """The rounds of ``ds`` in order (``_round_order``); ``[None]`` when the tables have no rounds."""
    if not has_rounds(ds.tambons):
        return [None]
    return sorted({str(v) for v in ds.tambons[ROUND]}, key=_round_order)


def round_slices(ds: Dataset) -> Iterator[tuple[str | None, Dataset]]:
    """(round, the dataset of that round) for each round; (None, ``ds``) without rounds.

    A slice is a new ``Dataset`` (scores are memoised on it, per round). A table without a
    ``round`` column (reviews read before rounds existed) goes whole into every slice.
    """
    values = round_values(ds)
    if values == [None]:
        yield None, ds
        return
    for value in values:
        frames = {}
        for name in COLUMNS:
            frame = getattr(ds, name)
            if has_rounds(frame):
                frame = frame[frame[ROUND].astype(str) == value].reset_index(drop=True)
            frames[name] = frame
        yield value, replace(ds, **frames)
