"""People's names in worksheet text, found by the title or role word written before them.

A Thai name has no shape a pattern could see, and worksheets are full of words
that are names too (ปัญญา, ทองคำ, มาลัย). What marks a person is the word before
the name: a title (นาย, นางสาว, คุณ, ดร., a rank, a monk's title) or a role
(กำนัน, ผู้ใหญ่บ้าน, อสม., ครู, ลุง). The words, what each kind means and why are
data (``data/personal_data.yaml``); PyThaiNLP's lists of Thai given and family
names (``pythainlp.corpus``) are the second signal. The rules:

- A title or role counts only where it is a word of its own: the text around it
  is tokenised (PyThaiNLP ``newmm``, with the project's domain words, the titles
  and the name lists in its dictionary), and a title must end where a token ends.
  คุณภาพ, นายอำเภอ, นางพยาบาล, ผู้ทรงคุณวุฒิ, พระธาตุ are single tokens, so the
  title-looking start of them is no title.
- Places are never names: a title in the same run of letters as a place word
  before it (ต.นางแล, บ้านนายาว, หมู่บ้านนางเหลียว, วัดพระธาตุ…), or right after one
  space after it, and an official tambon, district or province name (geothai)
  written where the title starts (นางแล, นายายอาม), are left alone.
- After a title, the name is the run of Thai letters that follows (after up to two
  spaces), unless its first word is one that is never a name (``not_names``; and a
  PyThaiNLP stop word that no name list knows). A run that ends at a space,
  punctuation or a digit is the name when it is short (at most 15 letters) and holds
  no such word; a longer run is cut where the name ends (the longest start of it the
  name lists know, else the first token and the unknown fragments after it).
  A run followed by "." is an abbreviation (นายก อบต.), not a name.
- After a role, the name must be one the given-name lists know, or be followed by
  a family name the lists know: roles are written alone as often as before a name.
- A family name follows a given name after one to three spaces or a line break: a
  run the family-name list knows, or any run of at most 20 letters that is no
  everyday word (counted at least ``everyday_word_frequency`` times in PyThaiNLP's
  Thai National Corpus: เจ้าหน้าที่, เยาวชน; an everyday word is taken where a
  contact line ends the name: a line break, punctuation, a digit or a contact
  word such as โทร follows it), holds no everyday word that fewer than
  ``family_word_names`` of the listed family names hold (the verbs that go on the
  sentence: สอน…, ปลูก…) and no domain word (the worksheets' own vocabulary:
  เก็บข้อมูล), and is no title, role, place or never-a-name word.
- English: Mr, Mrs, Ms, Miss, Mx, Dr (case as written), then a dot or a space, before
  one to three capitalised words.
- Without any title: a given name the lists know (not a stop word) followed by a
  space and a family name the lists know, not both everyday words, both at least
  three letters: two lists agreeing is signal enough.

Each name found is one span (given name to family name); its masked form keeps
each word's first letter and the separators: "สมชาย ใจดี" → "ส*** ใ***". A masked
name is never found again (one letter is no name), so masking twice changes
nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from .thaitext import domain_words

DATA = Path(__file__).resolve().parent.parent / "data" / "personal_data.yaml"
NAME_MASK = "***"
MAX_GIVEN = 15   # letters of a given name taken whole from a run that ends at a space
MAX_RUN = 30     # letters looked at after a title
MAX_FAMILY = 20  # letters of a family name not in the lists
MAX_LOOK_BACK = 30

_THAI_LETTER = "\u0e01-\u0e3a\u0e40-\u0e4e"  # consonants, vowels, tone and other marks; no digits, no ฯ
_RUN = re.compile(f"[{_THAI_LETTER}]+")
_IS_THAI_LETTER = re.compile(f"[{_THAI_LETTER}]")
_SPACES = re.compile(r"[ \u00a0]{1,3}|[ \u00a0]*\r?\n[ \u00a0]*")
_TITLE_SPACES = re.compile(r"[ \u00a0]{0,2}")
_WORD_SPLIT = re.compile(r"(\s+)")


@dataclass(frozen=True)
class NameWords:
    """The words of ``data/personal_data.yaml``, each kind as a set."""

    titles: frozenset[str]
    roles: frozenset[str]
    place_words: frozenset[str]
    not_names: frozenset[str]
    contact_words: frozenset[str]
    english_titles: frozenset[str]
    everyday_word_frequency: int
    family_word_names: int

    @property
    def cues(self) -> frozenset[str]:
        return self.titles | self.roles


def _words(groups: Iterable[dict]) -> frozenset[str]:
    return frozenset(str(w) for g in groups for w in g["words"])


@cache
def name_words(path: str | None = None) -> NameWords:
    """The title, role, place and never-a-name words (``data/personal_data.yaml`` or ``path``)."""
    data = yaml.safe_load(Path(path or DATA).read_text(encoding="utf-8"))
    return NameWords(
        titles=_words(data["titles"]),
        roles=_words(data["roles"]),
        place_words=_words(data["place_words"]),
        not_names=_words(data["not_names"]) | frozenset(data["contact_words"]),
        contact_words=frozenset(data["contact_words"]),
        english_titles=frozenset(data["english_titles"]["words"]),
        everyday_word_frequency=int(data["everyday_word_frequency"]),
        family_word_names=int(data["family_word_names"]),
    )


@cache
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """PyThaiNLP's Thai given names (female and male) and family names."""
    from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names

    return frozenset(thai_female_names()) | frozenset(thai_male_names()), frozenset(thai_family_names())


