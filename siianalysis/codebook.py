"""The worksheets' codebook (``data/codebook.yaml``) as typed, frozen values.

The YAML is the one source of truth for tables, rows, outcomes, fields, Thai and
English labels, the spellings teams really use and the S-I-I lens. Code asks the
codebook; it never repeats a Thai label inline. Loaded on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

import yaml

from siianalysis.text import fold

Lang = Literal["th", "en"]
TABLES = ("people", "mechanism", "data", "summary")


# eq=False: codebook values are compared and hashed by identity. They are loaded
# once and used as cache keys on hot paths, where hashing their contents anew on
# every call cost more than reading the worksheet.
@dataclass(frozen=True, slots=True, eq=False)
class Label:
    """A Thai label, its English reading and the spellings teams write for it."""

    th: str
    en: str
    seed_th: str = ""
    aliases: tuple[str, ...] = ()

    def text(self, lang: Lang = "th") -> str:
        return self.en if lang == "en" else self.th

    def keys(self) -> frozenset[str]:
        """Folded forms this label is recognised by."""
        return _label_keys(self)


@cache
def _label_keys(label: Label) -> frozenset[str]:
    # English too: the template has an English version, and teams may fill that one.
    return frozenset(k for k in (fold(s) for s in (label.th, label.seed_th, label.en, *label.aliases)) if k)


@dataclass(frozen=True, slots=True)
class Outcome:
    code: str
    number: int
    label: Label
    short: Label
    lens: tuple[str, ...]
    table: str


@dataclass(frozen=True, slots=True)
class RowType:
    code: str
    number: int
    label: Label
    other: bool
    table: str
    examples_th: str = ""


@dataclass(frozen=True, slots=True)
class TextField:
    code: str
    label: Label
    cues: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class Table:
    code: str
    number: int
    pillar: str
    title: Label
    label_column: Label
    fields: tuple[TextField, ...]
    columns: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    rows: tuple[RowType, ...]

    @property
    def canonical_rows(self) -> tuple[RowType, ...]:
        """Rows the handout names (not the "other (specify)" slots)."""
        return tuple(r for r in self.rows if not r.other)

    @property
    def other_rows(self) -> tuple[RowType, ...]:
        return tuple(r for r in self.rows if r.other)

    def field(self, code: str) -> TextField:
        return next(f for f in self.fields if f.code == code)

    def row(self, code: str) -> RowType:
        return next(r for r in self.rows if r.code == code)

    def outcome(self, code: str) -> Outcome:
        return next(o for o in self.outcomes if o.code == code)


@dataclass(frozen=True, slots=True)
class Lens:
    code: str
    label: Label
    short: Label


@dataclass(frozen=True, slots=True)
class Option:
    """One choice of a closed list (a review pillar, a priority), with its spellings."""

    code: str
    label: Label


@dataclass(frozen=True, slots=True)
class Review:
    """The expert review workbook: its pillars, priorities and column headers."""

    pillars: tuple[Option, ...] = ()
    priorities: tuple[Option, ...] = ()
    columns: dict[str, Label] = field(default_factory=dict, hash=False)

    def pillar_of(self, written: str) -> str | None:
        """The pillar code a reviewer's text names (any label, alias or code), or None."""
        return _option_of(self.pillars, written)

    def priority_of(self, written: str) -> str | None:
        return _option_of(self.priorities, written)


def _option_of(options: tuple[Option, ...], written: str) -> str | None:
    key = fold(written)
    for option in options:
        if key and (key == option.code or key in option.label.keys()):
            return option.code
    return None


@dataclass(frozen=True, slots=True, eq=False)
class OutsideTables:
    """Text written outside the tables (``parse.outside``): the ``table`` code its notes
    are stored under in ``texts``, its label, and the handout's own lines that are no
    note (``handout_lines``, and the template's words named by ``template_words``)."""

    table: str = "note"
    label: Label = field(default_factory=lambda: Label("", ""))
    handout_lines: tuple[str, ...] = ()
    template_words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class Codebook:
    version: int
    tables: tuple[Table, ...]
    lenses: tuple[Lens, ...]
    outcomes_header: Label
    identity: dict[str, Label] = field(hash=False)
    # English identity labels that may follow the name ("Chiang Mai Province"), lower case.
    identity_after_name: frozenset[str] = frozenset()
    ticked: frozenset[str] = frozenset()
    not_ticked: frozenset[str] = frozenset()
    # Read by their table (``ticks:`` in the YAML says how): crosses, and the ticks
    # that look like one and so say nothing about what a cross means.
    crosses: frozenset[str] = frozenset()
    cross_like_ticks: frozenset[str] = frozenset()
    # Font (lower case) → {letter in the file: the mark the font shows}.
    symbol_fonts: dict[str, dict[str, str]] = field(default_factory=dict, hash=False)
    # Fills that never mark a tick ("#RRGGBB", upper case).
    unfilled_colours: frozenset[str] = frozenset()
    table_title_cue: str = ""
    # Every word that may start a title row ("ตารางที่ 1", "Table 1"); the first is
    # ``table_title_cue``, the one reports print.
    table_title_cues: tuple[str, ...] = ()
    review: Review = field(default_factory=Review, hash=False)
    outside_tables: OutsideTables = field(default_factory=OutsideTables)
    source: str = ""

    def table(self, code: str) -> Table:
        for t in self.tables:
            if t.code == code:
                return t
        raise KeyError(f"no table {code!r} in the codebook (tables: {', '.join(TABLES)})")

    def table_by_number(self, number: int) -> Table | None:
        return next((t for t in self.tables if t.number == number), None)

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        return tuple(o for t in self.tables for o in t.outcomes)

    def outcome(self, code: str) -> Outcome:
        return next(o for o in self.outcomes if o.code == code)

    def row(self, code: str) -> RowType:
        return next(r for t in self.tables for r in t.rows if r.code == code)

    def lens(self, code: str) -> Lens:
        return next(lens for lens in self.lenses if lens.code == code)


