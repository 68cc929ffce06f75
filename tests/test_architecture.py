"""The shape of the package: one home per concern, layers that only look down.

Read from the source with ``ast`` (nothing is imported to find the graph): every
``import`` of a ``siianalysis`` module is an edge, at module level or inside a
function (a function-local import is still a dependency; it must not hide a
loop). Imports under ``if TYPE_CHECKING:`` never run and are left out.

The layers, lowest first (README, "Where things live")::

    base      config, ids, words, text, problems, codebook, schemas, export, private helpers
    inputs    readers/ parse/ normalise, and the review reader normalise runs
    analysis  the Dataset, every number, table and figure
    sections  analysis tables and figures assembled as HTML
    workshop  the files that go out to people and come back
    report    notebooks rendered to HTML
    sample    the sample network generator (fills the workshop's template)
    command   cli, ``python -m siianalysis``; and the package itself, the researcher's front door

A module may import its own layer and the layers ``MAY_IMPORT`` names; nothing
imports ``sections`` or ``report`` from below. The package itself (``import
siianalysis``) defines only lazy names, so every module may import it.

What is not yet in shape is listed in ``PENDING`` with the work that is on it; a
test fails once an entry is no longer needed, so the list only shrinks.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "siianalysis"

# module or package -> layer; the longest matching prefix wins
LAYER_OF = {
    "siianalysis": "command",  # the front door: lazy names from every layer
    "siianalysis.__main__": "command",
    "siianalysis.cli": "command",
    "siianalysis.config": "base",
    "siianalysis.ids": "base",
    "siianalysis.words": "base",
    "siianalysis.text": "base",
    "siianalysis.problems": "base",
    "siianalysis.codebook": "base",
    "siianalysis.schemas": "base",
    "siianalysis.rounds": "base",
    "siianalysis.export": "base",
    "siianalysis.filecache": "base",
    "siianalysis.jsondata": "base",
    "siianalysis.processed": "base",
    "siianalysis._digest": "base",
    "siianalysis._zipfreeze": "base",
    "siianalysis._odswriter": "base",
    "siianalysis.readers": "inputs",
    "siianalysis.parse": "inputs",
    "siianalysis.normalise": "inputs",
    "siianalysis.submissions": "inputs",
    # normalise reads the filled review workbooks: the reader, and the layout it shares
    # with the writer, live with the workshop loop but sit at the inputs' level
    "siianalysis.workshop.review": "inputs",
    "siianalysis.workshop.review.read": "inputs",
    "siianalysis.workshop.review.sheet": "workshop",
    # online forms: the exports' reader is an input; the XLSForm goes out to people
    "siianalysis.forms": "inputs",
    "siianalysis.forms.xlsform": "workshop",
    "siianalysis.analysis": "analysis",
    "siianalysis.sections": "sections",
    "siianalysis.workshop": "workshop",
    # research exports (Data Package, SPSS, Stata): files that go out to people, from the
    # analysis and masked by the workshop's privacy rules
    "siianalysis.exports": "workshop",
    "siianalysis.report": "report",
    "siianalysis.sample": "sample",
}
# layer -> the layers it may import (its own included)
MAY_IMPORT = {
    "base": {"base"},
    "inputs": {"base", "inputs"},
    "analysis": {"base", "analysis"},
    "sections": {"base", "analysis", "sections"},
    "workshop": {"base", "inputs", "analysis", "sections", "workshop"},
    "report": {"base", "analysis", "sections", "report"},
    "sample": {"base", "workshop", "sample"},
    "command": {"base", "inputs", "analysis", "sections", "workshop", "report", "sample", "command"},
}
MAX_LINES = 500
# modules allowed to be longer, and why
LONG_MODULES = {
    "siianalysis.sample": "its docstring lists every deliberate flaw of the sample network, file by file",
    "siianalysis.sample.layouts": "the seven layouts teams send (a-g), a writer each, side by side",
}
# Thai written in strings: the sample generator writes worksheets as teams do; where the
# spellings people write are read (readers, parse, text, codebook) the rules are to move
# into codebook.yaml with the work on them (issue 8). Nowhere else.
THAI_ALLOWED = ("siianalysis.sample", "siianalysis.readers", "siianalysis.parse", "siianalysis.normalise",
                "siianalysis.text", "siianalysis.codebook")
# rule -> module prefix -> who is on it
PENDING: dict[str, dict[str, str]] = {
    "loop": {},
    "private": {},
    "thai": {},
    "long": {},
}


def _pending(rule: str, name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in PENDING[rule])


# --- reading the source ----------------------------------------------------------------------


@cache
def modules() -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes under ``if TYPE_CHECKING:`` (never run)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    return skip


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text(encoding="utf-8"))


@cache
def imports(name: str) -> dict[str, int]:
    """The package's modules ``name`` imports (module -> first line), TYPE_CHECKING aside."""
    known = modules()
    skip = _type_checking_nodes(tree(name))
    base = name if _is_package(name) else name.rpartition(".")[0]
    found: dict[str, int] = {}

    def add(target: str, line: int) -> None:
        while target and target not in known:  # a name inside a module: the module
            target = target.rpartition(".")[0]
        if target and target != name:
            found.setdefault(target, line)

    for node in ast.walk(tree(name)):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "siianalysis":
                    add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parent = base
                for _ in range(node.level - 1):
                    parent = parent.rpartition(".")[0]
                module = f"{parent}.{node.module}" if node.module else parent
            else:
                module = node.module or ""
            if module.split(".")[0] != "siianalysis":
                continue
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                add(sub if sub in known else module, node.lineno)
    return found