@cache
def _dictionary() -> tuple[frozenset[str], frozenset[str]]:
    """(everyday words: PyThaiNLP's word list and the domain words; its stop words)."""
    from pythainlp.corpus import thai_stopwords, thai_words

    return frozenset(thai_words()) | domain_words(), frozenset(thai_stopwords())


@cache
def _frequencies() -> dict[str, int]:
    """Word counts of PyThaiNLP's Thai National Corpus."""
    from pythainlp.corpus import tnc

    return dict(tnc.word_freqs())


def _everyday(word: str) -> bool:
    """Whether ``word`` is an everyday word (counted often in the Thai National Corpus)."""
    return _frequencies().get(word, 0) >= name_words().everyday_word_frequency


@cache
def _family_words() -> dict[str, int]:
    """How many of the family names in the lists contain each word (the project's tokenizer)."""
    from .thaitext import tokenize

    counts: dict[str, int] = {}
    for name in name_lists()[1]:
        for word in set(tokenize(name)):
            counts[word] = counts.get(word, 0) + 1
    return counts


def _unlike_a_family_name(word: str) -> bool:
    """Whether ``word`` holds an everyday word that (almost) no family name holds (สอน…, ปลูก…),
    or a word of the worksheets' own vocabulary (the domain words: เก็บข้อมูล, อสม. …)."""
    from .thaitext import tokenize

    nw = name_words()
    family_words = _family_words()
    domain = domain_words()
    return any(t in domain or (_everyday(t) and family_words.get(t, 0) < nw.family_word_names)
               for t in tokenize(word))


@cache
def _trie():
    from pythainlp.util import dict_trie

    given, family = name_lists()
    words, _ = _dictionary()
    nw = name_words()
    return dict_trie(dict_source=set(words | given | family | nw.cues | nw.place_words))


def _tokens(text: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize

    return word_tokenize(text, custom_dict=_trie(), engine="newmm", keep_whitespace=True) if text else []


def _bounds(tokens: list[str]) -> set[int]:
    out, pos = {0}, 0
    for tok in tokens:
        pos += len(tok)
        out.add(pos)
    return out


@cache
def _cue_pattern() -> re.Pattern[str]:
    # every place a title or role starts (overlapping), longest words tried first in code
    words = sorted(name_words().cues, key=len, reverse=True)
    return re.compile("(?=(" + "|".join(re.escape(w) for w in words) + "))")


@cache
def _english_pattern() -> re.Pattern[str]:
    titles = "|".join(sorted(name_words().english_titles, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z])(?:{titles})(?:\.[ \u00a0]*|[ \u00a0]+)"
                      r"(?P<name>[A-Z][a-z]+(?:[ \u00a0-][A-Z][a-z]+){0,2})(?![A-Za-z])")


@cache
def _places_by_start() -> dict[str, tuple[str, ...]]:
    """Official place names (tambon, district, province) that start with a title or role word."""
    import geothai

    names = set()
    for p in geothai.provinces():
        names.add(p.name_th)
        for d in geothai.districts(p.code):
            names.add(d.name_th)
            names.update(s.name_th for s in geothai.subdistricts(d.code))
    cues = name_words().cues
    out: dict[str, list[str]] = {}
    for name in names:
        for cue in cues:
            if name.startswith(cue) and len(name) > len(cue):
                out.setdefault(cue, []).append(name)
    return {cue: tuple(sorted(v, key=len, reverse=True)) for cue, v in out.items()}


