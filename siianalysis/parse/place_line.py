"""Reading a line of English text that names a place.

Teams who type in English write their place as "Tambon Mae Tha, Amphoe Mae On,
Chiang Mai Province", "Subdistrict: Mae Tha District: Mae On Province: Chiang
Mai" or "T. Mae Tha A. Mae On Ch. Chiang Mai". Unlike Thai, English names have
spaces, and a label may stand before its name or after it. The labels are the
codebook's ``identity`` aliases written in Latin letters; the rules:

- A label is a whole word ("t." inside "art." or "district" inside "Subdistrict"
  is none), in any case. "Sub-district" is its own label, so its "district" is
  not the district's.
- A label's name runs from the label to the next label of another level or to a
  separator (, ; | brackets, a line break): "Amphoe Mae On, …" gives "Mae On", and
  "Tambon Sam Tambon" gives "Sam Tambon" (a tambon's name).
- The English words the codebook lists in ``identity_after_name`` (Province,
  District, Subdistrict) may stand after their name, in English word order: one
  with a name of its own before it, after the previous name ended, does (in
  "…, Chiang Mai Province" the name is "Chiang Mai"). The other labels ("Tambon",
  "Amphoe", the short forms "T.", "A.", "Ch.") stand before the name, as in Thai.
- "Tambon/Subdistrict: Mae Tha": labels of one level side by side are one label.
- A name has at most six words (the longest official one) and a letter in it.
- English words such as "district" and "province" are common in titles ("District
  Health Office, Chiang Mai Province"), so a line counts as a place line only when
  it names the tambon and its district or province, or when a label is followed by
  a colon ("District: Mae On" on a line of its own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from siianalysis.codebook import Codebook
from siianalysis.text import clean

PLACE_KEYS = ("tambon", "amphoe", "province")
_SIMPLE = re.compile(r"^[A-Za-z][A-Za-z .\-]*$")
_SEPARATORS = re.compile(r"[,;|()\[\]\n]")
_PUNCT = " \t.:：-–—/"
_MAX_WORDS = 6  # the longest official English name: Nikhom Sang Ton-eng Lam Dom Noi
_COLON = re.compile(r"\s*[:：]")


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: built once, a cache key
class _Labels:
    pattern: re.Pattern[str]
    key_of: dict[str, str]
    after_name: frozenset[str]


@cache
def _labels(codebook: Codebook) -> _Labels:
    """The Latin-letter identity labels as one pattern, longest first."""
    key_of: dict[str, str] = {}
    for key in PLACE_KEYS:
        label = codebook.identity.get(key)
        if label is None:
            continue
        for word in (*label.aliases, label.en):
            word = clean(word)
            if word and _SIMPLE.match(word):
                key_of.setdefault(_canonical(word), key)
    parts = []
    for word in sorted(key_of, key=len, reverse=True):
        body = r"[\s\-]*".join(re.escape(w) for w in re.split(r"[\s\-]+", word.rstrip(".")))
        # A short form ends with its dot; a word must end where the word ends.
        parts.append(body + r"\." if word.endswith(".") else body + r"(?![A-Za-z])")
    alt = "|".join(parts) or "(?!)"
    after_name = frozenset(_canonical(w) for w in codebook.identity_after_name)
    return _Labels(re.compile(rf"(?<![A-Za-z0-9])(?:{alt})", re.IGNORECASE), key_of, after_name)


def _canonical(label: str) -> str:
    """"Sub-district", "sub  district" → "sub district"."""
    return re.sub(r"[\s\-]+", " ", label).strip().casefold()


def _name(text: str) -> str:
    name = text.strip(_PUNCT)
    words = name.split()
    if not name or len(words) > _MAX_WORDS or not re.search(r"[^\W\d_]", name):
        return ""
    return " ".join(words)


@lru_cache(maxsize=16384)
def _read(text: str, labels: _Labels) -> tuple[tuple[str, str], ...]:
    matches = [(m, labels.key_of.get(_canonical(m.group(0)), "")) for m in labels.pattern.finditer(text)]
    names: dict[str, str] = {}
    colon = False
    pos = 0
    for i, (m, key) in enumerate(matches):
        if not key or m.start() < pos:
            continue  # inside a name already read
        before = _SEPARATORS.split(text[pos:m.start()])[-1]
        if _canonical(m.group(0)) in labels.after_name and (name := _name(before)):
            names.setdefault(key, name)  # "Chiang Mai Province"
            pos = m.end()
            continue
        start = m.end()
        for n, same in matches[i + 1:]:  # "Tambon/Subdistrict:": one label
            if same != key or text[start:n.start()].strip(_PUNCT):
                break
            start = n.end()
        stop = next((n.start() for n, other in matches[i + 1:] if n.start() >= start and other != key), len(text))
        after = text[start:stop]
        cut = _SEPARATORS.search(after)
        after = after[:cut.start()] if cut else after
        if name := _name(after):
            names.setdefault(key, name)
            colon = colon or bool(_COLON.match(after))
        pos = start + len(after)
    if colon or ("tambon" in names and len(names) >= 2):
        return tuple(names.items())
    return ()


def english_place(text: str, codebook: Codebook) -> dict[str, str]:
    """{"tambon": "Mae Tha", "amphoe": "Mae On", "province": "Chiang Mai"} as far as the
    line names them, or {} when it is no English place line."""
    text = clean(text)
    if not re.search(r"[A-Za-z]", text):
        return {}
    return dict(_read(text, _labels(codebook)))
