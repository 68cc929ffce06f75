"""Scores on the hand-made network of ``test_analysis_data`` (read its docstring
for who ticked what). Every expected number is worked out in a comment."""

from __future__ import annotations

import pandas as pd
import pytest

from siianalysis.analysis import (
    Dataset,
    lens_scores,
    outcome_reach,
    percentile_rank,
    pillar_scores,
    position,
    positions,
    table_scores,
    tambon_scores,
)
from tests.test_analysis_data import STRAY, T1, T2, T3, T4, example_dataset, example_frames


@pytest.fixture(scope="module")
def ds():
    return example_dataset()


def _get(frame: pd.DataFrame, tid: str, table: str) -> dict:
    return frame[(frame["tambon_id"] == tid) & (frame["table"] == table)].iloc[0].to_dict()


def test_table_scores_worked_example(ds):
    ts = table_scores(ds)
    assert len(ts) == 4 * 3  # 4 current tambons × 3 scored tables; STRAY is not scored
    assert STRAY not in set(ts["tambon_id"])

    # T1 people: reported P1, P2 (canonical) and P6 (other).
    #   rows_reported 2 of 5 canonical -> 0.4
    #   ticks: P1 {PC1, PC2} + P2 {PC2} + P6 {PC5} = 4 over 3 rows × 5 outcomes = 15 cells
    #   outcomes reached: PC1, PC2, PC5 = 3 of 5 -> 0.6
    p = _get(ts, T1, "people")
    assert p["table_present"] is True or p["table_present"] == True  # noqa: E712 (numpy bool)
    assert (p["rows_reported"], p["other_rows_reported"], p["rows_canonical"]) == (2, 1, 5)
    assert p["reporting_rate"] == pytest.approx(0.4)
    assert (p["ticks"], p["tick_cells"]) == (4, 15)
    assert p["tick_rate"] == pytest.approx(4 / 15)
    assert (p["outcomes_reached"], p["outcomes_total"]) == (3, 5)
    assert p["outcome_coverage"] == pytest.approx(0.6)

    # T1 mechanism: M1 {MC1, MC4}, M4 {MC2}: 2 of 6 rows, 3 ticks over 2 × 7 cells, 3 of 7 outcomes
    m = _get(ts, T1, "mechanism")
    assert (m["rows_reported"], m["ticks"], m["tick_cells"], m["outcomes_reached"]) == (2, 3, 14, 3)
    assert m["reporting_rate"] == pytest.approx(2 / 6)
    assert m["tick_rate"] == pytest.approx(3 / 14)
    assert m["outcome_coverage"] == pytest.approx(3 / 7)

    # T1 data: D1 {DC1}, D3 {DC2}, D7 other with text only: 2 of 5 canonical,
    # 2 ticks over 3 rows × 5 = 15 cells (the other row counts in the denominator)
    d = _get(ts, T1, "data")
    assert (d["rows_reported"], d["other_rows_reported"], d["ticks"], d["tick_cells"]) == (2, 1, 2, 15)
    assert d["tick_rate"] == pytest.approx(2 / 15)
    assert d["outcome_coverage"] == pytest.approx(2 / 5)

    # T2 people: all 5 canonical rows, one tick (P3 PC3): 1 / 25 cells, 1 of 5 outcomes
    p2 = _get(ts, T2, "people")
    assert (p2["rows_reported"], p2["reporting_rate"], p2["ticks"]) == (5, 1.0, 1)
    assert p2["tick_rate"] == pytest.approx(0.04)
    assert p2["outcome_coverage"] == pytest.approx(0.2)

    # T3 mechanism: one row (M2) ticking all 7: tick_rate 7/7 = 1, coverage 1
    m3 = _get(ts, T3, "mechanism")
    assert (m3["rows_reported"], m3["ticks"], m3["tick_rate"], m3["outcome_coverage"]) == (1, 7, 1.0, 1.0)
    assert m3["reporting_rate"] == pytest.approx(1 / 6)


def test_missing_tables_are_not_submitted_not_zero(ds):
    # issue 11: a table not sent counts nothing (0 rows, 0 ticks) but has no score (NaN, not 0)
    ts = table_scores(ds)
    absent = ts[~ts["submitted"]][["tambon_id", "table"]].apply(tuple, axis=1).tolist()
    assert sorted(absent) == sorted([(T2, "data"), (T3, "people"), (T4, "mechanism")])
    assert (ts["submitted"] == ts["table_present"]).all()
    for col in ("rows_reported", "ticks", "outcomes_reached"):
        assert (ts.loc[~ts["submitted"], col] == 0).all(), col
    for col in ("reporting_rate", "tick_rate", "outcome_coverage"):
        assert ts.loc[~ts["submitted"], col].isna().all(), col
        assert ts.loc[ts["submitted"], col].notna().all(), col


