"""Issue 14: what a tambon report reads does not grow with the network, and the network
pages stay usable when it is the whole country. Speed itself is measured by the
benchmark (``bench/run.py --large``), not here: these tests assert the mechanisms."""

from __future__ import annotations

import pandas as pd
import pytest

from siianalysis import sections
from siianalysis.analysis import gaps
from tests.test_analysis_data import T1, T2, T3, example_dataset


def _counting(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_network_wide_peer_tables_are_computed_once_per_dataset(monkeypatch):
    ds = example_dataset()  # a fresh Dataset: an empty memo
    row_texts = _counting(monkeypatch, gaps, "_row_texts")
    tick_rows = _counting(monkeypatch, gaps, "_compute_tick_rows")
    for tid in (T1, T2, T3):
        html = sections.tambon.strengths_gaps(ds, tid, "th")._repr_html_()
        assert html
        sections.summary.tambon_summary(ds, tid, "th")._repr_html_()
    # three reports, each asking for peers in two sections: the network's texts pivoted once
    assert len(row_texts) == 1 and len(tick_rows) == 1
    # a new Dataset (a new processed set) computes them anew
    gaps.gap_peers(example_dataset(), T1)
    assert len(row_texts) == 2


def test_peers_from_the_shared_tables_equal_a_scan_of_the_network():
    ds = example_dataset()
    peers = gaps.gap_peers(ds, T1, n=3)
    # the peers of a gap, recomputed by a plain scan: the tambons that ticked it on a reported row
    ticks = gaps._compute_tick_rows(ds)
    for code, got in peers.groupby("outcome_code", sort=False):
        reached = set(ticks.loc[(ticks["criterion_code"] == code) & (ticks["tambon_id"] != T1), "tambon_id"])
        assert set(got["peer_id"]) <= reached
        assert got["peers_total"].iloc[0] == len(reached)
        # every row on which a chosen peer ticked it is listed, in row order
        for peer, lines in got.groupby("peer_id", sort=False):
            want = ticks[(ticks["criterion_code"] == code) & (ticks["tambon_id"] == peer)]
            assert list(lines["row_code"]) == list(want["row_code"])
    # one tambon's ticks through the memoised index equal a scan
    pd.testing.assert_frame_equal(gaps._ticks_of(ds, T2),
                                  ticks[ticks["tambon_id"] == T2].reset_index(drop=True))
    assert gaps._ticks_of(ds, "no-such-id").empty
