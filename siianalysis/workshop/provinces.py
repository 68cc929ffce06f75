"""The province a person names when choosing tambons: a code, a Thai or an English name.

``province_code("Nan")``, ``province_code("น่าน")``, ``province_code("จ.น่าน")``,
``province_code("nan province")`` and ``province_code("55")`` are all ``"55"``: one
function for every way a user asks for a province (``review-sheet --province``, and the
library's ``provinces=`` filter), so no spelling selects fewer tambons than another.

A name is read as ``parse.place_spelling`` reads the place lines of worksheets: as
geothai compares names (no case, spaces, dots or hyphens; "จังหวัด"/"จ." before it),
an official abbreviation ("ชม.", "กทม."), a short name ("อยุธยา"), or the same sounds
spelled otherwise (tone marks, ศ/ส, "Muang" for "Mueang"). A one-letter slip is *not*
read as the province it is close to: a filter that guesses can silently select the
wrong tambons, so a slip is an error that names the close provinces, and so is any
name that is no province.
"""

from __future__ import annotations

import difflib
import re

import geothai

from siianalysis.codebook import load_codebook
from siianalysis.parse import place_spelling as spelling
from siianalysis.text import clean

_CODE = re.compile(r"^\d{2}$")
_MAX_SUGGESTIONS = 4


def _without_level_word(written: str) -> str:
    """The name without an English level word after it ("Nan Province"): the codebook's
    words that follow a name."""
    text = clean(written)
    for word in sorted(load_codebook().identity_after_name, key=len, reverse=True):
        if text.casefold().endswith(" " + word) and text.isascii():
            return text[: -len(word)].strip()
    return text


def _is_reading(written: str, province) -> bool:
    """True when ``written`` is the province's name, abbreviation, short name or the same
    sounds spelled otherwise; False for a slip."""
    r = spelling.rules()
    key = geothai.normalize(written)
    if r.short_names.get(key) == province.code or r.abbreviations.get(key) == province.code:
        return True
    skeletons = {spelling.skeleton(province.name_th, r), spelling.skeleton(province.name_en, r)}
    return spelling.skeleton(written, r) in skeletons


def describe(province) -> str:
    """"Nan (น่าน, 55)": a province as messages name it."""
    return f"{province.name_en} ({province.name_th}, {province.code})"


def close_provinces(written: str) -> list:
    """The provinces whose names are closest to ``written`` (best first, at most four)."""
    text = _without_level_word(written)
    provinces = {p.code: p for p in geothai.provinces()}
    found = [p.code for p in spelling.read_province(text).areas]
    key = geothai.normalize(text)
    names = {geothai.normalize(p.name_en if key.isascii() else p.name_th): p.code for p in provinces.values()}
    found += [names[n] for n in difflib.get_close_matches(key, names, n=_MAX_SUGGESTIONS, cutoff=0.6)]
    return [provinces[c] for c in dict.fromkeys(found)][:_MAX_SUGGESTIONS]


def province_code(written: str) -> str:
    """The 2-digit DOPA code of the province ``written`` names (see the module docstring).

    Raises ``ValueError`` for a name or code that is no province, naming the close ones.
    """
    text = _without_level_word(str(written))
    if _CODE.match(text):
        if geothai.province(text) is None:
            raise ValueError(f"no province has the code {text!r} (codes run from 10 to 96)")
        return text
    reading = spelling.read_province(text).areas if text else ()
    if len(reading) == 1 and _is_reading(text, reading[0]):
        return reading[0].code
    close = close_provinces(text)
    hint = f"; did you mean {' or '.join(describe(p) for p in close)}?" if close else \
        "; give its Thai or English name or its 2-digit code"
    raise ValueError(f"unknown province {str(written).strip()!r}{hint}")
