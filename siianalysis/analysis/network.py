"""The network report's tables: the whole network at a glance, one function per table.

Every function takes a ``Dataset`` (and the report's language where a table names
places or codebook labels) and returns a new DataFrame; only the current tambons
count. Provinces are those of ``places.province_names`` (a tambon without a code
joins its province by name) in Thai dictionary order, and a table's total line,
when it has one, comes last. An unresolved tambon (``u-…``) is in the province it
wrote, when known (``scores.province_key``, the one rule), in every table here and
in ``tambons_by_province`` (the network report's links and the index).

A pillar a tambon did not submit is left out of that pillar's figures: every
share over tambons says its n (the tambons that sent the table).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import siianalysis.analysis.feedback as fbk
from siianalysis.words import t

from .dataset import Dataset
from .places import current_tambons, province_names, short_name, thai_sorted
from .scores import SCORED_TABLES, data_steps, outcome_reach, table_scores, tambon_scores

MODEL_TOP = 3
TERMS_TOP = 10
# tambons whose texts are segmented for the frequent words; above it a fixed draw of them (the
# page says so). newmm reads ~0.4 million characters a CPU-second: every text of 7,255 tambons
# (~14 million characters) took 35 s, most of the network report; 1,000 tambons is ~2 million
TERMS_SAMPLE = 1_000


def _memoised(fn: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """``fn(ds, ...)`` computed once per Dataset and arguments (``Dataset.memo``), a copy each
    call: the summary, the sections and their figures ask for the same network-wide tables,
    which at 7,255 tambons cost a second or more each time."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def shared(ds: Dataset, *args: Any, **kwargs: Any) -> pd.DataFrame:
        bound = signature.bind(ds, *args, **kwargs)
        bound.apply_defaults()
        key = ("network", fn.__name__, *list(bound.arguments.items())[1:])
        return ds.memo(key, lambda: fn(ds, *args, **kwargs)).copy()

    return shared


@_memoised
def overview_frame(ds: Dataset, lang: str = "th") -> pd.DataFrame:
    """Per province (Thai dictionary order), then a total line: ``province, tambons,
    resolved, all_tables`` (worksheets with all 4 tables), ``completeness`` (mean over
    its tambons of the mean reporting rate of tables 1–3)."""
    tam = current_tambons(ds)
    prov = province_names(ds, lang)
    ts = table_scores(ds)
    # a worksheet's completeness counts a table not sent as no row reported (it is a fact
    # about the worksheet, not a pillar score; "all_tables" says which tables are missing)
    rate = ts["reporting_rate"].fillna(0.0).groupby(ts["tambon_id"]).mean()
    all_codes = {tb.code for tb in ds.codebook.tables}
    frame = pd.DataFrame({
        "province": prov["province"],
        "resolved": tam["resolved"].astype(bool),
        "all_tables": tam["tables"].map(lambda s: all_codes <= {x for x in str(s).split(",") if x}),
        "completeness": tam["tambon_id"].map(rate).astype(float),
    })
    per = frame.groupby("province").agg(tambons=("resolved", "size"), resolved=("resolved", "sum"),
                                        all_tables=("all_tables", "sum"), completeness=("completeness", "mean"))
    per = per.reindex(thai_sorted(per.index)).reset_index()
    total = pd.DataFrame([{"province": t("common.total", lang), "tambons": len(frame),
                           "resolved": int(frame["resolved"].sum()), "all_tables": int(frame["all_tables"].sum()),
                           "completeness": frame["completeness"].mean()}])
    out = pd.concat([per, total], ignore_index=True)
    return out.astype({"tambons": "int64", "resolved": "int64", "all_tables": "int64"})


@_memoised
def outcome_share_frame(ds: Dataset, lang: str = "th") -> pd.DataFrame:
    """Per outcome of tables 1–3: ``table, outcome_code, outcome, tambons_reached, tambons``
    (the tambons that submitted the table: the n), ``share`` (reached ÷ tambons) and
    ``row_share`` (depth: the mean, over those tambons, of the share of their reported
    rows of the table that ticked the outcome)."""
    reach = outcome_reach(ds)
    counts = reach.groupby("outcome_code")["reached"].sum()
    sent = reach[reach["submitted"]]
    n_sent = sent.groupby("outcome_code")["tambon_id"].nunique()
    depth = sent.groupby("outcome_code")["row_share"].mean()
    lines = []
    for tb in SCORED_TABLES:
        for o in ds.codebook.table(tb).outcomes:
            n, k = int(n_sent.get(o.code, 0)), int(counts.get(o.code, 0))
            lines.append({"table": tb, "outcome_code": o.code, "outcome": o.label.text(lang),
                          "tambons_reached": k, "tambons": n, "share": k / n if n else 0.0,
                          "row_share": float(depth.get(o.code, float("nan")))})
    return pd.DataFrame(lines)


