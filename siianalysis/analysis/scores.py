"""Scores of each tambon's worksheet, and its position in the network.

All functions are pure: a ``Dataset`` in, a new DataFrame out. The
network-level ones (``table_scores``, ``outcome_reach``, ``pillar_scores``,
``lens_scores``, ``tambon_scores``, ``network_positions``) are computed once
per ``Dataset`` object and memoised on it (``Dataset.memo``), so every section
of a report, and every report of a warm kernel (``load`` returns the same
Dataset), shares one computation; each call returns its own copy, free to
change. A ``for_tambon`` slice is a new Dataset with its own results. Only the
*current* tambons (those in ``ds.tambons``) are scored; rows and ticks of any
other id are ignored. Scored tables are the three with outcomes: people,
mechanism, data (``SCORED_TABLES``); the summary table has no ticks.

Notation, for tambon *t* and table *T* (codebook counts in brackets):

- ``C(T)``  canonical rows of T, the ones the handout names (people 5,
  mechanism 6, data 5); the "other (specify)" slots are not canonical.
- ``O(T)``  outcomes of T (people 5, mechanism 7, data 5).
- a row is *reported* when it is in ``rows`` (the team wrote or ticked something).

Per tambon × table (``table_scores``):

- ``rows_reported``       = canonical rows of T that t reported
- ``other_rows_reported`` = "other" rows of T that t reported
- ``rows_canonical``      = |C(T)|
- ``reporting_rate``      = rows_reported / rows_canonical
- ``ticks``               = ticked cells over all reported rows of T, other rows included
- ``tick_cells``          = (rows_reported + other_rows_reported) × |O(T)|
- ``tick_rate``           = ticks / tick_cells, and 0 when no row is reported
- ``outcomes_reached``    = outcomes of T ticked on at least one reported row
- ``outcomes_total``      = |O(T)|
- ``outcome_coverage``    = outcomes_reached / outcomes_total
- ``submitted`` (also ``table_present``) = T is among the tables found in t's
  worksheet (``tambons.tables``) or t reported at least one row of T. When
  ``tables`` is empty (older processed data) only the second test applies, and a
  table sent empty looks the same as a table left out.

A table not sent is *not submitted*, not failed: its counts are 0 but its rates
(``reporting_rate``, ``tick_rate``, ``outcome_coverage``) are NaN, so it is left out
of every median, rank and percentile of that pillar (``positions`` counts only
tambons with a value) and out of the overall scores. A table sent empty scores 0.

Per pillar and overall (``pillar_scores``): a pillar is one of the three
tables (people, mechanism, data), scored by its ``outcome_coverage`` (breadth)
and its ``tick_rate`` (depth); with S(t) the scored tables t submitted:

- ``overall_outcome_coverage`` = mean of outcome_coverage over S(t) (each pillar
  sent weighs the same whatever its number of outcomes); NaN when S(t) is empty
- ``overall_tick_rate`` = Σ ticks / Σ tick_cells over S(t) (0 when S(t) has no
  reported row; NaN when S(t) is empty)
- ``tables_present`` (= ``pillars_scored``) = |S(t)|, how many pillars the
  overall scores are over.

Breadth and depth. Outcome coverage says *whether* an outcome was reached on some
row; it saturates (on the sample most tambons reach every outcome of a pillar, so
positions on it are mostly ties). The tick rate says *how many* of the rows reported
reach the outcomes (per outcome: ``outcome_reach.row_share`` = rows that ticked it ÷
rows reported in its table); it spreads tambons apart and the reports lead with it.

Per S-I-I lens (``lens_scores``): the codebook tags each outcome of the three
tables with one or two lenses (systematization, innovation, integration);

- ``outcomes_tagged``  = outcomes tagged with the lens in the tables t submitted
  (an outcome with two lenses counts in both)
- ``outcomes_reached`` = those of them t reached
- ``lens_coverage``    = outcomes_reached / outcomes_tagged (NaN when 0 tagged)

Position (``positions``), for one score column and a group of tambons (the
network, or the tambon's province; a tambon's report shows them per pillar,
``scorecard_frame``, and per lens, ``lens_profile_frame``). A tambon without a
value (a pillar not submitted) is not in the group:

- ``n`` = tambons of the group with a value;
- ``median`` of the score over the group;
- ``rank`` = competition rank, highest first = 1 + the number with a strictly
  higher score; ``tied`` = the number with an equal score (itself included).
  Tied tambons share a rank ("=1 of 12" when ``tied`` > 1): three tambons at 100%
  are all "=1", the next one is 4;
- ``at_or_above`` = the number with a score ≥ this one (itself included);
- ``percentile`` = mid-rank percentile rank
  = 100 × (B + E / 2) / N, where N is the number of tambons in the group with
  a score, B the number with a strictly lower score and E the number with an
  equal score (the tambon itself included). A tambon alone in its group is at
  50; tied tambons share one percentile; the mean percentile of a group is 50.
  Where most tambons tie (at 100% with the median at 100%) it reads low ("66"
  for a tambon at the top), so the reports show the rank instead.

Province (``province_key``): a tambon is compared within the province it is in:
its 2-digit province code, or, when it has none, its folded Thai province name.
An unresolved tambon (id ``u-…``) whose province is known (code or name) is
placed in that province like any other, everywhere (rankings, the network
report, the index, through ``network.tambons_by_province``); only a tambon with
no province at all is grouped apart, under "province unknown".
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .dataset import Dataset
from .standing import (  # noqa: F401
    competition_rank,
    percentile_rank,
    position,
    positions,
    province_key,
    rank_words,
)

SCORED_TABLES = ("people", "mechanism", "data")
IDENTITY = ("tambon_id", "tambon_th", "amphoe_th", "province_th", "province_code", "resolved")
TABLE_MEASURES = (
    "submitted", "table_present", "rows_reported", "other_rows_reported", "rows_canonical", "reporting_rate",
    "ticks", "tick_cells", "tick_rate", "outcomes_reached", "outcomes_total", "outcome_coverage",
)
_KEY = ["tambon_id", "table"]


def _shared(ds: Dataset, name: str, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``compute()`` memoised on ``ds``: the *shared* frame, never to be changed
    (the public functions hand out ``.copy()``)."""
    return ds.memo(("scores", name), compute)


