"""The report engine: warm kernels reused across reports, page weight, interrupts, cleanup.

A warm kernel must give every report exactly what a fresh kernel would: the
same outputs and ``In [n]`` numbers, nothing left behind by the report before.
The fixture ``tambon_leaky.ipynb`` changes every piece of kernel state it can;
``tambon_check_clean.ipynb`` fails if any of it is visible, and is shown to
fail in a kernel that is *not* reset, so it really looks.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import psutil
import pytest

from siianalysis.cli import main
from siianalysis.report import build_reports, render_report
from siianalysis.report.exporters.html import html_exporter
from siianalysis.report.images import compact_html_images, compact_png
from siianalysis.report.kernel import KernelOptions, WarmKernel, kernel_pool
from tests.test_report_batch import CM, EVIL, EXTERNAL, FIXTURES, LEADING_ZERO, notebooks_dir, text_of, \
    write_processed

ROOT = Path(__file__).resolve().parent.parent
LIGHT = KernelOptions(warm_modules=("pandas", "matplotlib.pyplot"))  # enough for the fixtures


def params(processed: Path, tambon_id: str) -> dict:
    return {"tambon_id": tambon_id, "processed_dir": str(processed), "lang": "th"}


def executed(html: Path) -> list[tuple]:
    """(source, execution_count, outputs) of each code cell of the notebook beside ``html``."""
    nb = nbformat.read(html.with_suffix(".ipynb"), as_version=4)
    return [(c.source, c.execution_count, c.outputs) for c in nb.cells if c.cell_type == "code"]


def outputs_text(html: Path) -> str:
    return json.dumps([o for _, _, outs in executed(html) for o in outs], ensure_ascii=False)


def kernel_processes(under: Path) -> list[psutil.Process]:
    """Running ipykernel processes started for reports under ``under`` (their cwd is there),
    plus any ipykernel descendant of this test process."""
    found = []
    mine = {p.pid for p in psutil.Process().children(recursive=True)}
    for p in psutil.process_iter(["pid", "cmdline"]):
        try:
            if not any("ipykernel" in part for part in (p.info["cmdline"] or [])):
                continue
            if p.status() == psutil.STATUS_ZOMBIE:
                continue
            if p.pid in mine or Path(p.cwd()).is_relative_to(under):
                found.append(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def many_tambons(folder: Path, n: int) -> tuple[Path, list[str]]:
    """A processed folder with ``n`` resolved tambons (ids 5007xx) besides the usual three."""
    write_processed(folder)
    tambons = pd.read_parquet(folder / "tambons.parquet")
    extra = []
    for i in range(n):
        row = tambons.iloc[0].copy()
        row["tambon_id"], row["tambon_th"] = f"5007{i + 10:02d}", f"ตำบลที่ {i}"
        extra.append(row)
    pd.concat([tambons, pd.DataFrame(extra)]).to_parquet(folder / "tambons.parquet", index=False)
    return folder, [r["tambon_id"] for r in extra]


# --- a warm kernel is a fresh kernel, report after report ----------------------------------

@pytest.mark.slow
def test_warm_kernel_renders_a_b_a_exactly_as_a_fresh_kernel(tmp_path):
    processed = write_processed(tmp_path / "processed")
    nb = FIXTURES / "tambon_figures.ipynb"
    kernel = WarmKernel(LIGHT)
    try:
        runs = []
        for i, tid in enumerate([CM, LEADING_ZERO, CM]):
            out = tmp_path / f"warm{i}" / f"{tid}.html"
            r = render_report(nb, params(processed, tid), out, kernel=kernel)
            assert r.status == "rendered", r
            runs.append(out)
        assert kernel.starts == 1  # one kernel for the three reports
    finally:
        kernel.shutdown()
    fresh = tmp_path / "fresh" / f"{CM}.html"
    assert render_report(nb, params(processed, CM), fresh).status == "rendered"

    a1, b, a2 = runs
    assert executed(a1) == executed(a2) == executed(fresh)
    assert [n for _, n, _ in executed(a2)] == [1, 2, 3, 4, 5, 6, 7, 8]  # counted from 1 again
    assert a1.read_bytes() == a2.read_bytes() == fresh.read_bytes()
    assert executed(b) != executed(a1) and b.read_bytes() != a1.read_bytes()
    assert "ตำบลศูนย์นำ" in text_of(b.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_prints_flushed_apart_make_one_output_so_pages_do_not_depend_on_load(tmp_path):
    # ipykernel sends stdout every 0.2 s: on a busy machine one cell's prints arrive as
    # several messages. A pause longer than that interval forces the split here.
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[
        new_code_cell('tambon_id = ""\nprocessed_dir = ""\nlang = "th"', metadata={"tags": ["parameters"]}),
        new_code_cell("import time\nprint('first line')\ntime.sleep(0.6)\nprint('second line')")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    path = tmp_path / "split.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "out" / "split.html"
    assert render_report(path, {"tambon_id": CM, "processed_dir": "", "lang": "th"}, out).status == "rendered"
    executed_nb = nbformat.read(out.with_suffix(".ipynb"), as_version=4)
    outputs = executed_nb.cells[-1].outputs
    assert [o.output_type for o in outputs] == ["stream"], outputs
    assert outputs[0].text == "first line\nsecond line\n"


@pytest.mark.slow
def test_a_report_leaves_nothing_behind_for_the_next(tmp_path):
    processed = write_processed(tmp_path / "processed")
    kernel = WarmKernel(LIGHT)
    try:
        leaky = render_report(FIXTURES / "tambon_leaky.ipynb", params(processed, CM), tmp_path / "leaky.html",
                              kernel=kernel)
        check = render_report(FIXTURES / "tambon_check_clean.ipynb", params(processed, CM),
                              tmp_path / "clean.html", kernel=kernel)
        assert kernel.starts == 1
    finally:
        kernel.shutdown()
    assert leaky.status == "rendered", leaky
    assert check.status == "rendered", check
    cells = executed(tmp_path / "clean.html")
    assert [n for _, n, _ in cells] == [1, 2, 3, 4, 5]
    text = outputs_text(tmp_path / "clean.html")
    assert "problems: []" in text
    assert "LEAKED" not in text  # no display formatter, no event hook of the leaky report
    assert cells[3][2][0]["data"]["text/plain"] == "7"
    assert "figure number: 1 linewidth: 1.5" in text  # figures numbered from 1, default rcParams


@pytest.mark.slow
def test_a_reset_leaves_the_kernels_long_lived_state_out_of_the_next_collection():
    """What a report leaves cached for the next ones (the dataset, its shared tables) is not
    scanned by every later reset's full garbage collection (issue 14: that scan cost each
    report about half a CPU second at 1,000 tambons)."""
    kernel = WarmKernel(LIGHT)
    try:
        kernel.prepare()
        kernel.call("import sys, types; sys.modules.setdefault('sii_cache_probe', types.ModuleType('p'))"
                    ".rows = [[i] for i in range(200_000)]")  # lists: always tracked
        kernel.prepare()  # the reset between two reports
        scanned = kernel.call("len(__import__('gc').get_objects())", result=True)
        kept = kernel.call("len(__import__('sys').modules['sii_cache_probe'].rows)", result=True)
    finally:
        kernel.shutdown()
    assert kept == 200_000  # the cache lives on: only the collector stops looking at it
    assert scanned < 200_000


@pytest.mark.slow
def test_the_clean_check_does_see_leaks_in_a_kernel_that_is_not_reset(tmp_path):
    class NoReset(WarmKernel):
        def prepare(self, cwd=None):
            if self.km is None:
                self.start(cwd)

    processed = write_processed(tmp_path / "processed")
    kernel = NoReset(LIGHT)
    try:
        render_report(FIXTURES / "tambon_leaky.ipynb", params(processed, CM), tmp_path / "leaky.html", kernel=kernel)
        check = render_report(FIXTURES / "tambon_check_clean.ipynb", params(processed, CM),
                              tmp_path / "clean.html", kernel=kernel)
    finally:
        kernel.shutdown()
    assert check.status == "failed" and check.error_name == "AssertionError"
    for leak in ("global", "rcParams", "open figures", "inline backend config", "warnings filters", "sys.path",
                 "os.environ", "cwd", "pandas option", "numpy print options", "input history",
                 "output history"):
        assert leak in check.error_message, leak
    assert "LEAKED HOOK" in outputs_text(tmp_path / "clean.html")


@pytest.mark.slow
def test_kernel_restarts_after_a_failure_and_every_n_reports(tmp_path):
    processed = write_processed(tmp_path / "processed")
    options = KernelOptions(warm_modules=("pandas",), max_reports=2)
    ok_nb, failing_nb = FIXTURES / "tambon_report.ipynb", FIXTURES / "tambon_failing.ipynb"
    with kernel_pool().lease(options) as kernel:
        starts, pids = [], []
        for i in range(3):
            assert render_report(ok_nb, params(processed, CM), tmp_path / f"ok{i}.html", kernel=kernel).ok
            starts.append(kernel.starts)
            pids.append(kernel.pid)
        assert starts == [1, 1, 2] and pids[0] == pids[1] != pids[2]  # a new kernel after 2 reports
        failed = render_report(failing_nb, params(processed, LEADING_ZERO), tmp_path / "f.html", kernel=kernel)
        assert failed.status == "failed" and kernel.broken
        assert render_report(ok_nb, params(processed, CM), tmp_path / "after.html", kernel=kernel).ok
        assert kernel.starts == 3 and not kernel.broken  # restarted after the failure
    kernel_pool().shutdown_all()
    assert kernel.km is None and not kernel_processes(tmp_path)


@pytest.mark.slow
def test_a_kernel_that_dies_mid_report_is_replaced_and_the_report_retried(tmp_path):
    from nbformat.v4 import new_code_cell, new_notebook

    processed = write_processed(tmp_path / "processed")
    flag = tmp_path / "died-once"
    nb = new_notebook(cells=[new_code_cell(
        "import os, pathlib\n"
        f"flag = pathlib.Path({str(flag)!r})\n"
        "if not flag.exists():\n    flag.touch()\n    os._exit(1)\n"
        "print('survived')")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, tmp_path / "dies.ipynb")
    kernel = WarmKernel(LIGHT)
    try:
        r = render_report(tmp_path / "dies.ipynb", {}, tmp_path / "out" / "dies.html", kernel=kernel)
    finally:
        kernel.shutdown()
    assert (r.status, r.attempts) == ("rendered", 2), r
    assert kernel.starts == 2 and "survived" in outputs_text(tmp_path / "out" / "dies.html")


# --- page weight ----------------------------------------------------------------------------

def lab_size(notebook_html: Path) -> int:
    """Bytes of the default nbconvert lab HTML of the executed notebook beside ``notebook_html``."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook_html.with_suffix(".ipynb"), as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    return len(body.encode("utf-8"))


