"""The ``siianalysis`` command as a user meets it: arguments checked before any work, the
command typed named in every message, and every error a user can cause one line on stderr
with a non-zero exit (2 for unusable arguments, 1 for failures), never a traceback."""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import openpyxl
import pytest

import siianalysis
from siianalysis import cli_checks
from siianalysis.cli import main, parser
from siianalysis.workshop.review import SHEET_COLUMNS, words
from tests.worksheets import CB, Filled, Line, numbered, write_xlsx_per_sheet

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = CB.table("people")
# Two tambons of Nan (one resolved, one whose tambon geothai does not know) and one of Chiang Mai.
WORKSHEETS = {
    "ไชยสถาน.xlsx": Filled("ต.ไชยสถาน อ.เมือง จ.น่าน", "27 ต.ค. 63",
                           {"people": [Line(numbered(PEOPLE, "P1"), {"method": "ค่ายเยาวชน"}, {"PC1": "✓"})]}),
    "สุขใจ.xlsx": Filled("ตำบลบ้านสุขใจ อำเภอเมือง จังหวัดน่าน", "1 พ.ย. 2563",
                         {"people": [Line(numbered(PEOPLE, "P1"), {"method": "อบรม"}, {"PC1": "✓"})]}),
    "แม่แรม.xlsx": Filled("ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", "27 ตุลาคม 2563",
                          {"people": [Line(numbered(PEOPLE, "P2"), {"method": "อบรมแกนนำ"}, {"PC2": "✓"})]}),
}


def one_line_error(captured) -> str:
    """stderr, checked to be exactly one line and no traceback."""
    err = captured.err
    assert "Traceback" not in err, err
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err.strip()


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "siianalysis", *args], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, cwd=kw.get("cwd", ROOT), timeout=300)


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    raw = tmp / "raw"
    raw.mkdir()
    for name, filled in WORKSHEETS.items():
        write_xlsx_per_sheet(raw / name, filled)
    assert main(["normalise", str(raw), "--out", str(tmp / "processed"), "--jobs", "1", "--quiet"]) == 0
    return tmp / "processed"


@pytest.fixture
def no_work(monkeypatch):
    """Fails the test if normalising or rendering starts."""
    import siianalysis.normalise
    import siianalysis.report.batch

    def started(*args, **kwargs):
        raise AssertionError("work started before the arguments were checked")

    monkeypatch.setattr(siianalysis.normalise, "normalise", started)
    monkeypatch.setattr(siianalysis.report.batch, "build_reports", started)
    monkeypatch.setattr(siianalysis.report.batch, "check_inputs", started)


# --- arguments, before any work ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["normalise", "report", "build"])
@pytest.mark.parametrize("jobs", ["0", "-2", "two"])
def test_jobs_below_one_is_refused_before_any_work(command, jobs, tmp_path, capsys, no_work):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.xlsx").write_bytes(b"x")
    args = {"normalise": [str(raw), "--out", str(tmp_path / "p")],
            "report": ["--processed", str(raw), "--out", str(tmp_path / "r")],
            "build": ["--raw", str(raw), "--processed", str(tmp_path / "p"), "--out", str(tmp_path / "r")]}[command]
    assert main([command, *args, "--jobs", jobs]) == 2
    err = one_line_error(capsys.readouterr())
    assert err.startswith(f"siianalysis {command}: argument --jobs: "), err
    assert repr(jobs) in err or jobs in err
    assert not (tmp_path / "p").exists() and not (tmp_path / "r").exists()


@pytest.mark.parametrize("n", ["3", "100000"])
def test_a_sample_size_out_of_range_is_refused(n, tmp_path, capsys):
    """100000 would never finish (the draw looks for Northern tambons that are not there)."""
    assert main(["sample", str(tmp_path / "s"), "--n", n]) == 2
    err = one_line_error(capsys.readouterr())
    assert err.startswith("siianalysis sample: argument --n: the sample has 17 to ") and f"not {n} (see" in err
    assert not (tmp_path / "s").exists()


def test_messages_name_the_command_as_typed(tmp_path, capsys, no_work):
    assert main(["normalize", str(tmp_path / "missing"), "--out", str(tmp_path / "p")]) == 2
    assert one_line_error(capsys.readouterr()).startswith("siianalysis normalize: ")
    assert main(["build", "--reuse-kernel", "0"]) == 2
    assert one_line_error(capsys.readouterr()).startswith("siianalysis build: argument --reuse-kernel: ")
    assert main(["build", "--scheduler", "my-laptop"]) == 2
    assert "is no scheduler address" in one_line_error(capsys.readouterr())
    assert main(["build", "--out", "nosuchprotocol://bucket/reports"]) == 2
    assert "Protocol not known: nosuchprotocol" in one_line_error(capsys.readouterr())
    assert main(["build", "--format", "odt"]) == 2  # before normalising, and named build
    err = one_line_error(capsys.readouterr())
    assert err.startswith("siianalysis build: argument --format: ") and "no exporter for '.odt'" in err


