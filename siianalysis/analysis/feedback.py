"""The experts' suggestions (ผู้ทรงคุณวุฒิ, the workshop's step 3) beside the teams' own plans.

``ds.feedback`` (``load``) holds one line per suggestion: ``tambon_id, pillar,
reviewer, suggestion, priority, reviewed_on, source_file``, all text; the
table may be empty (no review yet), and every function here works then.

The pillars and priorities are the codebook's (``codebook.review``): pillars
``people, mechanism, data, overall`` in that order, priorities ``high, medium,
low`` or ``""`` (not given). Rules applied everywhere (``clean_feedback``):

- a line whose suggestion is blank is no suggestion, and is left out;
- a pillar or priority written in words ("คน", "เร่งด่วน") is read with
  ``pillar_of`` / ``priority_of``; a pillar that still names nothing counts as
  ``overall`` (the suggestion is kept, not lost), a priority as ``""``;
- a date is its first 10 characters (``2020-10-27``), so a timestamp that went
  through a spreadsheet reads like an ISO date;
- suggestions are ordered by pillar (codebook order), priority (high first,
  not given last), date (none last) and reviewer, otherwise as read.

Network-wide numbers count only the current tambons (``ds.tambons``);
``orphan_feedback`` gives the suggestions naming a tambon the data does not
have (a typo in a code, a worksheet not sent).

How the teams' own plans map to the pillars (``team_plans``): Tables 1–3 are the
people, mechanism and data pillars (the codebook's ``pillar`` of each table),
and Table 4's rows S1–S3 are those same pillars in that order (row *n* of
Table 4 summarises Table *n*). The ``overall`` pillar has no plan of its own.

Pure functions of a ``Dataset``; nothing is drawn or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from siianalysis.analysis.dataset import Dataset
from siianalysis.schemas import COLUMNS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from siianalysis.analysis.thaitext import Theme

FEEDBACK_COLUMNS = COLUMNS["feedback"]
SUMMARY_TABLE = "summary"
UNSET = ""  # priority not given
FALLBACK_PILLAR = "overall"


# --- the codebook's lists ------------------------------------------------------------------


def pillar_codes(ds: Dataset) -> list[str]:
    """The review pillars in codebook order (``people, mechanism, data, overall``)."""
    return [p.code for p in ds.codebook.review.pillars]


def priority_codes(ds: Dataset) -> list[str]:
    """The priorities, most urgent first (``high, medium, low``)."""
    return [p.code for p in ds.codebook.review.priorities]


def pillar_label(ds: Dataset, pillar: str, lang: str = "th") -> str:
    """The pillar's label ("คน" / "People"); the code itself if the codebook lacks it."""
    hit = next((p for p in ds.codebook.review.pillars if p.code == pillar), None)
    return hit.label.text(lang) if hit else pillar


def priority_label(ds: Dataset, priority: str, lang: str = "th") -> str:
    """The priority's label ("เร่งด่วน" / "High"); ``""`` when none was given."""
    hit = next((p for p in ds.codebook.review.priorities if p.code == priority), None)
    return hit.label.text(lang) if hit else ""


def pillar_tables(ds: Dataset) -> dict[str, str]:
    """Pillar -> the worksheet table of that pillar (``people -> people``, ``overall -> summary``)."""
    return {tb.pillar: tb.code for tb in ds.codebook.tables}


# --- the feedback, cleaned ------------------------------------------------------------------


def clean_feedback(ds: Dataset) -> pd.DataFrame:
    """``ds.feedback`` by the rules of the module doc: blank suggestions out, pillar and
    priority as codes, dates as ``YYYY-MM-DD``, in order. Columns as ``ds.feedback``."""
    fb = ds.feedback
    if fb.empty:
        return fb[list(FEEDBACK_COLUMNS)].copy().reset_index(drop=True)
    review = ds.codebook.review
    pillars, priorities = pillar_codes(ds), priority_codes(ds)
    fb = fb[fb["suggestion"].str.strip() != ""].copy()

    def as_pillar(v: str) -> str:
        return v if v in pillars else (review.pillar_of(v) or FALLBACK_PILLAR)

    def as_priority(v: str) -> str:
        return v if v in priorities else (review.priority_of(v) or UNSET)

    fb["pillar"] = fb["pillar"].map(as_pillar).astype("str")
    fb["priority"] = fb["priority"].map(as_priority).astype("str")
    fb["reviewed_on"] = fb["reviewed_on"].str.strip().str.slice(0, 10)
    fb["reviewer"] = fb["reviewer"].str.strip()
    fb["suggestion"] = fb["suggestion"].str.strip()
    p_rank = {c: i for i, c in enumerate(pillars)}
    q_rank = {c: i for i, c in enumerate(priorities)}
    fb = fb.assign(
        _p=fb["pillar"].map(lambda c: p_rank.get(c, len(p_rank))),
        _q=fb["priority"].map(lambda c: q_rank.get(c, len(q_rank))),
        _nd=fb["reviewed_on"] == "",
    )
    fb = fb.sort_values(["_p", "_q", "_nd", "reviewed_on", "reviewer"], kind="stable")
    return fb[list(FEEDBACK_COLUMNS)].reset_index(drop=True)


