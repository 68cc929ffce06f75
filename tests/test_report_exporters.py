"""Output formats (``siianalysis.report.exporters``): a suffix and a converter, registered once.

A second format must be one new exporter and nothing else: these tests register a
plain-text exporter (``.txt``: each cell's source, one per paragraph) and get
``.txt`` documents from ``render_report`` and from the batch, with the executed
notebook beside each, the index linking them and reruns skipping them.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from siianalysis.report import build_reports, exporters, render_report
from siianalysis.report.batch import plan_reports
from siianalysis.report.options import RenderOptions
from siianalysis.report.storage import write_atomic
from tests.test_report_batch import CM, FIXTURES, LEADING_ZERO, UNRESOLVED, FakeKernel, _fake_execute, \
    notebooks_dir, write_processed


def text_export(notebook, out: Path, options: RenderOptions, title: str | None) -> None:
    """Every cell's source, and the title and audience first: enough to see what it was given."""
    head = f"{title or out.stem} | with_code={options.with_code} | lang={options.lang}"
    write_atomic(out, "\n\n".join([head, *(c.source for c in notebook.cells)]) + "\n")


@pytest.fixture
def text_format():
    exporters.register(exporters.Exporter(".txt", text_export))
    yield ".txt"
    exporters._REGISTRY.pop(".txt", None)


def test_html_is_built_in_and_an_unknown_format_names_the_known_ones():
    assert {".html", ".pdf"} <= set(exporters.suffixes())
    assert exporters.get(".HTML") is exporters.get(".html")
    with pytest.raises(exporters.UnknownFormatError, match=r"'\.odt'.*\.html"):
        exporters.get(".odt")
    with pytest.raises(ValueError, match="dot"):
        exporters.register(exporters.Exporter("txt", text_export))


def test_the_document_suffix_picks_the_exporter(tmp_path, monkeypatch, text_format):
    import papermill

    execute, calls = _fake_execute([])
    monkeypatch.setattr(papermill, "execute_notebook", execute)
    kernel = FakeKernel()
    out = tmp_path / "reports" / "network.txt"
    r = render_report(FIXTURES / "network_report.ipynb", {}, out, kernel=kernel, title="Network",
                      options=RenderOptions(lang="en"), with_code=True)
    assert (r.status, r.output, r.notebook_out) == ("rendered", str(out), str(out.with_suffix(".ipynb")))
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Network | with_code=True | lang=en\n\n")
    assert "print(\"reports_base:\", reports_base)" in text
    assert out.with_suffix(".ipynb").is_file() and not out.with_suffix(".html").exists()

    # a suffix nobody registered fails before any kernel is used
    with pytest.raises(exporters.UnknownFormatError):
        render_report(FIXTURES / "network_report.ipynb", {}, tmp_path / "network.docx", kernel=kernel)
    assert kernel.prepared == 1 and len(calls) == 1


def test_a_batch_names_its_documents_by_the_format(tmp_path, text_format):
    processed = write_processed(tmp_path / "processed")
    html = plan_reports(processed, tmp_path / "out", notebooks_dir=FIXTURES)
    text = plan_reports(processed, tmp_path / "out", notebooks_dir=FIXTURES, format=".txt")
    assert [Path(t.out).relative_to(tmp_path / "out").as_posix() for t in text.tasks] == [
        "network.txt", f"tambon/{LEADING_ZERO}.txt", f"tambon/{CM}.txt", f"tambon/{UNRESOLVED}.txt"]
    assert [t.out for t in html.tasks] == [t.out[: -len(".txt")] + ".html" for t in text.tasks]
    # another document is another output: its digest differs, so a switch re-renders
    assert all(a.digest != b.digest for a, b in zip(html.tasks, text.tasks))
    with pytest.raises(exporters.UnknownFormatError):
        build_reports(processed, tmp_path / "never", notebooks_dir=FIXTURES, format=".odt")
    assert not (tmp_path / "never").exists()


@pytest.mark.slow
def test_a_batch_in_a_second_format(tmp_path, text_format):
    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    out = tmp_path / "out"
    result = build_reports(processed, out, notebooks_dir=nbs, format=".txt", jobs=1, progress=False)
    assert (result.rendered, result.failed) == (4, 0), result.summary()
    for rel in ("network", f"tambon/{CM}", f"tambon/{LEADING_ZERO}", f"tambon/{UNRESOLVED}"):
        assert (out / f"{rel}.txt").is_file() and (out / f"{rel}.ipynb").is_file()
        assert not (out / f"{rel}.html").exists()
    executed = nbformat.read(out / "tambon" / f"{CM}.ipynb", as_version=4)
    assert any("ชื่อตำบล: สันทรายหลวง" in o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert (out / "tambon" / f"{CM}.txt").read_text(encoding="utf-8").startswith(
        f"สันทรายหลวง · สันทราย · เชียงใหม่ ({CM}) | with_code=False | lang=th")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="network.txt"' in index and f'href="tambon/{CM}.txt"' in index and ".html\"" not in index
    manifest = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))
    assert manifest["reports"][f"tambon/{CM}"]["html"] == f"tambon/{CM}.txt"  # the document, whatever its format
    again = build_reports(processed, out, notebooks_dir=nbs, format=".txt", jobs=1, progress=False)
    assert (again.rendered, again.skipped) == (0, 4)


def test_the_command_line_asks_for_a_format_by_name(tmp_path, capsys, monkeypatch):
    from siianalysis.cli import main
    from siianalysis.report import batch

    processed = write_processed(tmp_path / "processed")
    out = tmp_path / "out"
    code = main(["report", "--processed", str(processed), "--out", str(out), "--notebooks", str(FIXTURES),
                 "--format", "odt", "--quiet"])
    assert code == 2 and "no exporter for '.odt' (formats: .html" in capsys.readouterr().err
    assert not out.exists()

    seen = {}
    monkeypatch.setattr(batch, "build_reports", lambda processed, out, **kw: seen.update(kw) or batch.BatchResult(out))
    assert main(["report", "--processed", str(processed), "--out", str(out), "--format", "HTML", "--quiet"]) == 0
    assert seen["format"] == ".html"
