"""Issue 14, memory flat: the network's results a tambon report reads are written once per
processed set (``analysis.shared_tables``) and a tambon report's Dataset holds only its own
lines; planning a batch holds one processed table at a time."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pandas as pd
import pytest

import siianalysis as sii
from siianalysis import sections
from siianalysis.analysis import Dataset, scores, shared_tables
from siianalysis.processed import SetWriter
from siianalysis.schemas import PROCESSED_TABLES
from tests.test_network_scale import big_frames

TAMBON_SECTIONS = [
    sections.tambon.header, sections.snapshot.compared_with, sections.summary.tambon_summary,
    sections.tambon.scorecard, sections.progress.progress, sections.tambon.heatmaps, sections.tambon.sii_profile,
    sections.tambon.strengths_gaps, sections.tambon.team_words, sections.notes.outside_tables,
    sections.tambon.experts, sections.tambon.summary_table, sections.tambon.quality_notes,
]


def write_set(folder: Path, n: int = 120) -> Dataset:
    """A processed set (with its marker) of ``n`` tambons over 77 provinces; the whole Dataset."""
    whole = Dataset.from_frames(**big_frames(n))
    SetWriter(folder).commit({name: getattr(whole, name) for name in PROCESSED_TABLES})
    return sii.load(folder)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shared") / "processed"
    whole = write_set(folder)
    assert shared_tables.write(folder) is not None
    return folder, whole


def _html(section) -> str:
    import matplotlib.pyplot as plt

    html = section._repr_html_() if hasattr(section, "_repr_html_") else str(section)
    plt.close("all")
    return html


def test_a_tambon_report_dataset_holds_its_own_lines_and_shows_the_same_page(shared):
    folder, whole = shared
    ids = whole.tambon_ids[::41][:3]
    for tid in ids:
        view = sii.load(folder, tambon_id=tid)
        assert view is not whole
        for name in ("rows", "ticks", "texts"):
            mine = getattr(view, name)
            assert set(mine["tambon_id"]) == {tid}
            pd.testing.assert_frame_equal(mine, whole.lines_of(name, tid).reset_index(drop=True))
        assert len(view.tambons) == len(whole.tambons)  # names and places of the network: small
        for section in TAMBON_SECTIONS:
            for lang in ("th", "en"):
                assert _html(section(view, tid, lang)) == _html(section(whole, tid, lang)), (tid, section)


def test_a_tambon_dataset_refuses_network_results_it_was_not_given(shared):
    folder, whole = shared
    view = sii.load(folder, tambon_id=whole.tambon_ids[0])
    with pytest.raises(LookupError, match="shared results"):
        scores.network_positions(view, "people_reporting_rate")  # not among the shared positions
    # what is cut from it is an ordinary Dataset again (a round, the tambon alone)
    assert len(scores.table_scores(view.for_tambon(whole.tambon_ids[0]))) == len(scores.SCORED_TABLES)


def test_without_shared_tables_a_tambon_report_loads_the_whole_set(tmp_path):
    folder = tmp_path / "processed"
    whole = write_set(folder, n=40)
    tid = whole.tambon_ids[0]
    assert sii.load(folder, tambon_id=tid) is whole  # nothing written yet: the (cached) whole Dataset
    first = shared_tables.write(folder)
    assert sii.load(folder, tambon_id=tid) is not whole
    # another set: the shared tables of the old one are never read, and go when the new ones are written
    again = write_set(folder, n=44)
    assert sii.load(folder, tambon_id=tid) is again
    second = shared_tables.write(folder)
    assert second != first and second.is_dir() and not first.exists()
    assert len(sii.load(folder, tambon_id=tid).tambons) == len(again.tambons)


def test_planning_holds_one_processed_table_at_a_time(tmp_path, monkeypatch):
    from siianalysis.report.batch import plan

    folder = tmp_path / "processed"
    write_set(folder, n=40)
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    for name in (plan.TAMBON_NOTEBOOK, plan.NETWORK_NOTEBOOK):
        (nbs / name).write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    real = plan.read_tables
    calls: list[tuple[str, ...]] = []
    alive: list[weakref.ref] = []

    def read_tables(folder, names=plan.TABLES):
        gc.collect()
        held = [r for r in alive if r() is not None]
        assert held == [], "a processed table was still held when the next one was read"
        got = real(folder, names)
        calls.append(tuple(names))
        if tuple(names) != ("tambons",):  # the tambons table is the plan's own
            alive.extend(weakref.ref(df) for df in got.values())
        return got

    monkeypatch.setattr(plan, "read_tables", read_tables)
    done = plan.plan_reports(folder, tmp_path / "out", notebooks_dir=nbs)
    assert len(done.tasks) == 41
    assert all(len(names) == 1 for names in calls) and len(calls) >= len(plan.TABLES)


@pytest.mark.slow
def test_a_batch_writes_the_shared_tables_and_its_pages_are_those_of_whole_loads(tmp_path, monkeypatch):
    from siianalysis.report.batch import build_reports

    folder = tmp_path / "processed"
    whole = write_set(folder, n=40)
    ids = whole.tambon_ids[:2]
    nbs = Path(__file__).resolve().parent.parent / "notebooks"
    monkeypatch.setattr(shared_tables, "ensure", lambda folder: "switched off by the test")
    plain = build_reports(folder, tmp_path / "plain", notebooks_dir=nbs, tambon_ids=ids, network=False, jobs=1,
                          progress=False)
    assert plain.ok and not (folder / shared_tables.FOLDER).exists()
    monkeypatch.undo()
    viewed = build_reports(folder, tmp_path / "viewed", notebooks_dir=nbs, tambon_ids=ids, network=False, jobs=1,
                           progress=False)
    assert viewed.ok and list((folder / shared_tables.FOLDER).glob("*/index.arrow"))
    for tid in ids:
        assert (tmp_path / "viewed" / "tambon" / f"{tid}.html").read_bytes() == \
            (tmp_path / "plain" / "tambon" / f"{tid}.html").read_bytes()
