"""Figures of one tambon and of the network, Thai first (``lang="en"`` for English).

Every function returns a ``matplotlib.figure.Figure``. Figures are built with
``Figure()`` directly, not ``pyplot``: none is registered with pyplot, so none
has to be closed and none is shown twice in a notebook (Jupyter displays the
returned one). They are drawn inside ``matplotlib.rc_context(thai_rc())``:
the caller's rcParams are left as they were, and the Thai font is stored in
each text of the figure, so it still renders after the context has ended.

Labels come from the codebook (outcome short labels, row labels, table
titles, lens labels); the few words of the charts themselves from
``data/report_text.yaml`` (``figures.*``). Some come from the teams: the label
of an "other" row, the name of a tambon that did not resolve. ``mask_figure``
masks personal data (``personal_data``: names, phone numbers, e-mail
addresses, citizen IDs) in every text a figure draws; the report sections call
it on every figure they embed, since a picture cannot be masked afterwards.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from siianalysis.words import t, texts

from .dataset import Dataset
from .fonts import thai_rc
from .network import overview_frame, plan_theme_counts
from .personal_data import mask_text
from .places import place_name
from .scores import (
    SCORED_TABLES,
    data_steps,
    lens_scores,
    outcome_reach,
    province_key,
    tambon_scores,
    ticked_cells,
)
from .team import tick_matrix

FILLED, EMPTY, ACCENT, GREY = "#2a7ab0", "#eeeeee", "#e07b39", "#9e9e9e"


# --- helpers ---------------------------------------------------------------------


def _ui(lang: str) -> dict[str, str]:
    """The charts' own words in ``lang`` (ValueError for another language)."""
    return texts("figures", lang)


def _width(text: str) -> int:
    # Thai vowels and tone marks above/below take no width of their own
    return sum(1 for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch) != "Mn")


def wrap(text: str, width: int = 22) -> str:
    """``text`` broken into lines of about ``width`` characters, between words
    (Thai words found by the tokenizer, since Thai has no spaces)."""
    text = str(text)
    if _width(text) <= width:
        return text
    if any("\u0e00" <= ch <= "\u0e7f" for ch in text):
        from .thaitext import tokenize

        words = tokenize(text, keep_whitespace=True)
    else:
        words = [w for part in text.split(" ") for w in (part, " ")][:-1]
    lines, line = [], ""
    for word in words:
        if line and _width(line + word) > width:
            lines.append(line.rstrip())
            line = word.lstrip()
        else:
            line += word
    lines.append(line.rstrip())
    return "\n".join(x for x in lines if x)


# Above this many provinces a chart of one row per province (the whole country: 77) gets
# thinner rows, so that it stays about a screen and a half tall (≤ 1,600 px) instead of 3,000+.
MANY_PROVINCES = 25
MANY_ROW_INCHES = 0.17


def _row_inches(rows: int, few: float) -> float:
    """The height of one province's row: ``few`` for a region's provinces, less for the country's."""
    return few if rows <= MANY_PROVINCES else MANY_ROW_INCHES


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _tambon_name(ds: Dataset, tambon_id: str, lang: str) -> str:
    row = ds.tambon(tambon_id)
    if lang == "en" and row.get("tambon_en"):
        return ", ".join(p for p in (row["tambon_en"], row.get("amphoe_en", ""), row.get("province_en", "")) if p)
    return place_name(row, ds.codebook, "th") or str(tambon_id)  # "ต.สันทรายหลวง อ.สันทราย จ.เชียงใหม่"


def _title(ds: Dataset, table: str, lang: str) -> str:
    return ds.codebook.table(table).title.text(lang)


def _check_table(table: str) -> None:
    if table not in SCORED_TABLES:
        raise ValueError(f"table must be one of {', '.join(SCORED_TABLES)}, not {table!r}")


def _outcome_labels(ds: Dataset, table: str, lang: str, width: int = 18) -> list[str]:
    return [f"{o.code}\n{wrap(o.short.text(lang), width)}" for o in ds.codebook.table(table).outcomes]


def _score_label(ds: Dataset, score: str, lang: str) -> str:
    """A readable name for a ``tambon_scores`` column (the column name if none)."""
    names = texts("figures.scores", lang)
    if score in names:
        return names[score]
    lens = next((x for x in ds.codebook.lenses if f"lens_{x.code}" == score), None)
    return lens.label.text(lang) if lens else score


def _percent_axis(axis) -> None:
    axis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))


