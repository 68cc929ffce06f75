"""Which tambons the sample network has: real subdistricts from geothai.

The workshop's network is the Northern region's 17 provinces (NESDB): codes
50–58 and 60–67. A few tambons are fixed (``ANCHORS``) because the flaws and
the identity cases need them: แม่แรม is the handout's kind of example;
ไชยสถาน exists both in อ.เมืองน่าน and in อ.สารภี (เชียงใหม่), and ป่าแดด in
two districts of เชียงราย, so a tambon is only known by tambon + district +
province. The rest are drawn deterministically, round-robin over provinces.
"""

from __future__ import annotations

import random

import geothai

from siianalysis.sample.model import Place

NORTHERN_PROVINCES = tuple(str(c) for c in (*range(50, 59), *range(60, 68)))
BANGKOK = "10"  # its khwaeng are not tambons and have no tambon administrations

# DOPA codes of tambons every sample has (see the module docstring).
ANCHORS = ("500707", "550104", "501904", "570601", "571002")

# A tambon no register has: the "unknown tambon" flaw.
UNKNOWN = Place(code="", tambon="บ้านสุขใจ", amphoe="เมืองน่าน", province="น่าน")


def _place(sub) -> Place:
    return Place(
        code=sub.code,
        tambon=sub.name_th,
        amphoe=geothai.district(sub.district_code).name_th,
        province=geothai.province(sub.province_code).name_th,
    )


def subdistricts(province_codes) -> list:
    """Every subdistrict of these provinces, in code order."""
    return [s for p in province_codes for d in geothai.districts(p) for s in geothai.subdistricts(d.code)]


def pick_places(n: int, rng: random.Random) -> tuple[list[Place], Place]:
    """``n`` Northern tambons (anchors first, then round-robin over the
    provinces), and one more that is not among them (for the corrupt file)."""
    by_province = {p: subdistricts([p]) for p in NORTHERN_PROVINCES}
    chosen = {code for code in ANCHORS[:n]}
    places = [_place(geothai.subdistrict(code)) for code in ANCHORS[:n]]
    order = list(NORTHERN_PROVINCES)
    rng.shuffle(order)
    i = 0
    while len(places) < n + 1:
        pool = [s for s in by_province[order[i % len(order)]] if s.code not in chosen]
        i += 1
        if not pool:
            continue
        sub = rng.choice(pool)
        chosen.add(sub.code)
        places.append(_place(sub))
    return places[:n], places[n]


def pick_network_places(n: int, rng: random.Random) -> list[Place]:
    """``n`` tambons: Northern ones while they last, then from all of Thailand (not Bangkok)."""
    northern = subdistricts(NORTHERN_PROVINCES)
    if n <= len(northern):
        return [_place(s) for s in sorted(rng.sample(northern, n), key=lambda s: s.code)]
    rest = subdistricts(p.code for p in geothai.provinces() if p.code not in NORTHERN_PROVINCES and p.code != BANGKOK)
    if n > len(northern) + len(rest):
        raise ValueError(f"only {len(northern) + len(rest)} tambons exist outside Bangkok, asked for {n}")
    extra = sorted(rng.sample(rest, n - len(northern)), key=lambda s: s.code)
    return [_place(s) for s in northern + extra]
