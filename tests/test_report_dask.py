"""The report batch on dask.distributed: a real LocalCluster on loopback, addressed by its
scheduler's ``tcp://127.0.0.1:PORT`` (as a remote cluster would be) and as ``"local"``.

Same HTML as the process pool (byte for byte), one failing report isolated, skip-unchanged,
outputs to an fsspec URL, no kernel left running on the workers after a batch.
"""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path

import pytest

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow  # every test here runs a Dask cluster

from siianalysis.cli import main  # noqa: E402
from siianalysis.report import build_reports  # noqa: E402
from tests.test_report_batch import CM, LEADING_ZERO, UNRESOLVED, notebooks_dir, text_of, write_processed  # noqa: E402
from tests.test_report_engine import kernel_processes, run_cli_and_interrupt  # noqa: E402

KEYS = {"network", f"tambon/{CM}", f"tambon/{LEADING_ZERO}", f"tambon/{UNRESOLVED}"}


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as c:
        yield c


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    base = tmp_path_factory.mktemp("dask")
    processed = write_processed(base / "processed")
    nbs = notebooks_dir(base / "notebooks")
    failing = notebooks_dir(base / "failing", tambon="tambon_failing.ipynb")
    pool = build_reports(processed, base / "pool", notebooks_dir=nbs, jobs=2, progress=False)
    assert pool.ok and pool.rendered == 4
    return base, processed, nbs, failing, base / "pool"


def page_differences(ours: dict[str, bytes], theirs: dict[str, bytes]) -> str:
    """A unified diff of the pages that differ (pytest's bytes diff is cut before the change)."""
    import difflib

    lines = []
    for name in sorted(set(ours) | set(theirs)):
        a, b = ours.get(name, b"").decode("utf-8", "replace"), theirs.get(name, b"").decode("utf-8", "replace")
        if a != b:
            lines += difflib.unified_diff(b.splitlines(), a.splitlines(), f"pool/{name}", f"dask/{name}", lineterm="", n=1)
    return "\n".join(lines)[:6000]


def html_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.html"))
            if p.name != "index.html"}


def test_tcp_scheduler_gives_the_pool_s_html_and_skips_unchanged(cluster, inputs, tmp_path, capsys):
    base, processed, nbs, _, pool_out = inputs
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    out = tmp_path / "out"
    result = build_reports(processed, out, notebooks_dir=nbs, scheduler=cluster.scheduler_address, progress=True)
    assert (result.rendered, result.failed) == (4, 0), result.summary()
    assert "4/4" in capsys.readouterr().err  # one progress bar, advanced as futures complete
    ours, pools = html_files(out), html_files(pool_out)
    assert set(ours) == {"network.html", f"tambon/{CM}.html", f"tambon/{LEADING_ZERO}.html",
                         f"tambon/{UNRESOLVED}.html"}
    assert ours == pools, page_differences(ours, pools)  # byte for byte: nothing time- or worker-dependent
    assert all((out / rel).with_suffix(".ipynb").is_file() for rel in ours)
    assert set(json.loads((out / ".manifest.json").read_text(encoding="utf-8"))["reports"]) == KEYS
    assert not kernel_processes(base) and not kernel_processes(tmp_path)  # stopped on the workers

    again = build_reports(processed, out, notebooks_dir=nbs, scheduler=cluster.scheduler_address, progress=False)
    assert (again.rendered, again.skipped) == (0, 4)


def test_cli_on_a_cluster_isolates_a_failing_report(cluster, inputs, tmp_path, capsys):
    _, processed, _, failing, _ = inputs
    out = tmp_path / "out"
    code = main(["report", "--processed", str(processed), "--out", str(out), "--notebooks", str(failing),
                 "--scheduler", cluster.scheduler_address, "--quiet"])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert f"FAILED tambon/{LEADING_ZERO} at cell 4" in captured.out and "3 rendered" in captured.out
    assert "fixture failure for 010101" in text_of((out / "tambon" / f"{LEADING_ZERO}.html").read_text("utf-8"))
    for tid in (CM, UNRESOLVED):
        assert "after the failing cell" in text_of((out / "tambon" / f"{tid}.html").read_text("utf-8"))
    manifest = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))
    assert f"tambon/{LEADING_ZERO}" in manifest["failed"] and len(manifest["reports"]) == 3
    assert "cell 4 (In [4])" in (out / "index.html").read_text(encoding="utf-8")