def layer(name: str) -> str:
    prefix = max((p for p in LAYER_OF if name == p or name.startswith(p + ".")), key=len)
    return LAYER_OF[prefix]


def _cycles() -> list[list[str]]:
    """The import loops: strongly connected components of more than one module (Tarjan)."""
    graph = {m: set(imports(m)) for m in modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return loops


# --- the rules -------------------------------------------------------------------------------


def test_every_module_has_a_layer():
    assert all(layer(m) in MAY_IMPORT for m in modules())


def _loop_pending(loop: list[str]) -> bool:
    return any(all(m == p or m.startswith(p + ".") for m in loop) for p in PENDING["loop"])


def test_no_import_loop():
    assert [loop for loop in _cycles() if not _loop_pending(loop)] == []


def test_layers_only_look_down():
    bad = [f"{m} ({layer(m)}) imports {target} ({layer(target)}) on line {line}"
           for m in modules() for target, line in imports(m).items()
           if target != "siianalysis" and layer(target) not in MAY_IMPORT[layer(m)]]
    assert bad == []


ENGINE, BATCH = "siianalysis.report", "siianalysis.report.batch"


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_report_engine_knows_nothing_about_tambons():
    """The engine (``report/`` but ``report/batch/``: kernels, papermill, Dask, storage,
    exporters, the manifest) imports nothing but itself; the tambon and network batch, with
    its notebooks, keys, words and index, sits on top of it."""
    engine = [m for m in modules() if _within(m, ENGINE) and not _within(m, BATCH)]
    assert len(engine) > 5
    bad = [f"{m} imports {target} on line {line}" for m in engine for target, line in imports(m).items()
           if target != "siianalysis" and (not _within(target, ENGINE) or _within(target, BATCH))]
    assert bad == []


def test_the_package_itself_imports_nothing_on_import():
    """``import siianalysis`` runs no import of its own modules (its names are lazy), so any
    module may import the package (``__version__``, ``__file__``) without a loop."""
    assert [ast.unparse(n) for n in tree("siianalysis").body
            if isinstance(n, (ast.Import, ast.ImportFrom)) and "siianalysis" in ast.unparse(n)] == []


def _private_uses(name: str) -> list[str]:
    """Where ``name`` uses another module's private name: ``from x import _y``, ``x._y``."""
    bad = []
    skip = _type_checking_nodes(tree(name))
    module_aliases: set[str] = set()
    for node in ast.walk(tree(name)):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("siianalysis")):
            for alias in node.names:
                if re.match(r"^_[^_]", alias.name):
                    bad.append(f"{name}:{node.lineno} imports {alias.name}")
                module_aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("siianalysis"):
                    module_aliases.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree(name)):
        if (isinstance(node, ast.Attribute) and re.match(r"^_[^_]", node.attr)
                and isinstance(node.value, ast.Name) and node.value.id in module_aliases):
            bad.append(f"{name}:{node.lineno} uses {node.value.id}.{node.attr}")
    return bad


def test_no_private_name_used_outside_its_module():
    """``from x import _name`` and ``module._name`` across modules: make it public or move the caller.
    (Private *modules*, ``siianalysis._digest`` and the like, are the package's own helpers.)"""
    assert [use for m in modules() if not _pending("private", m) for use in _private_uses(m)] == []


def _docstrings(module: ast.Module) -> set[int]:
    return {id(n.body[0].value) for n in ast.walk(module)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}


