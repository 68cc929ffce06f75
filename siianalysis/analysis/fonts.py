"""A Thai font for matplotlib.

matplotlib's default DejaVu Sans has no Thai glyphs: Thai labels come out as
empty boxes with a "Glyph … missing from font(s) DejaVu Sans" warning. We use,
in this order:

1. a Thai font already installed on the system (``SYSTEM_THAI_FONTS``,
   e.g. TH Sarabun New, Sarabun, Noto Sans Thai, Loma, Garuda);
2. the Noto Sans Thai that ships with the project's own dependency
   ``fontpkg-noto-sans-thai``, registered with ``fontManager.addfont``.

It is a variable font (axes wdth, wght). matplotlib (FreeType, no variation
support) renders its default instance, Regular 400 at normal width, which
covers Thai, Latin and digits; asking for bold logs "Failed to find font
weight bold … now using 400" and draws regular, so our plots do not use bold.

The family is set as a fallback list ``[thai, "DejaVu Sans"]``: matplotlib
(≥ 3.6) takes each glyph from the first family that has it, so symbols Noto
Sans Thai lacks (✓, arrows) still render from DejaVu Sans.

Nothing happens at import: call ``use_thai_font()`` (sets ``rcParams``
globally, for notebooks) or use ``thai_rc()`` in ``matplotlib.rc_context``
(what ``plots`` does, leaving the caller's rcParams untouched).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

FALLBACK = "DejaVu Sans"
# Installed Thai fonts worth preferring, best first (Linux TLWG, Windows, macOS).
SYSTEM_THAI_FONTS = (
    "TH Sarabun New",
    "Sarabun",
    "Noto Sans Thai",
    "Noto Sans Thai UI",
    "Noto Sans Thai Looped",
    "Leelawadee UI",
    "Thonburi",
    "Loma",
    "Garuda",
    "Tlwg Typo",
    "Norasi",
)


def bundled_font_path() -> Path | None:
    """The TTF of ``fontpkg_noto_sans_thai``, or None if the package is absent."""
    try:
        import fontpkg_noto_sans_thai as pkg
    except ImportError:
        return None
    found = sorted((Path(pkg.ROOT) / "files").glob("*.[to]tf"))
    return found[0] if found else None


@cache
def thai_font_family(prefer_system: bool = True) -> str:
    """The family name of the Thai font to use (registering the bundled one
    with matplotlib if needed). Cached: the search runs once per process."""
    from matplotlib import font_manager

    if prefer_system:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        for name in SYSTEM_THAI_FONTS:
            if name in installed:
                return name
    path = bundled_font_path()
    if path is None:
        raise RuntimeError(
            "no Thai font: install the project's dependency fontpkg-noto-sans-thai "
            f"or a system Thai font ({', '.join(SYSTEM_THAI_FONTS[:3])}, …)"
        )
    if str(path) not in {f.fname for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def thai_rc(prefer_system: bool = True) -> dict[str, object]:
    """rcParams that make text Thai-capable: ``{"font.family": [thai, "DejaVu Sans"]}``.
    Use as ``with matplotlib.rc_context(thai_rc()): …``."""
    return {"font.family": [thai_font_family(prefer_system), FALLBACK]}


def use_thai_font(prefer_system: bool = True) -> str:
    """Sets matplotlib's ``rcParams["font.family"]`` to ``[thai, "DejaVu Sans"]``
    for the rest of the session and returns the Thai family's name.
    Idempotent: calling it again changes nothing."""
    import matplotlib

    rc = thai_rc(prefer_system)
    matplotlib.rcParams.update(rc)
    return rc["font.family"][0]