def test_outputs_to_an_fsspec_url(cluster, inputs, tmp_path):
    _, processed, nbs, _, pool_out = inputs
    folder = tmp_path / "remote" / "reports"
    url = folder.as_uri()  # file:///…: through fsspec, workers upload from a temp folder
    result = build_reports(processed, url, notebooks_dir=nbs, scheduler=cluster.scheduler_address, progress=False)
    assert (result.rendered, result.failed) == (4, 0), result.summary()
    assert result.index == f"{url}/index.html" and result.out_dir == url
    assert html_files(folder) == html_files(pool_out), page_differences(html_files(folder), html_files(pool_out))
    assert (folder / "tambon" / f"{CM}.ipynb").is_file()
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert f'href="tambon/{CM}.html"' in index and 'href="network.html"' in index
    manifest = json.loads((folder / ".manifest.json").read_text(encoding="utf-8"))
    assert manifest["reports"][f"tambon/{CM}"]["html"] == f"tambon/{CM}.html"
    assert not list(folder.rglob("*.tmp"))
    again = build_reports(processed, url, notebooks_dir=nbs, scheduler=cluster.scheduler_address, progress=False)
    assert (again.rendered, again.skipped) == (0, 4)


def test_scheduler_local_starts_and_closes_its_own_cluster(inputs, tmp_path):
    base, processed, nbs, _, pool_out = inputs
    out = tmp_path / "out"
    result = build_reports(processed, out, notebooks_dir=nbs, scheduler="local", jobs=2, progress=False,
                           tambon_ids=[CM, LEADING_ZERO], network=False)
    assert (result.rendered, result.failed) == (2, 0), result.summary()
    ours = html_files(out)
    assert all(ours[k] == html_files(pool_out)[k] for k in ours), page_differences(ours, {k: html_files(pool_out)[k] for k in ours})
    assert not kernel_processes(tmp_path) and not kernel_processes(base)


def test_ctrl_c_on_a_local_cluster_keeps_finished_reports(tmp_path):
    code, stdout, stderr, processed, nbs, out = run_cli_and_interrupt(
        tmp_path, signal.SIGINT, 2, extra=("--scheduler", "local"))
    assert code == 130, (stdout, stderr)
    rendered, not_started = map(int, re.search(r"(\d+) rendered, .* (\d+) not started", stdout).groups())
    assert rendered >= 2 and not_started >= 1 and "INTERRUPTED" in stdout
    # Ctrl-C reaches the whole process group: the LocalCluster's own worker processes may
    # print their KeyboardInterrupt (dask's, timing-dependent); the client must not crash.
    assert "BatchInterrupted" not in stderr and "siianalysis/cli.py" not in stderr
    assert len(json.loads((out / ".manifest.json").read_text(encoding="utf-8"))["reports"]) == rendered
    assert not kernel_processes(tmp_path)


def test_a_kernel_death_on_a_worker_is_retried_there(cluster, inputs, tmp_path):
    import shutil

    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    _, processed, nbs, _, _ = inputs
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(nbs / "network_report.ipynb", folder / "network_report.ipynb")
    nb = new_notebook(cells=[
        new_code_cell('tambon_id = ""\nprocessed_dir = ""\nlang = "th"', metadata={"tags": ["parameters"]}),
        new_code_cell("import os, pathlib\n"
                      f"flag = pathlib.Path({str(tmp_path)!r}) / f'died-{{tambon_id}}'\n"
                      "if not flag.exists():\n    flag.touch()\n    os._exit(1)\n"
                      "print('second kernel for', tambon_id)")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, folder / "tambon_report.ipynb")
    result = build_reports(processed, tmp_path / "out", notebooks_dir=folder, scheduler=cluster.scheduler_address,
                           progress=False, tambon_ids=[CM, LEADING_ZERO], network=False)
    assert (result.rendered, result.failed) == (2, 0), result.summary()
    assert [r.attempts for r in result.results] == [2, 2]
    assert "second kernel for" in text_of((tmp_path / "out" / "tambon" / f"{CM}.html").read_text("utf-8"))


def test_an_address_where_no_scheduler_answers_is_one_line_and_exit_2(inputs, tmp_path, capsys):
    import socket

    import dask

    _, processed, nbs, _, _ = inputs
    with socket.socket() as s:  # a free port: nothing listens there
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code = main(["report", "--processed", str(processed), "--out", str(tmp_path / "out"),
                     "--notebooks", str(nbs), "--scheduler", address, "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"siianalysis report: no Dask scheduler answered at {address}" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
