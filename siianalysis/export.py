"""Writing processed tables: Parquet as is, CSV for Excel users, guarded.

Worksheet text is untrusted. Parquet keeps it exactly. In CSV, a cell starting
with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) would be run as a
formula by a spreadsheet, so it gets a leading apostrophe (the OWASP advice).
CSV is UTF-8 with a BOM so that Excel shows Thai.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_NAME = re.compile(r"[\\/:*?\"<>|\x00-\x1f]+")


def guard_cell(value: object) -> object:
    """A CSV cell a spreadsheet will show as text, not run."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def guard_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(guard_cell)
    return out


def write_table(df: pd.DataFrame, out_dir: Path, name: str) -> None:
    """``name.parquet`` (exact) and ``name.csv`` (guarded, UTF-8 with BOM)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    df.to_parquet(out_dir / f"{name}.parquet", index=False)
    guard_frame(df).to_csv(out_dir / f"{name}.csv", index=False, encoding="utf-8-sig", lineterminator="\n")


def safe_filename(name: str, fallback: str = "file") -> str:
    """A file name from untrusted text: no path separators, no "..", no control characters."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip(" ._")
    cleaned = cleaned.replace("..", "_")
    return cleaned[:120] or fallback