def _percent(share: float) -> str:
    """0.52 -> "52%" ("-" when missing), as the report's tables write a share."""
    return "-" if pd.isna(share) else f"{float(share) * 100:.0f}%"


def mask_figure(fig: Figure) -> Counter:
    """Masks personal data in every text ``fig`` draws (titles, axis and tick labels,
    legends, bar labels, annotations), in place; returns how many of each kind were masked.

    Tick labels are masked as the axis would write them, and set back on the axis as
    fixed labels at the same ticks, so they stay masked whenever the figure is drawn.
    Axes with nothing to mask are left untouched (the same picture, byte for byte).
    """
    from matplotlib.text import Text

    counts: Counter = Counter()
    tick_texts = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for minor in (False, True):
                locs = list(axis.get_minorticklocs() if minor else axis.get_majorticklocs())
                formatter = axis.get_minor_formatter() if minor else axis.get_major_formatter()
                labels = [str(x) for x in formatter.format_ticks(locs)] if locs else []
                masked = []
                for label in labels:
                    new, found = mask_text(label)
                    counts.update(found)
                    masked.append(new)
                if masked != labels:
                    axis.set_ticks(locs, masked, minor=minor)
                tick_texts.update(id(t) for t in axis.get_ticklabels(minor=minor))
    for text in fig.findobj(Text):
        old = text.get_text()
        if not old:
            continue
        new, found = mask_text(old)
        if new != old:
            text.set_text(new)
            if id(text) not in tick_texts:  # a tick label was counted with its axis
                counts.update(found)
    return counts


# --- one tambon ------------------------------------------------------------------------


def heatmap_rows_outcomes(ds: Dataset, tambon_id: str, table: str, lang: str = "th") -> Figure:
    """The tambon's reported rows of ``table`` × the table's outcomes; a cell is
    filled (✓) where the team ticked the outcome on that row. "Other" rows show
    the label the team wrote."""
    ui = _ui(lang)
    _check_table(table)
    tid = str(tambon_id)
    cb = ds.codebook
    name = _tambon_name(ds, tid, lang)
    grid = tick_matrix(ds, tid, table, lang)
    outcomes = [o.code for o in cb.table(table).outcomes]
    rows = grid[["row_code", "label"]]
    matrix = grid[outcomes].to_numpy(dtype=float).reshape(len(grid), len(outcomes))

    with matplotlib.rc_context(thai_rc()):
        fig = _figure(3.2 + 1.35 * len(outcomes), 1.8 + 0.55 * max(len(rows), 1))
        ax = fig.add_subplot()
        ax.set_title(f"{name}\n{_title(ds, table, lang)}")
        if rows.empty:
            ax.text(0.5, 0.5, ui["not_reported"], ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            return fig
        ax.imshow(matrix, cmap=ListedColormap([EMPTY, FILLED]), vmin=0, vmax=1, aspect="auto")
        labels = [wrap(f"{code} {text}", 30) for code, text in zip(rows["row_code"], rows["label"], strict=True)]
        ax.set_yticks(range(len(rows)), labels)
        # labels at the body size, wrapped narrower: the chart is read shrunk on a phone
        ax.set_xticks(range(len(outcomes)), _outcome_labels(ds, table, lang, width=14))
        ax.xaxis.tick_top()
        ax.set_xticks(np.arange(-0.5, len(outcomes)), minor=True)
        ax.set_yticks(np.arange(-0.5, len(rows)), minor=True)
        ax.grid(which="minor", color="white", linewidth=2)
        ax.tick_params(which="both", length=0)
        for (i, j), v in np.ndenumerate(matrix):
            if v:
                ax.text(j, i, "✓", ha="center", va="center", color="white", fontsize="large")
        for side in ax.spines.values():
            side.set_visible(False)
    return fig


def sii_profile(ds: Dataset, tambon_id: str, lang: str = "th") -> Figure:
    """Bars per S-I-I lens: the tambon's lens coverage (share of the lens's
    outcomes it reached) beside the median of its province and of the network."""
    ui = _ui(lang)
    tid = str(tambon_id)
    ds.tambon(tid)  # KeyError for an unknown id
    ls = lens_scores(ds)
    lenses = list(ds.codebook.lenses)
    mine = ls[ls["tambon_id"] == tid].set_index("lens")["lens_coverage"]
    network = ls.groupby("lens")["lens_coverage"].median()
    key = province_key(ds.tambons)
    mine_key = key[ds.tambons["tambon_id"] == tid].iloc[0]
    same = ds.tambons["tambon_id"][key == mine_key]
    province = ls[ls["tambon_id"].isin(same)].groupby("lens")["lens_coverage"].median()
    series = [(_tambon_name(ds, tid, lang), mine, FILLED), (ui["province_median"], province, ACCENT),
              (ui["network_median"], network, GREY)]

    with matplotlib.rc_context(thai_rc()):
        fig = _figure(7.5, 4.2)
        ax = fig.add_subplot()
        x = np.arange(len(lenses))
        w = 0.27
        for k, (label, values, color) in enumerate(series):
            v = [float(values.get(lens.code, 0.0)) for lens in lenses]
            bars = ax.bar(x + (k - 1) * w, v, w, label=label, color=color)
            ax.bar_label(bars, labels=[f"{p:.0%}" for p in v], fontsize="small", padding=1)
        ax.set_xticks(x, [wrap(lens.short.text(lang), 20) for lens in lenses])
        ax.set_ylim(0, 1.1)
        _percent_axis(ax.yaxis)
        ax.set_ylabel(ui["lens_coverage"])
        ax.set_title(f"{ui['sii_profile']}: {_tambon_name(ds, tid, lang)}")
        # Below the axes: bars often reach 100 % and a legend inside would cover them.
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize="small", frameon=False, ncols=3)
        ax.spines[["top", "right"]].set_visible(False)
    return fig