def test_pillars_and_overall(ds):
    ps = pillar_scores(ds).set_index("tambon_id")
    # overall = mean of the outcome coverage of the pillars submitted (issue 11)
    # T1: (3/5 + 3/7 + 2/5) / 3 = (1 + 3/7) / 3 = 10/21
    # T2 (no data table): (1/5 + 1/7) / 2 = (12/35) / 2 = 6/35
    # T3 (no people table): (7/7 + 3/5) / 2 = 4/5
    # T4 (no mechanism table): (3/5 + 5/5) / 2 = 4/5 (a tie with T3)
    expected = {T1: 10 / 21, T2: 6 / 35, T3: 4 / 5, T4: 4 / 5}
    for tid, value in expected.items():
        assert ps.loc[tid, "overall_outcome_coverage"] == pytest.approx(value), tid
    assert ps.loc[T2, "people_outcome_coverage"] == pytest.approx(0.2)
    assert list(ps["tables_present"]) == [3, 2, 2, 2]


def test_lens_scores(ds):
    # tagged outcomes per lens in the codebook:
    #   systematization PC2 PC4 PC5 MC2 MC6 DC2 DC4 DC5 (8)
    #   innovation      PC3 MC3 MC6 DC3 (4)
    #   integration     PC1 PC5 MC1 MC4 MC5 MC7 DC1 DC4 (8)
    # T1 reached PC1 PC2 PC5 MC1 MC2 MC4 DC1 DC2:
    #   S: PC2 PC5 MC2 DC2 = 4/8; I-innovation: none = 0/4; I-integration: PC1 PC5 MC1 MC4 DC1 = 5/8
    # T3 reached MC1..MC7 DC3 DC4 DC5:
    #   S: MC2 MC6 DC4 DC5 = 4/8; innovation: MC3 MC6 DC3 = 3/4; integration: MC1 MC4 MC5 MC7 DC4 = 5/8
    # (issue 11) only the outcomes of the tables a tambon submitted are tagged for it
    ls = lens_scores(ds)
    assert list(ls["lens"].unique()) == ["systematization", "innovation", "integration"]
    t1 = ls[ls["tambon_id"] == T1]
    assert dict(zip(t1["lens"], t1["outcomes_tagged"], strict=True)) == {
        "systematization": 8, "innovation": 4, "integration": 8}
    got = ls.set_index(["tambon_id", "lens"])["lens_coverage"]
    assert got[(T1, "systematization")] == 0.5
    assert got[(T1, "innovation")] == 0.0
    assert got[(T1, "integration")] == 0.625
    # T3 sent no people table: innovation MC3 MC6 DC3, all reached = 3/3
    assert got[(T3, "innovation")] == 1.0
    # T2 sent no data table: innovation PC3 MC3 MC6 -> PC3 only = 1/3
    assert got[(T2, "innovation")] == pytest.approx(1 / 3)
    # T4 sent no mechanism table: integration PC1 PC5 DC1 DC4 -> PC1 DC1 DC4 = 3/4
    assert got[(T4, "integration")] == 0.75


def test_outcome_reach_counts_rows(ds):
    reach = outcome_reach(ds)
    assert len(reach) == 4 * 17  # 5 + 7 + 5 outcomes per tambon
    pc2 = reach[(reach["tambon_id"] == T1) & (reach["outcome_code"] == "PC2")].iloc[0]
    assert pc2["rows_ticked"] == 2 and pc2["reached"]  # P1 and P2


def test_tambon_scores_wide(ds):
    s = tambon_scores(ds)
    assert list(s["tambon_id"]) == [T1, T2, T3, T4]
    assert s["tambon_id"].dtype == ds.tambons["tambon_id"].dtype
    row = s.set_index("tambon_id").loc[T1]
    assert row["people_rows_reported"] == 2 and row["people_other_rows_reported"] == 1
    assert row["mechanism_tick_rate"] == pytest.approx(3 / 14)
    assert row["overall_outcome_coverage"] == pytest.approx(10 / 21)
    assert row["lens_integration"] == 0.625
    assert not s.set_index("tambon_id").loc[T2, "data_present"]


def test_percentile_rank_is_mid_rank():
    # values 1, 2, 2, 3: for 1: (0 + 1/2)/4 = 12.5; for 2: (1 + 2/2)/4 = 50; for 3: (3 + 1/2)/4 = 87.5
    got = percentile_rank(pd.Series([2.0, 1.0, 3.0, 2.0]))
    assert list(got) == [50.0, 12.5, 87.5, 50.0]
    assert list(percentile_rank(pd.Series([0.7]))) == [50.0]  # alone: the middle
    assert percentile_rank(pd.Series([1.0, None, 2.0])).tolist()[::2] == [25.0, 75.0]  # NaN not counted