def current_feedback(ds: Dataset) -> pd.DataFrame:
    """``clean_feedback`` of the current tambons only."""
    fb = clean_feedback(ds)
    return fb[fb["tambon_id"].isin(set(ds.tambons["tambon_id"]))].reset_index(drop=True)


def orphan_feedback(ds: Dataset) -> pd.DataFrame:
    """Suggestions naming a tambon that is not in ``ds.tambons`` (never counted elsewhere)."""
    fb = clean_feedback(ds)
    return fb[~fb["tambon_id"].isin(set(ds.tambons["tambon_id"]))].reset_index(drop=True)


def feedback_for(ds: Dataset, tambon_id: str) -> pd.DataFrame:
    """The suggestions on one tambon, in order (empty when none); KeyError for an unknown id."""
    tid = str(ds.tambon(str(tambon_id))["tambon_id"])
    fb = clean_feedback(ds)
    return fb[fb["tambon_id"] == tid].reset_index(drop=True)


# --- the teams' own plans -------------------------------------------------------------------


def _texts(ds: Dataset, tid: str, table: str) -> dict[tuple[str, str], str]:
    t = ds.lines_of("texts", tid)
    t = t[t["table"] == table]
    out: dict[tuple[str, str], list[str]] = {}
    for r, f, x in zip(t["row_code"], t["field"], t["text"], strict=True):
        if x.strip():
            out.setdefault((r, f), []).append(x)
    return {k: "\n".join(v) for k, v in out.items()}


def _row_labels(ds: Dataset, tid: str, table: str, lang: str) -> dict[str, str]:
    """row_code -> "P1 label" (the team's own label for an "other" row)."""
    tb = ds.codebook.table(table)
    written = ds.lines_of("rows", tid)
    written = written[written["table"] == table]
    team = dict(zip(written["row_code"], written["label"], strict=True))
    out = {}
    for row in tb.rows:
        label = team.get(row.code, "") if row.other else ""
        out[row.code] = f"{row.code} {label or row.label.text(lang)}"
    return out


def team_plans(ds: Dataset, tambon_id: str, lang: str = "th") -> pd.DataFrame:
    """What the team wrote it will do, per pillar: one line per text, columns
    ``pillar, table, row_code, label, field, text``.

    Per pillar (people, mechanism, data): first Table 4's row of that pillar
    (``field`` ``achievements`` then ``plan``), then the ``plan`` of each row of the
    pillar's table, in row order. Blank texts are left out; texts of the same row
    and field are joined by newlines. ``label`` is "S1 …" / "P1 …" in ``lang``.
    """
    tid = str(ds.tambon(str(tambon_id))["tambon_id"])
    cb = ds.codebook
    summary = _texts(ds, tid, SUMMARY_TABLE)
    summary_labels = _row_labels(ds, tid, SUMMARY_TABLE, lang)
    lines = []
    for pillar in pillar_codes(ds):
        table = pillar_tables(ds).get(pillar)
        if table is None or table == SUMMARY_TABLE:
            continue
        number = cb.table(table).number
        s_row = next((r for r in cb.table(SUMMARY_TABLE).rows if r.number == number), None)
        if s_row is not None:
            for f in ("achievements", "plan"):
                text = summary.get((s_row.code, f), "")
                if text:
                    lines.append((pillar, SUMMARY_TABLE, s_row.code, summary_labels[s_row.code], f, text))
        texts = _texts(ds, tid, table)
        labels = _row_labels(ds, tid, table, lang)
        for row in cb.table(table).rows:
            text = texts.get((row.code, "plan"), "")
            if text:
                lines.append((pillar, table, row.code, labels[row.code], "plan", text))
    return pd.DataFrame(lines, columns=["pillar", "table", "row_code", "label", "field", "text"])