def _current_ids(ds: Dataset) -> pd.Series:
    return ds.tambons["tambon_id"].drop_duplicates().reset_index(drop=True)


def _reported_rows(ds: Dataset) -> pd.DataFrame:
    """Reported rows of current tambons in the scored tables, codebook codes only,
    with ``other`` (an "other (specify)" slot) and the row's codebook ``number``.
    (Shared, memoised frame: do not change it.)"""
    return _shared(ds, "reported_rows", lambda: _compute_reported_rows(ds))


def _compute_reported_rows(ds: Dataset) -> pd.DataFrame:
    cb = ds.codebook
    known = pd.DataFrame(
        [(t, r.code, r.other, r.number) for t in SCORED_TABLES for r in cb.table(t).rows],
        columns=["table", "row_code", "other", "row_number"],
    ).astype({"table": "str", "row_code": "str"})
    rows = ds.rows[ds.rows["tambon_id"].isin(_current_ids(ds))]
    rows = rows.drop_duplicates(["tambon_id", "table", "row_code"])
    return rows.merge(known, on=["table", "row_code"], how="inner")  # unknown codes dropped


def ticked_cells(ds: Dataset) -> pd.DataFrame:
    """Ticked (tambon, table, row, outcome) cells on reported rows, one line each:
    ``tambon_id, table, row_code, criterion_code, ticked, other, row_number`` (the one
    definition of a counted tick: a known outcome ticked on a reported row)."""
    return _ticked_shared(ds).copy()


def _ticked_shared(ds: Dataset) -> pd.DataFrame:
    return _shared(ds, "ticked_cells", lambda: _compute_ticked_cells(ds))


