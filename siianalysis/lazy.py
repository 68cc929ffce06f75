"""A package's names, imported only when first asked for (PEP 562).

``siianalysis.analysis``, ``sections`` and ``workshop`` must stay cheap to import and free of
side effects: a report notebook and the CLI import them before they know what they need.
Each lists what it exports and hands the list to ``lazy_exports``, which gives it the
module-level ``__getattr__`` and ``__dir__`` PEP 562 asks for::

    __getattr__, __dir__ = lazy_exports(__name__, globals(), {"Dataset": "dataset"},
                                        submodules=("scores",))

Two packages keep their own pair, on purpose: ``siianalysis`` itself imports none of its
modules (so any module may import the package without a loop), and ``siianalysis.report``'s
engine imports nothing outside ``report/``.

Once imported, a name is kept in the package's namespace, so later uses skip ``__getattr__``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(package: str, namespace: dict[str, Any], exports: Mapping[str, str],
                 submodules: Iterable[str] = ()) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``.

    Args:
        package: the package's ``__name__``.
        namespace: the package's ``globals()``, where an imported name is kept.
        exports: public name -> the module, relative to the package, that defines it.
        submodules: submodules reachable as attributes (``sii.analysis``), imported on first use.
    """
    submodules = tuple(submodules)

    def __getattr__(name: str) -> Any:
        if name in exports:
            value = getattr(import_module(f"{package}.{exports[name]}"), name)
        elif name in submodules:
            value = import_module(f"{package}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value  # next access skips __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports) | set(submodules))

    return __getattr__, __dir__
