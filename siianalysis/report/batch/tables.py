"""The processed tables a batch reads, and what each report reads of them (its data digest).

The network report reads every table; a tambon report only its own tambon's rows
(its ``tambons`` row and its rows of ``rows``/``ticks``/``texts``/``problems``/
``feedback``). So when one tambon's worksheet changes, only that tambon's report
and the network report are due again (``manifest``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from siianalysis.schemas import PROCESSED_TABLES

# The processed tables a report can read; tambon_id links all but problems' blanks.
TABLES = PROCESSED_TABLES


def read_tables(processed_dir: Path | str, names: Iterable[str] = TABLES) -> dict[str, pd.DataFrame]:
    """The processed Parquet tables (``names``); a missing one (``problems`` on a clean run) is empty."""
    processed_dir = Path(processed_dir)
    out = {}
    for name in names:
        path = processed_dir / f"{name}.parquet"
        out[name] = pd.read_parquet(path) if path.exists() else pd.DataFrame()
    return out


def _row_hashes(df: pd.DataFrame) -> pd.Series:
    # Everything as text first: hash_pandas_object rejects unhashable cells (lists),
    # and "True"/"500707" hash the same whatever dtype a writer chose. Column by column, so
    # that only one column is ever held as Python text (at 7,255 tambons the whole ``texts``
    # table as text held the batch's process 0.3 GiB larger for the whole run).
    combined = np.zeros(len(df), dtype="uint64")
    for col in df.columns:
        s = df[col]
        as_text = s.astype(object).where(s.notna(), "").astype(str)
        hashed = pd.util.hash_pandas_object(as_text, index=False).to_numpy(dtype="uint64")
        combined = combined * np.uint64(1_000_003) ^ hashed  # order-sensitive, wraps around
    return pd.Series(combined, index=df.index)


def _frame_digest(columns: Iterable[str], hashes: pd.Series) -> str:
    h = hashlib.sha256("\x1f".join(map(str, columns)).encode() + b"\0")
    h.update(hashes.to_numpy(dtype="uint64").tobytes())
    return h.hexdigest()


def data_digests(tables: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """``(network_digest, {tambon_id: digest})`` of the processed tables (frames, or functions
    that read one: then only one table is held at a time).

    The network digest covers every row of every table. A tambon's digest covers
    only rows whose ``tambon_id`` is that tambon's, table by table, in file order.
    """
    network = hashlib.sha256()
    per_table: dict[str, dict[str, str]] = {}
    for name in TABLES:
        df = tables.get(name, pd.DataFrame())
        if callable(df):  # read when its turn comes, and let go after (``plan``)
            df = df()
        hashes = _row_hashes(df) if len(df.columns) else pd.Series([], dtype="uint64")
        network.update(name.encode() + b"\0" + _frame_digest(df.columns, hashes).encode())
        if "tambon_id" in df.columns and len(df):
            ids = df["tambon_id"].astype(object).where(df["tambon_id"].notna(), "").astype(str)
            per_table[name] = {
                str(tid): _frame_digest(df.columns, group)
                for tid, group in hashes.groupby(ids.to_numpy(), sort=False)
            }
        else:
            per_table[name] = {}
    tambons = tables.get("tambons", pd.DataFrame())
    ids = [str(t) for t in tambons["tambon_id"]] if "tambon_id" in tambons.columns else []
    per_tambon = {}
    for tid in ids:
        h = hashlib.sha256()
        for name in TABLES:
            h.update(name.encode() + b"\0" + per_table[name].get(tid, "-").encode())
        per_tambon[tid] = h.hexdigest()
    return network.hexdigest(), per_tambon
