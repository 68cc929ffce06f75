"""What changed for one tambon between its rounds (``siianalysis.rounds``): the facts of the
tambon report's progress section, as plain data (the words are ``sections.progress``'s).

``progress_facts(ds, tambon_id)`` compares the tambon's latest round (what the report
describes) with the one before it, and lists its scores in every round it sent:

- *Outcomes* (``outcome_changes``): reached now and not last round (``gained``), reached
  last round and not now (``lost``), reached in both (``kept``). Only the tables the team
  sent in both rounds are compared: an outcome of a table sent in one round only is
  ``not_comparable`` (a table not sent is neither a gain nor a loss).
- *Scores* (``round_scores``): per round and pillar (and overall) the outcome coverage
  (breadth) and the tick rate (depth) of ``analysis.scores``, computed on the tambon's
  own worksheet of that round (``ds.for_tambon(id).in_round(r)``: a tambon's scores do
  not depend on the others, so no network is scored per page). ``score_changes``: this
  round minus the last, NaN where a pillar was not sent in one of them.
- *Plans and what came of them* (``plans_and_deeds``): per pillar, last round's plans
  (Table 4's ``plan`` of the pillar's row and the ``plan`` of each row of the pillar's
  table) beside this round's Table 4 ``achievements`` and the methods (the pillar table's
  other text fields: ``method``, ``assets``).
- *Last round's suggestions* (``suggestion_uptake``): each suggestion the experts made
  on the last round, with a *hint* of whether this round's texts take it up:
  ``match`` = the share of the suggestion's content words (``thaitext.terms``) that occur
  among the words of this round's texts on the same pillar (every pillar's for the
  ``overall`` one), and the words found. A word in common is not a suggestion acted on
  (the team may have written it before, or for another reason): it points a reader at
  where to look; the texts are shown side by side for the reader to judge.

Pure functions of a ``Dataset``; a tambon with one round has no progress (``None``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from . import feedback as fbk
from .dataset import Dataset
from .scores import SCORED_TABLES, outcome_reach, pillar_scores
from .team import present_tables, row_label, text_fields
from .thaitext import terms

OVERALL = "overall"
MEASURES = ("outcome_coverage", "tick_rate")
# a suggestion with fewer content words than this gets no match share: one word in common says nothing
MIN_TERMS = 2


@dataclass(frozen=True, slots=True)
class Progress:
    """The progress of one tambon from ``previous`` to ``current`` (its last two rounds)."""

    tambon_id: str
    rounds: list[str]            # every round the tambon sent, in time order
    previous: str
    current: str
    outcomes: pd.DataFrame       # outcome_changes
    scores: pd.DataFrame         # round_scores: every round
    changes: pd.DataFrame        # score_changes: previous → current
    plans: pd.DataFrame          # plans_and_deeds
    suggestions: pd.DataFrame    # suggestion_uptake

    def status_of(self, status: str) -> pd.DataFrame:
        return self.outcomes[self.outcomes["status"] == status].reset_index(drop=True)


def _round_of(ds: Dataset, tambon_id: str, round_code: str) -> Dataset:
    """The tambon's own worksheet of one round, as a Dataset (its scores memoised on it)."""
    mine = ds.for_tambon(tambon_id)
    return mine.memo(("progress.round", round_code), lambda: mine.in_round(round_code))


def round_scores(ds: Dataset, tambon_id: str) -> pd.DataFrame:
    """One line per round the tambon sent × pillar (people, mechanism, data, then
    ``overall``): ``round, pillar, submitted, outcome_coverage, tick_rate`` (NaN when the
    pillar was not sent that round)."""
    tid = str(tambon_id)
    lines = []
    for r in ds.rounds_of(tid):
        one = _round_of(ds, tid, r)
        ps = pillar_scores(one).iloc[0]
        sent = present_tables(one, tid)
        for table in SCORED_TABLES:
            pillar = ds.codebook.table(table).pillar
            lines.append((r, pillar, table in sent, ps[f"{pillar}_outcome_coverage"], ps[f"{pillar}_tick_rate"]))
        lines.append((r, OVERALL, bool(sent & set(SCORED_TABLES)), ps["overall_outcome_coverage"],
                      ps["overall_tick_rate"]))
    return pd.DataFrame(lines, columns=["round", "pillar", "submitted", *MEASURES])


