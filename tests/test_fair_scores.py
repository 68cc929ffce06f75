"""Issue 11, items 3–4: a table not sent is "not submitted" (not zero), positions that
say "rank k of n" with shared ties, "reached by x of n", depth beside breadth, and the
n of every network figure. On a hand-built network; every number worked out here.

The network (5 current tambons; the full ticks contract: one tick line per reported
row and outcome):

A 500101 จ.เชียงใหม่ (50): people P1 PC1–PC5 · mechanism M1 MC1–MC7 · data D1 DC1–DC5
B 500102 จ.เชียงใหม่ (50): the same as A (a tie at 100% breadth)
C 500103 จ.เชียงใหม่ (50): the same as A, plus an unticked row P2 and D2 (breadth 100%, less depth)
P 560403 จ.พะเยา (56), partial: people P1 PC1 PC2 · P2 (none) · mechanism M1 MC1 — no data table
U u-0123456789 (unresolved, written จ.พะเยา, code 56): people P1 PC1 · mechanism M1 MC1 MC2 ·
  data D1 DC1 · D2 DC1 DC2
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from siianalysis.analysis import Dataset
from siianalysis.analysis import network as network_tables
from siianalysis.analysis.gaps import gap_peers, strengths_and_gaps
from siianalysis.analysis.plots import data_steps_dropoff, network_outcome_share
from siianalysis.analysis.scores import (
    competition_rank,
    data_steps,
    outcome_reach,
    pillar_scores,
    positions,
    province_key,
    rank_words,
    scorecard_frame,
    table_scores,
    tambon_scores,
)
from siianalysis.codebook import load_codebook
from siianalysis.sections import network as net
from siianalysis.sections import tambon as tam
from siianalysis.words import t

CB = load_codebook()
A, B, C, P, U = "500101", "500102", "500103", "560403", "u-0123456789"
ALL_PC = {f"PC{i}" for i in range(1, 6)}
ALL_MC = {f"MC{i}" for i in range(1, 8)}
ALL_DC = {f"DC{i}" for i in range(1, 6)}
FULL = {"people": {"P1": ALL_PC}, "mechanism": {"M1": ALL_MC}, "data": {"D1": ALL_DC}}
TICKED = {
    A: FULL,
    B: FULL,
    C: {"people": {"P1": ALL_PC, "P2": set()}, "mechanism": {"M1": ALL_MC}, "data": {"D1": ALL_DC, "D2": set()}},
    P: {"people": {"P1": {"PC1", "PC2"}, "P2": set()}, "mechanism": {"M1": {"MC1"}}},
    U: {"people": {"P1": {"PC1"}}, "mechanism": {"M1": {"MC1", "MC2"}},
        "data": {"D1": {"DC1"}, "D2": {"DC1", "DC2"}}},
}
TABLES = {A: "people,mechanism,data,summary", B: "people,mechanism,data,summary",
          C: "people,mechanism,data,summary", P: "people,mechanism,summary", U: "people,mechanism,data"}


def frames() -> dict[str, pd.DataFrame]:
    tambons = pd.DataFrame([
        (A, True, "หนึ่ง", "เมืองเชียงใหม่", "เชียงใหม่", "50"),
        (B, True, "สอง", "เมืองเชียงใหม่", "เชียงใหม่", "50"),
        (C, True, "สาม", "สันทราย", "เชียงใหม่", "50"),
        (P, True, "สระ", "เชียงม่วน", "พะเยา", "56"),
        (U, False, "บ้านสุขใจ", "เชียงม่วน", "พะเยา", "56"),
    ], columns=["tambon_id", "resolved", "tambon_th", "amphoe_th", "province_th", "province_code"])
    tambons["source_file"] = tambons["tambon_id"] + ".xlsx"
    tambons["worksheet_date"] = "2020-10-27"
    tambons["tables"] = tambons["tambon_id"].map(TABLES)
    rows, ticks, texts = [], [], []
    for tid, tables in TICKED.items():
        for table, reported in tables.items():
            outcomes = [o.code for o in CB.table(table).outcomes]
            for row, ticked in reported.items():
                rows.append((tid, table, row, CB.row(row).label.th, f"{tid}.xlsx"))
                ticks += [(tid, table, row, o, o in ticked) for o in outcomes]
                texts.append((tid, table, row, "method", f"วิธีการของ {tid} {row}"))
    return {
        "tambons": tambons,
        "rows": pd.DataFrame(rows, columns=["tambon_id", "table", "row_code", "label", "source"]),
        "ticks": pd.DataFrame(ticks, columns=["tambon_id", "table", "row_code", "criterion_code", "ticked"]),
        "texts": pd.DataFrame(texts, columns=["tambon_id", "table", "row_code", "field", "text"]),
    }


@pytest.fixture(scope="module")
def ds():
    return Dataset.from_frames(**frames())


# --- item 3: not submitted, not zero ---------------------------------------------------------


def test_a_table_not_sent_has_no_score(ds):
    ts = table_scores(ds).set_index(["tambon_id", "table"])
    d = ts.loc[(P, "data")]
    assert not d["submitted"] and d["rows_reported"] == 0 and d["ticks"] == 0
    assert pd.isna(d["outcome_coverage"]) and pd.isna(d["tick_rate"]) and pd.isna(d["reporting_rate"])
    # a table sent is scored, even a poor one: P people PC1 PC2 of 5 → 0.4; ticks 2 of 2 rows × 5 = 0.2
    p = ts.loc[(P, "people")]
    assert p["submitted"] and p["outcome_coverage"] == pytest.approx(0.4) and p["tick_rate"] == pytest.approx(0.2)


def test_overall_is_over_the_pillars_sent(ds):
    ps = pillar_scores(ds).set_index("tambon_id")
    # P: breadth (2/5 + 1/7) / 2 = 19/70 (not (2/5 + 1/7 + 0) / 3 = 19/105)
    assert ps.loc[P, "overall_outcome_coverage"] == pytest.approx(19 / 70)
    assert ps.loc[P, "pillars_scored"] == ps.loc[P, "tables_present"] == 2
    # P depth: (2 + 1) ticks ÷ (2 × 5 + 1 × 7) cells = 3/17, the data table not counted
    assert ps.loc[P, "overall_tick_rate"] == pytest.approx(3 / 17)
    assert pd.isna(ps.loc[P, "data_outcome_coverage"]) and pd.isna(ps.loc[P, "data_tick_rate"])


def test_not_ranked_for_the_pillar_not_sent(ds):
    pos = positions(tambon_scores(ds), "data_outcome_coverage").set_index("tambon_id")
    assert pos["network_n"].iloc[0] == 4  # P left out
    assert pd.isna(pos.loc[P, "network_rank"]) and pd.isna(pos.loc[P, "network_percentile"])
    # the median over the 4 that sent it: A B C 1.0, U 2/5 → 1.0
    assert pos.loc[A, "network_median"] == 1.0
    # P's province (56) on data: U alone
    assert pos.loc[U, "province_n"] == 1 and pos.loc[U, "province_rank"] == 1
    card = scorecard_frame(ds, P).set_index("pillar")
    assert not card.loc["data", "submitted"] and pd.isna(card.loc["data", "network_rank"])
    assert card.loc["overall", "submitted"] == 2
    assert card.loc["overall", "outcomes_total"] == 5 + 7  # over the tables sent


def test_no_gaps_or_peers_for_a_table_not_sent(ds):
    sg = strengths_and_gaps(ds, P)
    data = sg[sg["table"] == "data"]
    assert (data["status"] == "not_submitted").all() and len(data) == 5
    assert set(sg.loc[sg["status"] == "gap", "table"]) == {"people", "mechanism"}
    peers = gap_peers(ds, P)
    assert not peers.empty and "data" not in set(peers["table"])
    out = str(tam.strengths_gaps(ds, P, "th"))
    assert t("tambon.strengths_gaps.not_submitted", "th") in out
    assert "DC1" not in out  # no data outcome listed at all, nor any peer table for one


def test_header_flags_it_and_names_the_tables_sent(ds):
    section = tam.header(ds, P, "th")
    out = str(section)
    flag = out.index("sii-flag")
    assert flag < out.index("<table")  # at the top, before the facts table
    assert CB.table("data").title.th.replace('"', "&quot;") in out or CB.table("data").title.th in out
    assert section.data["not_submitted"] == ["data"]
    intro = re.search(r'<div class="sii-explain">(.*?)</div>', out, re.DOTALL).group(1)
    assert "3" in intro and "ตารางที่ 1" in intro and "ตารางที่ 4" in intro and "ตารางที่ 3" not in intro
    full = str(tam.header(ds, A, "en"))
    assert "sii-flag" not in full and "the 4 worksheet tables" in full
    assert "the 3 worksheet tables" in str(tam.header(ds, U, "en"))  # U sent no Table 4


def test_no_empty_heatmap_and_scorecard_says_not_sent(ds):
    heat = str(tam.heatmaps(ds, P, "th"))
    assert heat.count('class="sii-grid"') == 2 and t("tambon.heatmaps.not_submitted", "th") in heat
    assert str(tam.heatmaps(ds, A, "th")).count('class="sii-grid"') == 3
    card = str(tam.scorecard(ds, P, "en"))
    data_line = re.search(r"<tr><td>[^<]*community data[^<]*<br>\n[^<]*</td>(.*?)</tr>", card).group(1)
    # rows, rate and both ranks read "not sent"; only the network's median is shown
    assert data_line.count(">not sent<") == 4 and ">0.0%<" not in data_line
    assert t("tambon.scorecard.overall_over", "en", n=2) in card


# --- item 4: ranks, "reached by", depth -----------------------------------------------------


def test_ties_share_the_rank():
    got = competition_rank(pd.Series([1.0, 1.0, 0.5, 1.0, None, 0.2]))
    assert got["rank"].tolist()[:4] == [1, 1, 4, 1] and got["tied"].tolist()[:4] == [3, 3, 1, 3]
    assert got["at_or_above"].tolist()[:4] == [3, 3, 4, 3] and pd.isna(got["rank"].iloc[4])
    assert (got["n"] == 5).all()
    assert rank_words(1, 3, 5, "en") == "=1 of 5" and rank_words(4, 1, 5, "en") == "4 of 5"
    assert rank_words(1, 3, 12, "th") == "=1 จาก 12"


def test_three_at_100_percent_share_rank_one(ds):
    pos = positions(tambon_scores(ds), "people_outcome_coverage").set_index("tambon_id")
    # people breadth: A B C 1.0; P 0.4; U 0.2 → A B C "=1 of 5", P 4, U 5
    for tid in (A, B, C):
        assert (pos.loc[tid, "network_rank"], pos.loc[tid, "network_tied"]) == (1, 3)
        assert rank_words(pos.loc[tid, "network_rank"], pos.loc[tid, "network_tied"], 5, "en") == "=1 of 5"
    assert pos.loc[P, "network_rank"] == 4 and pos.loc[U, "network_rank"] == 5
    # the mid-rank percentile would read (2 + 3/2)/5 = 70 for a tambon at the top: the page shows the rank
    assert pos.loc[A, "network_percentile"] == pytest.approx(70.0)
    card = str(tam.scorecard(ds, A, "en"))
    assert ">=1 of 5<" in card and ">70<" not in card


def test_reached_by_x_of_n(ds):
    sg = strengths_and_gaps(ds, P).set_index("outcome_code")
    # PC1: A B C P U reached it, all 5 sent people → 5 of 5; PC3: A B C → 3 of 5
    assert (sg.loc["PC1", "tambons_reached"], sg.loc["PC1", "tambons_submitted"]) == (5, 5)
    assert (sg.loc["PC3", "tambons_reached"], sg.loc["PC3", "tambons_submitted"]) == (3, 5)
    # DC2 over the 4 that sent the data table: A B C U
    assert (sg.loc["DC2", "tambons_reached"], sg.loc["DC2", "tambons_submitted"]) == (4, 4)
    out = str(tam.strengths_gaps(ds, P, "en"))
    assert t("tambon.strengths_gaps.reached_by", "en", x=3, n=5) in out


def test_depth_by_hand(ds):
    ps = pillar_scores(ds).set_index("tambon_id")
    # C: people 5 ticks over 2 rows × 5 = 0.5; data 5 over 2 × 5 = 0.5; mechanism 7/7 = 1
    assert ps.loc[C, "people_tick_rate"] == pytest.approx(0.5)
    assert ps.loc[C, "overall_tick_rate"] == pytest.approx((5 + 7 + 5) / (10 + 7 + 10))
    # breadth cannot tell A and C apart, depth can
    assert ps.loc[A, "overall_outcome_coverage"] == ps.loc[C, "overall_outcome_coverage"] == 1.0
    assert ps.loc[A, "overall_tick_rate"] == 1.0 > ps.loc[C, "overall_tick_rate"]
    # per outcome: U ticked DC1 on both data rows, DC2 on one of two
    reach = outcome_reach(ds).set_index(["tambon_id", "outcome_code"])
    assert reach.loc[(U, "DC1"), "row_share"] == 1.0 and reach.loc[(U, "DC2"), "row_share"] == 0.5
    assert pd.isna(reach.loc[(P, "DC1"), "row_share"]) and not reach.loc[(P, "DC1"), "submitted"]
    # depth ranks: A and B at 1.0 share rank 1
    card = scorecard_frame(ds, B).set_index("pillar")
    assert (card.loc["overall", "depth_network_rank"], card.loc["overall", "depth_network_tied"]) == (1, 2)


# --- the network figures' n --------------------------------------------------------------------


def test_network_figures_say_their_n(ds):
    shares = network_tables.outcome_share_frame(ds).set_index("outcome_code")
    assert shares.loc["PC1", "tambons"] == 5 and shares.loc["DC1", "tambons"] == 4
    assert shares.loc["DC2", "share"] == 1.0  # 4 of the 4 that sent it, not 4 of 5
    # DC1 depth: mean over A B C U of rows ticking it ÷ rows: 1, 1, 1/2, 1 → 0.875
    assert shares.loc["DC1", "row_share"] == pytest.approx(0.875)
    steps = data_steps(ds).set_index("step")
    assert steps.loc["D1", "tambons"] == 4 and steps.loc["D1", "reported_share"] == 1.0
    assert steps.loc["D2", "reported_share"] == pytest.approx(0.5)  # C and U of 4
    assert "N = 4" in network_outcome_share(ds, "data").axes[0].get_title()
    assert "N = 5" in network_outcome_share(ds, "people").axes[0].get_title()
    assert "N = 4" in data_steps_dropoff(ds).axes[0].get_title()
    out = str(net.outcome_shares(ds, "en"))
    assert t("network.outcome_shares.n_note", "en", n=4, total=5) in out
    drop = str(net.data_dropoff(ds, "en"))
    assert t("network.data_dropoff.n_note", "en", n=4, total=5) in drop and "4 / 4" in drop
    table = network_tables.score_table(ds, score="data_outcome_coverage").set_index("province")
    assert table.iloc[-1]["n"] == 4


def test_model_tambons_leave_out_a_table_not_sent(ds):
    models = network_tables.model_frame(ds, top=5)
    assert P not in set(models.loc[models["table"] == "data", "tambon_id"])
    assert P in set(models.loc[models["table"] == "people", "tambon_id"])


def test_unresolved_tambon_is_in_its_written_province_everywhere(ds):
    keys = province_key(ds.tambons).tolist()
    assert keys[ds.tambons["tambon_id"].tolist().index(U)] == "56"
    grouped = dict((p, [m["tambon_id"] for m in members]) for p, members in network_tables.tambons_by_province(ds))
    assert sorted(grouped["พะเยา"]) == sorted([P, U])
    pos = positions(tambon_scores(ds)).set_index("tambon_id")
    assert pos.loc[U, "province_n"] == 2 and pos.loc[U, "province_key"] == "56"
    overview = network_tables.overview_frame(ds).set_index("province")
    assert overview.loc["พะเยา", "tambons"] == 2
