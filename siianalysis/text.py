"""Cleaning of text from worksheets, and the folded form used to match labels.

Teams type on phones, copy from the handout PDF and paste from LINE: the same
label arrives with Thai or Arabic digits, zero-width spaces, stray spaces where
the handout broke a line, decomposed Unicode and curly or straight quotes.
``clean`` keeps what a person wrote but makes it well-formed; ``fold`` turns a
label into a key for comparison only (never shown, never stored).
"""

from __future__ import annotations

import re
import unicodedata

from pythainlp.util import normalize as thai_normalize
from pythainlp.util import thai_digit_to_arabic_digit

# Zero-width characters that Thai input methods and web copies leave behind.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2000-\u200a]+")
_LINE_SPACES = re.compile(r" *\n *")
_BLANK_LINES = re.compile(r"\n{3,}")
# "1.", "๑)", "(2)", "ข้อ 3." before a label.
_NUMBERING = re.compile(r"^\s*(?:ข้อ\s*)?\(?\s*([0-9๐-๙]{1,2})\s*[.)]\s*|^\s*([0-9๐-๙]{1,2})\s+(?=\D)")
# The handout's row labels carry examples: "… เช่น คณะทำงานพัฒนาตำบล, … เป็นต้น".
_EXAMPLES = re.compile(r"\s*(?:เช่น|ได้แก่|ตัวอย่าง)\s.*$|\s*(?:เช่น|ได้แก่)$", re.DOTALL)
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "‐": "-", "−": "-"})
_FOLD_DROP = re.compile(r"[\s\"'.,:;!?()\[\]{}/\\\-_*•·…]+")


def clean(value: object) -> str:
    """Returns worksheet text well-formed: NFC, no zero-width characters,
    runs of spaces collapsed, lines trimmed, no blank lines at the ends.

    Thai tone marks typed twice and vowels typed in the wrong order are
    repaired by PyThaiNLP's ``normalize``. Digits are kept as written.
    """
    if value is None:
        return ""
    text = str(value)
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _LINE_SPACES.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if any("\u0e00" <= ch <= "\u0e7f" for ch in text):
        text = thai_normalize(text)
    return text


def arabic_digits(text: str) -> str:
    """Thai digits (๐–๙) as Arabic digits."""
    return thai_digit_to_arabic_digit(text) if text else text


def leading_number(text: str) -> int | None:
    """The item number a label starts with ("3. …", "๓) …"), or None."""
    match = _NUMBERING.match(arabic_digits(clean(text)))
    if not match:
        return None
    return int(match.group(1) or match.group(2))


def strip_numbering(text: str) -> str:
    """The label without its leading item number."""
    return _NUMBERING.sub("", clean(text), count=1).strip()


def strip_examples(text: str) -> str:
    """The label without the "เช่น …" examples the handout adds to it."""
    return _EXAMPLES.sub("", text).strip()


def fold(text: object) -> str:
    """A comparison key: no numbering, no examples, no spaces or punctuation,
    Arabic digits, lower case, typographic quotes and dashes made plain.

    Thai is written without spaces between words, so spaces (the handout's
    line breaks, a team's typing) carry no meaning for matching.
    """
    text = strip_examples(strip_numbering(arabic_digits(clean(text))))
    return _FOLD_DROP.sub("", text.translate(_QUOTES).lower())


def fold_keep_examples(text: object) -> str:
    """Like ``fold`` but keeps the "เช่น …" part (to read a label a team wrote after it)."""
    text = strip_numbering(arabic_digits(clean(text)))
    return _FOLD_DROP.sub("", text.translate(_QUOTES).lower())
