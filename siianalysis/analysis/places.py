"""Places as people write and read them: a tambon's names, its province, Thai dictionary order.

A ``tambons`` line carries each part of a place (tambon, amphoe, province) in
Thai and, once resolved, in English. Readers see "ต.แม่แรม อ.แม่ริม จ.เชียงใหม่"
in Thai and "Mae Raem, Mae Rim, Chiang Mai" in English; the Thai prefixes are the
codebook's identity labels and their short aliases, never written here. Names
are sorted as a Thai dictionary sorts them (PyThaiNLP's collation), not by code
point.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import pandas as pd

from siianalysis.codebook import Codebook
from siianalysis.text import fold
from siianalysis.words import t

from .dataset import Dataset
from .scores import province_key

PLACE_PARTS = ("tambon", "amphoe", "province")


def place_part(row: dict[str, Any], part: str, lang: str = "th") -> str:
    """The name of ``part`` (tambon | amphoe | province) of a ``tambons`` line: English
    with ``lang="en"`` when known, else Thai."""
    if lang == "en" and row.get(f"{part}_en"):
        return str(row[f"{part}_en"])
    return str(row.get(f"{part}_th") or "")


def abbreviation(codebook: Codebook, part: str) -> str:
    """ "ต." / "อ." / "จ.": the codebook's short alias of an identity field (its label if none)."""
    label = codebook.identity[part]
    return next((a for a in label.aliases if a.endswith(".") and len(a) <= 3), label.th)


def place_name(row: dict[str, Any], codebook: Codebook, lang: str = "th", short: bool = True,
               parts: Sequence[str] = PLACE_PARTS) -> str:
    """A tambon's place as people write it: "ต.แม่แรม อ.แม่ริม จ.เชียงใหม่" (``short``),
    "ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", or "Mae Raem, Mae Rim, Chiang Mai" in English
    (a part without an English name in Thai)."""
    if lang == "en":
        names = [place_part(row, p, "en") for p in parts]
        return ", ".join(n for n in names if n)
    names = []
    for p in parts:
        value = place_part(row, p, "th")
        if value:
            prefix = abbreviation(codebook, p) if short else codebook.identity[p].th
            names.append(f"{prefix}{value}")
    return " ".join(names)


def short_name(ds: Dataset, row: dict[str, Any], lang: str = "th") -> str:
    """``place_name`` (short), or the tambon id when the line has no name at all."""
    return place_name(row, ds.codebook, lang, short=True) or str(row["tambon_id"])


@cache
def _prefix_pattern(codebook: Codebook) -> re.Pattern[str]:
    words = sorted({a for part in PLACE_PARTS for a in codebook.identity[part].aliases
                    if any("\u0e00" <= ch <= "\u0e7f" for ch in a)}, key=len, reverse=True)
    return re.compile(r"^\s*(?:" + "|".join(re.escape(w) for w in words) + r")\s*")


def bare_place(value: str, codebook: Codebook) -> str:
    """A place name folded for comparison, without the word people write before it
    (อ.สันทราย, อำเภอสันทราย, สันทราย are one): the Thai identity labels and aliases
    of the codebook (ตำบล/ต./แขวง, อำเภอ/อ./เขต, จังหวัด/จ. …)."""
    return fold(_prefix_pattern(codebook).sub("", value or ""))


def thai_sorted(names: Iterable[str]) -> list[str]:
    """``names`` in Thai dictionary order (PyThaiNLP's collation)."""
    from pythainlp.util import collate

    return collate(list(names))


def current_tambons(ds: Dataset) -> pd.DataFrame:
    """The ``tambons`` lines of the current tambons, one each (the first), in file order."""
    return ds.tambons.drop_duplicates("tambon_id").reset_index(drop=True)


def province_names(ds: Dataset, lang: str = "th") -> pd.DataFrame:
    """``tambon_id, province_key, province``: each current tambon's province, named in
    ``lang`` (the other language when no tambon of it has a name in ``lang``; "province
    unknown" when none has any). The key is the 2-digit code, or the folded name for a
    tambon without one (``scores.province_key``), "?" when neither."""
    tam = current_tambons(ds)
    key = province_key(tam).fillna("?")
    first, second = ("province_en", "province_th") if lang == "en" else ("province_th", "province_en")
    names: dict[str, str] = {}
    for k, a in zip(key, tam[first], strict=True):
        if not names.get(k):
            names[k] = a or ""
    for k, b in zip(key, tam[second], strict=True):
        if not names.get(k) and b:
            names[k] = b
    prov = key.map(lambda k: names.get(k) or t("common.unknown_province", lang))
    return pd.DataFrame({"tambon_id": tam["tambon_id"], "province_key": key, "province": prov})
