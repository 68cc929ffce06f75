"""A tambon's strengths and gaps, and which peers to learn from for each gap.

- strength: an outcome of tables 1–3 the tambon ticked on at least one row;
- gap: an outcome of a table it sent that it did not tick anywhere;
- not submitted: an outcome of a table the team did not send
  (``scores.table_scores`` ``submitted``): neither a strength nor a gap, and no
  peers are looked for (the table is missing, not failed).

Beside each outcome, how many tambons of the network reached it out of those
that sent its table ("reached by x of n tambons").

For a gap, the *peers* are the other current tambons that reached it, closest
first: same district (amphoe, within the same province), then same province,
then the rest of the network; ties by ``tambon_id`` so the order is
reproducible. Each peer comes with the rows on which it ticked the outcome and
what it wrote on them (method / assets / plan, and a remark written in that
tick cell), which is what a team can read and borrow.

Two tambons are in the same province when their 2-digit province codes are
equal, or their province names are (after folding: spaces, punctuation and the
word written before the name, จ./จังหวัด, removed: ``places.bare_place``); unresolved tambons have names but may lack codes.
Same district: equal 4-digit ``amphoe_code``, or same province and equal
folded district names (อ.สันทราย = สันทราย; สันทราย of another province is
another district).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from siianalysis.codebook import Codebook

from .dataset import Dataset
from .places import bare_place
from .scores import SCORED_TABLES, outcome_reach, ticked_cells

PROXIMITY = ("amphoe", "province", "network")
TEXT_FIELDS = ("method", "assets", "plan")


def _places(tambons: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """``tambon_id, province_code, province_name, amphoe_code, amphoe_name`` ("" when unknown)."""
    t = tambons.drop_duplicates("tambon_id")
    return pd.DataFrame({
        "tambon_id": t["tambon_id"].to_numpy(),
        "province_code": t["province_code"].to_numpy(),
        "province_name": t["province_th"].map(lambda v: bare_place(v, codebook)).to_numpy(),
        "amphoe_code": t["amphoe_code"].to_numpy(),
        "amphoe_name": t["amphoe_th"].map(lambda v: bare_place(v, codebook)).to_numpy(),
    })


def _same(mine: str, theirs: pd.Series) -> pd.Series:
    """theirs == mine, never true for an unknown ("") value."""
    return (theirs == mine) & (mine != "")


def strengths_and_gaps(ds: Dataset, tambon_id: str, lang: str = "th") -> pd.DataFrame:
    """One line per outcome of tables 1–3 for ``tambon_id``, in codebook order:

    ``tambon_id, table, outcome_code, outcome_number, outcome, outcome_short,
    lens`` (comma-joined), ``status`` ("strength" | "gap" | "not_submitted"),
    ``submitted`` (the team sent the table), ``reached`` (bool), ``rows_ticked``
    (number of its rows that ticked it), ``rows_reported`` (its rows in the table),
    ``row_share`` (rows_ticked ÷ rows_reported, NaN when not submitted), ``rows``
    (the codes of the rows that ticked it, comma-joined), ``tambons_reached`` and
    ``tambons_submitted`` (over the network: tambons that reached the outcome, and
    that sent its table). Labels in ``lang`` ("th" or "en").
    Filter ``status == "gap"`` for the gaps.
    """
    ds.tambon(tambon_id)  # KeyError for an unknown id
    tid = str(tambon_id)
    network = reach_counts(ds)
    reach = outcome_reach(ds)
    reach = reach[reach["tambon_id"] == tid].reset_index(drop=True)
    cb = ds.codebook
    ticked = _ticks_of(ds, tid)
    rows_of = ticked.groupby("criterion_code")["row_code"].agg(lambda s: ",".join(s))
    out = reach.assign(
        outcome=reach["outcome_code"].map(lambda c: cb.outcome(c).label.text(lang)),
        outcome_short=reach["outcome_code"].map(lambda c: cb.outcome(c).short.text(lang)),
        lens=reach["lens"].map(",".join),
        status=[("strength" if r else "gap") if s else "not_submitted"
                for r, s in zip(reach["reached"], reach["submitted"], strict=True)],
        rows=reach["outcome_code"].map(rows_of).fillna(""),
        tambons_reached=reach["outcome_code"].map(network["tambons_reached"]).fillna(0).astype("int64"),
        tambons_submitted=reach["outcome_code"].map(network["tambons_submitted"]).fillna(0).astype("int64"),
    )
    return out[["tambon_id", "table", "outcome_code", "outcome_number", "outcome", "outcome_short",
                "lens", "status", "submitted", "reached", "rows_ticked", "rows_reported", "row_share", "rows",
                "tambons_reached", "tambons_submitted"]].reset_index(drop=True)


def reach_counts(ds: Dataset) -> pd.DataFrame:
    """Per outcome of tables 1–3 (indexed by ``outcome_code``): ``tambons_reached`` (current
    tambons that ticked it on a reported row) and ``tambons_submitted`` (those that sent
    its table: the n of "reached by x of n tambons")."""
    def compute() -> pd.DataFrame:
        reach = outcome_reach(ds)
        return reach.groupby("outcome_code").agg(tambons_reached=("reached", "sum"),
                                                 tambons_submitted=("submitted", "sum")).astype("int64")
    return ds.memo(("gaps", "reach_counts"), compute).copy()


def _tick_rows(ds: Dataset) -> pd.DataFrame:
    """Ticked cells on reported rows of current tambons, with the row's label,
    sorted by tambon, table, row number. Memoised on ``ds`` (shared: never change it)."""
    return ds.memo(("gaps", "tick_rows"), lambda: _compute_tick_rows(ds))


def _compute_tick_rows(ds: Dataset) -> pd.DataFrame:
    ticks = ticked_cells(ds)  # the one definition of a counted tick
    labels = ds.rows.drop_duplicates(["tambon_id", "table", "row_code"])[["tambon_id", "table", "row_code", "label"]]
    ticks = ticks.merge(labels, on=["tambon_id", "table", "row_code"], how="left")
    return ticks.sort_values(["tambon_id", "table", "row_number"], kind="stable").reset_index(drop=True)


def _ticks_of(ds: Dataset, tambon_id: str) -> pd.DataFrame:
    """``_tick_rows(ds)`` of one tambon, found through a memoised index (not a scan of the network)."""
    ticks = _tick_rows(ds)
    where = ds.memo(("gaps", "tick_rows_by_tambon"), lambda: ticks.groupby("tambon_id", sort=False).indices)
    return ticks.take(where.get(str(tambon_id), np.empty(0, dtype="int64"))).reset_index(drop=True)


@dataclass(frozen=True)
class PeerTables:
    """What ``gap_peers`` looks up, built once per Dataset (``peer_tables``) so that a report
    reads only the lines of its own peers: at 7,255 tambons rebuilding these per report (a
    pivot over every text of the network) cost more than the rest of the report. A tambon
    report's Dataset (``shared_tables.tambon_view``) gets one read from the shared tables
    written once per processed set, through the same two lookups."""

    reachers: Mapping  # criterion_code -> the tambons that ticked it: ids and ``places`` codes (arrays), by tambon_id
    places: pd.DataFrame  # ``_places`` as integer codes (-1: unknown), indexed by tambon_id
    ident: pd.DataFrame  # ``tambons`` indexed by tambon_id
    # (criterion_code, tambon_id) pairs -> their ``tick_rows`` lines, pair after pair, in order
    tick_lines: Callable[[list[tuple[str, str]]], pd.DataFrame]
    # tambon ids -> their lines of ``ds.texts`` (what peers wrote is read for them only)
    texts_of: Callable[[list[str]], pd.DataFrame]


def tick_rows(ds: Dataset) -> pd.DataFrame:
    """Ticked cells on reported rows of current tambons with the row's label, sorted by tambon,
    table, row number (``tambon_id, table, row_code, criterion_code, ticked, other, row_number,
    label``): the shared, memoised frame (never change it)."""
    return _tick_rows(ds)


def place_codes(tambons: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """``_places`` as small integer codes (-1: unknown), indexed by tambon_id: compared per
    report, and no Python string per tambon and outcome."""
    places = _places(tambons, codebook).set_index("tambon_id")
    for col in places.columns:
        codes, uniques = pd.factorize(places[col])
        places[col] = np.where(np.asarray(uniques, dtype=object)[codes] == "", -1, codes) if len(uniques) else codes
    return places


def reacher_lines(ticks: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """One line per outcome × tambon that ticked it, by outcome then tambon_id:
    ``criterion_code, tambon_id`` and the tambon's ``place_codes``."""
    pairs = ticks[["criterion_code", "tambon_id"]].drop_duplicates()
    pairs = pairs.sort_values(["criterion_code", "tambon_id"], kind="stable").reset_index(drop=True)
    theirs = places.reindex(pairs["tambon_id"]).fillna(-1).astype("int64").reset_index(drop=True)
    return pd.concat([pairs, theirs], axis=1)


