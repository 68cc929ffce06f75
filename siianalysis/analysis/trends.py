"""The network round by round (``siianalysis.rounds``): the facts of the network report's
trends section, as plain data (the words are ``sections.trends``'s).

Each round's network is ``ds.in_round(r)``: every tambon's worksheet of that round, scored
by ``analysis.scores`` (memoised on that round's Dataset, itself kept on ``ds``):

- ``round_table``: per round, the tambons that sent a worksheet, those new that round
  (their first round), and the median of each pillar's outcome coverage and of the overall
  coverage and tick rate (over the tambons that sent the pillar's table);
- ``outcome_shares``: per round × outcome, the share of the tambons that sent the table
  that reached it (``network.outcome_share_frame``, the network report's own definition);
- ``moves``: who joined in the latest round (first worksheet then), who left (sent in the
  round before, not in the latest), and each tambon's change between the last two rounds
  *it* sent (overall outcome coverage, the breadth; and the tick rate, the depth).
  ``improved`` are the largest rises, at most ``SHOWN`` and every tambon tied with the last
  one shown (ties are not cut at random); ``slipped`` every fall, largest first.

Data of one round has no trend: the functions return one round's lines, and the section
shows nothing.
"""

from __future__ import annotations

import pandas as pd

from .dataset import Dataset
from .network import outcome_share_frame
from .scores import SCORED_TABLES, tambon_scores

SHOWN = 5  # tambons named as improved most (and all tied with the fifth)
# a change smaller than this is no change (floating sums of shares)
EPSILON = 1e-9


def round_network(ds: Dataset, round_code: str) -> Dataset:
    """``ds.in_round(round_code)``, kept on ``ds`` so each round is scored once."""
    return ds.memo(("trends.round", round_code), lambda: ds.in_round(round_code))


def round_table(ds: Dataset) -> pd.DataFrame:
    """One line per round: ``round, tambons, joined`` and the medians ``<pillar>_median``
    (outcome coverage), ``overall_median``, ``overall_depth_median``."""
    seen: set[str] = set()
    lines = []
    for r in ds.rounds:
        one = round_network(ds, r)
        scores = tambon_scores(one)
        ids = set(one.tambons["tambon_id"])
        line = {"round": r, "tambons": len(ids), "joined": len(ids - seen)}
        for table in SCORED_TABLES:
            line[f"{ds.codebook.table(table).pillar}_median"] = scores[f"{table}_outcome_coverage"].median()
        line["overall_median"] = scores["overall_outcome_coverage"].median()
        line["overall_depth_median"] = scores["overall_tick_rate"].median()
        lines.append(line)
        seen |= ids
    return pd.DataFrame(lines)


def outcome_shares(ds: Dataset, lang: str = "th") -> pd.DataFrame:
    """One line per outcome: ``table, outcome_code, outcome`` and, per round, the share of
    the tambons that sent the table that reached it (a column named by the round code)."""
    out = None
    for r in ds.rounds:
        frame = outcome_share_frame(round_network(ds, r), lang)
        share = frame.set_index("outcome_code")["share"].where(frame.set_index("outcome_code")["tambons"] > 0)
        if out is None:
            out = frame[["table", "outcome_code", "outcome"]].copy()
        out[r] = out["outcome_code"].map(share).astype(float)
    return out if out is not None else pd.DataFrame(columns=["table", "outcome_code", "outcome"])


def tambon_changes(ds: Dataset) -> pd.DataFrame:
    """Per tambon that sent two rounds or more: ``tambon_id, previous, current`` (its last
    two rounds), ``breadth_before/after/change`` (overall outcome coverage) and
    ``depth_before/after/change`` (overall tick rate)."""
    scores = {r: tambon_scores(round_network(ds, r)).set_index("tambon_id") for r in ds.rounds}
    whole = ds.history if ds.history is not None else ds
    lines = []
    for tid in whole.tambons["tambon_id"].drop_duplicates():
        rounds = ds.rounds_of(tid)
        if len(rounds) < 2:
            continue
        a, b = scores[rounds[-2]].loc[tid], scores[rounds[-1]].loc[tid]
        lines.append({"tambon_id": tid, "previous": rounds[-2], "current": rounds[-1],
                      "breadth_before": a["overall_outcome_coverage"], "breadth_after": b["overall_outcome_coverage"],
                      "depth_before": a["overall_tick_rate"], "depth_after": b["overall_tick_rate"]})
    out = pd.DataFrame(lines, columns=["tambon_id", "previous", "current", "breadth_before", "breadth_after",
                                       "depth_before", "depth_after"])
    for m in ("breadth", "depth"):
        out[f"{m}_change"] = (out[f"{m}_after"] - out[f"{m}_before"]).astype(float)
    return out


def moves(ds: Dataset, shown: int = SHOWN) -> dict[str, pd.DataFrame]:
    """``joined``, ``left`` (``tambon_id`` and the round), ``improved`` and ``slipped``
    (``tambon_changes`` lines, ordered by breadth change then depth change); see the module doc."""
    rounds = ds.rounds
    latest = rounds[-1]
    previous = rounds[-2] if len(rounds) > 1 else None
    firsts = {tid: ds.rounds_of(tid)[0] for tid in ds.tambons["tambon_id"]}
    joined = sorted(t for t, first in firsts.items() if first == latest and previous is not None)
    left = sorted(set(round_network(ds, previous).tambons["tambon_id"]) - set(round_network(ds, latest).tambons[
        "tambon_id"])) if previous is not None else []
    changes = tambon_changes(ds)
    order = ["breadth_change", "depth_change", "tambon_id"]
    rising = changes[changes["breadth_change"] > EPSILON].sort_values(order, ascending=[False, False, True])
    if len(rising) > shown:
        cut = rising["breadth_change"].iloc[shown - 1]
        rising = rising[rising["breadth_change"] >= cut - EPSILON]  # every tambon tied with the last shown
    falling = changes[changes["breadth_change"] < -EPSILON].sort_values(order, ascending=[True, True, True])
    return {"joined": pd.DataFrame({"tambon_id": joined, "round": latest}, dtype=str),
            "left": pd.DataFrame({"tambon_id": left, "round": previous or ""}, dtype=str),
            "improved": rising.reset_index(drop=True), "slipped": falling.reset_index(drop=True),
            "changes": changes}
