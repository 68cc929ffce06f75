"""Thai free text: tokens, frequent terms and themes (content analysis).

Tokenising is PyThaiNLP's dictionary-based ``newmm`` engine, offline, with a
custom dictionary = PyThaiNLP's default word list + the project's domain words
(``data/domain_words.txt``). Without them ผู้นำการเปลี่ยนแปลง splits into
ผู้นำ | การเปลี่ยนแปลง and รพ.สต. into รพ. | สต., and term counts would count
fragments. The dictionary (a Trie of ~62,000 words) is built once, on first use.

Themes (``data/themes.yaml``) are matched on the text itself, not on tokens: a
keyword is a substring of the text after both are squashed (lower case, Arabic
digits, no spaces, no dots), which survives the stray spaces teams type inside
words and words the tokenizer does not know.

Cost is bounded: newmm takes longer than linear on very long texts (one 10 MB
cell kept the network report's themes busy for 495 s), so the analysis reads
at most ``MAX_TEXT_CHARS`` of one text and ``MAX_TAMBON_CHARS`` of one tambon's
texts (in table order) and says where it cut: a ``TextCutWarning`` naming each
cut text (tambon, table, row, field, characters written and read), and the
cuts in the result's ``attrs["cut"]``. Worksheet cells hold hundreds of
characters; only a pasted document or a runaway formula is ever cut.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from siianalysis.text import arabic_digits, clean

DATA = Path(__file__).resolve().parent.parent / "data"
DOMAIN_WORDS = DATA / "domain_words.txt"
THEMES = DATA / "themes.yaml"
TEXT_KEY = ["tambon_id", "table", "row_code", "field"]
# Texts that are not content: the row label as the team wrote it when it only
# restates the codebook's (the parser keeps it as field "written_label").
NOT_CONTENT = ("written_label",)

# a token made only of punctuation, symbols, digits (Thai or Arabic) or spaces
_NOISE = re.compile(r"^[\W\d_\u0e50-\u0e59\u0e2f\u0e46\u0e5a\u0e5b]*$")  # \u0e50-\u0e59: Thai digits
_SQUASH = re.compile(r"[\s.]+")

# What one analysis reads at most (characters; see the module docstring). 20,000 is ten times
# the longest cell in the sample network; 200,000 a hundred cells of 2,000 for one tambon.
MAX_TEXT_CHARS = 20_000
MAX_TAMBON_CHARS = 200_000
CUT_COLUMNS = [*TEXT_KEY, "chars", "read"]
_CUTS_NAMED = 3  # cut texts named in one warning


class TextCutWarning(UserWarning):
    """Text analysis read only the first part of some texts (the bounds of ``thaitext``)."""


def _cut(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text``, ended at a space or line break when one is
    near (so no word is cut in two where the writer separated words)."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = max(head.rfind(" "), head.rfind("\n"))
    return head[:space] if space >= limit * 0.9 else head


def bounded_texts(texts_df: pd.DataFrame, max_chars: int | None = MAX_TEXT_CHARS,
                  max_tambon_chars: int | None = MAX_TAMBON_CHARS) -> tuple[pd.Series, pd.DataFrame]:
    """What the analysis reads of each text: ``(texts, cuts)``.

    ``texts``: the ``text`` column (as ``str``, same index), each text cut to ``max_chars``
    and each tambon's texts, in order, to ``max_tambon_chars`` in all (the text that
    reaches that budget is cut, those after it read as ``""``); ``None`` leaves that
    bound off. Cuts end at a space or line break near the bound, if there is one. ``cuts``: one line per text
    read in part, ``tambon_id, table, row_code, field, chars, read`` (columns of
    ``texts_df`` it lacks are blank), empty when nothing was cut.
    """
    # a text column already of strings stays as it is (Arrow): no Python object per text
    text = texts_df["text"].fillna("").astype(str) if "text" in texts_df else pd.Series([], dtype=object)
    lengths = text.str.len()
    tambons = texts_df["tambon_id"].astype(str) if "tambon_id" in texts_df else pd.Series("", index=text.index)
    over_text = max_chars is not None and bool((lengths > max_chars).any())
    over_tambon = max_tambon_chars is not None and bool(
        (lengths.clip(upper=max_chars).groupby(tambons.to_numpy()).sum() > max_tambon_chars).any()
        if len(text) else False)
    if not (over_text or over_tambon):
        return text, pd.DataFrame(columns=CUT_COLUMNS)
    left: dict[str, float] = {}
    out, cuts = [], []
    keys = [texts_df[c].astype(str) if c in texts_df else pd.Series("", index=text.index) for c in TEXT_KEY]
    for i, (value, tid) in enumerate(zip(text, tambons, strict=True)):
        budget = left.setdefault(tid, float("inf") if max_tambon_chars is None else max_tambon_chars)
        limit = int(min(budget, float("inf") if max_chars is None else max_chars, len(value)))
        read = _cut(value, limit) if limit < len(value) else value
        # a text cut by the tambon's budget ends that tambon's reading (no stray fragments after it)
        left[tid] = 0 if len(read) < len(value) and limit == budget else budget - len(read)
        if len(read) < len(value):
            cuts.append((*(k.iat[i] for k in keys), len(value), len(read)))
        out.append(read)
    cut_df = pd.DataFrame(cuts, columns=CUT_COLUMNS)
    _warn_cut(cut_df)
    return pd.Series(out, index=text.index, dtype=object), cut_df


def _warn_cut(cuts: pd.DataFrame) -> None:
    if cuts.empty:
        return
    named = [f"tambon {r.tambon_id} {r.table} {r.row_code} {r.field}: first {r.read:,} of {r.chars:,} characters"
             for r in cuts.head(_CUTS_NAMED).itertuples()]
    more = f"; and {len(cuts) - _CUTS_NAMED} more" if len(cuts) > _CUTS_NAMED else ""
    warnings.warn(TextCutWarning(f"text analysis read {len(cuts)} text(s) in part ({'; '.join(named)}{more}); "
                                 f"bounds: {MAX_TEXT_CHARS:,} characters a text, {MAX_TAMBON_CHARS:,} a tambon"),
                  stacklevel=3)


# --- tokenising --------------------------------------------------------------


@cache
def domain_words(path: str | None = None) -> frozenset[str]:
    """The domain words (one a line, ``#`` comments) of ``path`` or the bundled list."""
    lines = Path(path or DOMAIN_WORDS).read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in (line.split("#", 1)[0].strip() for line in lines) if w)