def score_changes(scores: pd.DataFrame, previous: str, current: str) -> pd.DataFrame:
    """Per pillar: ``pillar``, ``<measure>_before``, ``<measure>_after``, ``<measure>_change``
    (after − before; NaN when the pillar was not sent in one of the two rounds)."""
    before = scores[scores["round"] == previous].set_index("pillar")
    after = scores[scores["round"] == current].set_index("pillar")
    out = pd.DataFrame({"pillar": list(after.index)})
    for m in MEASURES:
        out[f"{m}_before"] = out["pillar"].map(before[m]).astype(float)
        out[f"{m}_after"] = out["pillar"].map(after[m]).astype(float)
        out[f"{m}_change"] = out[f"{m}_after"] - out[f"{m}_before"]
    return out


def outcome_changes(ds: Dataset, tambon_id: str, previous: str, current: str) -> pd.DataFrame:
    """One line per outcome of the scored tables: ``table, outcome_code, before, after``
    (reached in each round) and ``status``: ``gained``, ``lost``, ``kept``, ``never``
    (reached in neither) or ``not_comparable`` (its table not sent in both rounds)."""
    tid = str(tambon_id)
    one, two = _round_of(ds, tid, previous), _round_of(ds, tid, current)
    a = outcome_reach(one).set_index(["table", "outcome_code"])
    b = outcome_reach(two).set_index(["table", "outcome_code"])
    sent = present_tables(one, tid) & present_tables(two, tid)
    lines = []
    for table in SCORED_TABLES:
        for o in ds.codebook.table(table).outcomes:
            before, after = bool(a.loc[(table, o.code), "reached"]), bool(b.loc[(table, o.code), "reached"])
            if table not in sent:
                status = "not_comparable"
            else:
                status = {(False, True): "gained", (True, False): "lost", (True, True): "kept"}.get(
                    (before, after), "never")
            lines.append((table, o.code, before, after, status))
    return pd.DataFrame(lines, columns=["table", "outcome_code", "before", "after", "status"])


def _pillar_texts(ds: Dataset, tambon_id: str, table: str, fields: list[str],
                  lang: str) -> list[tuple[str, str]]:
    """("P1 label", text) of the pillar table's texts in ``fields``, in row order."""
    mine = ds.texts[(ds.texts["tambon_id"] == tambon_id) & (ds.texts["table"] == table)
                    & ds.texts["field"].isin(fields)]
    rows = ds.rows[(ds.rows["tambon_id"] == tambon_id) & (ds.rows["table"] == table)]
    written = dict(zip(rows["row_code"], rows["label"], strict=True))
    order = {r.code: r.number for r in ds.codebook.table(table).rows}
    mine = mine[mine["text"].str.strip() != ""]
    mine = mine.sort_values("row_code", key=lambda s: s.map(order), kind="stable")
    return [(f"{r} {row_label(ds, table, r, written.get(r, ''), lang)}", x)
            for r, x in zip(mine["row_code"], mine["text"], strict=True)]