def peer_tables(ds: Dataset) -> PeerTables:
    """The lookups of ``gap_peers`` for ``ds`` (memoised on it)."""
    return ds.memo(("gaps", "peer_tables"), lambda: _compute_peer_tables(ds))


def _compute_peer_tables(ds: Dataset) -> PeerTables:
    ticks = _tick_rows(ds)
    places = place_codes(ds.tambons, ds.codebook)
    reachers = {}
    for code, ids in ticks.groupby("criterion_code", sort=False)["tambon_id"]:
        ids = pd.Index(sorted(set(ids)))
        theirs = places.reindex(ids).fillna(-1).astype("int64")
        reachers[code] = {"tambon_id": ids.to_numpy(dtype=object),
                          **{col: theirs[col].to_numpy() for col in theirs.columns}}
    lines_of = ticks.groupby(["criterion_code", "tambon_id"], sort=False).indices
    texts_at = ds.texts.groupby("tambon_id", sort=False).indices
    texts = ds.texts

    def tick_lines(pairs: list[tuple[str, str]]) -> pd.DataFrame:
        return ticks.take(np.concatenate([lines_of[p] for p in pairs])) if pairs else ticks.iloc[0:0]

    def texts_of(ids: list[str]) -> pd.DataFrame:
        where = [texts_at[p] for p in ids if p in texts_at]
        return texts.take(np.concatenate(where)) if where else texts.iloc[0:0]

    return PeerTables(reachers=reachers, places=places, tick_lines=tick_lines, texts_of=texts_of,
                      ident=ds.tambons.drop_duplicates("tambon_id").set_index("tambon_id"))


