"""Issue 14: what a tambon report reads does not grow with the network, and the network
pages stay usable when it is the whole country. Speed itself is measured by the
benchmark (``bench/run.py --large``), not here: these tests assert the mechanisms."""

from __future__ import annotations

from pathlib import Path

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
    from siianalysis.analysis import Dataset

    ds = Dataset.from_frames(**big_frames())  # 1,000 tambons, a fresh memo
    tables = _counting(monkeypatch, gaps, "_compute_peer_tables")
    tick_rows = _counting(monkeypatch, gaps, "_compute_tick_rows")
    pivoted: list[int] = []
    real = gaps._row_texts
    monkeypatch.setattr(gaps, "_row_texts", lambda texts: (pivoted.append(len(texts)), real(texts))[1])
    ids = ds.tambon_ids[:: len(ds.tambon_ids) // 3][:3]
    for tid in ids:
        html = sections.tambon.strengths_gaps(ds, tid, "th")._repr_html_()
        assert "<td" in html
        sections.summary.tambon_summary(ds, tid, "th")._repr_html_()
    # three reports, each asking for peers in two sections: the network's tables built once
    assert len(tables) == 1 and len(tick_rows) == 1
    # and what peers wrote is read for the chosen peers only, never the network's texts
    assert pivoted and max(pivoted) <= 3 * 3 * len(ds.texts) / ds.tambons["tambon_id"].nunique() * 17 / 10
    assert sum(pivoted) < len(ds.texts) / 4
    # a new Dataset (a new processed set) builds them anew
    gaps.gap_peers(example_dataset(), T1)
    assert len(tables) == 2


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


# --- pages of a country-sized network ------------------------------------------------------

N_BIG, N_PROVINCES = 1000, 77


def big_frames(n: int = N_BIG) -> dict[str, pd.DataFrame]:
    """The hand-made network of ``test_analysis_data`` copied to ``n`` tambons over 77
    provinces (4 tambons a copy, new DOPA-shaped ids, each copy in one province)."""
    from tests.test_analysis_data import STRAY, T4, example_frames

    base = example_frames()
    out: dict[str, list[pd.DataFrame]] = {name: [] for name in base}
    for c in range(n // 4):
        prov = 10 + c % N_PROVINCES
        amphoe = f"{prov:02d}{c // N_PROVINCES + 1:02d}"
        ids = {old: f"{amphoe}{k + 1:02d}" for k, old in enumerate((T1, T2, T3, T4))}
        for name, df in base.items():
            if df is None or "tambon_id" not in df.columns:
                continue
            part = df[df["tambon_id"].isin(ids)].copy()
            part["tambon_id"] = part["tambon_id"].map(ids)
            if name == "tambons":
                part = part.assign(province_code=f"{prov:02d}", province_th=f"จังหวัดทดสอบ{prov}",
                                   amphoe_code=amphoe, amphoe_th=f"อำเภอ{amphoe}",
                                   tambon_th=[f"ตำบล{i}" for i in part["tambon_id"]])
            out[name].append(part)
    assert STRAY not in set(out["tambons"][0]["tambon_id"])
    return {name: pd.concat(parts, ignore_index=True) for name, parts in out.items() if parts}


@pytest.fixture(scope="module")
def big():
    from siianalysis.analysis import Dataset

    return Dataset.from_frames(**big_frames())


def _links(html: str) -> int:
    return html.count("<a ")


def test_the_network_page_of_a_large_network_lists_no_one_by_one(big):
    from siianalysis.sections.at_scale import NAMES_SHOWN, ONE_PAGE_LIMIT, PER_PROVINCE_SHOWN

    assert big.tambons["tambon_id"].nunique() == N_BIG > ONE_PAGE_LIMIT
    typ = sections.network.typology(big, "th")
    html = typ._repr_html_()
    for row in html.split("<tr")[1:]:
        assert _links(row) <= NAMES_SHOWN  # a type of hundreds of tambons: 20 names and a count
    assert "และอีก" in html
    counts = typ.data["counts"]
    assert counts["tambons"].sum() == N_BIG and counts["tambons"].max() > NAMES_SHOWN
    review = sections.network.expert_review(big, "th")._repr_html_()  # no review yet: every tambon lacks one
    for row in review.split("<tr")[1:]:
        assert _links(row) <= NAMES_SHOWN
    links = sections.network.report_links(big, "th")
    page = links._repr_html_()
    # one line per province, linking its page of the index; every tambon still in the data
    assert _links(page) == N_PROVINCES and 'href="province/10.html"' in page
    assert len(links.data["links"]) == N_BIG
    for row in review.split("<tr")[1:]:
        assert _links(row) <= PER_PROVINCE_SHOWN  # the province's page of the index lists them all
    total = _links(html) + _links(review) + _links(page)
    # bounded by the types and the provinces, not by the tambons (old: every name three times)
    assert total <= len(counts) * NAMES_SHOWN + N_PROVINCES * (PER_PROVINCE_SHOWN + 1) < 3 * N_BIG


def test_a_small_network_keeps_every_name_on_the_page():
    ds = example_dataset()
    page = sections.network.report_links(ds, "th")._repr_html_()
    assert _links(page) == ds.tambons["tambon_id"].nunique()


def test_province_charts_of_the_country_stay_under_1600_px(big):
    from siianalysis.analysis import plots
    from siianalysis.sections.html import FIGURE_DPI

    for fig in (plots.score_distribution(big, "overall_tick_rate", by_province=True),
                plots.province_overview(big)):
        provinces = len(fig.axes[0].get_yticks())
        assert provinces == N_PROVINCES
        assert fig.get_size_inches()[1] * FIGURE_DPI <= 1600
        plots.plt.close(fig) if hasattr(plots, "plt") else None


def test_the_index_of_a_large_network_links_province_pages(big, tmp_path):
    from siianalysis.report.batch.index import write_index
    from siianalysis.report.render import RenderResult

    (tmp_path / "tambon").mkdir()
    results = {}
    for tid in big.tambon_ids:
        doc = tmp_path / "tambon" / f"{tid}.html"
        doc.write_text("<html></html>", encoding="utf-8")
        results[f"tambon/{tid}"] = RenderResult(key=f"tambon/{tid}", status="rendered", output=str(doc))
    failed = big.tambon_ids[3]
    results[f"tambon/{failed}"] = RenderResult(key=f"tambon/{failed}", status="failed", error_name="Boom")
    del results[f"tambon/{big.tambon_ids[7]}"]  # never rendered (a partial build): counted, not listed
    write_index(tmp_path, big.tambons, results, lang="th")
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert _links(index) <= N_PROVINCES + 5 and 'href="province/10.html"' in index
    assert "tambon/" not in index.split('id="staff"')[0]  # no tambon listed before the staff block
    assert index.count("<tr>") == 2 and failed in index  # the staff block: its header and the failed report
    pages = sorted((tmp_path / "province").glob("*.html"))
    assert len(pages) == N_PROVINCES
    linked = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 'href="../index.html"' in text
        linked += text.count('href="../tambon/')
        for href in [h.split('"')[0] for h in text.split('href="')[1:]]:
            assert (page.parent / href).is_file(), href  # every link leads to a file
    assert linked == N_BIG - 2  # every tambon but the failed and the missing one, each on its province's page


# --- comparisons that say when they were made ------------------------------------------------


def _write_set(folder, frames: dict[str, pd.DataFrame]):
    from siianalysis.analysis.dataset import normalise_frame
    from siianalysis.processed import PROCESSED_TABLES, SetWriter

    full = {name: normalise_frame(frames.get(name), name) for name in PROCESSED_TABLES}
    return SetWriter(folder).commit(full)


def test_a_tambon_page_names_the_network_it_compares_with(tmp_path):
    from siianalysis.analysis import load
    from siianalysis.words import display_date
    from tests.test_analysis_data import example_frames

    marker = _write_set(tmp_path / "processed", example_frames())
    ds = load(tmp_path / "processed", cache=False)
    th = str(sections.snapshot.compared_with(ds, T1, "th"))
    en = str(sections.snapshot.compared_with(ds, T1, "en"))
    assert f'data-snapshot="{marker["set_id"]}"' in th
    assert "4 ตำบล" in th and marker["set_id"][:8] in th and "เปรียบเทียบกับเครือข่าย ณ ใบงานล่าสุดวันที่" in th
    assert "Compared with the network as of its latest worksheet" in en and "4 tambons" in en
    # the date is the data's (its latest worksheet), never the clock's: same worksheets, same page
    latest = max(d for d in ds.tambons["worksheet_date"] if d)
    assert display_date(latest, "en") in en and display_date(latest, "th") in th
    # another set (a worksheet changed): another snapshot
    frames = example_frames()
    frames["texts"] = frames["texts"].assign(text=frames["texts"]["text"] + " ฉบับแก้")
    again = _write_set(tmp_path / "processed", frames)
    assert again["set_id"] != marker["set_id"]
    assert again["set_id"] in str(sections.snapshot.compared_with(load(tmp_path / "processed", cache=False), T1))


@pytest.mark.slow
def test_the_index_marks_pages_of_an_older_network_and_stale_renders_only_those(tmp_path):
    import json

    from siianalysis.report.batch.build import build_reports
    import shutil

    from tests.test_report_batch import CM, LEADING_ZERO, UNRESOLVED, write_processed

    frames = {name: pd.read_parquet(path) for name in ("tambons", "rows", "ticks", "texts", "problems")
              for path in [write_processed(tmp_path / "raw-set") / f"{name}.parquet"]}
    processed = tmp_path / "processed"
    first = _write_set(processed, frames)
    nbs, out = tmp_path / "notebooks", tmp_path / "reports"
    shutil.copytree(Path(__file__).parents[1] / "notebooks", nbs)  # the real tambon report
    result = build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False, network=False)
    assert result.failed == 0, result.summary()
    page = (out / "tambon" / f"{CM}.html").read_text(encoding="utf-8")
    assert f'data-snapshot="{first["set_id"]}"' in page and "3 ตำบล" in page
    assert "older" not in (out / "index.html").read_text(encoding="utf-8")

    # one tambon's worksheet changes: its page is rendered again, the others keep the old comparison
    texts = frames["texts"].copy()
    texts.loc[texts["tambon_id"] == CM, "text"] = "อบรมแกนนำรุ่นใหม่"
    second = _write_set(processed, {**frames, "texts": texts})
    result = build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False, network=False)
    assert {r.key for r in result.results if r.status == "rendered"} == {f"tambon/{CM}"}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('class="muted older"') == 2  # the two others
    for marked in index.split('class="muted older"')[:-1]:
        assert f"tambon/{CM}.html" not in marked.rsplit("<tr>", 1)[1]
    entries = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))["reports"]
    assert entries[f"tambon/{CM}"]["snapshot"] == second["set_id"]
    assert entries[f"tambon/{LEADING_ZERO}"]["snapshot"] == first["set_id"]
    assert any("--stale" in n for n in result.notes)

    # --stale: only the pages of the older network, and then none is marked
    result = build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False, network=False, stale=True)
    assert {r.key for r in result.results if r.status == "rendered"} == {f"tambon/{LEADING_ZERO}",
                                                                         f"tambon/{UNRESOLVED}"}
    assert "muted older" not in (out / "index.html").read_text(encoding="utf-8")
    page = (out / "tambon" / f"{LEADING_ZERO}.html").read_text(encoding="utf-8")
    assert f'data-snapshot="{second["set_id"]}"' in page


def test_one_tambons_lines_through_the_index_equal_a_scan(big):
    for name in ("tambons", "rows", "ticks", "texts", "problems", "feedback"):
        frame = getattr(big, name)
        for tid in (big.tambon_ids[0], big.tambon_ids[-1], "no-such-id"):
            pd.testing.assert_frame_equal(big.lines_of(name, tid), frame[frame["tambon_id"] == tid])
    # lines of a tambon not together in the file (a later round, a stray line) come in file order too
    shuffled = type(big).from_frames(**{**big_frames(), "texts": big_frames()["texts"].sample(frac=1, random_state=1)})
    tid = shuffled.tambon_ids[5]
    pd.testing.assert_frame_equal(shuffled.lines_of("texts", tid),
                                  shuffled.texts[shuffled.texts["tambon_id"] == tid])