@cache
def _trie(path: str | None = None):
    # PyThaiNLP is imported here, not at module level: building the dictionary
    # costs ~0.5 s and only text analysis needs it.
    from pythainlp.corpus import thai_words
    from pythainlp.util import dict_trie

    return dict_trie(dict_source=set(thai_words()) | domain_words(path))


def tokenize(text: str, *, keep_whitespace: bool = False, words: str | Path | None = None,
             max_chars: int | None = MAX_TEXT_CHARS) -> list[str]:
    """Tokens of ``text`` (newmm + default dictionary + domain words).

    ``words``: another domain word list file instead of the bundled one.
    Whitespace tokens are dropped unless ``keep_whitespace``. A text longer than
    ``max_chars`` is read up to there (``TextCutWarning``); ``None``: no bound.
    """
    from pythainlp.tokenize import word_tokenize

    if max_chars is not None and text is not None and len(str(text)) > max_chars:
        written = str(text)
        text = _cut(written, max_chars)
        warnings.warn(TextCutWarning(f"tokenize read the first {len(text):,} of {len(written):,} characters "
                                     f"(bound: {max_chars:,} characters a text)"), stacklevel=2)
    text = clean(text)
    if not text:
        return []
    trie = _trie(str(words) if words else None)
    tokens = word_tokenize(text, custom_dict=trie, engine="newmm", keep_whitespace=keep_whitespace)
    return tokens if keep_whitespace else [t for t in tokens if t.strip()]


@cache
def stopwords() -> frozenset[str]:
    """PyThaiNLP's Thai stopwords (ที่, และ, การ, …) and the project's own
    (``data/stopwords_th.txt``: words every worksheet uses, which say nothing
    about what a tambon does)."""
    from pythainlp.corpus import thai_stopwords

    own = files("siianalysis").joinpath("data/stopwords_th.txt").read_text(encoding="utf-8")
    words = {w.strip() for w in own.splitlines() if w.strip() and not w.startswith("#")}
    return frozenset(thai_stopwords()) | frozenset(words)