def test_positions_network_and_province(ds):
    pos = positions(tambon_scores(ds)).set_index("tambon_id")
    # network of 4, sorted (overall over the pillars sent): T2 6/35 < T1 10/21 < T3 = T4 = 4/5
    # median = (10/21 + 4/5) / 2 = 67/105
    assert pos["network_median"].iloc[0] == pytest.approx(67 / 105)
    # mid-rank percentiles: T2 (0 + .5)/4 = 12.5; T1 (1 + .5)/4 = 37.5; T3, T4 (2 + 2/2)/4 = 75
    assert pos["network_percentile"].to_dict() == pytest.approx({T1: 37.5, T2: 12.5, T3: 75.0, T4: 75.0})
    # province 50 = T1, T2, T3: median 10/21; T2 0.5/3, T1 1.5/3, T3 2.5/3
    assert pos.loc[T1, "province_median"] == pytest.approx(10 / 21)
    assert pos.loc[T2, "province_percentile"] == pytest.approx(100 * 0.5 / 3)
    assert pos.loc[T1, "province_percentile"] == pytest.approx(50.0)
    assert pos.loc[T3, "province_percentile"] == pytest.approx(100 * 2.5 / 3)
    # province 57 = T4 alone
    assert (pos.loc[T4, "province_n"], pos.loc[T4, "province_percentile"]) == (1, 50.0)
    assert pos.loc[T4, "province_median"] == pytest.approx(4 / 5)

    one = position(tambon_scores(ds), T1, "lens_integration")
    # lens_integration (tables sent only): T2 1/6 (MC7 of PC1 PC5 MC1 MC4 MC5 MC7) < T1 .625
    # < T4 .75 < T3 5/6 (MC1 MC4 MC5 MC7 DC4 of MC1 MC4 MC5 MC7 DC1 DC4) -> T1 (1 + 1/2)/4 = 37.5
    assert one["network_percentile"] == 37.5 and one["score"] == "lens_integration"
    with pytest.raises(KeyError):
        positions(tambon_scores(ds), "no_such_score")


def test_unresolved_province_falls_back_to_name():
    frames = example_frames()
    t = frames["tambons"]
    t.loc[t["tambon_id"] == T4, ["province_code", "province_th"]] = ["", "เชียงใหม่"]
    pos = positions(tambon_scores(Dataset.from_frames(**frames))).set_index("tambon_id")
    assert pos.loc[T4, "province_n"] == 1  # "th:เชียงใหม่" is not code "50": kept apart, not merged wrongly
    t.loc[t["tambon_id"] == T4, "province_th"] = ""
    pos = positions(tambon_scores(Dataset.from_frames(**frames))).set_index("tambon_id")
    assert pd.isna(pos.loc[T4, "province_percentile"]) and pos.loc[T4, "network_percentile"] == 75.0


def test_ticks_on_unreported_rows_and_unticked_rows():
    frames = example_frames()
    extra = pd.DataFrame([(T4, "people", "P1", "PC5", True)], columns=frames["ticks"].columns)
    frames["ticks"] = pd.concat([frames["ticks"], extra])  # P1 is not in rows for T4
    ts = table_scores(Dataset.from_frames(**frames))
    assert _get(ts, T4, "people")["ticks"] == 3  # the stray tick is not counted


def test_empty_dataset():
    ds = Dataset.from_frames(tambons=pd.DataFrame(columns=["tambon_id"]))
    assert table_scores(ds).empty
    assert tambon_scores(ds).empty
    assert lens_scores(ds).empty
    assert positions(tambon_scores(ds)).empty


def test_a_table_found_in_the_worksheet_but_empty_is_present():
    frames = example_frames()
    t = frames["tambons"]
    t["tables"] = ["people,mechanism,data,summary", "people,mechanism", "people,mechanism,data", ""]
    ts = table_scores(Dataset.from_frames(**frames))
    # T3's worksheet has a people table with no row reported: present, but scores 0
    p3 = _get(ts, T3, "people")
    assert p3["table_present"] and p3["rows_reported"] == 0 and p3["outcome_coverage"] == 0
    # T2 has no data table in its worksheet
    assert not _get(ts, T2, "data")["table_present"]
    # T4 has no `tables` value: falls back to reported rows
    assert _get(ts, T4, "people")["table_present"] and not _get(ts, T4, "mechanism")["table_present"]
