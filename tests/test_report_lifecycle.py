"""Long report batches that behave: a run stopped at any moment, killed, run twice at once,
on a full or read-only disk, with a damaged manifest, a slow cell or a huge text.

Each test here failed on the code before issue 10: Ctrl-C before the network report
ended in an ``IndexError`` and no index; ``kill -9`` left the pool workers and their
kernels running; two runs wrote one folder together; a full disk, a read-only folder or
a manifest entry of the wrong type ended in a traceback; the index carried the build
minute, so the bundle of the same inputs changed; one 10 MB cell kept the themes busy
for minutes.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from siianalysis.cli import main
from siianalysis.report import build_reports
from siianalysis.report.batch import ReportInputError
from siianalysis.report.errors import FolderBusyError, ManifestError, OutputWriteError
from siianalysis.report.lock import FolderLock
from tests.test_report_batch import CM, LEADING_ZERO, UNRESOLVED, notebooks_dir, write_processed
from tests.test_report_engine import kernel_processes, many_tambons

ROOT = Path(__file__).resolve().parent.parent


def report_cmd(processed: Path, out: Path, nbs: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "siianalysis", "report", "--processed", str(processed), "--out", str(out),
            "--notebooks", str(nbs), "--quiet", *extra]


def is_kernel(p: psutil.Process) -> bool:
    try:
        return any("ipykernel" in part for part in p.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


# --- kill -9: nothing of the run survives it --------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("jobs", [2, 1])
def test_kill_9_of_the_report_process_leaves_no_worker_or_kernel(tmp_path, jobs):
    processed, _ = many_tambons(tmp_path / "processed", 8)
    nbs = notebooks_dir(tmp_path / "notebooks", tambon="tambon_slow.ipynb")
    proc = subprocess.Popen(report_cmd(processed, tmp_path / "reports", nbs, "--jobs", str(jobs)), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        family: list[psutil.Process] = []
        while time.monotonic() < deadline and proc.poll() is None:  # until its kernels run
            family = psutil.Process(proc.pid).children(recursive=True)
            if sum(is_kernel(p) for p in family) >= jobs and (out := tmp_path / "reports" / "tambon").is_dir() \
                    and any(out.glob("*.html")):
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the batch ended before it could be killed"
        family = psutil.Process(proc.pid).children(recursive=True)
        assert sum(is_kernel(p) for p in family) >= jobs
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        _, alive = psutil.wait_procs(family, timeout=8)
        assert not alive, [(p.pid, p.cmdline()) for p in alive if p.is_running()]
    finally:
        for p in family:  # what did survive may not leak into other tests
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()


# --- Ctrl-C and SIGTERM before the network report has finished -------------------------------

def slow_network(nbs: Path, seconds: int = 60) -> Path:
    """Make the network notebook of ``nbs`` sleep ``seconds`` (tambon reports stay quick)."""
    import nbformat
    from nbformat.v4 import new_code_cell

    nb = nbformat.read(nbs / "network_report.ipynb", as_version=4)
    nb.cells.append(new_code_cell(f"import time\ntime.sleep({seconds})"))
    nbformat.write(nb, nbs / "network_report.ipynb")
    return nbs


def counts_of(stdout: str) -> tuple[int, ...]:
    found = re.search(r"(\d+) rendered, (\d+) skipped \(unchanged\), (\d+) failed, (\d+) not started", stdout)
    assert found, stdout
    return tuple(map(int, found.groups()))


@pytest.mark.slow
@pytest.mark.parametrize("sig, jobs", [(signal.SIGINT, 2), (signal.SIGTERM, 1)])
def test_interrupt_before_the_network_report_finishes_exits_130_with_account_and_index(tmp_path, sig, jobs,
                                                                                      capsys):
    processed = write_processed(tmp_path / "processed")
    nbs = slow_network(notebooks_dir(tmp_path / "notebooks"))
    out = tmp_path / "reports"
    proc = subprocess.Popen(report_cmd(processed, out, nbs, "--jobs", str(jobs)), cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    manifest = out / ".manifest.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if jobs > 1:  # the second worker has finished tambon reports while the network report sleeps
            try:
                if len(json.loads(manifest.read_text(encoding="utf-8"))["reports"]) >= 2:
                    break
            except (OSError, ValueError, KeyError):
                pass
        elif any(is_kernel(p) for p in psutil.Process(proc.pid).children(recursive=True)):
            time.sleep(4)  # in this process, the network report comes first: it is sleeping now
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the batch ended before it could be interrupted"

    # meanwhile, a second run on the same folder is refused in one line, and changes nothing
    code = main(["report", "--processed", str(processed), "--out", str(out), "--notebooks", str(nbs), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "is being written by" in err and str(proc.pid) in err, err
    assert len(err.strip().splitlines()) == 1

    if sig == signal.SIGINT:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal: the whole process group
    else:
        proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (stdout, stderr)
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    assert "INTERRUPTED" in stdout
    rendered, skipped, failed, not_started = counts_of(stdout)
    assert not_started >= 1 and rendered + skipped + failed + not_started == 4
    assert "network" not in json.loads(manifest.read_text(encoding="utf-8"))["reports"] if manifest.exists() \
        else True
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f"index: {out / 'index.html'}" in stdout
    assert "ยังไม่ได้สร้าง" in index  # the network report: not rendered
    time.sleep(1.5)
    assert not kernel_processes(tmp_path), "kernel processes outlived the interrupted run"
    assert not (tmp_path / ".reports.lock").exists()  # the lock went with the run


# --- the bookkeeping of a finished report is never cut in half ---------------------------------

def fake_render(monkeypatch, refuse: dict[str, int] | None = None) -> list[str]:
    """Render tasks in this process without kernels: each writes a small document. A key in
    ``refuse`` fails as render_report does when the machine refuses the write (that errno)."""
    from siianalysis.report import execute
    from siianalysis.report.render import RenderResult

    done: list[str] = []

    def run_task(task):
        out = Path(task.out)
        if refuse and task.key in refuse:
            number = refuse[task.key]
            return RenderResult(key=task.key, status="failed", error_name="OSError",
                                error_message=os.strerror(number), digest=task.digest, os_errno=number,
                                os_filename=str(out))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(f"<html><title>{task.title}</title></html>\n", encoding="utf-8")
        out.with_suffix(".ipynb").write_text("{}", encoding="utf-8")
        done.append(task.key)
        return RenderResult(key=task.key, status="rendered", output=str(out), notebook_out=str(out.with_suffix(
            ".ipynb")), digest=task.digest)

    monkeypatch.setattr(execute, "run_task", run_task)
    return done


def test_ctrl_c_inside_the_bookkeeping_waits_until_the_manifest_is_written(tmp_path, monkeypatch):
    from siianalysis.report.batch import BatchInterrupted
    from siianalysis.report.manifest import Manifest

    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    fake_render(monkeypatch)
    real = Manifest.mark_done

    def interrupted_mark_done(self, key, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C lands between the result and the manifest
        return real(self, key, *args, **kwargs)

    monkeypatch.setattr(Manifest, "mark_done", interrupted_mark_done)
    with pytest.raises(BatchInterrupted) as stopped:
        build_reports(processed, tmp_path / "out", notebooks_dir=nbs, jobs=1, progress=False)
    result = stopped.value.result
    assert result.interrupted and (result.rendered, result.not_started) == (1, 3)
    manifest = json.loads((tmp_path / "out" / ".manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["reports"]) == [r.key for r in result.results if r.status == "rendered"] == ["network"]
    assert (tmp_path / "out" / "index.html").is_file() and result.index == tmp_path / "out" / "index.html"


def test_ctrl_c_while_planning_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    from siianalysis.report.batch import BatchInterrupted, plan

    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    fake_render(monkeypatch)
    first = build_reports(processed, tmp_path / "out", notebooks_dir=nbs, jobs=1, progress=False)
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(plan, "data_digests", interrupted)
    with pytest.raises(BatchInterrupted) as stopped:
        build_reports(processed, tmp_path / "out", notebooks_dir=nbs, jobs=1, progress=False)
    summary = stopped.value.result.summary()
    assert "INTERRUPTED before any report ran" in summary and f"index: {first.index}" in summary
    assert {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()} == before
    assert not (tmp_path / ".out.lock").exists()


# --- one writer per folder ---------------------------------------------------------------------

def test_a_folder_held_by_a_running_process_is_refused_and_a_dead_holder_s_lock_taken_over(tmp_path, monkeypatch,
                                                                                          capsys):
    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    out = tmp_path / "reports"
    fake_render(monkeypatch)
    lock = tmp_path / ".reports.lock"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock.write_text(json.dumps({"pid": holder.pid, "host": __import__("socket").gethostname(),
                                    "command": "siianalysis build", "since": "2020-10-27T09:00:00+07:00",
                                    "process_start": psutil.Process(holder.pid).create_time()}), encoding="utf-8")
        with pytest.raises(FolderBusyError, match=f"pid {holder.pid}"):
            build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False)
        code = main(["report", "--processed", str(processed), "--out", str(out), "--notebooks", str(nbs), "--quiet"])
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1
        assert "siianalysis build" in err and str(lock) in err and "Traceback" not in err
        assert not (out / "index.html").exists()  # nothing written
    finally:
        holder.kill()
        holder.wait()
    # the holder is gone: its lock is stale, taken over and said so
    result = build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False)
    assert result.ok and result.rendered == 4
    assert f"note: took over the lock {lock} of `siianalysis build` (pid {holder.pid}" in result.summary()
    assert not lock.exists()
    # a pid reused by a later process is no holder either
    lock.write_text(json.dumps({"pid": os.getppid(), "host": __import__("socket").gethostname(), "command": "x",
                                "since": "?", "process_start": 1.0}), encoding="utf-8")
    assert build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False).ok and not lock.exists()


def test_the_lock_nests_in_one_process_and_reads_a_folder_being_written():
    import tempfile

    with tempfile.TemporaryDirectory() as base:
        folder = Path(base) / "processed"
        with FolderLock(folder, command="siianalysis build") as outer:
            assert outer.path == Path(base) / ".processed.lock" and outer.path.is_file()
            with FolderLock(folder):  # build around report: the same process
                FolderLock(folder).check_free()
            assert outer.path.is_file()
        assert not (Path(base) / ".processed.lock").exists()


# --- what a user's machine or hands can do to the reports folder -------------------------------

def refuse_writes(monkeypatch, under: Path, number: int) -> None:
    """Every write (create, make a folder, rename into) under ``under`` fails with ``number``."""
    import builtins
    import io

    under = str(under)
    real_open, real_os_open, real_mkdir, real_replace, real_rename = builtins.open, os.open, os.mkdir, os.replace, \
        os.rename

    def inside(path) -> bool:
        return os.path.abspath(os.fspath(path)).startswith(under)

    def refuse(path):
        raise OSError(number, os.strerror(number), os.fspath(path))

    def fake_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and inside(file) and any(c in mode for c in "wax+"):
            refuse(file)
        return real_open(file, mode, *args, **kwargs)

    def fake_os_open(path, flags, *args, **kwargs):
        if inside(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            refuse(path)
        return real_os_open(path, flags, *args, **kwargs)

    def fake_mkdir(path, *args, **kwargs):
        if inside(path) and not os.path.isdir(path):
            refuse(path)
        return real_mkdir(path, *args, **kwargs)

    def fake_move(real):
        def move(src, dst, *args, **kwargs):
            if inside(dst):
                refuse(dst)
            return real(src, dst, *args, **kwargs)
        return move

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)
    monkeypatch.setattr(os, "mkdir", fake_mkdir)
    monkeypatch.setattr(os, "replace", fake_move(real_replace))
    monkeypatch.setattr(os, "rename", fake_move(real_rename))


def test_a_read_only_reports_folder_is_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    fake_render(monkeypatch)
    (tmp_path / "ro").mkdir()
    refuse_writes(monkeypatch, tmp_path / "ro", errno.EROFS)
    code = main(["report", "--processed", str(processed), "--out", str(tmp_path / "ro" / "reports"),
                 "--notebooks", str(nbs), "--quiet"])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err
    assert "read-only" in captured.err and str(tmp_path / "ro") in captured.err
    assert not any((tmp_path / "ro").iterdir())


def test_a_full_disk_stops_the_batch_in_one_line_with_the_account(tmp_path, monkeypatch, capsys):
    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    done = fake_render(monkeypatch, refuse={f"tambon/{CM}": errno.ENOSPC})
    code = main(["report", "--processed", str(processed), "--out", str(tmp_path / "out"), "--notebooks", str(nbs),
                 "--jobs", "1", "--quiet"])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err
    assert "no space left on device" in captured.err.lower() and f"{CM}.html" in captured.err
    # the batch stopped at the full disk: the reports after it were not tried (tambons in id order)
    assert done == ["network", f"tambon/{LEADING_ZERO}"]
    rendered, _, failed, not_started = counts_of(captured.out)
    assert (rendered, failed, not_started) == (2, 1, 1)
    manifest = json.loads((tmp_path / "out" / ".manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["reports"]) == {"network", f"tambon/{LEADING_ZERO}"}

    # the disk is full when the manifest is written: one line too
    from siianalysis.report import storage

    def full(path, text):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(storage, "write_atomic", full)
    code = main(["report", "--processed", str(processed), "--out", str(tmp_path / "out"), "--notebooks", str(nbs),
                 "--jobs", "1", "--quiet", "--force"])
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1 and ".manifest.json" in err


@pytest.mark.parametrize("text, why", [
    ('{"format": 1, "reports": {"network": "abc"}}', "entry 'network' of 'reports' is a JSON str"),
    ('{"format": 1, "reports": {"network": {"digest": "x"}}, "failed": []}', "'failed' is a JSON list"),
    ('{"format": 1, "reports": {', "it is not JSON"),
    ('[1, 2]', "it holds a JSON list"),
])
def test_a_damaged_manifest_is_one_line_and_force_sets_it_aside(tmp_path, monkeypatch, capsys, text, why):
    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    fake_render(monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".manifest.json").write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError, match=re.escape(why)):
        build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False)
    args = ["report", "--processed", str(processed), "--out", str(out), "--notebooks", str(nbs), "--quiet",
            "--jobs", "1"]
    for _ in range(2):  # every later run says the same, and nothing is written meanwhile
        assert main(args) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and why in err and "--force" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == [".manifest.json", "tambon"]
    assert main([*args, "--force"]) == 0
    assert "the manifest could not be read and was kept as" in capsys.readouterr().out
    assert (out / ".manifest.json.damaged").read_text(encoding="utf-8") == text
    assert len(json.loads((out / ".manifest.json").read_text(encoding="utf-8"))["reports"]) == 4
    assert main(args) == 0  # and the runs after it are whole again


# --- the processed data: never an empty or torn set, never a silent removal --------------------

def test_an_empty_or_torn_processed_set_removes_no_report(tmp_path, monkeypatch, capsys):
    from siianalysis.processed import SetWriter
    from siianalysis.report.batch.tables import read_tables

    processed = write_processed(tmp_path / "written")
    frames = read_tables(processed)
    marked = tmp_path / "processed"
    SetWriter(marked).commit(frames)  # a whole set, with its marker
    nbs = notebooks_dir(tmp_path / "notebooks")
    out = tmp_path / "out"
    fake_render(monkeypatch)
    assert build_reports(marked, out, notebooks_dir=nbs, jobs=1, progress=False).rendered == 4
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    args = ["report", "--processed", str(marked), "--out", str(out), "--notebooks", str(nbs), "--quiet"]

    # normalise of an empty folder wrote empty tables (as the code before issue 10 did)
    empty = {name: df.iloc[:0] for name, df in frames.items()}
    for name, df in empty.items():
        df.to_parquet(marked / f"{name}.parquet", index=False)
    (marked / "_SET.json").unlink()
    with pytest.raises(ReportInputError, match="holds no tambon"):
        build_reports(marked, out, notebooks_dir=nbs, jobs=1, progress=False)
    assert main(args) == 2 and "the reports were left as they are" in capsys.readouterr().err

    # a set torn by a stopped normalise: one table from a later run, the rest and the marker the old set's
    import shutil

    SetWriter(marked).commit({**frames, "texts": frames["texts"].assign(text="แก้")})
    shutil.copy(marked / "texts.parquet", tmp_path / "later-texts.parquet")
    SetWriter(marked).commit(frames)
    shutil.copy(tmp_path / "later-texts.parquet", marked / "texts.parquet")
    with pytest.raises(ReportInputError, match="not one whole set"):
        build_reports(marked, out, notebooks_dir=nbs, jobs=1, progress=False)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_the_report_of_a_tambon_that_left_is_set_aside_said_and_listed(tmp_path, monkeypatch):
    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    out = tmp_path / "out"
    fake_render(monkeypatch)
    build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False)
    page = (out / "tambon" / f"{UNRESOLVED}.html").read_bytes()
    tambons = pd.read_parquet(processed / "tambons.parquet")
    tambons[tambons["tambon_id"] != UNRESOLVED].to_parquet(processed / "tambons.parquet", index=False)
    result = build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False)
    day = time.strftime("%Y-%m-%d")
    kept = out / ".removed" / day / "tambon" / f"{UNRESOLVED}.html"
    assert kept.read_bytes() == page and kept.with_suffix(".ipynb").is_file()
    assert not (out / "tambon" / f"{UNRESOLVED}.html").exists()
    assert result.removed == [(f"tambon/{UNRESOLVED}", f".removed/{day}/tambon/{UNRESOLVED}.html")]
    assert (f"set aside: 1 report(s) of tambons no longer in the data, moved to .removed/{day}/ "
            f"(move back to restore): {UNRESOLVED}") in result.summary()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="removed"' in index and f".removed/{day}/tambon/{UNRESOLVED}.html" in index
    assert f'href=".removed' not in index  # not linked: the bundle leaves dot-folders out
    # the listing stays while the file is kept, and goes when the tambon is back
    again = build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False)
    assert again.removed == [] and 'id="removed"' in (out / "index.html").read_text(encoding="utf-8")
    write_processed(processed)
    build_reports(processed, out, notebooks_dir=nbs, jobs=1, progress=False)
    assert 'id="removed"' not in (out / "index.html").read_text(encoding="utf-8")


# --- a slow cell fails its own report only -----------------------------------------------------

@pytest.mark.slow
def test_a_cell_over_the_time_limit_fails_only_its_report_and_names_cell_and_limit(tmp_path, capsys):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    nb = new_notebook(cells=[
        new_code_cell('tambon_id = ""\nprocessed_dir = ""\nlang = "th"', metadata={"tags": ["parameters"]}),
        new_code_cell("import time\n"
                      f"if tambon_id == {CM!r}:\n    time.sleep(60)\n"
                      "print('done', tambon_id)")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, nbs / "tambon_report.ipynb")
    started = time.monotonic()
    code = main(["report", "--processed", str(processed), "--out", str(tmp_path / "out"), "--notebooks", str(nbs),
                 "--jobs", "2", "--quiet", "--cell-timeout", "3"])
    out = capsys.readouterr().out
    assert time.monotonic() - started < 50
    assert code == 1, out
    assert "3 rendered" in out and "1 failed" in out
    line = next(x for x in out.splitlines() if "FAILED" in x)
    assert line.startswith(f"  FAILED tambon/{CM} at cell 2 (In [3]) `import time`: CellTimeoutError:")
    assert "time limit of 3 s per cell" in line
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "time limit of 3 s per cell" in index
    for tid in (LEADING_ZERO, UNRESOLVED):
        assert f"done {tid}" in (tmp_path / "out" / "tambon" / f"{tid}.html").read_text(encoding="utf-8")


def test_a_refused_write_is_marked_in_the_result(tmp_path, monkeypatch):
    import papermill

    from siianalysis.report import render_report
    from tests.test_report_batch import FIXTURES, FakeKernel

    def full(input_path, output_path, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(output_path))

    monkeypatch.setattr(papermill, "execute_notebook", full)
    r = render_report(FIXTURES / "network_report.ipynb", {}, tmp_path / "a.html", kernel=FakeKernel())
    assert (r.status, r.os_errno, r.os_filename) == ("failed", errno.ENOSPC, str(tmp_path / "a.ipynb"))
    assert r.attempts == 1  # a full disk is no reason to try again


# --- the same inputs give the same bundle ------------------------------------------------------

@pytest.mark.slow
def test_the_bundle_of_a_rerun_is_byte_identical(tmp_path, monkeypatch):
    from siianalysis.workshop.bundle import bundle_site

    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    out = tmp_path / "reports"
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    zips = []
    for zone in ("UTC", "Asia/Bangkok"):  # a clock seven hours apart: another minute, another day
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        result = build_reports(processed, out, notebooks_dir=nbs, jobs=2, progress=False, force=True)
        assert result.ok and result.rendered == 4, result.summary()
        zips.append(bundle_site(out, tmp_path / f"site-{len(zips)}.zip").out_zip.read_bytes())
    monkeypatch.delenv("TZ")
    time.tzset()
    assert zips[0] == zips[1]


def test_the_index_carries_a_build_date_only_from_source_date_epoch(tmp_path, monkeypatch):
    from siianalysis.report.batch.index import render_index
    from siianalysis.report.batch.tables import read_tables

    tambons = read_tables(write_processed(tmp_path / "p"))["tambons"]
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    page = render_index(tmp_path, tambons, {})
    assert "สร้างเมื่อ" not in page and not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", page)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1603756800")  # 2020-10-27 00:00 UTC
    assert "สร้างเมื่อ 2020-10-27 00:00 UTC" in render_index(tmp_path, tambons, {})
    assert "Generated 2020-10-27 00:00 UTC" in render_index(tmp_path, tambons, {}, lang="en")