def mask_word(word: str) -> str:
    """A name word masked: its first letter and ``***`` ("สมชาย" → "ส***")."""
    return word[:1] + NAME_MASK


def mask_name(name: str) -> str:
    """A name masked word by word, separators kept ("สมชาย ใจดี" → "ส*** ใ***")."""
    parts = _WORD_SPLIT.split(name)
    return "".join(p if not p or p.isspace() else mask_word(p) for p in parts)


def _never_a_name(word: str) -> bool:
    nw = name_words()
    given, _ = name_lists()
    _, stop = _dictionary()
    return (word in nw.not_names or word in nw.cues or word in nw.place_words
            or (word in stop and word not in given))


def _look_back(text: str, p: int) -> str:
    """The letters and dots written right before ``p`` (no space between), at most MAX_LOOK_BACK."""
    i = p
    while i > 0 and p - i < MAX_LOOK_BACK and (_IS_THAI_LETTER.match(text[i - 1]) or text[i - 1] == "."):
        i -= 1
    return text[i:p]


def _in_place(text: str, p: int, cue: str) -> bool:
    """Whether the title or role at ``p`` is part of a place name."""
    nw = name_words()
    back = _look_back(text, p)
    if not back and p >= 2 and text[p - 1] == " ":
        back = _look_back(text, p - 1)
        tokens = _tokens(back)
        if tokens and (tokens[-1] in nw.place_words or back in nw.place_words):
            return True
    elif back and (any(back.endswith(w) for w in nw.place_words)
                   or any(t in nw.place_words for t in _tokens(back))):
        return True
    for place in _places_by_start().get(cue, ()):
        if text.startswith(place, p):
            end = p + len(place)
            if end == len(text) or not _IS_THAI_LETTER.match(text[end]):
                return True
            if end in {p + b for b in _bounds(_tokens(_RUN.match(text, p).group()))}:
                return True
    return False


def _cue_is_a_word(text: str, p: int, cue: str) -> bool:
    """Whether ``cue`` at ``p`` is a word of its own: it ends where a token ends, and it
    starts where one starts (or the token it ends is itself a title or role)."""
    q = p + len(cue)
    back = _look_back(text, p)
    run = _RUN.match(text, q)
    chunk = back + text[p:q] + (run.group()[:MAX_RUN] if run else "")
    tokens = _tokens(chunk)
    bounds = _bounds(tokens)
    start, end = len(back), len(back) + len(cue)
    if end not in bounds:
        return False
    if start in bounds:
        return True
    pos = 0
    for tok in tokens:  # the token that ends where the cue ends, starting before it
        if pos < start and pos + len(tok) == end:
            return tok in name_words().cues
        pos += len(tok)
    return False


def _given_name(run: str, role: bool, ends_free: bool) -> str:
    """The given name at the start of ``run`` (letters after a title or role), or ""."""
    given, family = name_lists()
    words, stop = _dictionary()
    tokens = [t for t in _tokens(run) if t]
    if not tokens or _never_a_name(tokens[0]):
        return ""
    # the longest start made of whole tokens that the given-name lists know
    known, acc = "", ""
    for tok in tokens:
        acc += tok
        if acc in given:
            known = acc
    if role:
        if ends_free and run in given:
            return run
        return known
    if ends_free and len(run) <= MAX_GIVEN and not any(
            t in stop or t in name_words().not_names for t in tokens[1:] if t not in given):
        return run
    if known:
        return known
    name = tokens[0]
    for tok in tokens[1:]:
        if tok in words or tok in stop:
            break
        name += tok
    return name if len(name) >= 2 else ""


def _name_ends(text: str, i: int) -> bool:
    """Whether the text at ``i`` ends a name as a contact line does: a line break,
    punctuation, a digit, or a contact word (after spaces). The end of the text does
    not: a sentence may stop on a verb ("อสม.สมชาย เก็บข้อมูล")."""
    rest = text[i:i + 40].lstrip(" \u00a0")
    if not rest:
        return False
    if rest[0] in "\n\r,;:()/[]+" or rest[0].isdigit():
        return True
    return any(rest.startswith(w) for w in name_words().contact_words)


