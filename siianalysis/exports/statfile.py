"""The analysis file written for SPSS (``.sav``) and Stata (``.dta``) through pyreadstat.

Both files are UTF-8, so Thai labels read as written: SPSS ``.sav`` (a system file of
SPSS 16 or later, character encoding UTF-8) and Stata ``.dta`` format 118 (Stata 14 and
later; pyreadstat's ``version=14``). A missing value (NaN) is system-missing in both
(``.`` in Stata, SYSMIS in SPSS). The formats' limits on labels are kept by cutting a
longer label at a whole character and ending it with ``…``: SPSS holds 256 bytes of a
variable label (a Thai letter is 3 bytes in UTF-8) and 64 of the file label, Stata 80
characters of either. A variable
holding only missing values stays numeric. The file is written beside its target and
renamed over it, so a reader never sees half a file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .analysis_file import AnalysisFile
from .fields import analysis_text

STATA_VERSION = 14  # dta format 118: UTF-8, Stata 14+
STATA_LABEL_CHARS = 80
SPSS_LABEL_BYTES = 256
SPSS_FILE_LABEL_BYTES = 64
FORMATS = {".sav": "spss", ".dta": "stata"}


def _cut(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut_bytes(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` bytes of UTF-8, cut between characters."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len("…".encode())
    while len(text.encode("utf-8")) > room:
        text = text[:-1]
    return text + "…"


def _atomic(path: Path, write) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _numeric_blanks(frame: pd.DataFrame) -> pd.DataFrame:
    """Every object column that holds no text at all (only missing) as float, so the
    writers do not take it for a string variable."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and out[column].isna().all():
            out[column] = out[column].astype(float)
    return out


def write_sav(data: AnalysisFile, path: str | Path) -> Path:
    """``data`` as an SPSS system file at ``path``."""
    import pyreadstat

    frame = _numeric_blanks(data.frame)
    return _atomic(Path(path), lambda tmp: pyreadstat.write_sav(
        frame, str(tmp), file_label=_cut_bytes(analysis_text("file_label", data.lang), SPSS_FILE_LABEL_BYTES),
        column_labels=[_cut_bytes(data.labels[c], SPSS_LABEL_BYTES) if c in data.labels else None
                       for c in frame.columns],
        variable_value_labels=data.value_labels))


def write_dta(data: AnalysisFile, path: str | Path) -> Path:
    """``data`` as a Stata dataset (format 118) at ``path``."""
    import pyreadstat

    frame = _numeric_blanks(data.frame)
    labels = [_cut(data.labels[c], STATA_LABEL_CHARS) if c in data.labels else None for c in frame.columns]
    return _atomic(Path(path), lambda tmp: pyreadstat.write_dta(
        frame, str(tmp), file_label=_cut(analysis_text("file_label", data.lang), STATA_LABEL_CHARS),
        column_labels=labels, version=STATA_VERSION, variable_value_labels=data.value_labels))


def write_statfile(data: AnalysisFile, path: str | Path) -> Path:
    """``.sav`` or ``.dta`` by the suffix of ``path``."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path}: an analysis file ends in .sav (SPSS) or .dta (Stata)")
    return (write_sav if suffix == ".sav" else write_dta)(data, path)
