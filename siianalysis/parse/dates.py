"""Worksheet dates as teams write them, to ISO dates.

Teams write Buddhist-Era years (2563 = 2020), often short ("๒๗ ต.ค. ๖๓"),
Thai digits, Thai month names full or abbreviated, or day/month/year with
slashes. Spreadsheet date cells arrive from the reader already as ISO text.
Two-digit years from 40 up are Buddhist Era (Thai usage: 63 → 2563 → 2020);
below 40 they are Christian Era (20 → 2020): the two readings never overlap
within 1997–2039.
"""

from __future__ import annotations

import datetime as dt
import re

from pythainlp.util.date import thai_abbr_months, thai_full_months

from siianalysis.text import arabic_digits, clean

_EN_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _month_keys() -> dict[str, int]:
    keys: dict[str, int] = {}
    for i, (full, abbr) in enumerate(zip(thai_full_months, thai_abbr_months), start=1):
        keys[full] = i
        keys[abbr.replace(".", "")] = i
    for i, name in enumerate(_EN_MONTHS, start=1):
        keys[name] = i
    return keys


_MONTHS = _month_keys()
_MONTH_ALT = "|".join(sorted((re.escape(k) for k in _MONTHS), key=len, reverse=True))
# A dot after a Thai letter: "ต.ค." and "ตค" are the same month.
_THAI_DOT = re.compile(r"(?<=[\u0e00-\u0e7f])\.(?=[\u0e00-\u0e7f]|\s|\d|$)")
# Year first: ISO from spreadsheet cells, and "2024/01/12" or "2567/1/12" (Google Sheets,
# systems set to year-month-day).
_ISO = re.compile(r"(?<!\d)(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ][\d:.]+)?(?!\d)")
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})(?!\d)")
# Day, month name, year: "12 ม.ค. 67", the letter style "12 เดือนมกราคม พ.ศ. 2567", and
# "12-Jan-2024" (Excel's d-mmm-yyyy typed as text).
_WORDS = re.compile(
    rf"(?<!\d)(\d{{1,2}})[\s\-/]*(?:เดือน\s*)?(?P<month>{_MONTH_ALT})[a-z]*\.?[\s\-/,]*"
    rf"(?:พ\s*\.?\s*ศ\s*\.?\s*|ค\s*\.?\s*ศ\s*\.?\s*)?(\d{{4}}|\d{{2}})(?!\d)",
)


def _year(text: str) -> int:
    year = int(text)
    if year < 40:
        year += 2000
    elif year < 100:
        year += 2500
    if year > 2400:
        year -= 543
    return year


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(value: object) -> dt.date | None:
    """The first date found in the text, or None.

    >>> parse_date("๒๗ ตุลาคม ๒๕๖๓"), parse_date("27 ต.ค. 63"), parse_date("27/10/2563")
    (datetime.date(2020, 10, 27), datetime.date(2020, 10, 27), datetime.date(2020, 10, 27))
    """
    text = arabic_digits(clean(value)).casefold()
    if not text:
        return None
    if m := _ISO.search(text):
        return _make(_year(m.group(1)), int(m.group(3)), int(m.group(4)))
    # Month names are matched without their dots: "ต.ค." and "ตค" are the same.
    undotted = _THAI_DOT.sub("", text)
    if m := _WORDS.search(undotted):
        return _make(_year(m.group(3)), _MONTHS[m.group("month")], int(m.group(1)))
    if m := _NUMERIC.search(text):
        return _make(_year(m.group(3)), int(m.group(2)), int(m.group(1)))
    return None


def without_date(value: object) -> str | None:
    """The text with its first date taken out (digits Arabic, lower case, Thai dots
    dropped, as ``parse_date`` reads it), or None when it holds no date."""
    text = arabic_digits(clean(value)).casefold()
    if not text:
        return None
    if m := _ISO.search(text):
        return text[:m.start()] + " " + text[m.end():]
    undotted = _THAI_DOT.sub("", text)
    if m := _WORDS.search(undotted):
        return undotted[:m.start()] + " " + undotted[m.end():]
    if m := _NUMERIC.search(text):
        return text[:m.start()] + " " + text[m.end():]
    return None