def _label(d: dict, th_key: str = "th", en_key: str = "en") -> Label:
    return Label(
        th=str(d.get(th_key, "")),
        en=str(d.get(en_key, "")),
        seed_th=str(d.get("seed_th", "")),
        aliases=tuple(str(a) for a in d.get("aliases", ()) or ()),
    )


def parse_codebook(data: dict, source: str = "") -> Codebook:
    """Builds a ``Codebook`` from the YAML's mapping (use ``load_codebook``)."""
    tables = []
    for t in data["tables"]:
        outcomes = tuple(
            Outcome(
                code=o["code"],
                number=int(o["number"]),
                label=_label(o),
                short=Label(th=o.get("short_th", o["th"]), en=o.get("short_en", o["en"])),
                lens=tuple(o.get("lens", ())),
                table=t["code"],
            )
            for o in t.get("outcomes", ()) or ()
        )
        rows = tuple(
            RowType(
                code=r["code"],
                number=int(r["number"]),
                label=_label(r),
                other=bool(r.get("other", False)),
                table=t["code"],
                examples_th=str(r.get("examples_th", "")),
            )
            for r in t["rows"]
        )
        tables.append(
            Table(
                code=t["code"],
                number=int(t["number"]),
                pillar=t["pillar"],
                title=Label(th=t["th"], en=t["en"], seed_th=t.get("seed_title_th", "")),
                label_column=_label(t["label_column"]),
                fields=tuple(
                    TextField(f["code"], _label(f), tuple(f.get("cues", ()) or ())) for f in t["fields"]
                ),
                columns=tuple(t["columns"]),
                outcomes=outcomes,
                rows=rows,
            )
        )
    lenses = tuple(
        Lens(
            code=x["code"],
            label=Label(th=x["th"], en=x["en"]),
            short=Label(th=x.get("short_th", x["th"]), en=x.get("short_en", x["en"])),
        )
        for x in data["lenses"]
    )
    ticks = data.get("ticks", {})
    title_cues = _title_cues(data)
    return Codebook(
        version=int(data.get("version", 1)),
        tables=tuple(tables),
        lenses=lenses,
        outcomes_header=_label(data["outcomes_header"]),
        identity={k: _label(v) for k, v in data.get("identity", {}).items()},
        identity_after_name=frozenset(str(w).casefold() for w in data.get("identity_after_name", ()) or ()),
        ticked=frozenset(str(s).casefold() for s in ticks.get("ticked", ())),
        not_ticked=frozenset(str(s).casefold() for s in ticks.get("not_ticked", ())),
        crosses=frozenset(str(s).casefold() for s in ticks.get("crosses", ())),
        cross_like_ticks=frozenset(str(s).casefold() for s in ticks.get("cross_like_ticks", ())),
        symbol_fonts={str(font).casefold(): {str(k): str(v) for k, v in (chars or {}).items()}
                      for font, chars in (ticks.get("symbol_fonts") or {}).items()},
        unfilled_colours=frozenset(str(c).upper() for c in (ticks.get("colour") or {}).get("unfilled", ())),
        table_title_cue=title_cues[0] if title_cues else "",
        table_title_cues=title_cues,
        review=_review(data.get("review", {})),
        outside_tables=_outside_tables(data.get("outside_tables") or {}),
        source=source,
    )


def _title_cues(data: dict) -> tuple[str, ...]:
    """``table_title_cue`` (one word, or a list) then ``table_title_cues``, without repeats."""
    cues: list[str] = []
    for key in ("table_title_cue", "table_title_cues"):
        value = data.get(key) or ()
        for cue in [value] if isinstance(value, str) else value:
            if str(cue).strip() and str(cue) not in cues:
                cues.append(str(cue))
    return tuple(cues)


def _outside_tables(data: dict) -> OutsideTables:
    return OutsideTables(
        table=str(data.get("table", "note")),
        label=_label(data),
        handout_lines=tuple(str(x) for x in data.get("handout_lines", ()) or ()),
        template_words=tuple(str(x) for x in data.get("template_words", ()) or ()),
    )


def _review(data: dict) -> Review:
    def options(key: str) -> tuple[Option, ...]:
        return tuple(Option(o["code"], _label(o)) for o in data.get(key, ()) or ())

    return Review(
        pillars=options("pillars"),
        priorities=options("priorities"),
        columns={k: _label(v) for k, v in (data.get("columns", {}) or {}).items()},
    )


def codebook_path() -> Path:
    """Where the bundled codebook lives (copy it to edit the S-I-I lens)."""
    return Path(str(files("siianalysis").joinpath("data/codebook.yaml")))


@cache
def _load(path: str) -> Codebook:
    with open(path, encoding="utf-8") as fh:
        return parse_codebook(yaml.safe_load(fh), source=path)


def load_codebook(path: str | Path | None = None) -> Codebook:
    """The codebook, read once per path. ``path=None`` gives the bundled one."""
    return _load(str(Path(path) if path else codebook_path()))
