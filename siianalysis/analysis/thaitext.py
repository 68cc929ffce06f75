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
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

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


def tokenize(text: str, *, keep_whitespace: bool = False, words: str | Path | None = None) -> list[str]:
    """Tokens of ``text`` (newmm + default dictionary + domain words).

    ``words``: another domain word list file instead of the bundled one.
    Whitespace tokens are dropped unless ``keep_whitespace``.
    """
    from pythainlp.tokenize import word_tokenize

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
    is in ``skip_fields`` are left out.
    """
    by = [by] if isinstance(by, str) else list(by or [])
    cols = [*by, "rank", "term", "tambons", "texts", "count"]
    texts_df = texts_df[~texts_df["field"].isin(skip_fields)] if "field" in texts_df else texts_df
    if texts_df.empty:
        return pd.DataFrame(columns=cols)
    extra = frozenset(s.casefold() for s in extra_stopwords)
    lines = []
    for i, (tid, text) in enumerate(zip(texts_df["tambon_id"], texts_df["text"], strict=True)):
        for term, count in Counter(t for t in tokenize(text) if is_term(t, extra)).items():
            lines.append((i, tid, term, count))
    found = pd.DataFrame(lines, columns=["_i", "tambon_id", "term", "count"])
    if found.empty:
        return pd.DataFrame(columns=cols)
    if by:  # _i is the text's position in texts_df
        found = found.join(texts_df[by].reset_index(drop=True), on="_i")
    agg = found.groupby([*by, "term"], as_index=False).agg(
        tambons=("tambon_id", "nunique"), texts=("_i", "nunique"), count=("count", "sum")
    )
    agg = agg.sort_values([*by, "tambons", "count", "term"], ascending=[*[True] * len(by), False, False, True])
    agg["rank"] = agg.groupby(by).cumcount() + 1 if by else range(1, len(agg) + 1)
    return agg[agg["rank"] <= n][cols].reset_index(drop=True)


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
        s = squash(text)
        keys = {}  # squashed keyword -> first spelling listed (รพ.สต and รพสต are one)
        for k in self.keywords:
            keys.setdefault(squash(k), k)
        found = [k for key, k in keys.items() if key and key in s]
        found += [p for p in self.patterns if re.search(p, s, flags=re.IGNORECASE)]
        return found


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
    Texts whose ``field`` is in ``skip_fields`` are left out.
    """
    if themes is None or isinstance(themes, (str, Path)):
        themes = load_themes(themes)
    texts_df = texts_df[~texts_df["field"].isin(skip_fields)]
    lines = []
    for rec in texts_df[[*TEXT_KEY, "text"]].itertuples(index=False):
        for theme in themes:
            found = theme.matches(rec.text)
            if found:
                lines.append((*rec[:4], theme.code, theme.th, theme.en, "; ".join(found), rec.text))
    return pd.DataFrame(lines, columns=[*TEXT_KEY, "theme", "theme_th", "theme_en", "matched", "text"])


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
