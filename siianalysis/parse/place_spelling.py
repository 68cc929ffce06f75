"""Place names as people write them, read as the official names they stand for.

geothai resolves names spelled as DOPA spells them. Teams write them as they say
them, and ``resolve`` asks this module when the names as written do not resolve.
The data is ``data/places.yaml``; the rules, each for a reason:

- **Official province abbreviations** ("จ.ชม.", "ลพ.", "กทม."): the Ministry of
  Interior's two-letter forms, used in every Thai address. Read with or without the
  dot.
- **Tone marks** (and ็ ์) are ignored: writers and old fonts drop them (บ้านแปน for
  บ้านแป้น). Under this rule and the next two, no two tambons of one district have
  the same name (checked on geothai's data by the tests).
- **Letters of one sound** (ส/ศ/ษ, น/ณ, ท/ธ/ฑ/ฒ, พ/ภ, …, ไ/ใ) are the same letter:
  place names are mostly Pali and Sanskrit words whose rare letters people replace
  with the common one.
- **ชัย/ไชย**: two spellings of one syllable, both used in names.
- **"Muang" for "Mueang"**: an older romanisation of เมือง; English names are
  otherwise compared as geothai compares them (no case, spaces, hyphens, dots).
- **One slip** (a letter missing, added, replaced, or two swapped) in a name of at
  least four letters: the keyboard's errors.

A written name is read as an official one only when exactly one candidate is the
closest, and only among the names in scope (the tambons of the district given,
else of the province given; the districts of the province given; the provinces).
Closeness has three steps: the same name (as geothai compares), the same name
under the spelling rules, one slip under the rules. Two candidates equally close
stay unresolved. Candidate lists are built once per district and province.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import geothai
import yaml

from siianalysis.text import clean

SAME, SPELLING, SLIP = 0, 1, 2
_THAI = re.compile("[\u0e00-\u0e7f]")


@dataclass(frozen=True, slots=True, eq=False)
class _Rules:
    abbreviations: dict[str, str]  # geothai-normal abbreviation → province code
    short_names: dict[str, str]  # geothai-normal short name → province code
    capital: tuple[str, ...]  # "เมือง", "mueang": the capital district
    marks: dict[int, None]  # str.translate table: the marks dropped
    letters: dict[int, str | None]  # str.translate table: marks dropped, rare letter → common one
    thai_rewrites: tuple[tuple[re.Pattern[str], str], ...]
    latin_rewrites: tuple[tuple[re.Pattern[str], str], ...]
    max_edits: int
    min_length_for_slip: int


def places_path() -> str:
    return str(files("siianalysis").joinpath("data/places.yaml"))


@cache
def rules() -> _Rules:
    """The rules of ``data/places.yaml``, read once."""
    with open(places_path(), encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    by_name = {p.name_th: p.code for p in geothai.provinces()}

    def provinces(mapping: dict) -> dict[str, str]:
        out = {}
        for written, name in (mapping or {}).items():
            if name not in by_name:
                raise ValueError(f"places.yaml: {name!r} is no province geothai knows")
            out[geothai.normalize(str(written))] = by_name[name]
        return out

    spelling = data["spelling"]
    thai, latin = spelling.get("thai", {}), spelling.get("latin", {})
    marks: dict[int, None] = {ord(ch): None for ch in thai.get("ignore", ())}
    letters: dict[int, str | None] = dict(marks)
    for group in thai.get("same_sound", ()):
        for letter in group[1:]:
            letters[ord(letter)] = group[0]
    return _Rules(
        abbreviations=provinces(data.get("province_abbreviations")),
        short_names=provinces(data.get("province_short_names")),
        capital=tuple(str(w) for w in data.get("capital_district", ())),
        marks=marks,
        letters=letters,
        thai_rewrites=tuple((re.compile(r["from"]), r["to"]) for r in thai.get("rewrites", ())),
        latin_rewrites=tuple((re.compile(r["from"]), r["to"]) for r in latin.get("rewrites", ())),
        max_edits=int(spelling.get("max_edits", 1)),
        min_length_for_slip=int(spelling.get("min_length_for_slip", 4)),
    )


def skeleton(name: str, r: _Rules | None = None) -> str:
    """The name in the form the spelling rules compare: geothai's form, marks dropped,
    letters of one sound made one, rewrites applied."""
    r = r or rules()
    key = geothai.normalize(clean(name))
    if _THAI.search(key):
        key = key.translate(r.letters)
        for pattern, to in r.thai_rewrites:
            key = pattern.sub(to, key)
    else:
        for pattern, to in r.latin_rewrites:
            key = pattern.sub(to, key)
    return key


def _slips(a: str, b: str, limit: int) -> int:
    """Edits from a to b (insert, delete, replace, swap two neighbours), or limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@dataclass(frozen=True, slots=True)
class _Named:
    """An area with its names in the forms compared: geothai's and the skeleton."""

    area: object
    normal: tuple[str, ...]
    skeletons: tuple[str, ...]