# --- the network -------------------------------------------------------------------------


def network_outcome_share(ds: Dataset, table: str, lang: str = "th") -> Figure:
    """Horizontal bars: share of the current tambons that sent ``table`` that reached
    each of its outcomes (ticked it on at least one row), with the count; N in the
    title is the tambons that sent the table (a table not sent is left out)."""
    ui = _ui(lang)
    _check_table(table)
    reach = outcome_reach(ds)
    reach = reach[reach["table"] == table]
    n = reach.loc[reach["submitted"], "tambon_id"].nunique()
    outcomes = ds.codebook.table(table).outcomes
    counts = reach.groupby("outcome_code")["reached"].sum()
    k = [int(counts.get(o.code, 0)) for o in outcomes]
    share = [c / n if n else 0.0 for c in k]

    with matplotlib.rc_context(thai_rc()):
        fig = _figure(8, 1.2 + 0.6 * len(outcomes))
        ax = fig.add_subplot()
        y = np.arange(len(outcomes))
        bars = ax.barh(y, share, color=FILLED)
        ax.bar_label(bars, labels=[f"{s:.0%} ({c}/{n})" for s, c in zip(share, k, strict=True)],
                     fontsize="small", padding=2)
        ax.set_yticks(y, [f"{o.code} {wrap(o.short.text(lang), 32)}" for o in outcomes])
        ax.invert_yaxis()
        ax.set_xlim(0, 1.15)
        _percent_axis(ax.xaxis)
        ax.set_xlabel(ui["share_tambons"])
        ax.set_title(f"{_title(ds, table, lang)}\n{ui['reached_by']} (N = {n} {ui['n_tambons']})")
        ax.spines[["top", "right"]].set_visible(False)
    return fig