def _family_name(text: str, g: int, strict: bool) -> int:
    """The end of a family name written after the given name ending at ``g`` (``g`` if none)."""
    gap = _SPACES.match(text, g)
    if not gap:
        return g
    s = gap.end()
    run = _RUN.match(text, s)
    if not run:
        return g
    word = run.group()
    given, family = name_lists()
    _, stop = _dictionary()
    nw = name_words()
    free = run.end() == len(text) or not _IS_THAI_LETTER.match(text[run.end()])
    if free and word in family:
        return run.end()
    if strict or not free or len(word) > MAX_FAMILY or len(word) < 2 or text.startswith(".", run.end()):
        return g
    if _never_a_name(word):
        return g
    if _everyday(word):
        # an everyday word is a family name only where a contact line ends the name
        return run.end() if _name_ends(text, run.end()) else g
    if _unlike_a_family_name(word):
        return g
    first = next((t for t in _tokens(word) if t), "")
    if first in nw.not_names or first in nw.place_words or (first in stop and first not in given | family):
        return g
    return run.end()


def _after_cue(text: str, q: int, role: bool) -> tuple[int, int] | None:
    """The name written after a title or role ending at ``q``: its span, or None."""
    s = _TITLE_SPACES.match(text, q).end()
    run = _RUN.match(text, s)
    if not run or len(run.group()) < 2:
        return None
    letters = run.group()[:MAX_RUN]
    after = s + len(letters)
    if after < len(text) and text[after] == ".":
        return None  # an abbreviation: นายก อบต.
    ends_free = run.end() == after
    name = _given_name(letters, role, ends_free)
    if not name:
        if not role or not ends_free or len(letters) > MAX_GIVEN:
            return None
        # a role before a name the lists do not know: only with a known family name after it
        end = _family_name(text, after, strict=True)
        return (s, end) if end > after and not _never_a_name(letters) else None
    g = s + len(name)
    if len(name) < 2 or (g < len(text) and text[g] == "*"):
        return None
    return s, _family_name(text, g, strict=False)


def _thai_names(text: str, taken: list[tuple[int, int]]) -> None:
    nw = name_words()
    for m in _cue_pattern().finditer(text):
        p = m.start()
        if any(a <= p < b for a, b in taken):
            continue
        for cue in sorted((c for c in nw.cues if text.startswith(c, p)), key=len, reverse=True):
            if _in_place(text, p, cue) or not _cue_is_a_word(text, p, cue):
                continue
            span = _after_cue(text, p + len(cue), role=cue in nw.roles and cue not in nw.titles)
            if span:
                if not any(a < span[1] and span[0] < b for a, b in taken):
                    taken.append(span)
                break


def _name_pairs(text: str, taken: list[tuple[int, int]]) -> None:
    given, family = name_lists()
    for m in _RUN.finditer(text):
        a, b = m.span()
        if any(x <= a < y for x, y in taken) or (a > 0 and (_IS_THAI_LETTER.match(text[a - 1]) or text[a - 1] in ".*")):
            continue
        first = m.group()
        if len(first) < 3 or first not in given or _never_a_name(first):
            continue
        gap = re.compile(r"[ \u00a0]{1,3}").match(text, b)
        if not gap:
            continue
        second = _RUN.match(text, gap.end())
        if not second or len(second.group()) < 3 or second.group() not in family:
            continue
        if second.end() < len(text) and (_IS_THAI_LETTER.match(text[second.end()]) or text[second.end()] == "*"):
            continue
        if _everyday(first) and _everyday(second.group()):
            continue
        taken.append((a, second.end()))


def find_names(text: str) -> list[tuple[int, int, str]]:
    """People's names in ``text``: ``(start, end, masked)``, in order of position."""
    if not text:
        return []
    taken: list[tuple[int, int]] = []
    for m in _english_pattern().finditer(text):
        taken.append(m.span("name"))
    if _IS_THAI_LETTER.search(text):
        _thai_names(text, taken)
        _name_pairs(text, taken)
    return [(a, b, mask_name(text[a:b])) for a, b in sorted(taken)]


def might_name(text: str) -> bool:
    """A quick test: False when ``text`` cannot hold a name this module finds."""
    return bool(_IS_THAI_LETTER.search(text) or _english_pattern().search(text))
