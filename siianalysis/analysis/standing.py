"""Where a tambon stands among others on one score: median, mid-rank percentile and
competition rank, over the network and over its province.

The formulas are in ``analysis.scores`` (its "Position" and "Province" paragraphs);
``scores`` re-exports every name here. Pure functions of a scores frame: a tambon
without a value (a pillar it did not submit) is in no group.
"""

from __future__ import annotations

import pandas as pd

from siianalysis.text import fold


def percentile_rank(values: pd.Series) -> pd.Series:
    """Mid-rank percentile of each value among ``values``:
    100 × (B + E/2) / N (B strictly lower, E equal incl. itself, N non-missing).
    Missing values get NaN and are not counted in N."""
    v = pd.to_numeric(values, errors="coerce").astype(float).round(12)  # float noise must not break ties
    n = v.notna().sum()
    below = v.rank(method="min") - 1  # B
    below_or_equal = v.rank(method="max")  # B + E
    return 100.0 * (below + below_or_equal) / 2.0 / n


def competition_rank(values: pd.Series) -> pd.DataFrame:
    """Competition ranks of ``values``, highest first ("1224" ranking), one line per value:
    ``rank`` = 1 + the number strictly higher, ``tied`` = the number equal (itself
    included), ``at_or_above`` = the number ≥ it, ``n`` = values present. Missing
    values get missing ranks and are not counted."""
    v = pd.to_numeric(values, errors="coerce").astype(float).round(12)  # float noise must not break ties
    out = pd.DataFrame(index=values.index)
    out["rank"] = v.rank(method="min", ascending=False).astype("Int64")
    out["at_or_above"] = v.rank(method="max", ascending=False).astype("Int64")
    out["tied"] = out["at_or_above"] - out["rank"] + 1
    out["n"] = int(v.notna().sum())
    return out


def rank_words(rank: object, tied: object, n: object, lang: str = "th") -> str:
    """ "=1 of 12" (a shared rank, ``tied`` > 1) or "3 of 12" in ``lang``; "-" without a rank."""
    from siianalysis.words import t

    if rank is None or pd.isna(rank) or not n or pd.isna(n):
        return "-"
    shared = "=" if tied is not None and not pd.isna(tied) and int(tied) > 1 else ""
    return t("tambon.scorecard.rank_of", lang, rank=f"{shared}{int(rank)}", n=int(n))


def province_key(tambons: pd.DataFrame) -> pd.Series:
    """The province a tambon is compared within, the one rule of the whole package (the
    rankings, the network report and the index group by it): its 2-digit code, or, when
    it has none, its folded Thai province name; NaN when neither. An unresolved tambon
    (``u-…``) with a known province is in that province (module docstring)."""
    name = tambons["province_th"].map(lambda s: f"th:{fold(s)}" if fold(s) else "")
    key = tambons["province_code"].where(tambons["province_code"] != "", name)
    return key.where(key != "")


def positions(scores: pd.DataFrame, score: str = "overall_outcome_coverage") -> pd.DataFrame:
    """Where each tambon stands on ``score`` (a column of ``tambon_scores``):

    ``tambon_id, province_key, score, value, network_n, network_median,
    network_percentile, network_rank, network_tied, network_at_or_above,
    province_n, province_median, province_percentile, province_rank,
    province_tied, province_at_or_above``. Percentiles are mid-rank, ranks are
    competition ranks (highest first, ties share), both over the tambons with a
    value only (module docstring); the province is ``province_key``.
    """
    if score not in scores.columns:
        raise KeyError(f"no score column {score!r}; choose one of: {', '.join(scores.columns)}")
    out = pd.DataFrame({"tambon_id": scores["tambon_id"], "province_key": province_key(scores)})
    out["score"] = score
    out["value"] = pd.to_numeric(scores[score], errors="coerce").astype(float)
    out["network_n"] = int(out["value"].notna().sum())
    out["network_median"] = out["value"].median()
    out["network_percentile"] = percentile_rank(out["value"])
    grouped = out.groupby("province_key", dropna=True)["value"]
    out["province_n"] = grouped.transform("count")
    out["province_median"] = grouped.transform("median")
    out["province_percentile"] = float("nan")  # below; the columns keep their order
    out["province_n"] = out["province_n"].astype("Int64")
    ranks = competition_rank(out["value"])
    for col in ("rank", "tied", "at_or_above"):
        out[f"network_{col}"] = ranks[col]
    # per province, the same formulas as percentile_rank and competition_rank, ranked within
    # each group at once (a loop over the country's 77 provinces took seconds per score)
    rounded = out["value"].round(12).groupby(out["province_key"], dropna=True)
    low, high = rounded.rank(method="min"), rounded.rank(method="max")
    out["province_percentile"] = 100.0 * ((low - 1) + high) / 2.0 / out["province_n"].astype(float)
    out["province_rank"] = rounded.rank(method="min", ascending=False).astype("Int64")
    at_or_above = rounded.rank(method="max", ascending=False).astype("Int64")
    out["province_tied"] = at_or_above - out["province_rank"] + 1
    out["province_at_or_above"] = at_or_above
    return out


def position(scores: pd.DataFrame, tambon_id: str, score: str = "overall_outcome_coverage") -> dict:
    """``positions`` for one tambon, as a dict."""
    pos = positions(scores, score)
    hit = pos[pos["tambon_id"] == str(tambon_id)]
    if hit.empty:
        raise KeyError(f"no tambon {tambon_id!r} in the scores")
    return hit.iloc[0].to_dict()