def _compute_ticked_cells(ds: Dataset) -> pd.DataFrame:
    cb = ds.codebook
    known = pd.DataFrame(
        [(t, o.code) for t in SCORED_TABLES for o in cb.table(t).outcomes],
        columns=["table", "criterion_code"],
    ).astype("str")
    ticks = ds.ticks[ds.ticks["ticked"]]
    ticks = ticks.merge(known, on=["table", "criterion_code"], how="inner")
    # A tick counts only on a row that is reported, so the numerator never
    # exceeds the tick_cells denominator.
    rows = _reported_rows(ds)[["tambon_id", "table", "row_code", "other", "row_number"]]
    ticks = ticks.merge(rows, on=["tambon_id", "table", "row_code"], how="inner")
    return ticks.drop_duplicates(["tambon_id", "table", "row_code", "criterion_code"]).reset_index(drop=True)


def _grid(ds: Dataset) -> pd.DataFrame:
    """Every current tambon × scored table, tambons in file order."""
    ids = _current_ids(ds)
    return pd.DataFrame(
        [(tid, t) for tid in ids for t in SCORED_TABLES], columns=_KEY
    ).astype("str")


def table_scores(ds: Dataset) -> pd.DataFrame:
    """One line per current tambon × scored table with the measures of the
    module docstring: ``tambon_id, table`` + ``TABLE_MEASURES``."""
    return _table_shared(ds).copy()


def _table_shared(ds: Dataset) -> pd.DataFrame:
    return _shared(ds, "table_scores", lambda: _compute_table_scores(ds))


def _compute_table_scores(ds: Dataset) -> pd.DataFrame:
    cb = ds.codebook
    rows = _reported_rows(ds)
    per_rows = (
        rows.assign(canonical=~rows["other"], extra=rows["other"])
        .groupby(_KEY, as_index=False)[["canonical", "extra"]]
        .sum()
        .rename(columns={"canonical": "rows_reported", "extra": "other_rows_reported"})
    )
    ticks = _ticked_shared(ds)
    per_ticks = ticks.groupby(_KEY, as_index=False).agg(
        ticks=("criterion_code", "size"), outcomes_reached=("criterion_code", "nunique")
    )
    out = _grid(ds).merge(per_rows, on=_KEY, how="left").merge(per_ticks, on=_KEY, how="left")
    for col in ("rows_reported", "other_rows_reported", "ticks", "outcomes_reached"):
        out[col] = out[col].fillna(0).astype("int64")
    # tables found in the worksheet count as present even with no row reported
    found = ds.tambons.drop_duplicates("tambon_id").set_index("tambon_id")["tables"].str.split(",")
    listed = [t in found.get(tid, []) for tid, t in zip(out["tambon_id"], out["table"], strict=True)]
    out["table_present"] = pd.Series(listed, index=out.index, dtype=bool) | (
        (out["rows_reported"] + out["other_rows_reported"]) > 0
    )
    out["rows_canonical"] = out["table"].map({t: len(cb.table(t).canonical_rows) for t in SCORED_TABLES})
    out["outcomes_total"] = out["table"].map({t: len(cb.table(t).outcomes) for t in SCORED_TABLES})
    out = out.astype({"rows_canonical": "int64", "outcomes_total": "int64"})
    out["submitted"] = out["table_present"]
    out["reporting_rate"] = out["rows_reported"] / out["rows_canonical"]
    out["tick_cells"] = (out["rows_reported"] + out["other_rows_reported"]) * out["outcomes_total"]
    out["tick_rate"] = (out["ticks"] / out["tick_cells"].where(out["tick_cells"] > 0)).fillna(0.0)
    out["outcome_coverage"] = out["outcomes_reached"] / out["outcomes_total"]
    # not submitted: no score at all (not 0), so no median, rank or mean counts it
    for col in ("reporting_rate", "tick_rate", "outcome_coverage"):
        out[col] = out[col].astype(float).where(out["submitted"])
    return out[[*_KEY, *TABLE_MEASURES]]


