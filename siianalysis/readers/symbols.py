"""Marks as a person sees them: symbol-font letters and check boxes.

A tick typed in a symbol font (Insert ▸ Symbol in Word, a Wingdings cell in
Excel) is stored as a plain letter ("ü", "P") that the font draws as ✓ or ☑;
the codebook says which mark each letter shows (``ticks.symbol_fonts``). Check
boxes (Word content controls and form fields, Writer's controls) are read as
☑ when checked and ☐ when not, whatever glyph the document shows.
"""

from __future__ import annotations

from functools import cache

from siianalysis.codebook import load_codebook

CHECKED, UNCHECKED = "☑", "☐"


@cache
def symbol_fonts() -> dict[str, dict[int, str]]:
    """Lower-case font name → {code point → mark}."""
    return {font.lower(): {ord(letter): mark for letter, mark in chars.items()}
            for font, chars in load_codebook().symbol_fonts.items()}


def is_symbol_font(font: str | None) -> bool:
    return (font or "").lower() in symbol_fonts()


def symbol_char(font: str | None, code: int) -> str:
    """The mark a symbol font draws for ``code`` (Word's private-use F0xx codes too), else the character."""
    table = symbol_fonts().get((font or "").lower())
    if table:
        mapped = table.get(code - 0xF000 if code >= 0xF000 else code)
        if mapped:
            return mapped
    return chr(code)