def is_term(token: str, extra_stopwords: Iterable[str] = ()) -> bool:
    """A token worth counting: not a stopword, not punctuation/digits, over 1 character."""
    token = token.strip()
    return (
        len(token) > 1
        and not _NOISE.match(token)
        and token not in stopwords()
        and token.casefold() not in extra_stopwords
    )


def terms(text: str, extra_stopwords: Iterable[str] = ()) -> list[str]:
    """The countable tokens of ``text`` (``tokenize`` then ``is_term``)."""
    extra = frozenset(s.casefold() for s in extra_stopwords)
    return [t for t in tokenize(text) if is_term(t, extra)]


def top_terms(
    texts_df: pd.DataFrame,
    by: Sequence[str] | str | None = ("table", "field"),
    n: int = 15,
    extra_stopwords: Iterable[str] = (),
    skip_fields: Sequence[str] = NOT_CONTENT,
) -> pd.DataFrame:
    """The ``n`` most used terms per group of ``by`` (columns of ``texts_df``).

    Columns: ``*by, rank, term, tambons, texts, count`` where ``tambons`` = number
    of tambons whose texts use the term, ``texts`` = number of texts using it,
    ``count`` = occurrences. Ranked by ``tambons``, then ``count``, then the
    term (so one verbose team does not outweigh many teams that use a word once).
    ``by=None`` or ``[]``: one ranking over all texts. Texts whose ``field``
    is in ``skip_fields`` are left out. Texts are read within the module's bounds
    (``bounded_texts``); the result's ``attrs["cut"]`` lists the texts read in part.
    """
    by = [by] if isinstance(by, str) else list(by or [])
    cols = [*by, "rank", "term", "tambons", "texts", "count"]
    texts_df = texts_df[~texts_df["field"].isin(skip_fields)] if "field" in texts_df else texts_df
    if texts_df.empty:
        return pd.DataFrame(columns=cols)
    read, cuts = bounded_texts(texts_df)
    found = _term_occurrences(read, frozenset(s.casefold() for s in extra_stopwords))
    if found is None:
        return _with_cuts(pd.DataFrame(columns=cols), cuts)
    rows, term_ids, counts, terms_seen = found
    # integer codes, not a Python tuple per (text, term): at 7,255 tambons ~2 million of them
    # held ~300 MB for the length of the count
    codes = {c: pd.factorize(texts_df[c].to_numpy()) for c in by}
    tambons = pd.factorize(texts_df["tambon_id"].to_numpy())[0][rows].astype(float)
    tambons[tambons < 0] = np.nan  # a missing tambon id counts no tambon (as nunique)
    occ = pd.DataFrame({**{f"_by{j}": codes[c][0][rows] for j, c in enumerate(by)}, "_term": term_ids,
                        "_tambon": tambons, "count": counts})
    group = [*(f"_by{j}" for j in range(len(by))), "_term"]
    occ = occ[(occ[group[:-1]] >= 0).all(axis=1)] if by else occ  # a missing group key: no group (as groupby)
    # a text counts a term once (its occurrences are summed first), so texts = lines of the group
    agg = occ.groupby(group, sort=False).agg(tambons=("_tambon", "nunique"), texts=("_term", "size"),
                                             count=("count", "sum")).reset_index()
    for j, c in enumerate(by):
        agg[c] = pd.Series(codes[c][1][agg[f"_by{j}"].to_numpy()], dtype=texts_df[c].dtype)
    agg["term"] = pd.Series(np.asarray(terms_seen, dtype=object)[agg["_term"].to_numpy()], dtype="str")
    agg = agg.astype({"tambons": "int64", "texts": "int64", "count": "int64"})
    agg = agg[[*by, "term", "tambons", "texts", "count"]]
    agg = agg.sort_values([*by, "tambons", "count", "term"], ascending=[*[True] * len(by), False, False, True])
    agg["rank"] = agg.groupby(by).cumcount() + 1 if by else range(1, len(agg) + 1)
    return _with_cuts(agg[agg["rank"] <= n][cols].reset_index(drop=True), cuts)