def _thai_strings(name: str) -> list[str]:
    """Lines where a string (not a docstring) is written with Thai letters in the source
    (``"\\u0e00"`` escapes in a character range are no Thai words)."""
    thai = re.compile("[\u0e00-\u0e7f]")
    source = modules()[name].read_text(encoding="utf-8")
    docs = _docstrings(tree(name))
    return [f"{name}:{n.lineno}" for n in ast.walk(tree(name))
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
            and thai.search(ast.get_source_segment(source, n) or "")]


def test_no_thai_in_code():
    """Thai words live in report_text.yaml and the codebook; docstrings and comments may quote them."""
    assert [line for m in modules() if not m.startswith(THAI_ALLOWED) and not _pending("thai", m)
            for line in _thai_strings(m)] == []


def _lines(name: str) -> int:
    return len(modules()[name].read_text(encoding="utf-8").splitlines())


def test_modules_stay_small():
    long = {m: n for m in modules() if (n := _lines(m)) > MAX_LINES and m not in LONG_MODULES
            and not _pending("long", m)}
    assert long == {}


def test_pending_entries_are_still_needed():
    """Whoever finishes a pending piece of work takes its entry out of ``PENDING``."""
    still = {
        "loop": {p for p in PENDING["loop"]
                 if any(all(m == p or m.startswith(p + ".") for m in loop) for loop in _cycles())},
        "private": {p for p in PENDING["private"] if any(_private_uses(m) for m in modules()
                                                          if m == p or m.startswith(p + "."))},
        "thai": {p for p in PENDING["thai"] if any(_thai_strings(m) for m in modules()
                                                    if m == p or m.startswith(p + "."))},
        "long": {p for p in PENDING["long"] if any(_lines(m) > MAX_LINES for m in modules()
                                                    if m == p or m.startswith(p + "."))},
    }
    assert {rule: set(entries) - still[rule] for rule, entries in PENDING.items()} == {r: set() for r in PENDING}


# --- the front door --------------------------------------------------------------------------


def _run(code: str, cwd: Path = PACKAGE.parent, **env: str) -> str:
    import os

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env}, cwd=str(cwd))
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_import_siianalysis_is_light_and_quiet():
    out = _run("import sys, siianalysis\n"
               "heavy = ('pandas', 'numpy', 'matplotlib', 'pandera', 'pythainlp', 'openpyxl', 'papermill')\n"
               "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
               "print(sorted(m for m in sys.modules if m.startswith('siianalysis')))")
    heavy, ours = out.splitlines()
    assert heavy == "[]"
    assert ours == "['siianalysis']"


def test_front_door_loads_the_project_data(tmp_path):
    from tests.test_analysis_data import example_frames

    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    (tmp_path / "data" / "raw").mkdir()
    for name, df in example_frames().items():
        if df is not None:
            df.to_parquet(processed / f"{name}.parquet", index=False)
    elsewhere = tmp_path / "somewhere" / "else"  # papermill may run a notebook from anywhere
    elsewhere.mkdir(parents=True)
    out = _run("import siianalysis as sii\n"
               "ds = sii.load()\n"
               "print(type(ds) is sii.Dataset, ds.path)\n"
               "s = sii.tambon_scores(ds)\n"
               "print(len(s), sorted(ds.tambon_ids) == sorted(s['tambon_id']))\n"
               "print(ds.codebook is sii.load_codebook(), type(ds.codebook) is sii.Codebook)\n"
               "print(sii.load(sii.resolve_processed_dir('../data/processed')) is ds)\n"
               "print(sii.analysis.scores.__name__, sii.sections.__name__, sii.words.t('common.overall', 'en'))",
               cwd=elsewhere, SIIANALYSIS_HOME=str(tmp_path))
    lines = out.splitlines()
    assert lines[0] == f"True {processed}"
    n = len(example_frames()["tambons"]["tambon_id"].unique())
    assert lines[1] == f"{n} True"
    assert lines[2] == "True True"
    assert lines[3] == "True"
    assert lines[4] == "siianalysis.analysis.scores siianalysis.sections Overall"


def test_help_leads_somewhere():
    import siianalysis as sii

    doc = sii.__doc__ or ""
    assert "sii.load()" in doc and "tambon_scores" in doc
    for package in ("readers/", "parse/", "analysis/", "sections/", "report/", "workshop/"):
        assert package in doc
    assert {"load", "Dataset", "tambon_scores", "load_codebook", "resolve_processed_dir"} <= set(dir(sii))
    with pytest.raises(AttributeError):
        sii.no_such_name  # noqa: B018
