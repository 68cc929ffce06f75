"""Strengths, gaps and peers on the hand-made network of ``test_analysis_data``."""

from __future__ import annotations

import pandas as pd
import pytest

from siianalysis.analysis import Dataset, gap_peers, strengths_and_gaps
from tests.test_analysis_data import STRAY, T1, T2, T3, T4, example_dataset, example_frames


@pytest.fixture(scope="module")
def ds():
    return example_dataset()


def test_strengths_and_gaps_of_t1(ds):
    sg = strengths_and_gaps(ds, T1)
    assert len(sg) == 17 and list(sg["outcome_code"][:3]) == ["PC1", "PC2", "PC3"]
    strengths = sg[sg["status"] == "strength"]
    assert list(strengths["outcome_code"]) == ["PC1", "PC2", "PC5", "MC1", "MC2", "MC4", "DC1", "DC2"]
    assert strengths.set_index("outcome_code").loc["PC2", "rows"] == "P1,P2"
    assert strengths.set_index("outcome_code").loc["PC5", "rows"] == "P6"
    gaps = sg[sg["status"] == "gap"]
    assert list(gaps["outcome_code"]) == ["PC3", "PC4", "MC3", "MC5", "MC6", "MC7", "DC3", "DC4", "DC5"]
    assert (gaps["rows"] == "").all() and (gaps["rows_ticked"] == 0).all()
    assert sg.set_index("outcome_code").loc["MC6", "lens"] == "innovation,systematization"
    en = strengths_and_gaps(ds, T1, lang="en")
    assert en.set_index("outcome_code").loc["MC5", "outcome_short"] == "Funds mobilised"


def test_a_missing_table_is_not_submitted_not_gaps(ds):
    # issue 11: T3 sent no people table: its outcomes are neither gaps nor strengths, and get no peers
    sg = strengths_and_gaps(ds, T3)
    assert (sg.loc[sg["table"] == "people", "status"] == "not_submitted").all()
    assert not sg.loc[sg["table"] == "people", "submitted"].any()
    assert not set(gap_peers(ds, T3)["table"]) & {"people"}


def test_peers_are_ordered_amphoe_province_network(ds):
    peers = gap_peers(ds, T1, n=3)
    assert set(peers["tambon_id"]) == {T1}
    assert STRAY not in set(peers["peer_id"])  # not a current tambon
    by_gap = peers.groupby("outcome_code", sort=False)["peer_id"].apply(list).to_dict()
    # PC3: T2 (same amphoe สันทราย) before T4 (other province); T3 never ticked it
    assert by_gap["PC3"] == [T2, T4]
    # MC7: T2 (amphoe) before T3 (same province, other amphoe)
    assert by_gap["MC7"] == [T2, T3]
    # DC3: T3 (province) before T4 (network)
    assert by_gap["DC3"] == [T3, T4]
    # gaps in codebook order
    assert list(by_gap) == ["PC3", "PC4", "MC3", "MC5", "MC6", "MC7", "DC3", "DC4", "DC5"]
    prox = peers.drop_duplicates(["outcome_code", "peer_id"]).set_index(["outcome_code", "peer_id"])["proximity"]
    assert prox[("PC3", T2)] == "amphoe" and prox[("MC7", T3)] == "province" and prox[("PC3", T4)] == "network"
    pc3 = peers[peers["outcome_code"] == "PC3"].iloc[0]
    assert (pc3["peer_rank"], pc3["peers_total"], pc3["row_code"]) == (1, 2, "P3")
    assert pc3["peer_tambon_th"] == "สันทรายน้อย"
    assert pc3["method"] == "ค่ายพัฒนาแกนนำเยาวชน สภาเด็กและเยาวชนตำบล"
    assert pc3["plan"] == "ส่งเสริมผู้นำรุ่นใหม่ให้เข้าร่วมเวทีประชาคม"
    assert pc3["assets"] == ""


def test_peer_texts_and_remark(ds):
    peers = gap_peers(ds, T1, n=3, tables=("mechanism",))
    assert set(peers["table"]) == {"mechanism"}
    mc5 = peers[peers["outcome_code"] == "MC5"].iloc[0]
    assert mc5["peer_id"] == T3 and mc5["row_code"] == "M2"
    assert mc5["assets"].startswith("เวทีประชาคมหมู่บ้าน")
    assert mc5["remark"] == "กองทุนหลักประกันสุขภาพท้องถิ่น"  # the remark written in the MC5 cell
    assert peers[peers["outcome_code"] == "MC6"].iloc[0]["remark"] == ""


def test_n_limits_peers_and_rows_follow_the_peer(ds):
    one = gap_peers(ds, T1, n=1)
    assert one.groupby("outcome_code")["peer_id"].nunique().max() == 1
    assert one.set_index("outcome_code").loc["PC3", "peer_id"] == T2
    # T2's gaps include PC2, which T1 ticked on two rows: both lines, in row order
    t3 = gap_peers(ds, T2, n=3)
    pc2 = t3[t3["outcome_code"] == "PC2"]
    assert list(pc2["row_code"]) == ["P1", "P2"] and set(pc2["peer_rank"]) == {1}
    # an "other" row shows the team's own label
    pc5 = t3[t3["outcome_code"] == "PC5"].iloc[0]
    assert (pc5["row_code"], pc5["row_label"]) == ("P6", "กลุ่มผู้สูงอายุ")
    en = gap_peers(ds, T2, n=3, lang="en")
    assert en[en["outcome_code"] == "PC2"].iloc[0]["row_label"] == "Role models"


def test_same_amphoe_name_in_another_province_is_not_the_same_amphoe():
    frames = example_frames()
    t = frames["tambons"]
    # T4 moves to an amphoe also called สันทราย, but in เชียงราย (57)
    t.loc[t["tambon_id"] == T4, "amphoe_th"] = "อ.สันทราย"
    peers = gap_peers(Dataset.from_frames(**frames), T1, n=3)
    assert peers.set_index(["outcome_code", "peer_id"]).loc[("PC4", T4), "proximity"] == "network"
    # and in the same province with the prefix written, it is the same amphoe
    t.loc[t["tambon_id"] == T4, ["province_th", "province_code"]] = ["จ.เชียงใหม่", "50"]
    peers = gap_peers(Dataset.from_frames(**frames), T1, n=3)
    assert peers.set_index(["outcome_code", "peer_id"]).loc[("PC4", T4), "proximity"] == "amphoe"


def test_unknown_tambon_and_no_peers(ds):
    with pytest.raises(KeyError):
        strengths_and_gaps(ds, "123456")
    lonely = Dataset.from_frames(**{**example_frames(), "tambons": example_frames()["tambons"].iloc[:1]})
    out = gap_peers(lonely, T1)
    assert out.empty and "peer_id" in out.columns
    assert isinstance(out, pd.DataFrame)


def test_same_amphoe_code_is_the_same_amphoe_whatever_the_names():
    frames = example_frames()
    t = frames["tambons"]
    t["amphoe_code"] = ["5007", "5007", "5012", "5007"]  # T4 made a neighbour by code
    t.loc[t["tambon_id"] == T4, ["amphoe_th", "province_th", "province_code"]] = ["", "", ""]
    peers = gap_peers(Dataset.from_frames(**frames), T1, n=3)
    prox = peers.drop_duplicates(["outcome_code", "peer_id"]).set_index(["outcome_code", "peer_id"])["proximity"]
    assert prox[("PC4", T4)] == "amphoe"
    assert prox[("MC3", T3)] == "province"  # different amphoe code, same province code