def _closest(reach: dict, me: pd.Series, tid: str, n: int) -> tuple[list[tuple[str, int]], int]:
    """The ``n`` tambons of ``reach`` closest to ``me`` (not ``tid`` itself) as (tambon_id,
    closeness 0 amphoe / 1 province / 2 network), ties by tambon_id; and how many there are."""
    others = reach["tambon_id"] != tid

    def same(col: str) -> np.ndarray:
        mine = int(me[col])
        return reach[col] == mine if mine >= 0 else np.zeros(len(others), dtype=bool)

    same_province = same("province_code") | same("province_name")
    same_amphoe = same("amphoe_code") | (same_province & same("amphoe_name"))
    same_province |= same_amphoe  # a district code implies its province
    closeness = 2 - same_province.astype(int) - same_amphoe.astype(int)
    where = np.flatnonzero(others)
    order = where[np.argsort(closeness[where], kind="stable")][:n]  # reach is in tambon_id order
    return [(reach["tambon_id"][i], int(closeness[i])) for i in order], len(where)


def gap_peers(ds: Dataset, tambon_id: str, n: int = 3, tables: tuple[str, ...] | None = None,
              lang: str = "th") -> pd.DataFrame:
    """For each gap of ``tambon_id``, up to ``n`` peers that reached it, with
    the rows where they ticked it and what they wrote there.

    One line per gap × peer × peer's row: ``tambon_id, table, outcome_code,
    outcome_short, peers_total`` (all tambons that reached it), ``peer_rank``
    (1..n), ``peer_id, peer_tambon_th, peer_amphoe_th, peer_province_th,
    proximity`` ("amphoe" | "province" | "network"), ``row_code, row_label``
    (the team's own label for an "other" row), ``method, assets, plan, remark``
    ("" where nothing was written). Gaps no one reached are left out (see
    ``strengths_and_gaps``). ``tables``: limit to these of ``SCORED_TABLES``.
    """
    tid = str(tambon_id)
    profile = strengths_and_gaps(ds, tid, lang)
    gaps = profile[profile["status"] == "gap"]
    if tables is not None:
        gaps = gaps[gaps["table"].isin(tables)]
    cols = ["tambon_id", "table", "outcome_code", "outcome_short", "peers_total", "peer_rank", "peer_id",
            "peer_tambon_th", "peer_amphoe_th", "peer_province_th", "proximity", "row_code", "row_label",
            *TEXT_FIELDS, "remark"]
    shared = peer_tables(ds)
    if tid not in shared.places.index:
        return pd.DataFrame(columns=cols)
    me = shared.places.loc[tid]
    picked = []
    for code in dict.fromkeys(gaps["outcome_code"]):
        reach = shared.reachers.get(code)
        if reach is None:
            continue
        closest, total = _closest(reach, me, tid, n)
        for rank, (peer, closeness) in enumerate(closest, start=1):
            picked.append((code, peer, total, rank, PROXIMITY[closeness]))
    if not picked:
        return pd.DataFrame(columns=cols)
    peers = pd.DataFrame(picked, columns=["criterion_code", "tambon_id", "peers_total", "peer_rank", "proximity"])
    found_lines = shared.tick_lines([(code, peer) for code, peer, *_ in picked])
    sizes = found_lines.groupby(["criterion_code", "tambon_id"], sort=False).size()
    sizes = sizes.reindex(pd.MultiIndex.from_arrays([peers["criterion_code"], peers["tambon_id"]])).to_numpy()
    ticks = found_lines[["table", "row_code", "row_number", "label"]]
    lines = peers.loc[peers.index.repeat(sizes)].reset_index(drop=True)
    lines = pd.concat([lines, ticks.reset_index(drop=True)], axis=1)
    # what the chosen peers wrote: their own text lines only, never the network's
    theirs = shared.texts_of(list(peers["tambon_id"].unique()))
    at = pd.MultiIndex.from_arrays([lines["tambon_id"], lines["table"], lines["row_code"]])
    found = _row_texts(theirs).set_index(["tambon_id", "table", "row_code"]).reindex(at)
    for col in TEXT_FIELDS:
        lines[col] = found[col].to_numpy()
    remark = theirs[theirs["field"].str.startswith("remark.")]
    remark = remark.assign(criterion_code=remark["field"].str.removeprefix("remark."))
    remarks = remark.groupby(["tambon_id", "table", "row_code", "criterion_code"])["text"].agg("\n".join)
    at = pd.MultiIndex.from_arrays([lines["tambon_id"], lines["table"], lines["row_code"], lines["criterion_code"]])
    lines["remark"] = remarks.reindex(at).to_numpy() if len(remarks) else ""
    for col in (*TEXT_FIELDS, "remark"):
        lines[col] = lines[col].fillna("").astype("str")

    ident = shared.ident
    cb = ds.codebook
    lines = lines.assign(
        peer_id=lines["tambon_id"],
        tambon_id=tid,
        # canonical rows: the codebook's label in `lang`; "other" rows: what the team wrote
        row_label=[
            lab if cb.row(code).other and isinstance(lab, str) and lab else cb.row(code).label.text(lang)
            for lab, code in zip(lines["label"], lines["row_code"], strict=True)
        ],
        peer_tambon_th=lines["tambon_id"].map(ident["tambon_th"]),
        peer_amphoe_th=lines["tambon_id"].map(ident["amphoe_th"]),
        peer_province_th=lines["tambon_id"].map(ident["province_th"]),
        outcome_code=lines["criterion_code"],
    )
    # gaps in codebook order, then peers by rank, then the peer's rows in order
    order = {code: i for i, code in enumerate(o.code for t in SCORED_TABLES for o in cb.table(t).outcomes)}
    lines = lines.assign(_o=lines["outcome_code"].map(order))
    lines = lines.sort_values(["_o", "peer_rank", "row_number"], kind="stable")
    lines["outcome_short"] = lines["outcome_code"].map(lambda c: cb.outcome(c).short.text(lang))
    return lines[cols].reset_index(drop=True)


def _row_texts(texts: pd.DataFrame) -> pd.DataFrame:
    """``tambon_id, table, row_code`` + one column per text field (method, assets, plan), from
    lines of ``Dataset.texts`` (a report passes its peers' lines only)."""
    t = texts[texts["field"].isin(TEXT_FIELDS)]
    if t.empty:
        return pd.DataFrame(columns=["tambon_id", "table", "row_code", *TEXT_FIELDS], dtype="str")
    wide = t.pivot_table(index=["tambon_id", "table", "row_code"], columns="field", values="text",
                         aggfunc="\n".join).reset_index()
    for col in TEXT_FIELDS:
        if col not in wide.columns:
            wide[col] = ""
    wide.columns.name = None
    return wide[["tambon_id", "table", "row_code", *TEXT_FIELDS]]
