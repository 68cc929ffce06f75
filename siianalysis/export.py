"""Writing processed tables: Parquet as is, CSV for Excel users, guarded.

Worksheet text is untrusted. Parquet keeps it exactly. In CSV, a cell starting
with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) would be run as a
formula by a spreadsheet, so it gets a leading apostrophe (the OWASP advice).
The full-width forms ``＝ ＋ － ＠`` count too: a Thai or East Asian input method
types them, and spreadsheets in those locales take them for the ASCII ones.
``looks_like_formula`` is the one rule; the workbooks of the workshop
(``workshop.xlsx``) use it too. CSV is UTF-8 with a BOM so that Excel shows Thai.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_UNSAFE_NAME = re.compile(r"[\\/:*?\"<>|\x00-\x1f]+")


def looks_like_formula(value: object) -> bool:
    """Whether a spreadsheet could take this text for a formula: it starts with ``= + - @``, their
    full-width forms ``＝ ＋ － ＠``, a tab or a carriage return."""
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def guard_cell(value: object) -> object:
    """A CSV cell a spreadsheet will show as text, not run."""
    if looks_like_formula(value):
        return "'" + value
    return value


def guard_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every cell ``guard_cell`` would change changed (text columns only)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = _guard_series(out[col])
    return out


def _guard_series(values: pd.Series) -> pd.Series:
    """``values.map(guard_cell)``; for a text dtype (every processed table's text columns)
    without a Python call per cell: ``str.startswith`` flags the cells (NaN/NA: not flagged).
    An object column's cells may be anything: mapped cell by cell as ever."""
    if values.dtype == object:
        return values.map(guard_cell)
    flagged = values.str.startswith(_FORMULA_START, na=False).to_numpy(dtype=bool)
    if not flagged.any():
        return values
    out = values.copy()
    out[flagged] = ("'" + values[flagged]).array  # by position: an index may repeat labels
    return out


def write_table(df: pd.DataFrame, out_dir: Path, name: str, metadata: dict[str, str] | None = None) -> None:
    """``name.parquet`` (exact) and ``name.csv`` (guarded, UTF-8 with BOM).

    ``metadata`` is added to the Parquet file's own (``processed`` tags each table with its set).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    if metadata:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(df, preserve_index=False)
        extra = {k.encode(): v.encode() for k, v in metadata.items()}
        pq.write_table(table.replace_schema_metadata({**(table.schema.metadata or {}), **extra}),
                       out_dir / f"{name}.parquet")
    else:
        df.to_parquet(out_dir / f"{name}.parquet", index=False)
    guarded = guard_frame(df)
    text = _csv_text(guarded)
    if text is None:
        guarded.to_csv(out_dir / f"{name}.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
    else:
        with open(out_dir / f"{name}.csv", "w", encoding="utf-8-sig", newline="") as f:
            f.write(text)


def _csv_text(df: pd.DataFrame) -> str | None:
    """What ``df.to_csv(index=False, lineterminator="\\n")`` writes, byte for byte, built with
    Arrow's string kernels (pandas' writer makes a Python object of every cell: most of the
    processed set's writing time). Only for tables of text and true/false columns, as the
    processed ones are; None for any other (``to_csv`` writes it).

    pandas' rule (Python's csv, minimal quoting): a cell holding ``,`` ``"`` or a line feed is
    quoted, its quotes doubled; a missing value is empty; true/false are ``True``/``False``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text_dtype = pd.Series([], dtype=str).dtype
    if len(df.columns) < 2 or not all(df[c].dtype in (text_dtype, bool) for c in df.columns):
        return None  # (a lone empty cell is quoted by csv: not worth copying)
    header = df.iloc[:0].to_csv(index=False, lineterminator="\n")
    if not len(df):
        return header
    text = pa.large_string()
    cells = []
    for col in df.columns:
        values = df[col]
        if values.dtype == bool:
            cells.append(pc.if_else(pa.array(values.to_numpy()), pa.scalar("True", text), pa.scalar("False", text)))
            continue
        arr = pa.array(values.array, type=text)
        if isinstance(arr, pa.ChunkedArray):  # an Arrow-backed column (a loaded Dataset's) comes chunked
            arr = arr.combine_chunks()
        arr = pc.fill_null(arr, "")
        needs = pc.or_(pc.or_(pc.match_substring(arr, ","), pc.match_substring(arr, '"')),
                       pc.match_substring(arr, "\n"))
        if pc.any(needs).as_py():
            quote = pa.scalar('"', text)
            quoted = pc.binary_join_element_wise(quote, pc.replace_substring(arr, '"', '""'), quote,
                                                 pa.scalar("", text))
            arr = pc.if_else(needs, quoted, arr)
        cells.append(arr)
    lines = pc.binary_join_element_wise(*cells, pa.scalar(",", text))
    lines = pc.binary_join_element_wise(lines, pa.scalar("", text), pa.scalar("\n", text))  # line + "\n"
    body = pc.binary_join(pa.LargeListArray.from_arrays(pa.array([0, len(lines)], pa.int64()), lines),
                          pa.scalar("", text))
    return header + body[0].as_py()


def safe_filename(name: str, fallback: str = "file") -> str:
    """A file name from untrusted text: no path separators, no "..", no control characters."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip(" ._")
    cleaned = cleaned.replace("..", "_")
    return cleaned[:120] or fallback
