"""The reports' manifest records each finished report at once but rewrites the whole file
rarely (issue 14): a batch of N reports writes O(N) bytes, not O(N²), and a kill keeps
every finished report."""

from __future__ import annotations

import json

import pytest

from siianalysis.report import manifest as manifest_mod
from siianalysis.report.errors import ManifestError
from siianalysis.report.manifest import JOURNAL_NAME, MANIFEST_NAME, Manifest, set_aside


def _done(m: Manifest, i: int) -> None:
    m.mark_done(f"tambon/{i:06d}", f"digest{i}", f"tambon/{i:06d}.html", seconds=1.0, title=f"T{i}")


def test_a_batch_rewrites_the_file_a_few_times_and_writes_linear_bytes(tmp_path, monkeypatch):
    written: list[int] = []
    real = manifest_mod.write_atomic

    def counting(path, text):
        written.append(len(text))
        real(path, text)

    monkeypatch.setattr(manifest_mod, "write_atomic", counting)
    m = Manifest(tmp_path / MANIFEST_NAME)
    n = 2000
    for i in range(n):
        _done(m, i)
    m.flush()
    # rewritten whole when the journal would outgrow half the file: ≈ log1.5(n) times, not n
    assert len(written) <= 25, len(written)
    assert m.full_writes == len(written)
    one = written[-1] / n  # bytes of one entry
    assert sum(written) <= 4 * n * one  # a geometric series: linear in n (every-report rewrites: n²/2)
    data = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert len(data["reports"]) == n and not (tmp_path / JOURNAL_NAME).exists()


def test_a_kill_mid_batch_keeps_every_finished_report(tmp_path):
    m = Manifest(tmp_path / MANIFEST_NAME)
    for i in range(37):
        _done(m, i)
    m.mark_failed("tambon/999999", {"error": "boom"}, None)
    _done(m, 5)  # rendered again later in the batch
    # no flush: the process is killed here; the journal holds what the file does not
    assert (tmp_path / JOURNAL_NAME).is_file()
    on_disk = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert len(on_disk["reports"]) < 37
    again = Manifest(tmp_path / MANIFEST_NAME)
    assert set(again.reports) == {f"tambon/{i:06d}" for i in range(37)}
    assert set(again.failed) == {"tambon/999999"}
    assert again.is_current("tambon/000005", "digest5", True)
    # a drop is replayed too
    again.drop({"tambon/000001"})
    assert "tambon/000001" not in Manifest(tmp_path / MANIFEST_NAME).reports


def test_a_record_cut_short_by_a_kill_is_dropped_and_the_rest_kept(tmp_path):
    m = Manifest(tmp_path / MANIFEST_NAME)
    for i in range(10):
        _done(m, i)
    journal = tmp_path / JOURNAL_NAME
    before = set(Manifest(tmp_path / MANIFEST_NAME).reports)
    with journal.open("a", encoding="utf-8") as f:
        f.write('{"entry": {"digest": "x", "html": "tambon/0')  # killed mid-append
    assert set(Manifest(tmp_path / MANIFEST_NAME).reports) == before == {f"tambon/{i:06d}" for i in range(10)}


def test_a_damaged_journal_line_is_said_and_set_aside_with_the_file(tmp_path):
    m = Manifest(tmp_path / MANIFEST_NAME)
    for i in range(10):
        _done(m, i)
    journal = tmp_path / JOURNAL_NAME
    lines = journal.read_text(encoding="utf-8").splitlines()
    journal.write_text("\n".join(["not json", *lines]) + "\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="journal"):
        Manifest(tmp_path / MANIFEST_NAME)
    set_aside(path=tmp_path / MANIFEST_NAME)
    assert not journal.exists() and (tmp_path / (JOURNAL_NAME + ".damaged")).is_file()
    assert Manifest(tmp_path / MANIFEST_NAME).reports == {}