def outcome_reach(ds: Dataset) -> pd.DataFrame:
    """One line per current tambon × outcome of the scored tables:
    ``tambon_id, table, outcome_code, outcome_number, lens`` (tuple), ``submitted``
    (the tambon sent the table), ``rows_ticked`` (number of the tambon's reported
    rows that ticked it), ``rows_reported`` (its reported rows in the table, "other"
    rows included), ``row_share`` (rows_ticked ÷ rows_reported: the outcome's depth;
    NaN when not submitted, 0 when sent with no row) and ``reached``
    (rows_ticked > 0; False when not submitted)."""
    return _reach_shared(ds).copy()


def _reach_shared(ds: Dataset) -> pd.DataFrame:
    return _shared(ds, "outcome_reach", lambda: _compute_outcome_reach(ds))


def _compute_outcome_reach(ds: Dataset) -> pd.DataFrame:
    cb = ds.codebook
    outcomes = pd.DataFrame(
        [(t, o.code, o.number, o.lens) for t in SCORED_TABLES for o in cb.table(t).outcomes],
        columns=["table", "outcome_code", "outcome_number", "lens"],
    ).astype({"table": "str", "outcome_code": "str"})
    grid = pd.DataFrame({"tambon_id": _current_ids(ds)}).merge(outcomes, how="cross")
    counts = (
        _ticked_shared(ds)
        .groupby(["tambon_id", "table", "criterion_code"], as_index=False)
        .size()
        .rename(columns={"criterion_code": "outcome_code", "size": "rows_ticked"})
    )
    out = grid.merge(counts, on=["tambon_id", "table", "outcome_code"], how="left")
    out["rows_ticked"] = out["rows_ticked"].fillna(0).astype("int64")
    ts = _table_shared(ds).set_index(_KEY)
    key = pd.MultiIndex.from_arrays([out["tambon_id"], out["table"]])
    out["submitted"] = ts["submitted"].reindex(key).fillna(False).astype(bool).to_numpy()
    out["rows_reported"] = (ts["rows_reported"] + ts["other_rows_reported"]).reindex(key).fillna(0).astype(
        "int64").to_numpy()
    share = (out["rows_ticked"] / out["rows_reported"].where(out["rows_reported"] > 0)).fillna(0.0)
    out["row_share"] = share.where(out["submitted"])
    out["reached"] = out["rows_ticked"] > 0
    return out[["tambon_id", "table", "outcome_code", "outcome_number", "lens", "submitted", "rows_ticked",
                "rows_reported", "row_share", "reached"]]


