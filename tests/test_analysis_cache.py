"""``load`` memoises the Dataset per process; network scores are memoised per Dataset."""

from __future__ import annotations

import os
import pickle

import pandas as pd
import pytest

import siianalysis.analysis.dataset as load_mod
import siianalysis.analysis.scores as sc
from siianalysis.analysis.dataset import clear_cache, load
from tests.test_analysis_data import T1, T2, T4, example_frames


@pytest.fixture()
def folder(tmp_path):
    for name, df in example_frames().items():
        if df is not None:
            df.to_parquet(tmp_path / f"{name}.parquet", index=False)
    clear_cache()
    yield tmp_path
    clear_cache()


@pytest.fixture()
def reads(monkeypatch):
    """Counts pandas.read_parquet calls (as ``load`` makes them)."""
    calls: list[str] = []
    real = pd.read_parquet

    def counting(path, *args, **kwargs):
        calls.append(os.path.basename(str(path)))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pd, "read_parquet", counting)
    return calls


def _bump(path, ns: int = 10**9) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + ns))


def test_second_load_returns_the_same_object_without_reading(folder, reads):
    ds = load(folder)
    n = len(reads)
    assert n >= 4
    assert load(folder) is ds
    assert load(str(folder)) is ds
    assert len(reads) == n


def test_changed_file_is_read_again(folder, reads):
    ds = load(folder)
    _bump(folder / "ticks.parquet")  # touched: new mtime
    ds2 = load(folder)
    assert ds2 is not ds
    assert load(folder) is ds2
    # rewritten with other content: re-read and the new content is seen
    tambons = pd.read_parquet(folder / "tambons.parquet")
    tambons.iloc[:2].to_parquet(folder / "tambons.parquet", index=False)
    _bump(folder / "tambons.parquet", 2 * 10**9)
    ds3 = load(folder)
    assert ds3 is not ds2 and len(ds3.tambons) == 2


def test_a_new_optional_file_is_seen(folder):
    ds = load(folder)
    assert ds.feedback.empty
    fb = pd.DataFrame([{"tambon_id": T1, "pillar": "people", "reviewer": "A", "suggestion": "x"}])
    fb.to_parquet(folder / "feedback.parquet", index=False)
    assert len(load(folder).feedback) == 1


def test_cache_false_bypasses_and_clear_cache_empties(folder, reads):
    ds = load(folder)
    n = len(reads)
    fresh = load(folder, cache=False)
    assert fresh is not ds and len(reads) > n
    assert load(folder) is ds  # cache=False left the cache alone
    clear_cache()
    assert load(folder) is not ds


def test_cache_is_bounded(tmp_path):
    clear_cache()
    folders = []
    for i in range(load_mod.LOAD_CACHE_SIZE + 1):
        d = tmp_path / f"p{i}"
        d.mkdir()
        for name, df in example_frames().items():
            if df is not None:
                df.to_parquet(d / f"{name}.parquet", index=False)
        folders.append(d)
    first = load(folders[0])
    for d in folders[1:]:
        load(d)
    assert len(load_mod._LOADED) == load_mod.LOAD_CACHE_SIZE
    assert load(folders[0]) is not first  # the oldest was dropped
    clear_cache()


def test_tambon_scores_computed_once_and_equal_to_uncached(folder, monkeypatch):
    calls = {"tambon": 0, "table": 0, "ticked": 0}
    for name, key in (("_compute_tambon_scores", "tambon"), ("_compute_table_scores", "table"),
                      ("_compute_ticked_cells", "ticked")):
        real = getattr(sc, name)

        def counting(*args, _real=real, _key=key, **kwargs):
            calls[_key] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(sc, name, counting)
    ds = load(folder)
    first = sc.tambon_scores(ds)
    for _ in range(3):
        again = sc.tambon_scores(load(folder))
        pd.testing.assert_frame_equal(again, first)
        sc.table_scores(ds)
        sc.pillar_scores(ds)
    assert calls == {"tambon": 1, "table": 1, "ticked": 1}
    # equal to a computation on a fresh Dataset (no memo)
    fresh = load(folder, cache=False)
    pd.testing.assert_frame_equal(first, sc.tambon_scores(fresh))
    assert calls["tambon"] == 2


def test_memoised_results_are_copies(folder):
    ds = load(folder)
    scores = sc.tambon_scores(ds)
    scores["overall_outcome_coverage"] = -1.0
    del scores["tambon_th"]
    ts = sc.table_scores(ds)
    ts.loc[:, "ticks"] = 999
    fresh = load(folder, cache=False)
    pd.testing.assert_frame_equal(sc.tambon_scores(ds), sc.tambon_scores(fresh))
    pd.testing.assert_frame_equal(sc.table_scores(ds), sc.table_scores(fresh))
    for fn in (sc.outcome_reach, sc.lens_scores, sc.pillar_scores, sc.ticked_cells):
        pd.testing.assert_frame_equal(fn(ds), fn(fresh))


def test_positions_memoised_equal_to_positions(folder):
    ds = load(folder)
    fresh = load(folder, cache=False)
    for score in ("overall_outcome_coverage", "people_outcome_coverage", "lens_innovation"):
        expected = sc.positions(sc.tambon_scores(fresh), score)
        pd.testing.assert_frame_equal(sc.network_positions(ds, score), expected)
        assert sc.network_positions(ds, score) is not sc.network_positions(ds, score)
        for tid in (T1, T4):
            assert sc.network_position(ds, tid, score) == sc.position(sc.tambon_scores(fresh), tid, score)
    with pytest.raises(KeyError):
        sc.network_position(ds, "000000")


def test_for_tambon_slices_have_their_own_results(folder):
    ds = load(folder)
    network = sc.tambon_scores(ds)
    assert set(network["tambon_id"]) >= {T1, T2, T4}
    one = ds.for_tambon(T2)
    mine = sc.tambon_scores(one)
    assert list(mine["tambon_id"]) == [T2]
    pd.testing.assert_frame_equal(mine, sc.tambon_scores(load(folder, cache=False).for_tambon(T2)))
    # a lone tambon sits at the 50th percentile of its own slice, whatever its rank in the network
    assert sc.network_position(one, T2)["network_percentile"] == 50.0
    assert sc.network_position(one, T2)["network_n"] == 1
    assert sc.network_position(ds, T2)["network_n"] == len(network)
    pd.testing.assert_frame_equal(sc.tambon_scores(ds), network)  # the network's memo is untouched


def test_pickled_dataset_drops_the_memo(folder):
    ds = load(folder)
    sc.tambon_scores(ds)
    assert ds._memo
    back = pickle.loads(pickle.dumps(ds))
    assert back._memo == {}
    pd.testing.assert_frame_equal(sc.tambon_scores(back), sc.tambon_scores(ds))