@_memoised
def score_table(ds: Dataset, lang: str = "th", score: str = "overall_outcome_coverage") -> pd.DataFrame:
    """Per province (highest median first) and the whole network (last line):
    ``province, n, median, q1, q3, iqr`` of ``score`` (a ``tambon_scores`` column), and
    ``at_top`` (how many of the n share the network's highest value: a saturated
    score shows as most tambons at the top). ``n`` counts the tambons with a value
    (a pillar not submitted has none)."""
    scores = tambon_scores(ds)
    prov = province_names(ds, lang).set_index("tambon_id")["province"]
    frame = pd.DataFrame({"province": scores["tambon_id"].map(prov), "value": scores[score].astype(float)})
    top = frame["value"].max()

    def stats(values: pd.Series) -> dict:
        q1, med, q3 = values.quantile([0.25, 0.5, 0.75]).tolist() if values.notna().any() else [np.nan] * 3
        return {"n": int(values.notna().sum()), "median": med, "q1": q1, "q3": q3, "iqr": q3 - q1,
                "at_top": int((values.round(12) == round(top, 12)).sum()) if pd.notna(top) else 0}

    lines = [{"province": p, **stats(g["value"])} for p, g in frame.groupby("province")]
    per = pd.DataFrame(lines)
    if not per.empty:
        per = per.sort_values(["median", "province"], ascending=[False, True], kind="stable")
    total = pd.DataFrame([{"province": t("network.score_distributions.whole_network", lang),
                           **stats(frame["value"])}])
    return pd.concat([per, total], ignore_index=True)


def dropoff_frame(ds: Dataset, lang: str = "th") -> pd.DataFrame:
    """Steps D1–D5 (``scores.data_steps``: the same counts as the figure)."""
    return data_steps(ds, lang)


@_memoised
def model_frame(ds: Dataset, top: int = MODEL_TOP) -> pd.DataFrame:
    """Per pillar, the ``top`` tambons by outcome coverage (ties: tick rate, then
    tambon_id; tambons that did not submit the table are not ranked): ``table, rank,
    tambon_id, outcome_coverage, tick_rate, plan`` (their plan texts of that table, in
    row order, joined by newlines)."""
    ts = table_scores(ds)
    ts = ts[ts["submitted"]]
    lines = []
    for tb in SCORED_TABLES:
        part = ts[ts["table"] == tb].sort_values(["outcome_coverage", "tick_rate", "tambon_id"],
                                                 ascending=[False, False, True], kind="stable").head(top)
        for rank, r in enumerate(part.itertuples(), start=1):
            lines.append({"table": tb, "rank": rank, "tambon_id": r.tambon_id,
                          "outcome_coverage": r.outcome_coverage, "tick_rate": r.tick_rate})
    # the plans of the tambons shown only (not a join of every plan of the network)
    order = {r.code: r.number for tb in SCORED_TABLES for r in ds.codebook.table(tb).rows}
    texts = pd.concat([ds.lines_of("texts", tid) for tid in dict.fromkeys(x["tambon_id"] for x in lines)]
                      or [ds.texts.iloc[0:0]])
    plans = texts[(texts["field"] == "plan") & texts["table"].isin(SCORED_TABLES)]
    plans = plans.assign(_n=plans["row_code"].map(order)).sort_values(["tambon_id", "table", "_n"], kind="stable")
    plan_text = plans.groupby(["tambon_id", "table"])["text"].agg("\n".join)
    for x in lines:
        x["plan"] = plan_text.get((x["tambon_id"], x["table"]), "")
    return pd.DataFrame(lines)


def _current_texts(ds: Dataset, of: set[str] | None = None, field: str | None = None) -> pd.DataFrame:
    """The ``texts`` lines of the current tambons (of those in ``of``; of one ``field``), one copy."""
    texts = ds.texts
    keep = texts["tambon_id"].isin(set(ds.tambons["tambon_id"]) if of is None else of)
    return texts[keep & (texts["field"] == field) if field is not None else keep]


def plan_theme_counts(ds: Dataset) -> pd.DataFrame:
    """The themes of the theme codebook in the teams' plans (``thaitext.tag_themes`` on
    the ``plan`` texts): ``theme, theme_th, theme_en, tambons, texts, tambon_share``
    (share of all current tambons), most tambons first. Memoised on ``ds`` (the figure
    and the table share one tagging); a copy each call."""
    return ds.memo(("network", "plan_theme_counts"), lambda: _plan_theme_counts(ds)).copy()


def _plan_theme_counts(ds: Dataset) -> pd.DataFrame:
    from .thaitext import tag_themes, theme_counts

    n = ds.tambons["tambon_id"].nunique()
    counts = theme_counts(tag_themes(_current_texts(ds, field="plan")), n_tambons=n or None)
    if "tambon_share" not in counts:
        counts["tambon_share"] = 0.0
    return counts.sort_values(["tambons", "texts"], ascending=False, kind="stable").reset_index(drop=True)


