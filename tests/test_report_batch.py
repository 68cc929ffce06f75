"""Batch rendering of report notebooks (``siianalysis.report``) with real kernels.

The notebooks are small fixtures (``tests/fixtures/notebooks``), not the real
reports: these tests are about the machinery (papermill parameters, HTML
without code or CDN, failure isolation, skip-unchanged, index). The processed
folder is three tambons written here with pandas, one of them with a
``<script>`` name. Kernels take about a second each, so the suite shares one
first build (module fixture) and uses ``jobs=2``.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from siianalysis.cli import main
from siianalysis.report import build_reports, render_report
from siianalysis.report.batch import UnknownTambonError, plan_reports
from siianalysis.report.batch.index import render_index
from siianalysis.report.batch.tables import data_digests, read_tables
from siianalysis.report.render import RenderResult

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
CM, LEADING_ZERO, UNRESOLVED = "500707", "010101", "u-0123456789"
EVIL = "<script>alert(1)</script>"

# <script src=…>, <link href=…>, <img src=…> pointing off the page, CSS @import, JS import(): a
# report must open offline. Links in narrative text (<a href>) are fine.
EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|@import\s+(?:url\()?["']?(?:https?:)?//|import\(\s*["'](?:https?:)?//""",
    re.IGNORECASE,
)


def text_of(page: str) -> str:
    """The visible text of an HTML page (tags stripped, entities decoded)."""
    page = re.sub(r"<style\b.*?</style>", " ", page, flags=re.S | re.I)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", page))


