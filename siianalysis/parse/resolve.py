"""Resolving a written place to its official 6-digit DOPA subdistrict code (geothai).

Tambon names repeat across districts and provinces, so a tambon is identified
by tambon + district + province. A place that cannot be resolved, or fits more
than one subdistrict, is kept under a stable id of its own ("u-…", never six
digits, so it cannot collide with a code) and never merged with another tambon.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache

import geothai

from siianalysis.codebook import load_codebook
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


@cache
def _level_prefix() -> re.Pattern[str]:
    """"ตำบล", "ต.", "อำเภอ", "จ." … (the codebook's identity labels) before a name."""
    identity = load_codebook().identity
    words = {clean(w) for k in ("tambon", "amphoe", "province") for w in (identity[k].th, *identity[k].aliases)}
    thai = sorted((re.escape(w) for w in words if w and not w.isascii()), key=len, reverse=True)
    return re.compile(rf"^(?:{'|'.join(thai)})\s*")


def _bare(name: str) -> str:
    """The name as written, without a leading ตำบล/ต./อำเภอ/… (for display and matching)."""
    return _level_prefix().sub("", clean(name), count=1).strip()


def _province_code(name: str) -> str:
    key = geothai.normalize(name)
    return next((p.code for p in geothai.provinces() if key and key == geothai.normalize(p.name_th)), "")


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

    One geothai match → resolved. None with the district as written, but one
    in the province → resolved, with a warning that the district did not fit.
    Several → unresolved ("ambiguous"), listing them. None → unresolved.
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
    if not found and a and p:
        # One of district or province may be misspelt or outdated: try with the other alone.
        for code, wrong, narrowed in (
            ("district-mismatch", "district", geothai.match(t, province=p)),
            ("province-mismatch", "province", geothai.match(t, district=a)),
        ):
            if len(narrowed) == 1:
                return _from_address(narrowed[0], code, f"{written}: {wrong} does not match geothai; "
                                                        f"resolved to {_describe(narrowed[0])}")
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