def pillar_scores(ds: Dataset, table_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """One line per current tambon: ``<pillar>_outcome_coverage`` and
    ``<pillar>_tick_rate`` for the three pillars (NaN for a table not submitted),
    ``overall_outcome_coverage`` (their mean over the pillars submitted),
    ``overall_tick_rate`` (all ticks ÷ all tick cells of the pillars submitted)
    and ``tables_present`` = ``pillars_scored`` (how many of the three tables
    are submitted).

    ``table_frame``: a ``table_scores(ds)`` result to reuse (then not memoised).
    """
    if table_frame is None:
        return _pillar_shared(ds).copy()
    return _compute_pillar_scores(ds, table_frame)


def _pillar_shared(ds: Dataset) -> pd.DataFrame:
    return _shared(ds, "pillar_scores", lambda: _compute_pillar_scores(ds, _table_shared(ds)))


def _compute_pillar_scores(ds: Dataset, ts: pd.DataFrame) -> pd.DataFrame:
    pillar = {t: ds.codebook.table(t).pillar for t in SCORED_TABLES}
    wide = ts.pivot(index="tambon_id", columns="table", values="outcome_coverage").reindex(columns=list(SCORED_TABLES))
    depth = ts.pivot(index="tambon_id", columns="table", values="tick_rate").reindex(columns=list(SCORED_TABLES))
    out = pd.DataFrame({"tambon_id": _current_ids(ds)})
    for t in SCORED_TABLES:
        out[f"{pillar[t]}_outcome_coverage"] = out["tambon_id"].map(wide[t]).astype(float)
    for t in SCORED_TABLES:
        out[f"{pillar[t]}_tick_rate"] = out["tambon_id"].map(depth[t]).astype(float)
    cols = [f"{pillar[t]}_outcome_coverage" for t in SCORED_TABLES]
    out["overall_outcome_coverage"] = out[cols].mean(axis=1, skipna=True)  # over the pillars sent
    sent = ts[ts["submitted"]]
    sums = sent.groupby("tambon_id")[["ticks", "tick_cells"]].sum()
    rate = (sums["ticks"] / sums["tick_cells"].where(sums["tick_cells"] > 0)).fillna(0.0)
    out["overall_tick_rate"] = out["tambon_id"].map(rate).astype(float)  # NaN: no pillar sent
    present = ts.groupby("tambon_id")["submitted"].sum()
    out["tables_present"] = out["tambon_id"].map(present).fillna(0).astype("int64")
    out["pillars_scored"] = out["tables_present"]
    return out


def lens_scores(ds: Dataset, reach: pd.DataFrame | None = None) -> pd.DataFrame:
    """One line per current tambon × S-I-I lens (codebook order):
    ``tambon_id, lens, outcomes_tagged, outcomes_reached, lens_coverage``, over the
    outcomes of the tables the tambon submitted (NaN coverage when none is tagged).

    ``reach``: an ``outcome_reach(ds)`` result to reuse (then not memoised).
    """
    if reach is None:
        return _lens_shared(ds).copy()
    return _compute_lens_scores(ds, reach)


def _lens_shared(ds: Dataset) -> pd.DataFrame:
    return _shared(ds, "lens_scores", lambda: _compute_lens_scores(ds, _reach_shared(ds)))


def _compute_lens_scores(ds: Dataset, reach: pd.DataFrame) -> pd.DataFrame:
    lenses = [lens.code for lens in ds.codebook.lenses]
    tagged = reach[reach["submitted"]] if "submitted" in reach else reach
    tagged = tagged.explode("lens").dropna(subset=["lens"])
    out = (
        pd.DataFrame({"tambon_id": _current_ids(ds)})
        .merge(pd.DataFrame({"lens": pd.Series(lenses, dtype="str")}), how="cross")
        .merge(
            tagged.groupby(["tambon_id", "lens"], as_index=False).agg(
                outcomes_tagged=("outcome_code", "size"), outcomes_reached=("reached", "sum")
            ),
            on=["tambon_id", "lens"],
            how="left",
        )
    )
    # outcomes tagged in the tables the tambon sent (a table not sent is not a gap)
    out["outcomes_tagged"] = out["outcomes_tagged"].fillna(0).astype("int64")
    out["outcomes_reached"] = out["outcomes_reached"].fillna(0).astype("int64")
    out["lens_coverage"] = out["outcomes_reached"] / out["outcomes_tagged"].where(out["outcomes_tagged"] > 0)
    return out


def tambon_scores(ds: Dataset) -> pd.DataFrame:
    """Every score, one line per current tambon (the frame a notebook shows).

    Columns: the identity (``IDENTITY``), then for each table T of
    ``SCORED_TABLES``: ``T_submitted, T_present, T_rows_reported, T_other_rows_reported,
    T_reporting_rate, T_ticks, T_tick_rate, T_outcomes_reached,
    T_outcome_coverage`` (rates NaN when T was not submitted); then
    ``overall_outcome_coverage``, ``overall_tick_rate``, ``tables_present``,
    ``pillars_scored``; then ``lens_<lens>`` (lens_coverage) for each lens.
    Formulas: see the module docstring.
    """
    return _scores_shared(ds).copy()


def _scores_shared(ds: Dataset) -> pd.DataFrame:
    return _shared(ds, "tambon_scores", lambda: _compute_tambon_scores(ds))


def _compute_tambon_scores(ds: Dataset) -> pd.DataFrame:
    ts = _table_shared(ds)
    idx = ds.tambons.drop_duplicates("tambon_id")[list(IDENTITY)].reset_index(drop=True)
    out = idx.copy()
    per_table = ("submitted", "table_present", "rows_reported", "other_rows_reported", "reporting_rate",
                 "ticks", "tick_rate", "outcomes_reached", "outcome_coverage")
    for t in SCORED_TABLES:
        part = ts[ts["table"] == t].set_index("tambon_id")
        for m in per_table:
            out[f"{t}_{m.removeprefix('table_')}"] = out["tambon_id"].map(part[m]).to_numpy()
    ps = _pillar_shared(ds).set_index("tambon_id")
    for col in ("overall_outcome_coverage", "overall_tick_rate", "tables_present", "pillars_scored"):
        out[col] = out["tambon_id"].map(ps[col]).to_numpy()
    ls = _lens_shared(ds)
    for lens in ds.codebook.lenses:
        part = ls[ls["lens"] == lens.code].set_index("tambon_id")
        out[f"lens_{lens.code}"] = out["tambon_id"].map(part["lens_coverage"]).to_numpy()
    return out


def _positions_by_id(ds: Dataset, score: str) -> pd.DataFrame:
    """``positions(tambon_scores(ds), score)`` indexed by tambon_id (shared, memoised)."""
    return _shared(ds, f"positions:{score}",
                   lambda: positions(_scores_shared(ds), score).set_index("tambon_id", drop=False))


def network_positions(ds: Dataset, score: str = "overall_outcome_coverage") -> pd.DataFrame:
    """``positions(tambon_scores(ds), score)``, memoised on ``ds`` (a copy each call)."""
    return _positions_by_id(ds, score).reset_index(drop=True)


def network_position(ds: Dataset, tambon_id: str, score: str = "overall_outcome_coverage") -> dict:
    """``position(tambon_scores(ds), tambon_id, score)``, from the memoised positions."""
    pos = _positions_by_id(ds, score)
    tid = str(tambon_id)
    if tid not in pos.index:
        raise KeyError(f"no tambon {tambon_id!r} in the scores")
    return pos.loc[tid].to_dict() if pos.index.is_unique else pos.loc[[tid]].iloc[0].to_dict()


POSITION_COLUMNS = ("n", "median", "percentile", "rank", "tied", "at_or_above")


def scorecard_frame(ds: Dataset, tambon_id: str) -> pd.DataFrame:
    """A tambon's scorecard, one line per pillar (people, mechanism, data) and
    ``overall``: ``pillar, present`` (= ``submitted``), ``submitted, rows_reported,
    other_rows_reported, rows_canonical, ticks, tick_cells, tick_rate, outcomes_reached,
    outcomes_total, outcome_coverage``; then the position of the breadth score
    (``score``, the ``tambon_scores`` column of the outcome coverage):
    ``network_<c>`` and ``province_<c>`` for c in ``n, median, percentile, rank, tied,
    at_or_above``; then the same for the depth score (``depth_score``, the tick rate
    column) as ``depth_network_<c>`` and ``depth_province_<c>``.

    A pillar not submitted has NaN rates and no position (module docstring). The
    overall line sums the counts of the pillars submitted (its tick rate = their
    ticks ÷ their tick cells), takes ``overall_outcome_coverage`` (the mean over
    the pillars submitted) as its coverage, and ``submitted`` = how many pillars
    it is over (``pillars_scored``). KeyError for an unknown id.
    """
    tid = str(tambon_id)
    ds.tambon(tid)
    scores = _scores_shared(ds)
    ts = _table_shared(ds)
    mine = ts[ts["tambon_id"] == tid].set_index("table")
    counts = ("rows_reported", "other_rows_reported", "rows_canonical", "ticks", "tick_cells",
              "outcomes_reached", "outcomes_total")
    lines = []
    for table_code in SCORED_TABLES:
        m = mine.loc[table_code]
        lines.append({"pillar": table_code, "present": bool(m["submitted"]), "submitted": bool(m["submitted"]),
                      **{k: int(m[k]) for k in counts},
                      "tick_rate": m["tick_rate"], "outcome_coverage": m["outcome_coverage"],
                      "score": f"{table_code}_outcome_coverage", "depth_score": f"{table_code}_tick_rate"})
    tot = pd.DataFrame(lines)
    sent = tot[tot["submitted"]]
    sums = {k: int(sent[k].sum()) for k in counts}
    me = scores.loc[scores["tambon_id"] == tid].iloc[0]
    lines.append({"pillar": "overall", "present": bool(tot["submitted"].all()), "submitted": len(sent), **sums,
                  "tick_rate": float(me["overall_tick_rate"]), "outcome_coverage": float(me["overall_outcome_coverage"]),
                  "score": "overall_outcome_coverage", "depth_score": "overall_tick_rate"})
    out = pd.DataFrame(lines)
    for prefix, key in (("", "score"), ("depth_", "depth_score")):
        for group in ("network", "province"):
            for c in POSITION_COLUMNS:
                col = f"{group}_{c}"
                # the memoised positions: computed once per batch, not per report
                out[prefix + col] = [_positions_by_id(ds, sc).loc[tid, col] for sc in out[key]]
    return out


def lens_profile_frame(ds: Dataset, tambon_id: str, lang: str = "th") -> pd.DataFrame:
    """A tambon's S-I-I profile, one line per lens (codebook order): ``lens, label``
    (in ``lang``), ``outcomes_reached, outcomes_tagged, lens_coverage`` and the
    ``province_median`` and ``network_median`` of that coverage."""
    tid = str(tambon_id)
    ls = lens_scores(ds)
    mine = ls[ls["tambon_id"] == tid].set_index("lens")
    lines = []
    for lens in ds.codebook.lenses:
        pos = _positions_by_id(ds, f"lens_{lens.code}").loc[tid]
        m = mine.loc[lens.code]
        lines.append({"lens": lens.code, "label": lens.label.text(lang), "outcomes_reached": int(m["outcomes_reached"]),
                      "outcomes_tagged": int(m["outcomes_tagged"]), "lens_coverage": float(m["lens_coverage"]),
                      "province_median": pos["province_median"], "network_median": pos["network_median"]})
    return pd.DataFrame(lines)


def data_steps(ds: Dataset, lang: str = "th") -> pd.DataFrame:
    """Steps D1–D5 of the community data system, to see where teams drop off.

    One line per step: ``step, label, reported, reported_share, ticked, ticked_share,
    tambons``, where ``tambons`` = current tambons that submitted the data table (the
    n of the figure: a tambon that did not send it is left out, not counted as
    dropping off at D1), ``reported`` = tambons that reported the step, ``ticked`` =
    tambons that reported it with at least one outcome ticked, and each share =
    count ÷ ``tambons`` (0 when there are none).
    """
    table = ds.codebook.table("data")
    ts = _table_shared(ds)
    ids = ts.loc[(ts["table"] == "data") & ts["submitted"], "tambon_id"]
    n = len(ids)
    rows = ds.rows[(ds.rows["table"] == "data") & ds.rows["tambon_id"].isin(ids)]
    reported = rows.groupby("row_code")["tambon_id"].nunique()
    ticks = _ticked_shared(ds)
    ticked = ticks[ticks["table"] == "data"].groupby("row_code")["tambon_id"].nunique()
    lines = []
    for r in table.canonical_rows:
        a, b = int(reported.get(r.code, 0)), int(ticked.get(r.code, 0))
        lines.append({"step": r.code, "label": r.label.text(lang), "reported": a,
                      "reported_share": a / n if n else 0.0, "ticked": b, "ticked_share": b / n if n else 0.0,
                      "tambons": n})
    return pd.DataFrame(lines, columns=["step", "label", "reported", "reported_share", "ticked", "ticked_share",
                                        "tambons"])
