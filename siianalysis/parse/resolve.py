"""Resolving a written place to its official 6-digit DOPA subdistrict code (geothai).

Tambon names repeat across districts and provinces, so a tambon is identified
by tambon + district + province. A place that cannot be resolved, or fits more
than one subdistrict, is kept under a stable id of its own ("u-…", never six
digits, so it cannot collide with a code) and never merged with another tambon.

Names as written are tried first, exactly as geothai reads them (Thai or English).
When they do not resolve, they are read as people write them
(``place_spelling``: province abbreviations, tone marks, ชัย/ไชย, "Muang", one
slip), in this order: a tambon of the district given; the tambon's exact name in
another district or province (``district-mismatch`` / ``province-mismatch``); a
tambon of the province given. A reading is a ``tambon-spelling-corrected`` warning
quoting what was written and what it was read as.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache

import geothai

from siianalysis.codebook import load_codebook
from siianalysis.parse import place_spelling as spelling
from siianalysis.text import clean, fold


@dataclass(frozen=True, slots=True)
class Place:
    tambon_id: str
    resolved: bool
    tambon_th: str
    amphoe_th: str
    province_th: str
    province_code: str = ""
    tambon_en: str = ""
    amphoe_en: str = ""
    province_en: str = ""
    amphoe_code: str = ""
    problem_code: str = ""
    problem: str = ""


def unresolved_id(tambon: str, amphoe: str, province: str, salt: str = "") -> str:
    """A stable id for a place geothai could not resolve (same spelling → same id).

    ``salt`` (the source file) keeps worksheets that name no tambon apart.
    """
    key = "|".join([*(geothai.normalize(fold(x)) for x in (tambon, amphoe, province)), salt])
    return "u-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def _level_words() -> list[str]:
    identity = load_codebook().identity
    words = {clean(w) for k in ("tambon", "amphoe", "province") for w in (identity[k].th, *identity[k].aliases)}
    return sorted((w for w in words if w), key=len, reverse=True)


@cache
def _level_prefix() -> re.Pattern[str]:
    """"ตำบล", "ต.", "อำเภอ", "จ.", "Amphoe", "T." … (the codebook's identity labels)
    before a name; an English word only as a whole word ("Amphawa" keeps its "Amph")."""
    thai = [re.escape(w) for w in _level_words() if not w.isascii()]
    latin = [re.escape(w) + ("" if w.endswith(".") else r"(?![A-Za-z])") for w in _level_words() if w.isascii()]
    return re.compile(rf"^(?:{'|'.join(thai)})\s*|^(?:{'|'.join(latin)})\s*[:：]?\s*", re.IGNORECASE)


@cache
def _level_suffix() -> re.Pattern[str]:
    """"Chiang Mai Province", "Mae On District": an English label after the name
    (only those the codebook lists as standing there: "Sam Tambon" is a name)."""
    after = sorted(load_codebook().identity_after_name, key=len, reverse=True)
    latin = [r"[\s\-]+".join(re.escape(part) for part in re.split(r"[\s\-]+", w)) for w in after]
    return re.compile(rf"(?<=[A-Za-z])\s+(?:{'|'.join(latin) or '(?!)'})$", re.IGNORECASE)


def _bare(name: str) -> str:
    """The name as written, without a leading ตำบล/ต./อำเภอ/Amphoe/… or a trailing
    Province/District (for display and matching)."""
    text = _level_prefix().sub("", clean(name), count=1).strip()
    return _level_suffix().sub("", text).strip() if text.isascii() else text


def _province_code(name: str) -> str:
    """The province's code, also for a place left unresolved ("จ.ชม." → 50)."""
    found = spelling.read_province(name).areas
    return found[0].code if found else ""


def _from_address(a: geothai.Address, problem_code: str = "", problem: str = "") -> Place:
    return Place(
        tambon_id=a.subdistrict.code,
        resolved=True,
        tambon_th=a.subdistrict.name_th,
        amphoe_th=a.district.name_th,
        province_th=a.province.name_th,
        province_code=a.province.code,
        tambon_en=a.subdistrict.name_en,
        amphoe_en=a.district.name_en,
        province_en=a.province.name_en,
        amphoe_code=a.district.code,
        problem_code=problem_code,
        problem=problem,
    )


def _describe(a: geothai.Address) -> str:
    return f"{a.subdistrict.code} {a.subdistrict.name_th} / {a.district.name_th} / {a.province.name_th}"


def resolve_place(tambon: str, amphoe: str = "", province: str = "", source_file: str = "") -> Place:
    """Resolves a written tambon/amphoe/province to a ``Place``.

    One geothai match → resolved. Several → unresolved ("ambiguous"), listing
    them. None → the names are read as people write them (``_as_people_write_it``):
    resolved with a warning, or unresolved (ambiguous or unknown).
    """
    t, a, p = _bare(tambon), _bare(amphoe), _bare(province)
    written = f"ตำบล {t or '?'} / อำเภอ {a or '?'} / จังหวัด {p or '?'}"
    if not t:
        return Place(unresolved_id(t, a, p, salt=source_file), False, t, a, p, _province_code(p),
                     problem_code="no-tambon",
                     problem="the worksheet does not name its tambon (no ตำบล field or line found)")
    found = geothai.match(t, district=a or None, province=p or None)
    if len(found) == 1:
        return _from_address(found[0])
    if not found and (place := _as_people_write_it(t, a, p, written)):
        return place
    place_id = unresolved_id(t, a, p)
    province_code = _province_code(p)
    if found:
        candidates = "; ".join(_describe(x) for x in found[:8])
        more = f" and {len(found) - 8} more" if len(found) > 8 else ""
        return Place(place_id, False, t, a, p, province_code, problem_code="ambiguous-tambon",
                     problem=f"{written} fits {len(found)} subdistricts ({candidates}{more}); "
                             "add the district and province to the worksheet")
    return Place(place_id, False, t, a, p, province_code, problem_code="unknown-tambon",
                 problem=f"{written} is not a subdistrict geothai knows; kept apart as {place_id}")


def _as_people_write_it(t: str, a: str, p: str, written: str) -> Place | None:
    """The place when the names as written do not resolve (see the module's docstring),
    or None (unknown)."""
    province = spelling.read_province(p)
    prov = province.areas[0] if province.areas else None
    district = spelling.read_district(a, prov)
    notes = [province.note, district.note]
    ambiguous: list = []
    # 1. A tambon of the district given, as written or as read.
    if district.areas:
        tambon, _ = spelling.read_tambon(t, districts=district.areas)
        if len(tambon.areas) == 1:
            return _read_as(tambon.areas[0], written, [*notes, tambon.note])
        ambiguous = list(tambon.areas)
    # 2. The tambon's exact name in another district, or in another province: the
    #    district or province written may be outdated or wrong (as before).
    if a and p:
        p_read = prov.name_th if prov else p
        a_read = district.areas[0].name_th if len(district.areas) == 1 else a
        for code, wrong, narrowed in (
            ("district-mismatch", "district", geothai.match(t, province=p_read)),
            ("province-mismatch", "province", geothai.match(t, district=a_read)),
        ):
            if len(narrowed) == 1:
                said = "; ".join(n for n in notes if n)
                return _from_address(narrowed[0], code, f"{written}: {wrong} does not match geothai; "
                                                        f"resolved to {_describe(narrowed[0])}"
                                                        + (f" ({said})" if said else ""))
    if ambiguous:
        return _equally_close(t, a, p, written, ambiguous)
    # 3. A tambon of the province given, when the district is not given or has none close.
    if prov is not None:
        tambon, _ = spelling.read_tambon(t, province=prov)
        if len(tambon.areas) == 1:
            if a and not district.areas:
                notes.append(f"district {a!r} does not match geothai")
            elif a:
                notes.append(f"the tambon is not in district {a!r}")
            return _read_as(tambon.areas[0], written, [*notes, tambon.note])
        if tambon.areas:
            return _equally_close(t, a, p, written, list(tambon.areas))
    return None


def _read_as(subdistrict, written: str, notes: list[str]) -> Place:
    address = geothai.address(subdistrict.code)
    said = "; ".join(n for n in notes if n)
    if not said:
        return _from_address(address)
    return _from_address(address, "tambon-spelling-corrected",
                         f"{written} read as {_describe(address)}: {said}")


def _equally_close(t: str, a: str, p: str, written: str, subdistricts: list) -> Place:
    addresses = [geothai.address(s.code) for s in subdistricts]
    candidates = "; ".join(_describe(x) for x in addresses[:8])
    more = f" and {len(addresses) - 8} more" if len(addresses) > 8 else ""
    return Place(unresolved_id(t, a, p), False, t, a, p, _province_code(p), problem_code="ambiguous-tambon",
                 problem=f"{written} is not a subdistrict geothai knows, and is equally close to "
                         f"{len(addresses)} of them ({candidates}{more}); write the name as DOPA spells it")