@_memoised
def table_terms(ds: Dataset, n: int = TERMS_TOP, sample: int | None = TERMS_SAMPLE) -> pd.DataFrame:
    """The ``n`` top terms of each worksheet table over everything the teams wrote in it
    (``thaitext.top_terms(…, by="table")``).

    A network of more than ``sample`` tambons is read through ``sample`` of them
    (``terms_sample``: the same draw on every run, whatever the order of the files), and
    ``tambons`` counts among those; ``attrs["tambons_read"]`` and ``attrs["tambons_total"]``
    say how many were read of how many. ``sample=None`` reads every tambon."""
    from .thaitext import top_terms

    total = ds.tambons["tambon_id"].nunique()
    read = terms_sample(ds, sample)
    out = top_terms(_current_texts(ds, of=read), by="table", n=n)
    out.attrs.update(tambons_read=total if read is None else len(read), tambons_total=total)
    return out


def terms_sample(ds: Dataset, sample: int | None = TERMS_SAMPLE) -> set[str] | None:
    """The tambons ``table_terms`` reads in a network of more than ``sample`` tambons (``None``:
    every one): those of the ``sample`` smallest SHA-1 digests of their ids, a draw that does
    not depend on file order and keeps its tambons when others join the network."""
    ids = list(dict.fromkeys(ds.tambons["tambon_id"]))
    if sample is None or len(ids) <= sample:
        return None
    return set(sorted(ids, key=lambda tid: hashlib.sha1(tid.encode("utf-8")).hexdigest())[:sample])


@_memoised
def coverage_frame(ds: Dataset, lang: str = "th") -> pd.DataFrame:
    """Review coverage per province (Thai dictionary order), then a total line:
    ``province, tambons, reviewed, share, complete`` (reviewed on every pillar),
    ``lacking`` (ids of the tambons without a review, in file order)."""
    cov = fbk.review_coverage(ds).tambons
    prov = province_names(ds, lang).set_index("tambon_id")["province"]
    cov = cov.assign(province=cov["tambon_id"].map(prov), complete=cov["missing_pillars"] == "")
    lines = []
    for province in thai_sorted(cov["province"].unique()):
        part = cov[cov["province"] == province]
        lines.append({"province": province, "tambons": len(part), "reviewed": int(part["reviewed"].sum()),
                      "complete": int(part["complete"].sum()),
                      "lacking": list(part.loc[~part["reviewed"], "tambon_id"])})
    lines.append({"province": t("common.total", lang), "tambons": len(cov), "reviewed": int(cov["reviewed"].sum()),
                  "complete": int(cov["complete"].sum()), "lacking": list(cov.loc[~cov["reviewed"], "tambon_id"])})
    out = pd.DataFrame(lines, columns=["province", "tambons", "reviewed", "complete", "lacking"])
    out["share"] = [r / n if n else 0.0 for r, n in zip(out["reviewed"], out["tambons"], strict=True)]
    return out[["province", "tambons", "reviewed", "share", "complete", "lacking"]]


def tambons_by_province(ds: Dataset, lang: str = "th") -> list[tuple[str, list[dict[str, Any]]]]:
    """Every current tambon under its province: ``[(province, [tambons line + "name"])]``,
    provinces in Thai dictionary order, tambons by their short name (``places.short_name``,
    in ``lang``) in that order, then by id. Memoised on ``ds`` (the network report and the
    index share it); fresh dicts each call."""
    groups = ds.memo(("network", "tambons_by_province", lang), lambda: _tambons_by_province(ds, lang))
    return [(province, [dict(r) for r in members]) for province, members in groups]


def _tambons_by_province(ds: Dataset, lang: str) -> list[tuple[str, list[dict[str, Any]]]]:
    tam = current_tambons(ds)
    prov = province_names(ds, lang).set_index("tambon_id")["province"]
    records = tam.to_dict("records")
    names = [short_name(ds, r, lang) for r in records]
    provinces = list(tam["tambon_id"].map(prov))
    # one collation of every province and every name (Thai dictionary order is a total order,
    # so a province's names keep the order they have among all names)
    p_rank = {p: i for i, p in enumerate(thai_sorted(set(provinces)))}
    n_rank = {n: i for i, n in enumerate(thai_sorted(set(names)))}
    order = sorted(range(len(records)),
                   key=lambda i: (p_rank[provinces[i]], n_rank[names[i]], str(records[i]["tambon_id"])))
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for i in order:
        if not out or out[-1][0] != provinces[i]:
            out.append((provinces[i], []))
        out[-1][1].append(records[i] | {"name": names[i]})
    return out