def _term_occurrences(read: pd.Series, extra: frozenset[str]):
    """``(rows, term_ids, counts, terms)``: for each text of ``read`` (by position) each term it
    uses once, with its count in that text, as integer arrays (``terms[term_id]`` is the term);
    ``None`` when no text has a term. Each distinct text is segmented once (teams copy lines:
    from a template, from one round to the next, from one row to another), and newmm is the
    whole cost here."""
    term_id: dict[str, int] = {}
    flat_terms, flat_counts = array("q"), array("q")
    span: dict[str, tuple[int, int]] = {}  # distinct text -> (start, length) in the flat arrays
    starts, lengths = np.empty(len(read), dtype=np.int64), np.empty(len(read), dtype=np.int64)
    for i, text in enumerate(read):
        where = span.get(text)
        if where is None:
            counted = Counter(t for t in tokenize(text, max_chars=None) if is_term(t, extra))
            where = span[text] = (len(flat_terms), len(counted))
            flat_terms.extend(term_id.setdefault(t, len(term_id)) for t in counted)
            flat_counts.extend(counted.values())
        starts[i], lengths[i] = where
    total = int(lengths.sum())
    if not total:
        return None
    rows = np.repeat(np.arange(len(read)), lengths)
    # position of each occurrence in the flat arrays: its text's start + its rank within the text
    within = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    pos = np.repeat(starts, lengths) + within
    terms_seen = list(term_id)
    return (rows, np.frombuffer(flat_terms, dtype=np.int64)[pos], np.frombuffer(flat_counts, dtype=np.int64)[pos],
            terms_seen)


def _with_cuts(df: pd.DataFrame, cuts: pd.DataFrame) -> pd.DataFrame:
    if not cuts.empty:
        df.attrs["cut"] = cuts
    return df


# --- themes --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Theme:
    """A content-analysis theme: code, labels, and what tags a text with it."""

    code: str
    th: str
    en: str
    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    def label(self, lang: str = "th") -> str:
        return self.en if lang == "en" else self.th

    def matches(self, text: str) -> list[str]:
        """Keywords and patterns of this theme found in ``text`` (as written in the codebook)."""
        return self.found_in(squash(text))

    def found_in(self, squashed: str) -> list[str]:
        """``matches`` of a text already ``squash``-ed (one squash serves every theme)."""
        found = [k for key, k in _squashed_keywords(self).items() if key and key in squashed]
        found += [p for p in self.patterns if re.search(p, squashed, flags=re.IGNORECASE)]
        return found


@cache
def _squashed_keywords(theme: Theme) -> dict[str, str]:
    """Squashed keyword -> first spelling listed (รพ.สต and รพสต are one)."""
    keys: dict[str, str] = {}
    for k in theme.keywords:
        keys.setdefault(squash(k), k)
    return keys


def squash(text: str) -> str:
    """The form themes are matched on: NFC, lower case, Arabic digits, no spaces or dots."""
    text = unicodedata.normalize("NFC", arabic_digits(str(text or ""))).casefold()
    return _SQUASH.sub("", text)


@cache
def _themes(path: str) -> tuple[Theme, ...]:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    themes = tuple(
        Theme(
            code=str(t["code"]),
            th=str(t.get("th", t["code"])),
            en=str(t.get("en", t["code"])),
            keywords=tuple(str(k) for k in t.get("keywords", ()) or ()),
            patterns=tuple(str(p) for p in t.get("patterns", ()) or ()),
        )
        for t in data["themes"]
    )
    for theme in themes:  # fail on a bad regex when loading, not mid-analysis
        for p in theme.patterns:
            re.compile(p)
    return themes


def load_themes(path: str | Path | None = None) -> tuple[Theme, ...]:
    """The theme codebook of ``path`` (YAML) or the bundled ``data/themes.yaml``."""
    return _themes(str(Path(path) if path else THEMES))


