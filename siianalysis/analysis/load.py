"""The processed worksheets as one ``Dataset``: six tidy frames and the codebook.

The processed directory (written by ``siianalysis normalise``) holds
``tambons``, ``rows``, ``ticks``, ``texts``, ``problems`` and ``feedback`` (the
experts' suggestions, read from the review workbooks) as Parquet (CSV twins
exist; Parquet is read because it keeps types). ``problems`` and ``feedback``
may be absent (a clean run, no review yet): they are then empty frames with
their columns. ``load`` reads them and makes their types dependable for the
analysis:

- every id and label column is a string column with ``""`` for missing, so a
  DOPA code "500707" never becomes the number 500707 and merges between
  frames compare like with like (pandas 3 ``str`` dtype on both sides);
- ``resolved`` and ``ticked`` are booleans even if a file wrote "True"/"1";
- a frame without one of the contract's columns gets it (empty), so code
  downstream can rely on the columns being there.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from siianalysis.codebook import Codebook, load_codebook

# The processed-data contract: frame -> columns (bool columns listed apart).
COLUMNS: dict[str, tuple[str, ...]] = {
    "tambons": (
        "tambon_id", "resolved", "tambon_th", "amphoe_th", "province_th", "province_code",
        "tambon_en", "amphoe_en", "province_en", "worksheet_date", "source_file",
        "amphoe_code",  # 4 digits or ""
        "tables",  # tables found in the worksheet, comma-separated ("people,mechanism,data,summary")
    ),
    "rows": ("tambon_id", "table", "row_code", "label", "source"),
    "ticks": ("tambon_id", "table", "row_code", "criterion_code", "ticked"),
    "texts": ("tambon_id", "table", "row_code", "field", "text"),
    "problems": ("source_file", "location", "severity", "code", "message", "tambon_id"),
    # the experts' suggestions (workshop step 3): pillar = people | mechanism | data | overall,
    # priority = high | medium | low or "", reviewed_on = ISO date or ""
    "feedback": ("tambon_id", "pillar", "reviewer", "suggestion", "priority", "reviewed_on", "source_file"),
}
BOOL_COLUMNS = frozenset({"resolved", "ticked"})
# Files that must exist; problems.parquet and feedback.parquet may be absent
# (a clean run has no problems; no expert has reviewed yet).
REQUIRED = ("tambons", "rows", "ticks", "texts")
_TRUE = frozenset({"true", "t", "1", "yes", "y"})


def _as_str(s: pd.Series) -> pd.Series:
    """A string column with "" for missing; integral numbers without ".0"."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        # an id column that went through a spreadsheet: 500707.0 -> "500707"
        def text(v: Any) -> str:
            if pd.isna(v):
                return ""
            return str(int(v)) if float(v).is_integer() else str(v)

        return s.map(text).astype("str")
    return s.astype(object).where(s.notna(), "").astype("str")


def _as_bool(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s) and not s.isna().any():
        return s.astype(bool)
    return s.map(lambda v: False if pd.isna(v) else str(v).strip().casefold() in _TRUE).astype(bool)


def normalise_frame(df: pd.DataFrame | None, name: str) -> pd.DataFrame:
    """``df`` with the contract's columns for ``name``, typed (see module doc).

    Extra columns are kept after the contract's ones.
    """
    df = pd.DataFrame() if df is None else df.copy()
    columns = COLUMNS[name]
    for col in columns:
        if col not in df.columns:
            df[col] = pd.Series(False if col in BOOL_COLUMNS else "", index=df.index)
        df[col] = _as_bool(df[col]) if col in BOOL_COLUMNS else _as_str(df[col])
    extra = [c for c in df.columns if c not in columns]
    return df[list(columns) + extra].reset_index(drop=True)