def check_page(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8"' in page and '<html lang="th">' in page
    assert not EXTERNAL.search(page)
    assert not re.search(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "<script" not in page  # no scripts at all in an expert report


@pytest.mark.slow
def test_page_weight_is_under_40_percent_of_the_lab_template(tmp_path):
    processed = write_processed(tmp_path / "processed")
    out = tmp_path / "figures.html"
    r = render_report(FIXTURES / "tambon_figures.ipynb", params(processed, CM), out, title=EVIL)
    assert r.status == "rendered", r
    page = out.read_text(encoding="utf-8")
    check_page(page)
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    assert page.count("data:image/png;base64,") == 3 and "<table" in page
    ours, lab = len(page.encode("utf-8")), lab_size(out)
    assert ours <= 0.4 * lab, (ours, lab)
    css = re.search(r"<style[^>]*>(.*?)</style>", page, re.S).group(1)
    assert len(css) < 10_000 and '"Sarabun","Noto Sans Thai","Tahoma"' in css.replace(", ", ",")


@pytest.mark.slow
def test_error_output_is_readable_with_its_colours(tmp_path):
    processed = write_processed(tmp_path / "processed")
    out = tmp_path / "failed.html"
    r = render_report(FIXTURES / "tambon_failing.ipynb", params(processed, LEADING_ZERO), out)
    assert r.status == "failed" and out.is_file()
    page = out.read_text(encoding="utf-8")
    check_page(page)
    assert 'class="output_subarea output_text output_error"' in page
    used = set(re.findall(r'class="(ansi-[a-z-]+)', page))
    assert used, "tracebacks keep their ANSI colours as classes"
    css = re.search(r"<style[^>]*>(.*?)</style>", page, re.S).group(1)
    assert all(f".{name}" in css for name in used), used - {n for n in used if f".{n}" in css}
    assert "fixture failure for 010101" in text_of(page)


@pytest.mark.skipif(not (ROOT / "notebooks" / "tambon_report.ipynb").is_file()
                    or not (ROOT / "data" / "raw").is_dir(), reason="project notebooks or sample data absent")
@pytest.mark.slow
def test_page_weight_of_the_real_tambon_report(tmp_path):
    pytest.importorskip("siianalysis.sections.tambon")
    from siianalysis.normalise import normalise

    normalise(ROOT / "data" / "raw", tmp_path / "processed", progress=False)
    tid = str(pd.read_parquet(tmp_path / "processed" / "tambons.parquet")["tambon_id"].iloc[0])
    out = tmp_path / f"{tid}.html"
    r = render_report(ROOT / "notebooks" / "tambon_report.ipynb", params(tmp_path / "processed", tid), out)
    if r.status != "rendered":
        pytest.skip(f"the project's tambon notebook does not run yet: {r.error_name}: {r.error_message}")
    page = out.read_text(encoding="utf-8")
    check_page(page)
    assert len(page.encode("utf-8")) <= 0.4 * lab_size(out)


@pytest.mark.slow
def test_researchers_page_keeps_code_with_highlighting_and_no_external_url(tmp_path):
    processed = write_processed(tmp_path / "processed")
    out = tmp_path / "code.html"
    assert render_report(FIXTURES / "tambon_figures.ipynb", params(processed, CM), out, with_code=True).ok
    page = out.read_text(encoding="utf-8")
    assert not EXTERNAL.search(page) and "<script" not in page
    assert ".highlight" in page and 'class="input_area"' in page and "plt.subplots" in text_of(page)


def test_compact_png_keeps_charts_exact_and_leaves_gradients_alone():
    import io

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    # a chart-like image: 5 flat colours, 2% of pixels in 600 random edge shades
    colours = np.array([[255, 255, 255], [42, 122, 176], [238, 238, 238], [30, 30, 30], [224, 123, 57]])
    a = colours[rng.integers(0, 5, size=(120, 200))].astype(np.uint8)
    edges = rng.random((120, 200)) < 0.005
    a[edges] = rng.integers(0, 256, size=(int(edges.sum()), 3))
    buf = io.BytesIO()
    Image.fromarray(a, "RGB").convert("RGBA").save(buf, "PNG")
    packed = compact_png(buf.getvalue())
    assert len(packed) < len(buf.getvalue()) and packed == compact_png(buf.getvalue())  # deterministic
    back = np.asarray(Image.open(io.BytesIO(packed)).convert("RGB"))
    assert Image.open(io.BytesIO(packed)).mode == "P"
    assert (back[~edges] == a[~edges]).all()  # every pixel of a frequent colour is exact

    gradient = np.tile(np.linspace(0, 255, 400).astype(np.uint8), (100, 1))
    photo = np.stack([gradient, gradient.T[:100, :100].repeat(4, axis=1), 255 - gradient], axis=2)
    buf = io.BytesIO()
    Image.fromarray(photo, "RGB").save(buf, "PNG")
    assert compact_png(buf.getvalue()) == buf.getvalue()  # too many colours: unchanged
    transparent = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(transparent, "PNG")
    assert compact_png(transparent.getvalue()) == transparent.getvalue()
    assert compact_html_images('<img src="data:image/png;base64,!!!">') == '<img src="data:image/png;base64,!!!">'


def test_exporter_is_built_once_per_mode():
    assert html_exporter(False, "th") is html_exporter(False, "th")
    assert html_exporter(True, "th") is not html_exporter(False, "th")


# --- batches: no kernel left behind, interrupts ---------------------------------------------

@pytest.mark.slow
def test_no_kernel_process_remains_after_a_batch(tmp_path):
    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    for jobs in (1, 2):
        result = build_reports(processed, tmp_path / f"out{jobs}", notebooks_dir=nbs, jobs=jobs, progress=False)
        assert (result.rendered, result.failed) == (4, 0), result.summary()
        assert not kernel_processes(tmp_path), f"kernels left after jobs={jobs}"
    # fresh kernels and a failing report: no kernel either
    nbs = notebooks_dir(tmp_path / "failing", tambon="tambon_failing.ipynb")
    result = build_reports(processed, tmp_path / "out3", notebooks_dir=nbs, jobs=2, progress=False,
                           fresh_kernel=True)
    assert (result.rendered, result.failed) == (3, 1)
    assert not kernel_processes(tmp_path)


def run_cli_and_interrupt(tmp_path: Path, sig: int, jobs: int, n: int = 5, extra: tuple[str, ...] = ()):
    """``siianalysis report`` of the slow fixture (``n`` + 4 reports) in a subprocess, sent
    ``sig`` once two reports are done."""
    processed, _ = many_tambons(tmp_path / "processed", n)
    nbs = notebooks_dir(tmp_path / "notebooks", tambon="tambon_slow.ipynb")
    out = tmp_path / "reports"
    cmd = [sys.executable, "-m", "siianalysis", "report", "--processed", str(processed), "--out", str(out),
           "--notebooks", str(nbs), "--jobs", str(jobs), "--quiet", *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            start_new_session=True)
    deadline = time.monotonic() + 90
    manifest = out / ".manifest.json"
    while time.monotonic() < deadline:  # wait until some reports are done, then interrupt
        try:
            if len(json.loads(manifest.read_text(encoding="utf-8"))["reports"]) >= 2:
                break
        except (OSError, ValueError, KeyError):
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    if sig == signal.SIGINT:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal: the whole process group
    else:
        proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    return proc.returncode, stdout, stderr, processed, nbs, out


@pytest.mark.slow
@pytest.mark.parametrize("sig, jobs", [(signal.SIGINT, 2), (signal.SIGTERM, 1)])
def test_interrupted_run_keeps_finished_reports_and_stops_everything(tmp_path, sig, jobs):
    code, stdout, stderr, processed, nbs, out = run_cli_and_interrupt(tmp_path, sig, jobs)
    assert code == 130, (stdout, stderr)
    assert "INTERRUPTED" in stdout and "not started" in stdout
    counts = re.search(r"(\d+) rendered, (\d+) skipped \(unchanged\), (\d+) failed, (\d+) not started", stdout)
    rendered, skipped, failed, not_started = map(int, counts.groups())
    assert rendered >= 2 and not_started >= 1 and rendered + failed + not_started == 9
    assert "Traceback" not in stderr
    manifest = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["reports"]) == rendered
    assert all((out / (e["html"])).is_file() for e in manifest["reports"].values())
    assert (out / "index.html").is_file()
    time.sleep(0.5)
    assert not kernel_processes(tmp_path), "kernel processes outlived the interrupted run"
    assert not [p for p in psutil.process_iter(["cmdline"])
                if p.info["cmdline"] and str(processed) in " ".join(p.info["cmdline"])]
    if sig == signal.SIGINT:  # the next run renders the rest and skips what was finished
        again = build_reports(processed, out, notebooks_dir=nbs, jobs=2, progress=False)
        assert again.skipped == rendered and again.rendered == 9 - rendered and again.ok


def test_cli_passes_kernel_flags(monkeypatch, tmp_path, capsys):
    from siianalysis.report import batch

    seen = {}

    def fake(processed, out, **kwargs):
        seen.update(kwargs, out=out)
        return batch.BatchResult(out_dir=Path(out))

    monkeypatch.setattr(batch, "build_reports", fake)
    processed = write_processed(tmp_path / "processed")
    assert main(["report", "--processed", str(processed), "--out", "file:///srv/reports", "--fresh-kernels",
                 "--reuse-kernel", "7", "--scheduler", "tcp://127.0.0.1:8786", "--quiet"]) == 0
    assert seen["fresh_kernel"] is True and seen["reuse_kernel_reports"] == 7
    assert seen["scheduler"] == "tcp://127.0.0.1:8786" and seen["out"] == "file:///srv/reports"
    assert main(["report", "--processed", str(processed), "--reuse-kernel", "0"]) == 2
    assert "--reuse-kernel" in capsys.readouterr().err
    seen.clear()
    assert main(["report", "--processed", str(processed), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    assert seen["fresh_kernel"] is False and seen["scheduler"] is None and "reuse_kernel_reports" not in seen


@pytest.mark.slow
def test_a_kernel_starting_in_the_background_builds_no_ast_beside_the_worker(monkeypatch):
    """Why the next test failed now and then: CPython 3.11.7 keeps one AST recursion depth for
    all threads (gh-106905), and a pool worker imports papermill (lark's grammar: thousands of
    ``ast.literal_eval``) while its kernel starts in the background. Two threads building ASTs
    at once fail with ``SystemError: AST constructor recursion depth mismatch``, so the start
    thread must build none and import nothing. Here this thread parses nonstop meanwhile, with
    the collector running Python code mid-parse (which lets the threads interleave)."""
    import ast
    import threading

    class Noisy:
        def __del__(self):
            time.sleep(0)  # gives up the GIL in the middle of this thread's parse

    parsed_in: list[str] = []
    real_parse = ast.parse

    def spy(*args, **kwargs):
        parsed_in.append(threading.current_thread().name)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", spy)
    source = "x = [" + ", ".join(f"({i}, [{i}, {{1: 2}}])" for i in range(300)) + "]"
    kernel = WarmKernel(KernelOptions(warm_modules=("json", "no_such_module_here")))
    errors = []
    try:
        kernel.start_in_background()
        before = set(sys.modules)
        starting = kernel._starting
        while starting.is_alive():
            try:
                real_parse(source)
            except SystemError as exc:
                errors.append(exc)
            junk = [Noisy() for _ in range(50)]
            for j in junk:
                j.cycle = j
        kernel.join_start()
        imported = set(sys.modules) - before
        assert kernel.is_alive() and kernel.starts == 1
        assert list(kernel.warm_failures) == ["no_such_module_here"]  # the warm-up's answer, read as JSON
    finally:
        kernel.shutdown()
    assert errors == []
    assert "siireport-kernel-start" not in parsed_in
    assert imported == set()


@pytest.mark.slow
def test_a_worker_process_that_dies_is_replaced_and_its_reports_retried(tmp_path):
    import shutil

    from nbformat.v4 import new_code_cell, new_notebook

    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    flag = tmp_path / "worker-killed"
    nb = new_notebook(cells=[
        new_code_cell('tambon_id = ""\nprocessed_dir = ""\nlang = "th"', metadata={"tags": ["parameters"]}),
        new_code_cell("import os, pathlib, signal\n"
                      f"flag = pathlib.Path({str(flag)!r})\n"
                      f"if tambon_id == {CM!r} and not flag.exists():\n"
                      "    flag.touch()\n    os.kill(os.getppid(), signal.SIGKILL)  # the pool worker\n"
                      "print('rendered', tambon_id)")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, nbs / "tambon_report.ipynb")
    shutil.rmtree(tmp_path / "out", ignore_errors=True)
    result = build_reports(processed, tmp_path / "out", notebooks_dir=nbs, jobs=2, progress=False)
    assert (result.rendered, result.failed) == (4, 0), result.summary()
    assert flag.exists()