def plans_and_deeds(ds: Dataset, tambon_id: str, previous: str, current: str, lang: str = "th") -> pd.DataFrame:
    """Per pillar (people, mechanism, data): ``pillar``, ``plans`` (last round's: Table 4's
    plan of the pillar's row, then the row plans of the pillar's table), ``achievements``
    (this round's Table 4 achievements of that row) and ``methods`` (this round's other
    text fields of the pillar's table), each a list of (label, text)."""
    tid = str(tambon_id)
    one, two = _round_of(ds, tid, previous), _round_of(ds, tid, current)
    summary = ds.codebook.table(fbk.SUMMARY_TABLE)
    lines = []
    for table in SCORED_TABLES:
        tb = ds.codebook.table(table)
        s_row = next((r for r in summary.rows if r.number == tb.number), None)
        plans = [(line["label"], line["text"]) for line in fbk.team_plans(one, tid, lang).to_dict("records")
                 if line["pillar"] == tb.pillar and line["field"] == "plan"]
        deeds = [] if s_row is None else [
            (f"{s_row.code} {s_row.label.text(lang)}", x)
            for x in two.texts.loc[(two.texts["table"] == fbk.SUMMARY_TABLE) & (two.texts["row_code"] == s_row.code)
                                   & (two.texts["field"] == "achievements"), "text"] if x.strip()]
        methods_fields = [f for f in text_fields(tb) if f != "plan"]
        methods = _pillar_texts(two, tid, table, methods_fields, lang)
        lines.append((tb.pillar, plans, deeds, methods))
    return pd.DataFrame(lines, columns=["pillar", "plans", "achievements", "methods"])


def _words(texts) -> set[str]:
    return {w.casefold() for x in texts for w in terms(x)}


def match_hint(suggestion: str, texts) -> tuple[float, list[str], int]:
    """(share of the suggestion's distinct content words found in ``texts``, the words found
    in the suggestion's order, how many content words it has). NaN share when it has fewer
    than ``MIN_TERMS``. A hint for a reader, not a judgement (module doc)."""
    wanted = list(dict.fromkeys(w.casefold() for w in terms(suggestion)))
    if len(wanted) < MIN_TERMS:
        return math.nan, [], len(wanted)
    have = _words(texts)
    found = [w for w in wanted if w in have]
    return len(found) / len(wanted), found, len(wanted)


def _this_round_texts(ds: Dataset, tambon_id: str, pillar: str) -> list[str]:
    """Every text of the round on ``pillar`` (the pillar's table and its Table 4 row), or every
    table text for ``overall``."""
    texts = ds.texts[(ds.texts["tambon_id"] == tambon_id) & (ds.texts["table"].isin(
        [tb.code for tb in ds.codebook.tables]))]
    if pillar != OVERALL:
        tables = fbk.pillar_tables(ds)
        table = tables.get(pillar)
        number = ds.codebook.table(table).number if table else None
        s_rows = {r.code for r in ds.codebook.table(fbk.SUMMARY_TABLE).rows if r.number == number}
        texts = texts[(texts["table"] == table) | ((texts["table"] == fbk.SUMMARY_TABLE)
                                                   & texts["row_code"].isin(s_rows))]
    return [x for x in texts["text"] if x.strip()]


def suggestion_uptake(ds: Dataset, tambon_id: str, previous: str, current: str) -> pd.DataFrame:
    """The experts' suggestions on the ``previous`` round (``feedback.feedback_for``, in its
    order) with ``match``, ``found`` and ``words`` (``match_hint`` against this round's texts on the
    same pillar). Empty when the last round had no review."""
    tid = str(tambon_id)
    one, two = _round_of(ds, tid, previous), _round_of(ds, tid, current)
    fb = fbk.feedback_for(one, tid)
    hints = [match_hint(s, _this_round_texts(two, tid, p)) for s, p in zip(fb["suggestion"], fb["pillar"],
                                                                           strict=True)]
    return fb.assign(match=[h[0] for h in hints], found=[h[1] for h in hints], words=[h[2] for h in hints])


def progress_facts(ds: Dataset, tambon_id: str, lang: str = "th") -> Progress | None:
    """The tambon's progress from its round before the latest to the latest, or None when it
    sent one round only (module doc)."""
    tid = str(ds.tambon(str(tambon_id))["tambon_id"])
    rounds = ds.rounds_of(tid)
    if len(rounds) < 2:
        return None
    previous, current = rounds[-2], rounds[-1]
    scores = round_scores(ds, tid)
    return Progress(
        tambon_id=tid, rounds=rounds, previous=previous, current=current,
        outcomes=outcome_changes(ds, tid, previous, current),
        scores=scores,
        changes=score_changes(scores, previous, current),
        plans=plans_and_deeds(ds, tid, previous, current, lang),
        suggestions=suggestion_uptake(ds, tid, previous, current),
    )
