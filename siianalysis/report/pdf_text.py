"""Text a reader can copy and search in the PDFs: each glyph's character read from its font.

A PDF stores glyphs, and beside each font a map from glyph to text (ToUnicode) that
copying, searching and text extraction use. WeasyPrint fills it with the text of the
first cluster a glyph was seen in, which Thai shaping breaks: Noto Sans Thai draws
ำ (SARA AM) as two glyphs, nikhahit and the glyph of า, so after the first ำ on a page
every า reads back as ำ (ยาง → ยำง), or the other way round; a tone mark shaped
together with its consonant maps to the pair and the consonant to nothing.

``fix_text_map`` rewrites one font's map from the font file itself:

- a glyph the font's character map (cmap) gives for a character is that character;
- a glyph reached from such a glyph by single or alternate substitutions (GSUB types 1
  and 3: the ".narrow" and ".small" tone marks and vowels placed for tall consonants)
  is that character too;
- any other glyph (ligatures) keeps WeasyPrint's text.

ำ then reads back as nikhahit + า (U+0E4D U+0E32), which is ำ's compatibility
decomposition: the same text under NFKC. What a map per glyph cannot say: a tone mark
over ำ (น้ำ) reads back after the nikhahit, in the order the glyphs are drawn.
``extractable_fonts`` hands WeasyPrint a font dictionary that applies the fix when the
PDF's font objects are written.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=8)
def _glyph_chars(digest: str, content: bytes, index: int) -> dict[int, str]:
    """Glyph id → character for one font file (``digest`` is the cache key of ``content``)."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(content), fontNumber=index, lazy=True)
    chars: dict[int, str] = {}
    names: dict[str, str] = {}
    for codepoint, name in sorted(font.getBestCmap().items()):
        names.setdefault(name, chr(codepoint))
    # substituted glyphs (variants) take the character of the glyph they replace
    if "GSUB" in font and font["GSUB"].table.LookupList is not None:
        pairs = []
        for lookup in font["GSUB"].table.LookupList.Lookup:
            for sub in lookup.SubTable:
                kind = lookup.LookupType
                if kind == 7:  # extension: the real subtable inside
                    sub, kind = sub.ExtSubTable, sub.ExtSubTable.LookupType
                if kind == 1:
                    pairs += list(sub.mapping.items())
                elif kind == 3:
                    pairs += [(src, alt) for src, alts in sub.alternates.items() for alt in alts]
        for _ in range(4):  # variants of variants
            added = False
            for src, dst in pairs:
                if src in names and dst not in names:
                    names[dst] = names[src]
                    added = True
            if not added:
                break
    for name, char in names.items():
        try:
            chars[font.getGlyphID(name)] = char
        except KeyError:  # pragma: no cover - a name the font does not hold
            continue
    return chars


def fix_text_map(font: Any) -> None:
    """Correct ``font.to_unicode`` (a WeasyPrint ``pdf.fonts.Font``) from its font file, in place."""
    content = getattr(font, "file_content", None)
    if not content or getattr(font, "bitmap", False) or getattr(font, "_sii_text_fixed", False):
        return
    chars = _glyph_chars(hashlib.sha1(content).hexdigest(), content, getattr(font, "index", 0))
    for glyph in list(font.to_unicode):
        if glyph in chars:
            font.to_unicode[glyph] = chars[glyph]
    font._sii_text_fixed = True


class _ExtractableFonts(dict):
    """WeasyPrint's fonts of a document: filled while pages are drawn, read through
    ``values()`` when the font objects are written; the text maps are fixed then."""

    def values(self):  # type: ignore[override]
        for font in dict.values(self):
            fix_text_map(font)
        return dict.values(self)


def extractable_fonts(document: Any) -> Any:
    """``document`` (a rendered ``weasyprint.Document``) with fonts whose text maps are fixed
    on writing (``document.write_pdf`` then gives copyable Thai)."""
    document.fonts = _ExtractableFonts(document.fonts)
    return document
