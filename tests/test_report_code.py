"""Which package code a report runs (``siianalysis.report.code_digest``).

A report is due again when code it runs changes, not when any file of the package
does: an edit to a worksheet reader reaches reports only through the processed
tables. The digests are computed on a copy of the package in ``tmp_path`` so the
tests can edit it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from siianalysis.report import build_reports
from siianalysis.report import code_digest as cd
from siianalysis.report.code_digest import code_digest, package_root, report_code
from tests.test_report_batch import CM, FIXTURES, notebooks_dir, write_processed

ROOT = Path(__file__).resolve().parent.parent
PROJECT_NOTEBOOKS = [ROOT / "notebooks" / n for n in ("tambon_report.ipynb", "network_report.ipynb")]
NO_PACKAGE = FIXTURES / "tambon_report.ipynb"  # pandas only


def package_copy(tmp_path: Path) -> Path:
    root = tmp_path / "siianalysis"
    shutil.copytree(package_root(), root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def rel(files: list[Path], root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in files}


def reading_layer(root: Path) -> list[Path]:
    """The files that turn worksheets into processed tables (their effect on a report is its data)."""
    files = [*root.glob("readers/**/*.py"), *root.glob("parse/**/*.py"), root / "normalise.py",
             root / "data" / "formats.yaml"]
    return [p for p in files if p.is_file()]


def notebook(folder: Path, *sources: str) -> Path:
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": s}
             for s in sources]
    path = folder / f"nb{len(list(folder.glob('*.ipynb')))}.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
                    encoding="utf-8")
    return path


def edit(path: Path) -> None:
    assert path.is_file(), path
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n# edited by a colleague\n")


def toy_package(tmp_path: Path) -> Path:
    """A small ``siianalysis`` with the import patterns the real one uses."""
    files = {
        "__init__.py": (
            '__version__ = "0"\n'
            "def __getattr__(name):\n"
            '    if name == "normalise":\n'
            "        from siianalysis.normalise import normalise\n"
            "        return normalise\n"
            "    raise AttributeError(name)\n"),
        "normalise.py": "from siianalysis.readers import grid\ndef normalise(): ...\n",
        "readers/__init__.py": "",
        "readers/grid.py": 'FORMATS = "data/formats.yaml"\n',
        "sections/__init__.py": (
            '"""Sections; see data/formats.yaml (a docstring names nothing)."""\n'
            "from importlib import import_module\n"
            "from typing import TYPE_CHECKING\n"
            '_SUBMODULES = ("tambon",)\n'
            "def __getattr__(name):\n"
            '    return import_module(f"{__name__}.{name}")\n'
            "if TYPE_CHECKING:\n"
            "    from siianalysis.normalise import normalise\n"),
        "sections/tambon.py": "def section():\n    from siianalysis.words import t\n",
        "sections/unused.py": "",
        "words.py": 'TEXTS = "data/report_text.yaml"\n',
        "cli.py": "from siianalysis.normalise import normalise\n",
        "report/__init__.py": "",
        "report/render.py": "from siianalysis.report import images\n",
        "report/images.py": "",
        "report/kernel_state.py": "def warm():\n    from siianalysis.sections import tambon\n",
        "report/template/page.j2": "<html></html>\n",
        "data/formats.yaml": "xlsx: spreadsheet\n",
        "data/report_text.yaml": "title: รายงาน\n",
        "data/fonts.txt": "read by a name no module writes out\n",
    }
    root = tmp_path / "toy" / "siianalysis"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


ALWAYS = {"__init__.py", "report/__init__.py", "report/render.py", "report/images.py", "report/kernel_state.py",
          "report/template/page.j2", "data/fonts.txt"}


@pytest.mark.parametrize("source, more", [
    ("import pandas", set()),  # the machinery only; not the kernel warm-up's sections
    # a container: the package's lazy __getattr__ does not run for a module it holds
    ("from siianalysis import sections", {"sections/__init__.py", "sections/tambon.py", "words.py",
                                          "data/report_text.yaml"}),
    # bound: every name of the package can be reached, `normalise` with it
    ("import siianalysis", {"normalise.py", "readers/__init__.py", "readers/grid.py", "data/formats.yaml"}),
    # a deferred import still counts when its function can be called; a literal import_module too
    ("def f():\n    from siianalysis.sections import tambon", {"sections/__init__.py", "sections/tambon.py",
                                                                "words.py", "data/report_text.yaml"}),
    ('import importlib\nimportlib.import_module("siianalysis.words")', {"words.py", "data/report_text.yaml"}),
])
def test_imports_are_followed_as_python_runs_them(tmp_path, source, more):
    root = toy_package(tmp_path)
    assert rel(report_code(notebook(tmp_path, source), root), root) == ALWAYS | more


@pytest.mark.parametrize("source", [
    'import importlib\nname = "siianalysis." + "readers"\nimportlib.import_module(name)',
    "%run -m siianalysis.cli --help",
    "%%time\nimport siianalysis.sections",
    'subprocess.run(["python", "-m", "siianalysis", "normalise"])',
    "x = !siianalysis --help",
])
def test_a_notebook_that_may_reach_the_package_otherwise_gets_all_of_it(tmp_path, source):
    root = toy_package(tmp_path)
    assert report_code(notebook(tmp_path, "import pandas", source), root) == cd._Package(root).files


def test_a_module_that_does_not_parse_counts_as_importing_anything(tmp_path):
    root = toy_package(tmp_path)
    nb = notebook(tmp_path, "from siianalysis import words")
    assert "readers/grid.py" not in rel(report_code(nb, root), root)
    (root / "words.py").write_text("def half_written(:\n", encoding="utf-8")  # mid-edit
    assert report_code(nb, root) == cd._Package(root).files


@pytest.mark.skipif(not all(p.is_file() for p in PROJECT_NOTEBOOKS), reason="project notebooks absent")
def test_the_project_reports_run_sections_analysis_and_codebook_not_the_readers():
    root = package_root()
    reading = rel(reading_layer(root), root)
    assert len(reading) > 5
    for nb in PROJECT_NOTEBOOKS:
        files = rel(report_code(nb), root)
        for needed in ("report/render.py", "report/kernel_state.py", "report/template/siireport/index.html.j2",
                       "sections/tambon.py", "sections/network.py", "analysis/scores.py", "codebook.py",
                       "text.py", "data/codebook.yaml", "data/report_text.yaml", "data/themes.yaml"):
            assert needed in files, (nb.name, needed)
        assert not reading & files, nb.name


def test_a_notebook_without_the_package_runs_the_report_machinery_only():
    root = package_root()
    files = rel(report_code(NO_PACKAGE), root)
    assert {f for f in files if not f.startswith("report/")} == {"__init__.py"}
    assert {"report/render.py", "report/template/siireport/siireport.css"} <= files


def test_an_edit_re_renders_only_the_reports_that_run_the_edited_code(tmp_path):
    root = package_copy(tmp_path)
    uses = notebook(tmp_path, "import siianalysis as sii\nfrom siianalysis import sections")
    before = {nb: code_digest(nb, root) for nb in (uses, NO_PACKAGE)}

    for path in reading_layer(root):
        edit(path)
    assert {nb: code_digest(nb, root) for nb in before} == before

    edit(root / "data" / "codebook.yaml")
    assert code_digest(uses, root) != before[uses] and code_digest(NO_PACKAGE, root) == before[NO_PACKAGE]
    middle = code_digest(uses, root)
    edit(root / "sections" / "tambon.py")
    assert code_digest(uses, root) != middle and code_digest(NO_PACKAGE, root) == before[NO_PACKAGE]

    edit(root / "report" / "render.py")
    assert code_digest(NO_PACKAGE, root) != before[NO_PACKAGE]


@pytest.mark.slow
def test_a_batch_resumed_after_an_edit_to_the_readers_skips_its_finished_reports(tmp_path, monkeypatch):
    """What the interrupted-run test meets on a shared checkout: a colleague saves a reader
    or the codebook between the batch and the rerun. Reports that do not run that code stay done."""
    root = package_copy(tmp_path)
    monkeypatch.setattr(cd, "package_root", lambda: root)
    processed = write_processed(tmp_path / "processed")
    nbs = notebooks_dir(tmp_path / "notebooks")
    out = tmp_path / "out"
    first = build_reports(processed, out, notebooks_dir=nbs, tambon_ids=[CM], network=False, jobs=1,
                          progress=False)
    assert (first.rendered, first.skipped) == (1, 0), first.summary()
    for path in [*reading_layer(root), root / "data" / "codebook.yaml"]:
        edit(path)
    again = build_reports(processed, out, notebooks_dir=nbs, tambon_ids=[CM], network=False, jobs=1,
                          progress=False)
    assert (again.rendered, again.skipped) == (0, 1), again.summary()
    edit(root / "report" / "render.py")  # the machinery that made the HTML: due again
    changed = build_reports(processed, out, notebooks_dir=nbs, tambon_ids=[CM], network=False, jobs=1,
                            progress=False)
    assert (changed.rendered, changed.skipped) == (1, 0), changed.summary()
