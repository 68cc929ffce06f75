"""The package code a report runs, and its digest: what re-renders a report when code changes.

A report is due again when code it runs changes, not when any file of the package
does. The worksheet readers and the normaliser, for one, reach a report only through
the processed tables, whose digest the manifest holds already: editing them (or a
colleague editing them in a shared checkout between an interrupted batch and its
resumption) must not make every report due again. A report's code is:

- the report machinery: every file of ``siianalysis/report`` (rendering, kernel reset,
  the HTML template), and what ``report.render`` imports. Not what the warm-up of a
  kernel imports (``kernel_state.warm``: sections, fonts, Thai word lists, so that
  reports start fast): a warm kernel gives the same outputs as a fresh one (tested),
  and a notebook that uses those modules imports them itself;
- the ``siianalysis`` modules its notebook imports;
- what those import in turn, read from the source with ``ast`` (nothing is imported
  or run): imports inside functions count; ``import_module`` of a literal name counts
  like an import; of a computed name (``f"{__name__}.{name}"``), it counts as importing
  every module the source names in a string, in full or from its package (the
  lazy-export tables: ``_EXPORTS = {"load": "siianalysis.analysis.dataset"}``,
  ``_SUBMODULES = ("sections", …)``), or its whole package when it names none;
  a package reached only as the container of a module it
  holds (``siianalysis`` in ``from siianalysis import sections``) counts with its
  top-level imports, not those inside its functions (a lazy ``__getattr__``), which
  run only when one of the package's own names is used; imports under
  ``if TYPE_CHECKING:`` never run and do not count;
- the data files those modules name in a string (``"data/codebook.yaml"``), and every
  data file no module names (any code could read it).

A notebook that might reach the package some other way (a string naming it, a magic
naming it, a cell that is not Python) is taken to run the whole package.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "siianalysis"
MACHINERY = f"{PACKAGE}.report"
RENDERER = f"{MACHINERY}.render"
# The files a package digest has always covered (code, codebook and other data, templates).
SUFFIXES = frozenset({".py", ".yaml", ".yml", ".txt", ".j2", ".json", ".css"})
IMPORTERS = ("import_module", "__import__")
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def package_root() -> Path:
    """The folder of the ``siianalysis`` package in use (this module is in its ``report``)."""
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class _Import:
    """One import, as written: ``kind`` "import" (``import target``, ``binds``: without
    ``as``), "from" (``from target import name``) or "call" (``import_module("target")``);
    ``deferred``: inside a function, so it runs only if that function is called."""

    kind: str
    target: str
    name: str = ""
    binds: bool = False
    deferred: bool = False


@dataclass
class _Facts:
    """What the code of one source says, read once per content (``_FACTS``)."""

    imports: list[_Import] = field(default_factory=list)
    computed: list[bool] = field(default_factory=list)  # ``deferred`` of each import by computed name
    constants: set[str] = field(default_factory=set)  # plain values assigned at the top level
    strings: list[str] = field(default_factory=list)  # string constants, docstrings left out
    names_package: bool = False  # a string naming the package other than an import's


# (package, sha256 of the source) -> its facts: a process parses each version of a file once
_FACTS: dict[tuple[str, str], _Facts | None] = {}


def _type_checking(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:``, whose body never runs."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _facts(tree: ast.Module, package: str) -> _Facts:
    """The imports, top-level constants and strings of ``tree``, whose relative imports are
    from ``package`` ("" for a notebook)."""
    out = _Facts()
    prose = {id(body[0].value) for node in ast.walk(tree)
             if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
             and (body := node.body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)}
    consumed: set[int] = set()
    named: list[ast.Constant] = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        out.constants |= {t.id for t in targets if isinstance(t, ast.Name)}
    todo: list[tuple[ast.AST, bool]] = [(tree, False)]
    while todo:
        node, deferred = todo.pop()
        if isinstance(node, ast.Import):
            out.imports += [_Import("import", a.name, binds=a.asname is None, deferred=deferred) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and (package or not node.level):
            parts = package.split(".")
            base = parts[: len(parts) - node.level + 1] if node.level else []
            source = ".".join(base + ([node.module] if node.module else []))
            out.imports += [_Import("from", source, a.name, deferred=deferred) for a in node.names]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            arg = node.args[0] if node.args else None
            if name in IMPORTERS and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                consumed.add(id(arg))
                target = arg.value
                if target.startswith(".") and package:
                    target = package + target.rstrip(".") if target.strip(".") else package
                out.imports.append(_Import("call", target, deferred=deferred))
            elif name in IMPORTERS:
                out.computed.append(deferred)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            out.strings.append(node.value)
            if PACKAGE in node.value:
                named.append(node)
        children = node.orelse if _type_checking(node) else ast.iter_child_nodes(node)
        todo += [(c, deferred or isinstance(c, FUNCTIONS)) for c in children]
    out.names_package = any(id(n) not in consumed for n in named)
    return out


class _Package:
    """The package's files under ``root``: module names, sources and their facts."""

    def __init__(self, root: Path):
        self.root = root
        self.files = sorted(p for p in root.rglob("*")
                            if p.is_file() and "__pycache__" not in p.parts and p.suffix in SUFFIXES)
        self.modules: dict[str, Path] = {}
        for p in self.files:
            if p.suffix == ".py":
                parts = (PACKAGE, *p.relative_to(root).with_suffix("").parts)
                self.modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
        self.text = {m: p.read_text(encoding="utf-8", errors="replace") for m, p in self.modules.items()}

    def package_of(self, module: str) -> str:
        return module if self.modules[module].name == "__init__.py" else module.rpartition(".")[0]

    def within(self, package: str) -> list[str]:
        return [m for m in self.modules if m == package or m.startswith(package + ".")]

    def named_by(self, module: str) -> list[str]:
        """What an import by computed name in ``module`` can import: the modules its strings
        name, in full or from its package (a lazy-export table: ``{"load": "dataset"}``,
        ``("sections", "report")``); its whole package when they name none."""
        package, facts = self.package_of(module), self.facts(module)
        strings = set(facts.strings) if facts else set()
        named = [m for m in self.modules if m in strings or m.removeprefix(package + ".") in strings]
        return named or self.within(package)

    def facts(self, module: str) -> _Facts | None:
        """None for a source that does not parse (being edited): taken to import anything."""
        package = self.package_of(module)
        key = (package, hashlib.sha256(self.text[module].encode()).hexdigest())
        if key not in _FACTS:
            try:
                _FACTS[key] = _facts(ast.parse(self.text[module]), package)
            except (SyntaxError, ValueError):
                _FACTS[key] = None
        return _FACTS[key]

    def resolve(self, imp: _Import) -> list[tuple[str, bool]]:
        """``(module, whole)`` pairs an import runs: ``whole`` when the module's own names can
        be reached (so its functions may run), not only a module it holds."""
        if imp.kind == "import":
            top = [(imp.target.split(".")[0], True)] if imp.binds else []  # `import a.b` binds `a`
            return [(imp.target, True), *top]
        if imp.kind == "from":
            held = f"{imp.target}.{imp.name}"
            if held in self.modules:
                return [(held, True), (imp.target, False)]
            facts = self.facts(imp.target) if imp.target in self.modules else None
            return [(imp.target, not (facts and imp.name in facts.constants))]
        return [(imp.target, True)]