# --- network numbers ------------------------------------------------------------------------


def _priority_counts(fb: pd.DataFrame, priorities: list[str]) -> dict[str, int]:
    counts = fb["priority"].value_counts()
    return {**{p: int(counts.get(p, 0)) for p in priorities}, "unset": int(counts.get(UNSET, 0))}


def suggestions_by_pillar(ds: Dataset) -> pd.DataFrame:
    """Per pillar (every pillar, codebook order): ``pillar, suggestions, tambons,
    reviewers, high, medium, low, unset`` (suggestions by priority; ``unset``: none
    given). Current tambons only."""
    fb = current_feedback(ds)
    priorities = priority_codes(ds)
    lines = []
    for pillar in pillar_codes(ds):
        part = fb[fb["pillar"] == pillar]
        reviewers = part.loc[part["reviewer"] != "", "reviewer"]
        lines.append({"pillar": pillar, "suggestions": len(part), "tambons": part["tambon_id"].nunique(),
                      "reviewers": reviewers.nunique(), **_priority_counts(part, priorities)})
    out = pd.DataFrame(lines)
    return out.astype({c: "int64" for c in out.columns if c != "pillar"})


def suggestion_themes(ds: Dataset, themes: Sequence[Theme] | str | Path | None = None) -> pd.DataFrame:
    """The suggestions tagged with the theme codebook (``thaitext.tag_themes``): one line
    per suggestion × theme it carries. Columns ``tambon_id, pillar, reviewer, priority,
    theme, theme_th, theme_en, matched, suggestion``. Current tambons only."""
    from siianalysis.analysis.thaitext import tag_themes

    cols = ["tambon_id", "pillar", "reviewer", "priority", "theme", "theme_th", "theme_en", "matched",
            "suggestion"]
    fb = current_feedback(ds)
    if fb.empty:
        return pd.DataFrame(columns=cols).astype("str")
    # a texts-like frame: row_code carries the suggestion's position, field says what it is
    texts = pd.DataFrame({"tambon_id": fb["tambon_id"], "table": fb["pillar"],
                          "row_code": [str(i) for i in range(len(fb))], "field": "suggestion",
                          "text": fb["suggestion"]})
    tagged = tag_themes(texts, themes)
    if tagged.empty:
        return pd.DataFrame(columns=cols).astype("str")
    pos = tagged["row_code"].astype(int).to_numpy()
    out = pd.DataFrame({
        "tambon_id": tagged["tambon_id"].to_numpy(), "pillar": tagged["table"].to_numpy(),
        "reviewer": fb["reviewer"].to_numpy()[pos], "priority": fb["priority"].to_numpy()[pos],
        "theme": tagged["theme"].to_numpy(), "theme_th": tagged["theme_th"].to_numpy(),
        "theme_en": tagged["theme_en"].to_numpy(), "matched": tagged["matched"].to_numpy(),
        "suggestion": tagged["text"].to_numpy(),
    })
    return out.astype("str")


def suggestion_theme_counts(ds: Dataset, themes: Sequence[Theme] | str | Path | None = None) -> pd.DataFrame:
    """Per theme (every theme, codebook order): ``theme, theme_th, theme_en, tambons,
    suggestions, tambon_share`` (share of the reviewed tambons; 0 when none is)."""
    from siianalysis.analysis.thaitext import theme_counts

    tagged = suggestion_themes(ds, themes)
    counts = theme_counts(tagged.rename(columns={"suggestion": "text"}), themes)
    counts = counts.rename(columns={"texts": "suggestions"})
    reviewed = current_feedback(ds)["tambon_id"].nunique()
    counts["tambon_share"] = counts["tambons"] / reviewed if reviewed else 0.0
    return counts[["theme", "theme_th", "theme_en", "tambons", "suggestions", "tambon_share"]]