def test_a_file_is_not_a_folder(tmp_path, capsys, no_work):
    file = tmp_path / "worksheet.xlsx"
    file.write_bytes(b"x")
    cases = [
        ["normalise", str(file), "--out", str(tmp_path / "p")],
        ["normalise", str(tmp_path), "--out", str(file / "p")],  # an output folder inside a file
        ["report", "--processed", str(file)],
        ["report", "--processed", str(tmp_path), "--out", str(file)],
        ["build", "--raw", str(file)],
        ["review-sheet", "--processed", str(file), "--out", str(tmp_path / "r.xlsx")],
        ["compile", "--processed", str(file), "--out", str(tmp_path / "c.xlsx")],
        ["bundle", "--reports", str(file), "--out", str(tmp_path / "s.zip")],
        ["sample", str(file)],
    ]
    for argv in cases:
        assert main(argv) == 2, argv
        err = one_line_error(capsys.readouterr())
        assert err.startswith(f"siianalysis {argv[0]}: ") and f"{file} is a file, not a folder" in err, err
    assert main(["normalise", str(tmp_path / "missing"), "--out", str(tmp_path / "p")]) == 2
    assert f"no such folder: {tmp_path / 'missing'}" in one_line_error(capsys.readouterr())
    assert main(["template", str(tmp_path)]) == 2  # a folder where a file is written
    capsys.readouterr()
    (tmp_path / "dir.xlsx").mkdir()
    assert main(["template", str(tmp_path / "dir.xlsx")]) == 2
    assert f"{tmp_path / 'dir.xlsx'} is a folder, not a file" in one_line_error(capsys.readouterr())


def test_the_processed_folder_is_not_the_raw_folder_nor_inside_it(tmp_path, capsys, no_work):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.xlsx").write_bytes(b"x")
    for out, said in ((raw, "must not be the raw folder"), (raw / "processed", "must not be the raw folder"),
                      (tmp_path, "must not be inside the processed folder")):
        assert main(["normalise", str(raw), "--out", str(out)]) == 2
        err = one_line_error(capsys.readouterr())
        assert err.startswith("siianalysis normalise: ") and said in err, err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.xlsx", "raw"]


def test_an_empty_folder_is_reported_as_empty(tmp_path, capsys):
    raw = tmp_path / "raw"
    (raw / "reviews").mkdir(parents=True)
    (raw / ".DS_Store").write_bytes(b"\0")  # hidden files are not read: still nothing to read
    processed = tmp_path / "processed"
    assert main(["normalise", str(raw), "--out", str(processed), "--quiet"]) == 2
    captured = capsys.readouterr()
    err = one_line_error(captured)
    assert err.startswith("siianalysis normalise: ") and f"{raw} is empty" in err and "problems.csv" not in err
    assert captured.out == "" and not processed.exists()
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    for name in ("tambon_report.ipynb", "network_report.ipynb"):
        (nbs / name).write_text("{}")
    assert main(["build", "--raw", str(raw), "--processed", str(processed), "--out", str(tmp_path / "r"),
                 "--notebooks", str(nbs), "--quiet"]) == 2
    err = one_line_error(capsys.readouterr())
    assert err.startswith("siianalysis build: ") and f"{raw} is empty" in err
    assert not processed.exists() and not (tmp_path / "r").exists()


def test_version():
    done = run("--version")
    assert done.returncode == 0 and done.stderr == ""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert done.stdout == f"siianalysis {siianalysis.__version__}\n"
    assert siianalysis.__version__ == pyproject == version("siianalysis")