def row_outcome_share_heatmap(ds: Dataset, table: str, lang: str = "th") -> Figure:
    """Row type × outcome of ``table``: among the tambons that reported the row,
    the share that ticked the outcome on it. The "other" rows of a tambon are
    pooled into one line (a tambon counts once)."""
    ui = _ui(lang)
    _check_table(table)
    tb = ds.codebook.table(table)
    ids = ds.tambons["tambon_id"].drop_duplicates()
    other = {r.code for r in tb.other_rows}
    pool = lambda s: s.where(~s.isin(other), "other")  # noqa: E731 - all "other" rows as one
    rows = ds.rows[(ds.rows["table"] == table) & ds.rows["tambon_id"].isin(ids)
                   & ds.rows["row_code"].isin([r.code for r in tb.rows])]
    rows = rows.assign(line=pool(rows["row_code"]))[["tambon_id", "line"]].drop_duplicates()
    ticks = ticked_cells(ds)
    ticks = ticks[ticks["table"] == table]
    ticks = ticks.assign(line=pool(ticks["row_code"]))[["tambon_id", "line", "criterion_code"]].drop_duplicates()
    lines = [r.code for r in tb.canonical_rows] + ["other"]
    outcomes = [o.code for o in tb.outcomes]
    reported = rows.groupby("line")["tambon_id"].nunique()
    ticked = ticks.groupby(["line", "criterion_code"])["tambon_id"].nunique()
    share = np.array([[ticked.get((ln, o), 0) / reported[ln] if reported.get(ln, 0) else np.nan
                       for o in outcomes] for ln in lines])

    with matplotlib.rc_context(thai_rc()):
        fig = _figure(3.6 + 1.35 * len(outcomes), 1.8 + 0.6 * len(lines))
        ax = fig.add_subplot()
        im = ax.imshow(np.ma.masked_invalid(share), cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for (i, j), v in np.ndenumerate(share):
            if not np.isnan(v):
                ax.text(j, i, f"{v:.0%}", ha="center", va="center",
                        color="white" if v > 0.6 else "black")
        ylabels = []
        for ln in lines:
            text = ui["other_rows"] if ln == "other" else f"{ln} {tb.row(ln).label.text(lang)}"
            ylabels.append(f"{wrap(text, 30)}\n(n = {int(reported.get(ln, 0))})")
        ax.set_yticks(range(len(lines)), ylabels)
        ax.set_xticks(range(len(outcomes)), _outcome_labels(ds, table, lang, width=14))
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        cbar = fig.colorbar(im, ax=ax, shrink=0.8)
        _percent_axis(cbar.ax.yaxis)
        ax.set_title(f"{_title(ds, table, lang)}\n{wrap(ui['row_outcome'], 60)}", fontsize="medium")
    return fig


def score_distribution(ds: Dataset, score: str = "overall_outcome_coverage", by_province: bool = True,
                       lang: str = "th") -> Figure:
    """Distribution of ``score`` (a column of ``tambon_scores``) over the
    tambons: one box per province, with every tambon as a dot, provinces by
    median (highest first); or, with ``by_province=False``, a histogram."""
    ui = _ui(lang)
    scores = tambon_scores(ds)
    if score not in scores.columns:
        raise KeyError(f"no score column {score!r}")
    values = pd.to_numeric(scores[score], errors="coerce").astype(float)
    is_share = score.endswith(("coverage", "rate")) or score.startswith("lens_")
    ylabel = _score_label(ds, score, lang)

    with matplotlib.rc_context(thai_rc()):
        if not by_province:
            fig = _figure(7, 4)
            ax = fig.add_subplot()
            bins = np.linspace(0, 1, 11) if is_share else 10
            ax.hist(values.dropna(), bins=bins, color=FILLED, edgecolor="white")
            if is_share:
                _percent_axis(ax.xaxis)
            ax.set_xlabel(ylabel)
            ax.set_ylabel(ui["n_tambons"])
            ax.set_title(f"{ui['distribution']}: {ui['all']} (N = {values.notna().sum()})")
            ax.spines[["top", "right"]].set_visible(False)
            return fig

        # group by the province key (code, else name) so an unresolved tambon
        # joins its province; show the province's name in `lang` if any member has it
        tam = ds.tambons.drop_duplicates("tambon_id").set_index("tambon_id")
        key = province_key(tam.reset_index()).set_axis(tam.index)
        names = pd.DataFrame({"key": key, "en": tam["province_en"], "th": tam["province_th"]})
        label = {}
        for k, group in names.dropna(subset=["key"]).groupby("key"):
            ordered = [*group["en"], *group["th"]] if lang == "en" else [*group["th"], *group["en"]]
            label[k] = next((n for n in ordered if n), str(k))
        prov = scores["tambon_id"].map(key).map(label).fillna(ui["unknown_province"])
        frame = pd.DataFrame({"province": prov.to_numpy(), "value": values.to_numpy()}).dropna()
        medians = frame.groupby("province")["value"].median()
        order = medians.sort_values(ascending=False, kind="stable").index
        groups = frame.groupby("province")["value"]
        data = [groups.get_group(p).to_numpy() for p in order]
        # horizontal boxes: a province name reads left to right, and 17 of them fit; the whole
        # country's 77 fit in rows of ``_row_inches`` and without a dot per tambon (7,255 dots
        # are a smudge and a heavy image)
        many = len(order) > MANY_PROVINCES
        fig = _figure(8, 1.4 + _row_inches(len(order), 0.42) * max(len(order), 1))
        ax = fig.add_subplot()
        if data:
            ax.boxplot(data, orientation="horizontal", widths=0.5, showfliers=many,
                       medianprops={"color": ACCENT}, flierprops={"markersize": 2})
            rng = np.random.default_rng(0)  # fixed jitter: the same figure every run
            for i, d in enumerate(data, start=1):
                if not many:
                    ax.scatter(d, i + rng.uniform(-0.12, 0.12, len(d)), s=14, color=FILLED, alpha=0.7, zorder=3)
        ax.set_yticks(range(1, len(order) + 1),
                      [f"{p} (n = {len(d)})" for p, d in zip(order, data, strict=True)],
                      fontsize="small" if many else None)
        ax.invert_yaxis()  # highest median on top
        if is_share:
            ax.set_xlim(-0.03, 1.03)
            _percent_axis(ax.xaxis)
        ax.set_xlabel(ylabel)
        ax.set_title(ui["distribution"])
        ax.spines[["top", "right"]].set_visible(False)
    return fig


def data_steps_dropoff(ds: Dataset, lang: str = "th") -> Figure:
    """Steps D1→D5 of the community data system: the share of the tambons that sent
    Table 3 (N in the title) that reported each step, and that reported it with at
    least one outcome ticked, to see where teams drop off."""
    ui = _ui(lang)
    tb = ds.codebook.table("data")
    frame = data_steps(ds, lang)
    steps, rep, tic = list(frame["step"]), list(frame["reported_share"]), list(frame["ticked_share"])
    n = int(frame["tambons"].iloc[0]) if len(frame) else 0

    with matplotlib.rc_context(thai_rc()):
        fig = _figure(9, 4.8)
        ax = fig.add_subplot()
        x = np.arange(len(steps))
        bars = ax.bar(x, rep, 0.6, color=EMPTY, edgecolor=GREY, label=ui["reported"])
        ax.bar_label(bars, labels=[f"{v:.0%}" for v in rep], fontsize="small", padding=2)
        ax.plot(x, tic, marker="o", color=FILLED, label=ui["ticked"])
        for xi, v in zip(x, tic, strict=True):
            ax.annotate(f"{v:.0%}", (xi, v), textcoords="offset points", xytext=(7, 5),
                        ha="left", fontsize="small", color=FILLED)
        ax.set_xticks(x, [f"{s}\n{wrap(tb.row(s).label.text(lang), 16)}" for s in steps])
        ax.set_ylim(0, 1.15)
        _percent_axis(ax.yaxis)
        ax.set_ylabel(ui["share_tambons"])
        ax.set_title(f"{ui['dropoff']} (N = {n} {ui['n_tambons']})")
        ax.legend(loc="upper right", fontsize="small", frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
    return fig


def province_overview(ds: Dataset, lang: str = "th") -> Figure:
    """Horizontal bars per province (fewest tambons on top): its tambons, and among them
    those resolved to a DOPA code, labelled "resolved/tambons" (``network.overview_frame``)."""
    k = "network.overview"
    per = overview_frame(ds, lang).iloc[:-1].sort_values("tambons", ascending=True, kind="stable")
    with matplotlib.rc_context(thai_rc()):
        fig = _figure(8, 1.2 + _row_inches(len(per), 0.38) * max(len(per), 1))
        ax = fig.add_subplot()
        y = np.arange(len(per))
        ax.barh(y, per["tambons"], color="#c9d9e8", label=t("common.tambons", lang))
        bars = ax.barh(y, per["resolved"], color=FILLED, label=t(f"{k}.resolved", lang))
        ax.bar_label(bars, labels=[f"{r}/{n}" for r, n in zip(per["resolved"], per["tambons"], strict=True)],
                     fontsize="small", padding=3)
        ax.set_yticks(y, per["province"], fontsize="small" if len(per) > MANY_PROVINCES else None)
        ax.set_xlabel(t("common.tambons", lang))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_title(t(f"{k}.chart_title", lang))
        ax.legend(loc="lower right", fontsize="small", frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
    return fig


def plan_themes(ds: Dataset, lang: str = "th") -> Figure:
    """Horizontal bars: the share of tambons whose plans carry each theme (themes no
    plan carries left out; the most common on top), ``network.plan_theme_counts``."""
    counts = plan_theme_counts(ds)
    shown = counts[counts["tambons"] > 0].iloc[::-1]
    label_col = "theme_en" if lang == "en" else "theme_th"
    with matplotlib.rc_context(thai_rc()):
        fig = _figure(8, 1.2 + 0.34 * max(len(shown), 1))
        ax = fig.add_subplot()
        y = np.arange(len(shown))
        bars = ax.barh(y, shown["tambon_share"], color=FILLED)
        ax.bar_label(bars, labels=[_percent(v) for v in shown["tambon_share"]], fontsize="small", padding=2)
        ax.set_yticks(y, shown[label_col], fontsize="small")
        ax.set_xlim(0, 1.12)
        _percent_axis(ax.xaxis)
        ax.set_title(t("network.themes_terms.chart_title", lang))
        ax.spines[["top", "right"]].set_visible(False)
    return fig
