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
from functools import lru_cache

from pythainlp import thai_above_vowels as above_v
from pythainlp import thai_below_vowels as below_v
from pythainlp import thai_follow_vowels as follow_v
from pythainlp import thai_lead_vowels as lead_v
from pythainlp import thai_tonemarks as tonemarks
from pythainlp.util import normalize as thai_normalize
from pythainlp.util import thai_digit_to_arabic_digit

# Zero-width characters that Thai input methods and web copies leave behind.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Control characters a browser, an XML writer or a spreadsheet trips on: C0 but tab,
# line feed and carriage return; DEL; C1; lone surrogates; the non-characters U+FFFE/F.
# Vertical tab, form feed and NEL are line breaks as their writers mean them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_BREAKS = {"\x0b": "\n", "\x0c": "\n", "\x85": "\n"}
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2000-\u200a]+")
_LINE_SPACES = re.compile(r" *\n *")
_BLANK_LINES = re.compile(r"\n{3,}")
# "1.", "๑)", "(2)", "ข้อ 3." before a label.
_NUMBERING = re.compile(r"^\s*(?:ข้อ\s*)?\(?\s*([0-9๐-๙]{1,2})\s*[.)]\s*|^\s*([0-9๐-๙]{1,2})\s+(?=\D)")
# The handout's row labels carry examples: "… เช่น คณะทำงานพัฒนาตำบล, … เป็นต้น".
_EXAMPLES = re.compile(r"\s*(?:เช่น|ได้แก่|ตัวอย่าง)\s.*$|\s*(?:เช่น|ได้แก่)$", re.DOTALL)
_EXAMPLE_WORDS = ("เช่น", "ได้แก่", "ตัวอย่าง")  # every match of _EXAMPLES holds one of them
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "‐": "-", "−": "-"})
# A search finds the few texts with one (``translate`` looks every character up in a dict).
_QUOTE_CHARS = re.compile("[“”‘’–—‐−]")
_FOLD_DROP = re.compile(r"[\s\"'.,:;!?()\[\]{}/\\\-_*•·…]+")
# What PyThaiNLP's normalize repairs, from its own character classes: a tone mark
# before a vowel, a sign typed twice (เเ for แ), stacked tone marks, นิคหิต + า for
# ำ, a follow vowel before a tone mark, ๅ for า, marks left dangling after a space.
# Text with none of these is left as is, which spares normalize's pass over the many
# clean cells of a worksheet. Checked to agree with normalize on PyThaiNLP's 62,000
# dictionary words and 300,000 random strings of Thai characters.
_THAI_DIGIT = re.compile("[๐-๙]")
_NONBASE = f"{above_v}{below_v}{tonemarks}\u0e3a\u0e4c\u0e4d\u0e4e"
_REPEATABLE = f"{follow_v}{lead_v}{above_v}{below_v}\u0e3a\u0e4c\u0e4d\u0e4e"
# Written as one character class (every character a case can start at), then what must go
# with that character, each case told by a lookbehind on it: a pattern that starts with a
# class is searched by skipping to its characters, not by trying every case at every position
# (2.5× faster). "A consonant, a space, a mark" is in "a mark after a space".
_NEEDS_FIRST = "".join(sorted(set(f"{tonemarks}{follow_v}{_REPEATABLE}{_NONBASE}\u0e45")))
_NEEDS_THAI_NORMALIZE = re.compile(
    f"([{_NEEDS_FIRST}])(?:"
    f"(?<=[{tonemarks}\u0e4c])[{above_v}{below_v}]"  # a tone mark or thanthakhat before a vowel
    f"|(?<=[{_REPEATABLE}])[ ]*\\1"  # a vowel or sign typed twice (spaces between)
    f"|(?<=[{tonemarks}])[{tonemarks}]"  # stacked tone marks
    f"|(?<=\u0e4d)[{tonemarks}]*\u0e32"  # nikhahit + aa for sara am
    f"|(?<=[{follow_v}])[{tonemarks}]"  # a follow vowel before a tone mark
    f"|(?<=\u0e45)(?<![\u0e24\u0e26]\u0e45)"  # lakkhangyao, not after rue/lue
    f"|(?<=[{_NONBASE}])(?<!\\S[{_NONBASE}])"  # a mark at the start or after a space
    ")"
)


def drop_control_characters(text: str) -> str:
    """``text`` without control characters (``_CONTROL``); vertical tab, form feed and NEL
    become line breaks. Text without any is returned as it is (the common case, one search)."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: _CONTROL_BREAKS.get(m.group(), ""), text)


def clean(value: object) -> str:
    """Returns worksheet text well-formed: NFC, no zero-width or control characters,
    runs of spaces collapsed, lines trimmed, no blank lines at the ends.

    Thai tone marks typed twice and vowels typed in the wrong order are
    repaired by PyThaiNLP's ``normalize``. Digits are kept as written.
    """
    if value is None:
        return ""
    text = str(value)
    return _clean(text) if text else ""


@lru_cache(maxsize=65536)
def _clean(text: str) -> str:
    # Worksheets repeat the same labels and ticks thousands of times: cache.
    text = drop_control_characters(text)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _LINE_SPACES.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if _NEEDS_THAI_NORMALIZE.search(text):
        text = thai_normalize(text)
    return text


def arabic_digits(text: str) -> str:
    """Thai digits (๐–๙) as Arabic digits."""
    # Most cells have no Thai digit: skip PyThaiNLP's per-character pass for them.
    return thai_digit_to_arabic_digit(text) if text and _THAI_DIGIT.search(text) else text


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
    # Most texts hold none of the words: ``in`` is many times cheaper than the search.
    if not any(word in text for word in _EXAMPLE_WORDS):
        return text.strip()
    return _EXAMPLES.sub("", text).strip()


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    text = strip_examples(strip_numbering(arabic_digits(clean(text))))
    return _FOLD_DROP.sub("", _plain_quotes(text).lower())


def fold(text: object) -> str:
    """A comparison key: no numbering, no examples, no spaces or punctuation,
    Arabic digits, lower case, typographic quotes and dashes made plain.

    Thai is written without spaces between words, so spaces (the handout's
    line breaks, a team's typing) carry no meaning for matching.
    """
    return _fold(str(text)) if text else ""


def fold_keep_examples(text: object) -> str:
    """Like ``fold`` but keeps the "เช่น …" part (to read a label a team wrote after it)."""
    text = strip_numbering(arabic_digits(clean(text)))
    return _FOLD_DROP.sub("", _plain_quotes(text).lower())


def _plain_quotes(text: str) -> str:
    """Typographic quotes and dashes made plain (``_QUOTES``)."""
    return text.translate(_QUOTES) if _QUOTE_CHARS.search(text) else text