def _commands(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return {name: sub for name, sub in p.commands.items() if sub.prog.endswith(" " + name)}


def test_every_option_of_every_command_says_what_it_does():
    p = parser()
    commands = _commands(p)
    assert set(commands) == {"normalise", "template", "sample", "report", "build", "review-sheet", "compile",
                             "bundle", "export", "xlsform"}
    missing = [f"{name} {'/'.join(a.option_strings) or a.dest}"
               for name, sub in [("siianalysis", p), *commands.items()] for a in sub._actions
               if not isinstance(a, argparse._HelpAction)
               and (not a.help or a.help == argparse.SUPPRESS)]
    assert missing == []


# --- provinces -------------------------------------------------------------------------------------


def _tambon_ids(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)[words("th")["review_sheet"]]
    col = SHEET_COLUMNS.index("tambon_id") + 1
    return [ws.cell(r, col).value for r in range(2, ws.max_row + 1)]


def test_a_province_by_english_name_thai_name_or_code_selects_the_same_tambons(processed, tmp_path, capsys):
    written = {}
    for asked in ("น่าน", "55", "Nan", "NAN", "nan province", "จ.น่าน"):
        out = tmp_path / f"{len(written)}.xlsx"
        assert main(["review-sheet", "--processed", str(processed), "--out", str(out), "--province", asked]) == 0
        written[asked] = out
    ids = _tambon_ids(written["น่าน"])
    nan = sorted(set(ids))
    assert len(nan) == 2 and "550104" in nan and any(t.startswith("u-") for t in nan)  # the unresolved one too
    assert len(ids) == 2 * len(CB.review.pillars)
    for asked, path in written.items():
        assert path.read_bytes() == written["น่าน"].read_bytes(), asked
    out = tmp_path / "both.xlsx"
    assert main(["review-sheet", "--processed", str(processed), "--out", str(out),
                 "--province", "Chiang Mai", "--province", "55"]) == 0
    assert sorted(set(_tambon_ids(out))) == sorted(["500707", *nan])


@pytest.mark.parametrize("asked, close", [("Nna", "Nan (น่าน, 55)"), ("Chiengmai", "Chiang Mai (เชียงใหม่, 50)"),
                                          ("99", "no province has the code '99'")])
def test_an_unknown_province_is_an_error_naming_close_ones(asked, close, processed, tmp_path, capsys):
    out = tmp_path / "review.xlsx"
    assert main(["review-sheet", "--processed", str(processed), "--out", str(out), "--province", asked]) == 2
    err = one_line_error(capsys.readouterr())
    assert err.startswith("siianalysis review-sheet: argument --province: ") and close in err, err
    assert not out.exists()


def test_a_province_without_tambons_is_an_error(processed, tmp_path, capsys):
    out = tmp_path / "review.xlsx"
    assert main(["review-sheet", "--processed", str(processed), "--out", str(out), "--province", "Lampang"]) == 2
    err = one_line_error(capsys.readouterr())
    assert "no tambon in province 'Lampang'" in err and "55 น่าน" in err
    assert not out.exists()


# --- outputs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, suffix", [
    (["review-sheet", "--out", "review.csv"], ".xlsx"),
    (["compile", "--out", "x.pdf"], ".xlsx"),
    (["bundle", "--out", "site.tar"], ".zip"),
    (["template", "out.txt"], ".xlsx"),
    (["template", "blank"], ".xlsx"),
])
def test_a_wrong_output_extension_is_refused(argv, suffix, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = one_line_error(capsys.readouterr())
    assert err.startswith(f"siianalysis {argv[0]}: argument ") and f"does not end in {suffix}" in err, err
    assert list(tmp_path.iterdir()) == []


def test_output_extensions_in_any_case_are_written(tmp_path, capsys):
    out = tmp_path / "new" / "Blank.XLSX"  # its folder is created, as for every other output
    assert main(["template", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames


# --- failures while working: one line, never a traceback -------------------------------------------


def _read_only_folder(tmp_path: Path):
    """A folder no file can be written into: by permissions, or (as root, whom permissions do
    not stop) a read-only tmpfs mounted on it; skipped where neither is possible."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return folder, lambda: folder.chmod(0o755)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("no way to make a read-only folder here (root, and no mount)")
    return folder, lambda: subprocess.run(["umount", str(folder)], check=False)


def test_a_read_only_output_folder_is_one_line(processed, tmp_path):
    folder, undo = _read_only_folder(tmp_path)
    try:
        for argv in (["template", str(folder / "blank.xlsx")],
                     ["review-sheet", "--processed", str(processed), "--out", str(folder / "review.xlsx")],
                     ["compile", "--processed", str(processed), "--out", str(folder / "compiled.xlsx")]):
            done = run(*argv)
            assert done.returncode == 1, (argv, done.stderr)
            assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
            assert done.stderr.startswith(f"siianalysis {argv[0]}: "), done.stderr
            assert ("read-only file system" in done.stderr or "permission denied" in done.stderr), done.stderr
            assert str(folder) in done.stderr
        assert list(folder.iterdir()) == []
    finally:
        undo()


def _disk_full(path="/mnt/stick/out"):
    def fail(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    return fail


def test_a_full_disk_is_one_line(processed, tmp_path, capsys, monkeypatch):
    import siianalysis.report.batch
    import siianalysis.workshop.compile
    import siianalysis.workshop.review.sheet
    import siianalysis.workshop.template

    monkeypatch.setattr(siianalysis.workshop.template, "save_workbook", _disk_full(tmp_path / "blank.xlsx"))
    monkeypatch.setattr(siianalysis.workshop.review.sheet, "save_workbook", _disk_full(tmp_path / "r.xlsx"))
    monkeypatch.setattr(siianalysis.workshop.compile, "write_workbook", _disk_full(tmp_path / "c.xlsx"))
    monkeypatch.setattr(siianalysis.report.batch, "build_reports", _disk_full(tmp_path / "r" / "index.html"))
    for argv, path in ((["template", str(tmp_path / "blank.xlsx")], "blank.xlsx"),
                       (["review-sheet", "--processed", str(processed), "--out", str(tmp_path / "r.xlsx")], "r.xlsx"),
                       (["compile", "--processed", str(processed), "--out", str(tmp_path / "c.xlsx")], "c.xlsx"),
                       (["report", "--processed", str(processed), "--out", str(tmp_path / "r")], "index.html")):
        assert main(argv) == 1, argv
        err = one_line_error(capsys.readouterr())
        assert err.startswith(f"siianalysis {argv[0]}: no space left on device: "), err
        assert path in err and "free some space" in err


def test_input_errors_of_the_project_are_one_line_and_bugs_keep_their_traceback(processed, tmp_path, capsys,
                                                                                 monkeypatch):
    import siianalysis.workshop.template
    from siianalysis.report.batch import ReportInputError

    def raising(exc):
        def fail(*args, **kwargs):
            raise exc
        return fail

    argv = ["template", str(tmp_path / "blank.xlsx")]
    monkeypatch.setattr(siianalysis.workshop.template, "save_workbook",
                        raising(ReportInputError("the set in X is torn:\nrun normalise again")))
    assert main(argv) == 2
    assert one_line_error(capsys.readouterr()) == "siianalysis template: the set in X is torn: run normalise again"
    monkeypatch.setattr(siianalysis.workshop.template, "save_workbook", raising(KeyboardInterrupt()))
    assert main(argv) == 130
    assert one_line_error(capsys.readouterr()) == "siianalysis template: interrupted"
    for bug in (RuntimeError("a bug"), OSError(errno.EBADF, "Bad file descriptor"), KeyError("x")):
        monkeypatch.setattr(siianalysis.workshop.template, "save_workbook", raising(bug))
        with pytest.raises(type(bug)):
            main(argv)


def test_the_input_errors_caught_exist():
    """Every exception ``cli_checks`` names is there: a rename would let it through as a traceback."""
    for module, names in cli_checks.INPUT_ERRORS.items():
        loaded = importlib.import_module(module)
        for name in names:
            assert issubclass(getattr(loaded, name), Exception), (module, name)


def test_a_torn_processed_set_is_one_line(processed, tmp_path, capsys):
    import shutil

    torn = tmp_path / "processed"
    shutil.copytree(processed, torn)
    rows = torn / "rows.parquet"
    rows.write_bytes(rows.read_bytes()[: rows.stat().st_size // 2])  # a copy cut short
    for argv in (["compile", "--processed", str(torn), "--out", str(tmp_path / "c.xlsx")],
                 ["review-sheet", "--processed", str(torn), "--out", str(tmp_path / "r.xlsx")]):
        assert main(argv) == 2, argv
        err = one_line_error(capsys.readouterr())
        assert err.startswith(f"siianalysis {argv[0]}: ") and "rows" in err, err
    assert not (tmp_path / "c.xlsx").exists() and not (tmp_path / "r.xlsx").exists()


def test_what_the_report_batch_refuses_is_one_line(processed, tmp_path, capsys, monkeypatch):
    """The batch's own errors (report.errors): a damaged manifest or a busy folder exit 2, a
    refused write exits 1 after the account of what was rendered."""
    import siianalysis.report.batch
    from siianalysis.report.batch import BatchResult
    from siianalysis.report.errors import FolderBusyError, ManifestError, OutputWriteError

    out = tmp_path / "reports"
    argv = ["report", "--processed", str(processed), "--out", str(out), "--quiet"]
    for exc, code in ((ManifestError(f"{out}/.manifest.json is damaged; delete it to render every report"), 2),
                      (FolderBusyError(f"the folder {out} is being written by process 12"), 2),
                      (OutputWriteError(errno.ENOSPC, str(out / "index.html"), result=BatchResult(out)), 1)):
        def fail(*args, exc=exc, **kwargs):
            raise exc
        monkeypatch.setattr(siianalysis.report.batch, "build_reports", fail)
        assert main(argv) == code, exc
        captured = capsys.readouterr()
        assert one_line_error(captured) == f"siianalysis report: {exc}"
        assert (captured.out != "") == isinstance(exc, OutputWriteError)  # the account, when a batch stopped