def tag_themes(texts_df: pd.DataFrame, themes: Sequence[Theme] | str | Path | None = None,
               skip_fields: Sequence[str] = NOT_CONTENT) -> pd.DataFrame:
    """One line per text × theme it carries.

    Columns: ``tambon_id, table, row_code, field, theme, theme_th, theme_en,
    matched`` (the keywords/patterns found, "; "-joined), ``text``.
    ``themes``: Theme objects, a themes YAML path, or None for the bundled one.
    Texts whose ``field`` is in ``skip_fields`` are left out. Themes are looked for
    within the module's bounds (``bounded_texts``); ``text`` is the text as written, and
    the result's ``attrs["cut"]`` lists the texts read in part.
    """
    if themes is None or isinstance(themes, (str, Path)):
        themes = load_themes(themes)
    texts_df = texts_df[~texts_df["field"].isin(skip_fields)]
    read, cuts = bounded_texts(texts_df)
    tagged_as: dict[str, list[tuple[int, str]]] = {}  # one matching per distinct text
    at, which, matched = [], [], []  # a text's position, the theme's, what was found
    for i, text in enumerate(read):
        hits = tagged_as.get(text)
        if hits is None:
            squashed = squash(text)
            hits = tagged_as[text] = [(k, "; ".join(found)) for k, theme in enumerate(themes)
                                      if (found := theme.found_in(squashed))]
        for k, found in hits:
            at.append(i)
            which.append(k)
            matched.append(found)
    # the texts' own columns taken by position, not a Python tuple per line
    columns = [*TEXT_KEY, "theme", "theme_th", "theme_en", "matched", "text"]
    lines = texts_df.iloc[at]
    theme_of = [themes[k] for k in which]
    tagged = pd.DataFrame({
        **{c: _column(lines[c]) for c in TEXT_KEY},
        "theme": [x.code for x in theme_of], "theme_th": [x.th for x in theme_of], "theme_en": [x.en for x in theme_of],
        "matched": matched, "text": _column(lines["text"]),
    }, columns=columns) if at else pd.DataFrame([], columns=columns)
    return _with_cuts(tagged, cuts)


def _column(values: pd.Series) -> pd.Series | Any:
    """A column of ``values`` for a new frame: kept as it is when already strings (Arrow: no
    Python object per cell), else its values, for the frame to infer their type."""
    return values.reset_index(drop=True) if isinstance(values.dtype, pd.StringDtype) else values.to_numpy()


def theme_counts(
    tagged: pd.DataFrame,
    themes: Sequence[Theme] | str | Path | None = None,
    by: Sequence[str] | str | None = None,
    n_tambons: int | None = None,
) -> pd.DataFrame:
    """Per theme (every theme of the codebook, 0 when unused), in codebook order:
    ``*by, theme, theme_th, theme_en, tambons, texts`` and, when ``n_tambons``
    is given, ``tambon_share`` = tambons / n_tambons.

    ``tagged``: a ``tag_themes`` result. ``tambons`` = distinct tambons with a
    text carrying the theme; ``texts`` = texts carrying it. ``by``: also split
    by these columns of ``tagged`` (e.g. "table").
    """
    if themes is None or isinstance(themes, (str, Path)):
        themes = load_themes(themes)
    by = [by] if isinstance(by, str) else list(by or [])
    base = pd.DataFrame(
        [(t.code, t.th, t.en, i) for i, t in enumerate(themes)], columns=["theme", "theme_th", "theme_en", "_o"]
    )
    if by:
        groups = tagged[by].drop_duplicates()
        base = groups.merge(base, how="cross") if not groups.empty else base.assign(**{c: "" for c in by})
    counts = tagged.groupby([*by, "theme"], as_index=False).agg(
        tambons=("tambon_id", "nunique"), texts=("text", "size")
    ) if not tagged.empty else pd.DataFrame(columns=[*by, "theme", "tambons", "texts"])
    out = base.merge(counts, on=[*by, "theme"], how="left")
    out[["tambons", "texts"]] = out[["tambons", "texts"]].fillna(0).astype("int64")
    if n_tambons:
        out["tambon_share"] = out["tambons"] / n_tambons
    out = out.sort_values([*by, "_o"], kind="stable").drop(columns="_o")
    return out[[*by, *[c for c in out.columns if c not in by]]].reset_index(drop=True)