def _named(area, *extra: str) -> _Named:
    """``extra``: other names the area answers to (the capital district's "เมือง")."""
    names = (area.name_th, area.name_en, *extra)
    r = rules()
    return _Named(area, tuple(geothai.normalize(n) for n in names), tuple(skeleton(n, r) for n in names))


@cache
def _provinces() -> tuple[_Named, ...]:
    return tuple(_named(p) for p in geothai.provinces())


@cache
def _districts(province_code: str) -> tuple[_Named, ...]:
    capital = rules().capital
    return tuple(_named(d, *(capital if d.code.endswith("01") and province_code != "10" else ()))
                 for d in geothai.districts(province_code))


@cache
def _tambons_of_district(district_code: str) -> tuple[_Named, ...]:
    return tuple(_named(s) for s in geothai.subdistricts(district_code))


@cache
def _tambons_of_province(province_code: str) -> tuple[_Named, ...]:
    return tuple(t for d in geothai.districts(province_code) for t in _tambons_of_district(d.code))


@cache
def _districts_named(key: str) -> tuple[object, ...]:
    """Every district whose own name (geothai's form) is ``key``, across the country."""
    return tuple(d for p in geothai.provinces() for d in geothai.districts(p.code)
                 if key in (geothai.normalize(d.name_th), geothai.normalize(d.name_en)))


def closest(written: str, candidates: tuple[_Named, ...]) -> tuple[int, list]:
    """(closeness, areas): the candidates closest to ``written``, or (-1, []) when none
    is close enough. Closeness is SAME, SPELLING or SLIP."""
    r = rules()
    normal = geothai.normalize(clean(written))
    if not normal:
        return -1, []
    same = [c.area for c in candidates if normal in c.normal]
    if same:
        return SAME, same
    key = skeleton(written, r)
    alike = [c.area for c in candidates if key in c.skeletons]
    if alike:
        return SPELLING, alike
    if len(key) < r.min_length_for_slip or r.max_edits < 1:
        return -1, []
    best, found = r.max_edits + 1, []
    for c in candidates:
        d = min(_slips(key, s, r.max_edits) for s in c.skeletons)
        if d < best:
            best, found = d, [c.area]
        elif d == best and d <= r.max_edits:
            found.append(c.area)
    return (SLIP, found) if found else (-1, [])


@dataclass(frozen=True, slots=True)
class Reading:
    """How a written name was read: the areas it stands for and a note when it was not
    the official name ("province 'ชม.' read as เชียงใหม่ (official abbreviation)")."""

    areas: tuple = ()
    note: str = ""


def read_province(written: str) -> Reading:
    """The province a written name stands for; empty when it names none (or several)."""
    if not clean(written):
        return Reading()
    r = rules()
    key = geothai.normalize(clean(written))
    if code := r.short_names.get(key):
        return Reading((geothai.province(code),))
    if code := r.abbreviations.get(key):
        p = geothai.province(code)
        return Reading((p,), f"province {written!r} read as {p.name_th} (official abbreviation)")
    closeness, found = closest(written, _provinces())
    if len(found) != 1:
        return Reading()
    return Reading(tuple(found), _note("province", written, found[0], closeness))


def read_district(written: str, province) -> Reading:
    """The district(s) a written name stands for: within the province when it is known
    (a spelling read only there), else the districts of that exact name in the country."""
    if not clean(written):
        return Reading()
    if province is None:
        # No province to look in: only a district name that is one district's.
        found = _districts_named(geothai.normalize(clean(written)))
        return Reading(found) if len(found) == 1 else Reading()
    closeness, found = closest(written, _districts(province.code))
    if len(found) != 1:
        return Reading()
    return Reading(tuple(found), _note("district", written, found[0], closeness))


def read_tambon(written: str, districts: tuple = (), province=None) -> tuple[Reading, int]:
    """The tambons closest to a written name among those of ``districts``, else of
    ``province``: (reading, closeness). Several areas in the reading: equally close."""
    if districts:
        candidates = tuple(t for d in districts for t in _tambons_of_district(d.code))
    elif province is not None:
        candidates = _tambons_of_province(province.code)
    else:
        return Reading(), -1
    closeness, found = closest(written, candidates)
    note = _note("tambon", written, found[0], closeness) if len(found) == 1 else ""
    return Reading(tuple(found), note), closeness


def _note(level: str, written: str, area, closeness: int) -> str:
    """What was read how, for the warning; "" for the name itself."""
    if closeness == SAME:
        return ""
    official = area.name_en if not _THAI.search(written) else area.name_th
    return f"{level} {clean(written)!r} read as {official!r} ({_why(written, area, closeness)})"


def _why(written: str, area, closeness: int) -> str:
    if closeness == SLIP:
        return "a one-letter slip"
    if not _THAI.search(written):
        return "another romanisation"
    marks = rules().marks
    if geothai.normalize(clean(written)).translate(marks) == geothai.normalize(area.name_th).translate(marks):
        return "tone marks"
    return "another spelling of the same sounds"