def urgent_tambons(ds: Dataset, n: int = 10) -> pd.DataFrame:
    """The ``n`` tambons with the most high-priority suggestions (at least one), ties
    broken by more medium-priority ones, then by tambon_id. Columns ``rank, tambon_id,
    high, medium, low, unset, suggestions, high_pillars`` (pillars with a high-priority
    suggestion, comma-joined in codebook order)."""
    cols = ["rank", "tambon_id", "high", "medium", "low", "unset", "suggestions", "high_pillars"]
    fb = current_feedback(ds)
    priorities = priority_codes(ds)
    top = priorities[0] if priorities else "high"
    second = priorities[1] if len(priorities) > 1 else None
    lines = []
    for tid, part in fb.groupby("tambon_id", sort=True):
        counts = _priority_counts(part, priorities)
        if not counts.get(top):
            continue
        high = set(part.loc[part["priority"] == top, "pillar"])
        lines.append({"tambon_id": tid, **counts, "suggestions": len(part),
                      "high_pillars": ",".join(p for p in pillar_codes(ds) if p in high)})
    if not lines:
        return pd.DataFrame(columns=cols).astype({"rank": "int64", "tambon_id": "str"})
    out = pd.DataFrame(lines)
    keys = [top, *([second] if second else []), "tambon_id"]
    out = out.sort_values(keys, ascending=[False] * (len(keys) - 1) + [True], kind="stable").head(n)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out.reset_index(drop=True)[[c for c in cols if c in out.columns] +
                                      [c for c in out.columns if c not in cols]]


@dataclass(frozen=True)
class ReviewCoverage:
    """Which tambons the experts reviewed, on which pillars.

    ``tambons``: one line per current tambon (file order): ``tambon_id, reviewed,
    suggestions, pillars_reviewed, n_pillars_reviewed, missing_pillars`` (pillars
    comma-joined in codebook order), ``reviewers`` (distinct names, sorted, "; "-joined),
    ``n_reviewers``. ``unreviewed``: ids of the tambons without any suggestion, in
    file order.
    """

    tambons: pd.DataFrame
    unreviewed: list[str]

    @property
    def n_tambons(self) -> int:
        return len(self.tambons)

    @property
    def n_reviewed(self) -> int:
        return int(self.tambons["reviewed"].sum())

    @property
    def reviewed_share(self) -> float:
        """Reviewed tambons ÷ all tambons (0 when there is none)."""
        return self.n_reviewed / self.n_tambons if self.n_tambons else 0.0

    @property
    def complete(self) -> list[str]:
        """Ids of the tambons reviewed on every pillar."""
        return list(self.tambons.loc[self.tambons["missing_pillars"] == "", "tambon_id"])


def review_coverage(ds: Dataset) -> ReviewCoverage:
    """Per current tambon: reviewed or not, pillars reviewed and missing, reviewers
    (see ``ReviewCoverage``). Memoised on ``ds`` (the network report's summary, review
    section and coverage table share it); a copy each call."""
    cov = ds.memo(("feedback", "review_coverage"), lambda: _review_coverage(ds))
    return ReviewCoverage(cov.tambons.copy(), list(cov.unreviewed))


def _review_coverage(ds: Dataset) -> ReviewCoverage:
    fb = current_feedback(ds)
    pillars = pillar_codes(ds)
    # plain dicts of the suggestions' tambons: a pandas slice per tambon cost ~0.1 ms x 7,255
    counts: dict[str, int] = {}
    got_of: dict[str, set[str]] = {}
    names_of: dict[str, set[str]] = {}
    for tid, pillar, reviewer in zip(fb["tambon_id"], fb["pillar"], fb["reviewer"], strict=True):
        counts[tid] = counts.get(tid, 0) + 1
        got_of.setdefault(tid, set()).add(pillar)
        if reviewer:
            names_of.setdefault(tid, set()).add(reviewer)
    lines = []
    for tid in ds.tambon_ids:
        got = got_of.get(tid, set())
        names = sorted(names_of.get(tid, ()))
        lines.append({
            "tambon_id": tid, "reviewed": tid in counts, "suggestions": counts.get(tid, 0),
            "pillars_reviewed": ",".join(p for p in pillars if p in got),
            "n_pillars_reviewed": sum(p in got for p in pillars),
            "missing_pillars": ",".join(p for p in pillars if p not in got),
            "reviewers": "; ".join(names), "n_reviewers": len(names),
        })
    cols = ["tambon_id", "reviewed", "suggestions", "pillars_reviewed", "n_pillars_reviewed", "missing_pillars",
            "reviewers", "n_reviewers"]
    frame = pd.DataFrame(lines, columns=cols)
    frame = frame.astype({"reviewed": bool, "suggestions": "int64", "n_pillars_reviewed": "int64",
                          "n_reviewers": "int64"})
    return ReviewCoverage(frame, list(frame.loc[~frame["reviewed"], "tambon_id"]))