def _notebook_imports(notebook: Path) -> list[_Import] | None:
    """The imports of the notebook's code cells; None when they cannot be told."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    found: list[_Import] = []
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") != "code" or PACKAGE not in source:
            continue  # a cell that never names the package cannot import it
        if source.lstrip().startswith("%%"):
            return None
        lines = []
        for line in source.splitlines():
            stripped = line.lstrip()
            if stripped.startswith(("%", "!")):  # IPython syntax
                if PACKAGE in stripped:
                    return None
                line = line[: len(line) - len(stripped)] + "pass"
            lines.append(line)
        try:
            facts = _facts(ast.parse("\n".join(lines)), "")
        except (SyntaxError, ValueError):
            return None
        if facts.computed or facts.names_package:
            return None
        found += facts.imports
    return found


def _closure(pkg: _Package, entries: list[_Import]) -> set[str]:
    """The modules ``entries`` run: what they import in turn, and the packages holding them."""
    whole: dict[str, bool] = {}  # module -> all of it counts (else: its top level only)
    todo = [pair for imp in entries for pair in pkg.resolve(imp)]
    while todo:
        module, all_of_it = todo.pop()
        if module not in pkg.modules or whole.get(module) is True or (module in whole and not all_of_it):
            continue
        whole[module] = all_of_it
        parts = module.split(".")
        todo += [(".".join(parts[:i]), False) for i in range(1, len(parts))]  # their __init__ runs first
        facts = pkg.facts(module)
        if facts is None:
            todo += [(m, True) for m in pkg.modules]
            continue
        todo += [pair for imp in facts.imports if all_of_it or not imp.deferred for pair in pkg.resolve(imp)]
        if any(all_of_it or not deferred for deferred in facts.computed):
            todo += [(m, True) for m in pkg.named_by(module)]
    return set(whole)


def report_code(notebook: Path | str, root: Path | str | None = None) -> list[Path]:
    """The package files a report of ``notebook`` runs (see the module docstring), sorted.

    Args:
        notebook: the report notebook (``.ipynb``).
        root: the package folder (default: the ``siianalysis`` in use).
    """
    pkg = _Package(Path(root) if root is not None else package_root())
    entries = _notebook_imports(Path(notebook))
    if entries is None:
        return list(pkg.files)
    modules = _closure(pkg, [*entries, _Import("call", RENDERER)])
    machinery = pkg.modules[MACHINERY].parent
    code = {pkg.modules[m] for m in modules} | {p for p in pkg.files if p.is_relative_to(machinery)}
    for p in pkg.files:
        if p.suffix == ".py" or p in code:
            continue
        naming = [m for m in pkg.modules if p.name in pkg.text[m]]  # a cheap first look
        naming = [m for m in naming if (f := pkg.facts(m)) is None or any(p.name in s for s in f.strings)]
        if not naming or any(m in modules for m in naming):
            code.add(p)
    return sorted(code)


def code_digest(notebook: Path | str, root: Path | str | None = None) -> str:
    """SHA-256 of the path and bytes of every file of ``report_code``."""
    root = Path(root) if root is not None else package_root()
    h = hashlib.sha256()
    for p in report_code(notebook, root):
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()