@dataclass(frozen=True)
class Dataset:
    """The processed worksheets: ``tambons``, ``rows``, ``ticks``, ``texts``,
    ``problems``, ``feedback`` (pandas frames, see ``COLUMNS``) and the ``codebook``.

    Build one with ``load(dir)`` or, from frames in memory (tests, notebooks),
    ``Dataset.from_frames(...)``.
    """

    tambons: pd.DataFrame = field(repr=False)
    rows: pd.DataFrame = field(repr=False)
    ticks: pd.DataFrame = field(repr=False)
    texts: pd.DataFrame = field(repr=False)
    problems: pd.DataFrame = field(repr=False)
    codebook: Codebook = field(repr=False)
    path: Path | None = None
    # last, with a default: code that builds a Dataset from the first five frames keeps working
    feedback: pd.DataFrame = field(default_factory=lambda: normalise_frame(None, "feedback"), repr=False)

    @classmethod
    def from_frames(
        cls,
        tambons: pd.DataFrame,
        rows: pd.DataFrame | None = None,
        ticks: pd.DataFrame | None = None,
        texts: pd.DataFrame | None = None,
        problems: pd.DataFrame | None = None,
        codebook: Codebook | None = None,
        path: Path | None = None,
        feedback: pd.DataFrame | None = None,
    ) -> Dataset:
        """A Dataset from frames; each is typed as ``load`` does, missing ones are empty."""
        frames = dict(tambons=tambons, rows=rows, ticks=ticks, texts=texts, problems=problems,
                      feedback=feedback)
        return cls(
            **{name: normalise_frame(df, name) for name, df in frames.items()},
            codebook=codebook or load_codebook(),
            path=path,
        )

    def __repr__(self) -> str:
        where = f" from {self.path}" if self.path else ""
        return (
            f"Dataset({len(self.tambons)} tambons, {len(self.rows)} rows, {len(self.ticks)} ticks, "
            f"{len(self.texts)} texts, {len(self.problems)} problems, "
            f"{len(self.feedback)} suggestions{where})"
        )

    @property
    def tambon_ids(self) -> list[str]:
        """Ids of the current tambons, in file order."""
        return list(dict.fromkeys(self.tambons["tambon_id"]))

    def tambon(self, tambon_id: str) -> dict[str, Any]:
        """The ``tambons`` line of ``tambon_id`` as a dict (KeyError if unknown)."""
        hit = self.tambons[self.tambons["tambon_id"] == str(tambon_id)]
        if hit.empty:
            raise KeyError(f"no tambon {tambon_id!r} in the dataset ({len(self.tambons)} tambons)")
        return hit.iloc[0].to_dict()

    def for_tambon(self, tambon_id: str) -> Dataset:
        """This dataset cut down to one tambon (every frame, problems and feedback included)."""
        self.tambon(tambon_id)  # fail early on an unknown id
        tid = str(tambon_id)
        return replace(
            self,
            **{
                name: getattr(self, name)[getattr(self, name)["tambon_id"] == tid].reset_index(drop=True)
                for name in COLUMNS
            },
        )


def load(processed_dir: str | Path, codebook: Codebook | str | Path | None = None) -> Dataset:
    """Reads the processed Parquet files of ``processed_dir`` into a ``Dataset``.

    ``codebook``: a ``Codebook``, a path to a codebook YAML, or None for the
    bundled one. Raises ``FileNotFoundError`` naming the folder (or the missing
    files) if ``siianalysis normalise`` has not been run.
    """
    folder = Path(processed_dir)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"processed data folder {str(folder)!r} does not exist; "
            "run `siianalysis normalise` first to write it"
        )
    missing = [f"{name}.parquet" for name in REQUIRED if not (folder / f"{name}.parquet").is_file()]
    if missing:
        raise FileNotFoundError(
            f"processed data folder {str(folder)!r} lacks {', '.join(missing)}; "
            "run `siianalysis normalise` to (re)write it"
        )
    frames = {
        name: pd.read_parquet(folder / f"{name}.parquet") if (folder / f"{name}.parquet").is_file() else None
        for name in COLUMNS
    }
    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    return Dataset.from_frames(**frames, codebook=codebook, path=folder)