def write_processed(folder: Path, names: dict[str, str] | None = None) -> Path:
    """A tiny processed folder: 3 tambons (one unresolved, with a <script> name)."""
    names = {CM: "สันทรายหลวง", LEADING_ZERO: "ตำบลศูนย์นำ", UNRESOLVED: EVIL, **(names or {})}
    folder.mkdir(parents=True, exist_ok=True)
    ids = [CM, LEADING_ZERO, UNRESOLVED]
    tambons = pd.DataFrame({
        "tambon_id": ids, "resolved": [True, True, False],
        "tambon_th": [names[i] for i in ids], "amphoe_th": ["สันทราย", "อำเภอทดสอบ", ""],
        "province_th": ["เชียงใหม่", "จังหวัดทดสอบ", ""], "province_code": ["50", "01", ""],
        "worksheet_date": ["2020-10-27", "2020-10-27", ""],
        "source_file": ["a.xlsx", "b.xlsx", "c.docx"], "tambon_en": ["San Sai Luang", "Test", ""],
        "amphoe_en": ["San Sai", "Test", ""], "province_en": ["Chiang Mai", "Test", ""],
        "amphoe_code": ["5007", "0101", ""], "tables": ["people", "people", "people"],
    })
    rows = pd.DataFrame({"tambon_id": ids, "table": ["people"] * 3, "row_code": ["P1"] * 3,
                         "label": ["คนต้นแบบ"] * 3, "source": ["codebook"] * 3})
    ticks = pd.DataFrame({"tambon_id": ids, "table": ["people"] * 3, "row_code": ["P1"] * 3,
                          "criterion_code": ["PC1"] * 3, "ticked": [True, False, True]})
    texts = pd.DataFrame({"tambon_id": ids, "table": ["people"] * 3, "row_code": ["P1"] * 3,
                          "field": ["method"] * 3, "text": ["อบรม", "ประชุม", EVIL]})
    problems = pd.DataFrame({"source_file": ["c.docx"], "location": ["A1"], "severity": ["warning"],
                             "code": ["unresolved-place"], "message": ["no such tambon"],
                             "tambon_id": [UNRESOLVED]})
    for name, df in dict(tambons=tambons, rows=rows, ticks=ticks, texts=texts, problems=problems).items():
        df.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def notebooks_dir(folder: Path, tambon: str = "tambon_report.ipynb") -> Path:
    """A notebooks folder with the fixture network notebook and ``tambon`` as the tambon notebook."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / tambon, folder / "tambon_report.ipynb")
    shutil.copy(FIXTURES / "network_report.ipynb", folder / "network_report.ipynb")
    return folder


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    base = tmp_path_factory.mktemp("reports")
    processed = write_processed(base / "processed")
    nbs = notebooks_dir(base / "notebooks")
    out = base / "reports"
    result = build_reports(processed, out, notebooks_dir=nbs, jobs=2, progress=False)
    return base, processed, nbs, out, result


# --- one notebook ---------------------------------------------------------------------------

@pytest.mark.slow
def test_render_report_hides_code_for_experts_and_keeps_it_for_researchers(tmp_path):
    processed = write_processed(tmp_path / "processed")
    params = {"tambon_id": LEADING_ZERO, "processed_dir": str(processed), "lang": "th"}
    expert = render_report(FIXTURES / "tambon_report.ipynb", params, tmp_path / "expert" / "t.html")
    coded = render_report(FIXTURES / "tambon_report.ipynb", params, tmp_path / "code" / "t.html", with_code=True)
    assert expert.status == coded.status == "rendered", (expert, coded)
    assert (tmp_path / "expert" / "t.ipynb").is_file()  # executed notebook beside the HTML

    page = (tmp_path / "expert" / "t.html").read_text(encoding="utf-8")
    text = text_of(page)
    assert "ชื่อตำบล: ตำบลศูนย์นำ" in text
    assert "tambon_id type: str '010101'" in text  # papermill injects a str literal
    assert 'lang="th"' in page and '<meta charset="utf-8"' in page
    assert "input_prompt" not in page and "In [" not in text
    assert "import pandas" not in text and "read_parquet" not in text
    assert "processed_dir =" not in text  # parameters and injected-parameters cells dropped
    assert "stderr noise" not in text and "HIDDEN-CELL-OUTPUT" not in text
    assert not EXTERNAL.search(page)

    page = (tmp_path / "code" / "t.html").read_text(encoding="utf-8")
    text = text_of(page)
    assert 'class="prompt input_prompt"' in page
    assert "import pandas as pd" in text and "ชื่อตำบล: ตำบลศูนย์นำ" in text
    assert "HIDDEN-CELL-OUTPUT" not in text  # remove_cell holds in both modes
    assert not EXTERNAL.search(page)


def test_external_reference_check_catches_cdn_scripts():
    assert EXTERNAL.search('<script src="https://cdnjs.cloudflare.com/x.js"></script>')
    assert EXTERNAL.search("<link rel=stylesheet href=//cdn.example/x.css>")
    assert not EXTERNAL.search('<a href="https://www.thaihealth.or.th/">สสส.</a>')
    assert not EXTERNAL.search('<img src="data:image/png;base64,AAAA">')


class FakeKernel:
    """Stands in for a WarmKernel where papermill is faked too: no process at all."""

    kernel_name, km, client = "python3", None, None

    def __init__(self):
        self.prepared, self.done = 0, []

    def prepare(self, cwd=None):
        self.prepared += 1

    def report_done(self, ok):
        self.done.append(ok)


def _fake_execute(failures: list[BaseException]):
    """A stand-in for papermill.execute_notebook: raise the queued errors, then succeed."""
    calls = []

    def execute(input_path, output_path, **kwargs):
        calls.append(kwargs)
        if failures:
            raise failures.pop(0)
        nb = nbformat.read(input_path, as_version=4)
        nbformat.write(nb, output_path)

    return execute, calls


def test_dead_or_slow_kernel_is_retried_once(tmp_path, monkeypatch):
    import papermill

    from siianalysis.report import render

    monkeypatch.setattr(render.time, "sleep", lambda seconds: None)

    died = RuntimeError("Kernel died before replying to kernel_info")
    execute, calls = _fake_execute([died])
    monkeypatch.setattr(papermill, "execute_notebook", execute)
    kernel = FakeKernel()
    r = render_report(FIXTURES / "network_report.ipynb", {}, tmp_path / "a.html", kernel=kernel)
    assert (r.status, r.attempts, len(calls)) == ("rendered", 2, 2)
    # each attempt prepares the kernel (which restarts it after the failed one)
    assert kernel.prepared == 2 and kernel.done == [False, True]

    execute, calls = _fake_execute([TimeoutError("kernel start"), TimeoutError("kernel start")])
    monkeypatch.setattr(papermill, "execute_notebook", execute)
    r = render_report(FIXTURES / "network_report.ipynb", {}, tmp_path / "b.html", kernel=FakeKernel())
    assert (r.status, r.attempts, r.error_name) == ("failed", 2, "TimeoutError")
    assert not (tmp_path / "b.html").exists()


def test_notebook_error_is_not_retried(tmp_path, monkeypatch):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    err = PapermillExecutionError(3, 4, "raise ValueError('x')", "ValueError", "x", [])
    execute, calls = _fake_execute([err, err])
    monkeypatch.setattr(papermill, "execute_notebook", execute)
    kernel = FakeKernel()
    r = render_report(FIXTURES / "network_report.ipynb", {}, tmp_path / "a.html", kernel=kernel)
    assert kernel.done == [False]  # a failed report: the kernel is restarted before the next one
    assert (r.status, r.attempts, r.error_name, r.error_message) == ("failed", 1, "ValueError", "x")
    assert r.execution_count == 4 and r.cell_excerpt == "raise ValueError('x')"


@pytest.mark.slow
def test_cell_timeout_is_a_failure_at_the_slow_cell(tmp_path):
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("import time\ntime.sleep(30)")],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, tmp_path / "slow.ipynb")
    r = render_report(tmp_path / "slow.ipynb", {}, tmp_path / "out" / "slow.html", timeout=1)
    assert (r.status, r.attempts, r.error_name) == ("failed", 1, "CellTimeoutError")
    assert r.where() == "cell 2 (In [2])" and "time.sleep(30)" in r.cell_excerpt
    assert (tmp_path / "out" / "slow.html").is_file()  # partial report up to the slow cell


# --- the batch ------------------------------------------------------------------------------

@pytest.mark.slow
def test_build_renders_network_and_every_tambon(first_build):
    _, _, _, out, result = first_build
    assert (result.rendered, result.skipped, result.failed) == (4, 0, 0), result.summary()
    assert {r.key for r in result.results} == {"network", f"tambon/{CM}", f"tambon/{LEADING_ZERO}",
                                               f"tambon/{UNRESOLVED}"}
    for tid, name in [(CM, "สันทรายหลวง"), (LEADING_ZERO, "ตำบลศูนย์นำ")]:
        page = (out / "tambon" / f"{tid}.html").read_text(encoding="utf-8")
        assert f"ชื่อตำบล: {name}" in text_of(page)
        assert f"tambon_id type: str '{tid}'" in text_of(page)
        assert (out / "tambon" / f"{tid}.ipynb").is_file()
        assert not EXTERNAL.search(page)
    evil = (out / "tambon" / f"{UNRESOLVED}.html").read_text(encoding="utf-8")
    assert EVIL not in evil and "&lt;script&gt;alert(1)&lt;/script&gt;" in evil
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; (u-0123456789)</title>" in evil
    network = (out / "network.html").read_text(encoding="utf-8")
    assert "จำนวนตำบล: 3" in text_of(network) and "reports_base: tambon/" in text_of(network)
    assert "data:image/png;base64," in network and not EXTERNAL.search(network)
    manifest = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["reports"]) == {r.key for r in result.results}


@pytest.mark.slow
def test_index_links_every_report_and_escapes_names(first_build):
    _, _, _, out, result = first_build
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="th">' in page and '<meta charset="utf-8">' in page
    assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page and not EXTERNAL.search(page)
    assert "&lt;span" not in page and '<span class="muted">(ยังระบุรหัสตำบลไม่ได้)</span>' in page  # a tag, not text
    hrefs = re.findall(r'href="([^"]+)"', page)
    assert set(hrefs) == {"network.html", f"tambon/{CM}.html", f"tambon/{LEADING_ZERO}.html",
                          f"tambon/{UNRESOLVED}.html"}
    assert all((out / h).is_file() for h in hrefs)
    # provinces as the network report groups them (Thai order), each heading with its count
    assert page.index("จังหวัดเชียงใหม่ (1 ตำบล)") < page.index("ไม่ทราบจังหวัด (1 ตำบล)")
    assert "(50)" not in page  # the province code is no count
    assert "สันทรายหลวง" in page and "27 ตุลาคม 2563" in page and "2020-10-27" not in page  # a Thai date
    # the build log is for staff, collapsed at the bottom
    staff = page.index('<details class="staff"')
    assert page.index("สร้างใหม่") > staff and page.index("รายงานรายตำบล") < staff


@pytest.mark.slow
def test_rerun_skips_unchanged_reruns_changed_and_force(first_build):
    base, processed, nbs, out, _ = first_build
    again = build_reports(processed, out, notebooks_dir=nbs, jobs=2, progress=False)
    assert (again.rendered, again.skipped, again.failed) == (0, 4, 0)
    assert "skipped (unchanged)" in again.summary()

    # one tambon's worksheet changed: that tambon and the network only
    write_processed(processed, names={CM: "สันทรายหลวง (แก้ไข)"})
    changed = build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False)
    assert {r.key for r in changed.results if r.status == "rendered"} == {"network", f"tambon/{CM}"}
    assert changed.skipped == 2
    assert "สันทรายหลวง (แก้ไข)" in text_of((out / "tambon" / f"{CM}.html").read_text(encoding="utf-8"))

    # a missing HTML is rendered again even with unchanged inputs
    (out / "tambon" / f"{LEADING_ZERO}.html").unlink()
    missing = build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False, network=False)
    assert [r.key for r in missing.results if r.status == "rendered"] == [f"tambon/{LEADING_ZERO}"]

    # a tambon gone from the data (e.g. resolved to a DOPA code): its old report goes too
    tambons = pd.read_parquet(processed / "tambons.parquet")
    tambons[tambons["tambon_id"] != UNRESOLVED].to_parquet(processed / "tambons.parquet", index=False)
    pruned = build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False, network=False)
    assert (pruned.rendered, pruned.skipped) == (0, 2)
    assert not (out / "tambon" / f"{UNRESOLVED}.html").exists()
    assert not (out / "tambon" / f"{UNRESOLVED}.ipynb").exists()
    assert f"tambon/{UNRESOLVED}" not in json.loads((out / ".manifest.json").read_text())["reports"]

    forced = build_reports(processed, out, notebooks_dir=nbs, jobs=2, progress=False, force=True)
    assert (forced.rendered, forced.skipped, forced.failed) == (3, 0, 0)


@pytest.mark.slow
def test_failing_tambon_is_isolated_reported_and_retried(tmp_path, capsys):
    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks", tambon="tambon_failing.ipynb")
    out = tmp_path / "reports"
    code = main(["report", "--processed", str(processed), "--out", str(out), "--notebooks", str(nbs),
                 "--jobs", "2", "--quiet"])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert f"FAILED tambon/{LEADING_ZERO} at cell 4" in captured.out
    assert "ValueError: fixture failure for 010101" in captured.out
    assert "3 rendered" in captured.out and "1 failed" in captured.out
    for tid in (CM, UNRESOLVED):
        assert "after the failing cell" in text_of((out / "tambon" / f"{tid}.html").read_text(encoding="utf-8"))
    # the partial report shows where it stopped
    partial = text_of((out / "tambon" / f"{LEADING_ZERO}.html").read_text(encoding="utf-8"))
    assert "fixture failure for 010101" in partial and "after the failing cell" not in partial
    manifest = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))
    assert f"tambon/{LEADING_ZERO}" not in manifest["reports"] and len(manifest["reports"]) == 3
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "ล้มเหลว" in index and "cell 4 (In [4])" in index and "fixture failure for 010101" in index
    assert 'if tambon_id == &quot;010101&quot;:' in index  # the failing cell's source, escaped

    # next run: the failed report is tried again, the others are skipped
    rerun = build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False)
    assert (rerun.rendered, rerun.skipped, rerun.failed) == (0, 3, 1)

    # a run of another tambon only still shows the recorded failure in the index
    subset = build_reports(processed, out, notebooks_dir=nbs, tambon_ids=[CM], network=False, progress=False)
    assert [(r.key, r.status) for r in subset.results] == [(f"tambon/{CM}", "skipped")]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "cell 4 (In [4])" in index and f'href="tambon/{LEADING_ZERO}.html"' in index


def test_unknown_tambon_fails_before_anything_runs(tmp_path, capsys):
    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    with pytest.raises(UnknownTambonError, match="999999"):
        build_reports(processed, tmp_path / "out", notebooks_dir=nbs, tambon_ids=[CM, "999999"])
    assert not (tmp_path / "out").exists()
    code = main(["report", "--processed", str(processed), "--out", str(tmp_path / "out"),
                 "--notebooks", str(nbs), "--tambon", "999999", "--quiet"])
    assert code == 2 and "999999" in capsys.readouterr().err


def test_cli_without_processed_tables_says_to_normalise(tmp_path, capsys):
    code = main(["report", "--processed", str(tmp_path / "nope"), "--out", str(tmp_path / "out"),
                 "--notebooks", str(FIXTURES)])
    assert code == 2 and "siianalysis normalise" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    code = main(["report", "--processed", str(tmp_path / "empty"), "--out", str(tmp_path / "out"),
                 "--notebooks", str(FIXTURES)])
    assert code == 2 and "siianalysis normalise" in capsys.readouterr().err


def test_build_fails_clearly_without_report_notebooks(tmp_path, capsys):
    (tmp_path / "raw").mkdir()
    (tmp_path / "nbs").mkdir()
    code = main(["build", "--raw", str(tmp_path / "raw"), "--processed", str(tmp_path / "p"),
                 "--out", str(tmp_path / "r"), "--notebooks", str(tmp_path / "nbs"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "tambon_report.ipynb" in err and "network_report.ipynb" in err
    assert not (tmp_path / "p").exists()  # failed before normalising


@pytest.mark.slow
def test_build_normalises_then_renders_reports(tmp_path, capsys):
    from tests.worksheets import CB, Filled, Line, numbered, write_xlsx_per_sheet

    people = CB.table("people")
    sheet = Filled("ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", "๒๗ ตุลาคม ๒๕๖๓",
                   {"people": [Line(numbered(people, "P1"), {"method": "อบรมผู้นำ"}, {"PC1": "✓"})]})
    (tmp_path / "raw").mkdir()
    write_xlsx_per_sheet(tmp_path / "raw" / "แม่แรม.xlsx", sheet)
    nbs = notebooks_dir(tmp_path / "notebooks")
    code = main(["build", "--raw", str(tmp_path / "raw"), "--processed", str(tmp_path / "p"),
                 "--out", str(tmp_path / "r"), "--notebooks", str(nbs), "--jobs", "1", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "2 rendered" in out
    tambons = pd.read_parquet(tmp_path / "p" / "tambons.parquet")
    (tid,) = tambons["tambon_id"]
    page = (tmp_path / "r" / "tambon" / f"{tid}.html").read_text(encoding="utf-8")
    assert "ชื่อตำบล: แม่แรม" in text_of(page) and f"str '{tid}'" in text_of(page)
    assert (tmp_path / "r" / "network.html").is_file() and (tmp_path / "r" / "index.html").is_file()


# --- pieces without kernels -----------------------------------------------------------------

def test_tambon_digest_covers_only_its_own_rows(tmp_path):
    processed = write_processed(tmp_path / "p")
    net1, per1 = data_digests(read_tables(processed))
    texts = pd.read_parquet(processed / "texts.parquet")
    texts.loc[texts["tambon_id"] == CM, "text"] = "อบรมเพิ่ม"
    texts.to_parquet(processed / "texts.parquet", index=False)
    net2, per2 = data_digests(read_tables(processed))
    assert net1 != net2 and per1[CM] != per2[CM]
    assert per1[LEADING_ZERO] == per2[LEADING_ZERO] and per1[UNRESOLVED] == per2[UNRESOLVED]


def test_malformed_tambon_id_is_reported_not_rendered(tmp_path):
    processed = write_processed(tmp_path / "p")
    tambons = pd.read_parquet(processed / "tambons.parquet")
    bad = tambons.iloc[[0]].assign(tambon_id="../../etc/x")
    pd.concat([tambons, bad]).to_parquet(processed / "tambons.parquet", index=False)
    plan = plan_reports(processed, tmp_path / "out", notebooks_dir=FIXTURES)
    assert [r.key for r in plan.invalid] == ["tambon/../../etc/x"]
    assert all("etc" not in t.out_html for t in plan.tasks)
    page = render_index(tmp_path / "out", plan.tambons, {r.key: r for r in plan.invalid})
    assert 'href="' not in page.split('id="tambons"')[1]  # no link for it (or the unrendered ones)


def test_index_escapes_error_text_and_speaks_english(tmp_path):
    tambons = read_tables(write_processed(tmp_path / "p"))["tambons"]
    failed = RenderResult(key=f"tambon/{CM}", status="failed", error_name="KeyError",
                          error_message="<img src=x onerror=alert(1)>", cell_index=2, execution_count=3,
                          cell_excerpt="x = '<script>'")
    page = render_index(tmp_path, tambons, {failed.key: failed}, lang="en")
    assert '<html lang="en">' in page and "San Sai Luang (สันทรายหลวง)" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script" not in page and "failed at cell 3 (In [3])" in page
    assert "Province unknown (1 tambons)" in page and "2020-10-27" in page
