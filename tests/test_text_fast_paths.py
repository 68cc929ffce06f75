"""text.clean / text.fold give what their plain forms give: the fast paths (the Thai-normalize
search written as one character class, the example words looked for before the search, quotes
translated only when there is one) change the cost, never a result. Compared on every cell
text of the sample worksheets and the test fixtures, PyThaiNLP's dictionary and random Thai."""

import random
import re
import unicodedata
from pathlib import Path

import pytest
from pythainlp import thai_above_vowels as above_v
from pythainlp import thai_below_vowels as below_v
from pythainlp import thai_follow_vowels as follow_v
from pythainlp import thai_lead_vowels as lead_v
from pythainlp import thai_tonemarks as tonemarks
from pythainlp.corpus import thai_words
from pythainlp.util import normalize as thai_normalize

from siianalysis import text
from siianalysis.readers import UnreadableFile, read_file

ROOT = Path(__file__).resolve().parents[1]

# The forms before the fast paths, as they were written.
_NONBASE = f"{above_v}{below_v}{tonemarks}\u0e3a\u0e4c\u0e4d\u0e4e"
PLAIN_NEEDS = re.compile(
    f"[{tonemarks}\u0e4c][{above_v}{below_v}]"
    f"|([{follow_v}{lead_v}{above_v}{below_v}\u0e3a\u0e4c\u0e4d\u0e4e])[ ]*\\1"
    f"|[{tonemarks}]{{2,}}"
    f"|\u0e4d[{tonemarks}]*\u0e32"
    f"|[{follow_v}][{tonemarks}]"
    f"|(?:^|[^\u0e24\u0e26])\u0e45"
    f"|(?:^|\\s)[{_NONBASE}]"
    f"|[ก-ฮ] [{_NONBASE}]"
)


def plain_clean(value: str) -> str:
    t = text.drop_control_characters(value)
    t = unicodedata.normalize("NFC", t.replace("\r\n", "\n").replace("\r", "\n"))
    t = text._INVISIBLE.sub("", t)
    t = text._SPACES.sub(" ", t)
    t = text._LINE_SPACES.sub("\n", t)
    t = text._BLANK_LINES.sub("\n\n", t).strip()
    return thai_normalize(t) if PLAIN_NEEDS.search(t) else t


def plain_fold(value: str, keep_examples: bool = False) -> str:
    t = plain_clean(value)
    t = text.arabic_digits(t)
    t = text._NUMBERING.sub("", t, count=1).strip()
    if not keep_examples:
        t = text._EXAMPLES.sub("", t).strip()
    return text._FOLD_DROP.sub("", t.translate(text._QUOTES).lower())


def _cell_texts() -> list[str]:
    cells: set[str] = set()
    files = [p for folder in (ROOT / "data" / "raw", ROOT / "tests" / "fixtures") for p in sorted(folder.rglob("*"))
             if p.is_file() and p.suffix.lower() in (".xlsx", ".docx", ".ods", ".odt", ".csv", ".xls")]
    for path in files:
        try:
            docs = read_file(path)
        except (UnreadableFile, Exception):  # a fixture made to be refused
            continue
        cells.update(c for d in docs for g in d.grids for row in g.cells for c in row if c)
    return sorted(cells)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    rnd = random.Random(14)
    thai = [chr(c) for c in range(0x0E01, 0x0E5C)] + [" ", " ", "\n", "a", "1", "\t", "\u00a0", "“", "–"]
    marks = list(set(_NONBASE + follow_v + lead_v + "\u0e45\u0e24\u0e26\u0e32 ก"))
    made = ["".join(rnd.choice(thai) for _ in range(rnd.randint(1, 10))) for _ in range(100_000)]
    made += ["".join(rnd.choice(marks) for _ in range(rnd.randint(1, 6))) for _ in range(50_000)]
    words = list(thai_words())
    cells = _cell_texts()
    assert len(cells) > 1000  # the sample and the fixtures were read
    labels = ["1. ตัวอย่าง ข้อความ", "เช่น", "ได้แก่ ก ข", "“ทีม” – ก", "ข้อ 3) ‘ก’ — ข−ค"]
    return cells + words + made + labels


def test_normalize_search_is_the_plain_one(texts):
    assert [t for t in texts if bool(text._NEEDS_THAI_NORMALIZE.search(t)) != bool(PLAIN_NEEDS.search(t))] == []
    assert text._NEEDS_THAI_NORMALIZE.search("ก่่า") and text._NEEDS_THAI_NORMALIZE.search(" ่ก")
    assert not text._NEEDS_THAI_NORMALIZE.search("ฤๅษี") and text._NEEDS_THAI_NORMALIZE.search("กๅ")


def test_clean_and_fold_are_the_plain_ones(texts):
    sample = texts[:60_000]
    assert [t for t in sample if text.clean(t) != plain_clean(t)] == []
    assert [t for t in sample if text.fold(t) != plain_fold(t)] == []
    assert [t for t in sample if text.fold_keep_examples(t) != plain_fold(t, keep_examples=True)] == []
    assert text.fold("“ทีม” – ก เช่น ข") == "ทีมก" and text.fold_keep_examples("ก เช่น ข") == "กเช่นข"
