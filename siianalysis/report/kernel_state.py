"""Runs *inside* a report kernel: warm-up, a snapshot of the fresh state, and the reset to it.

``siianalysis.report.kernel`` sends this file's source to a new IPython kernel
(it becomes the hidden module ``_siireport_kernel``; nothing lands in the
user's namespace), calls ``warm()`` once, which imports the heavy modules, runs
the caller's warm-up functions and then takes ``snapshot()``, and calls
``reset(cwd)`` before every report. Only the standard library is imported at
module level, and nothing here knows what the reports are about, so the file
works in any IPython kernel.

What ``reset`` restores, so a report run in a used kernel equals one run in a
fresh kernel (same outputs, same ``In [n]`` numbers):

- the user namespace, ``In``/``Out``/``_``/``_i…`` and the input history
  (IPython's ``reset(new_session=False)``, as ``%reset -f``), the execution
  counter back to 1;
- matplotlib: every figure closed, ``rcParams`` back to the snapshot (which
  holds the inline backend's settings), the inline backend's options and
  IPython's display formatters (``%config InlineBackend…``, ``for_type``);
- ``warnings`` filters, ``showwarning`` and the once-registries;
- working directory, ``sys.path``, ``os.environ``, ``sys.argv``, the standard
  streams and hooks, the recursion limit, IPython's event callbacks;
- pandas options, numpy print options and floating-point error settings; the
  global ``random`` and ``numpy.random`` generators are reseeded from the OS,
  like a new process.

Not restored (documented limits): state that an imported module keeps in its
own globals (a notebook that monkeypatches a library), modules imported for
the first time by a report stay imported, threads a report starts. Render such
notebooks with ``fresh_kernel=True`` (``--fresh-kernels``).
"""

from __future__ import annotations

import os
import sys
import warnings

_SNAPSHOT: dict = {}
WARM_FAILURES: dict = {}


def _ip():
    from IPython import get_ipython

    return get_ipython()


def warm(modules=(), calls=()) -> dict:
    """Import ``modules`` (failures recorded, not raised), draw a figure (Agg) if matplotlib
    is among them, call each ``"module:function"`` of ``calls``, then snapshot.

    Returns ``{what: error}`` for what failed.
    """
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a missing optional module only costs speed
            WARM_FAILURES[name] = f"{type(exc).__name__}: {exc}"
    if "matplotlib.pyplot" in sys.modules:
        # load the backend now (in a kernel: the inline one, which registers its hooks)
        try:
            plt = sys.modules["matplotlib.pyplot"]
            if hasattr(plt, "_get_backend_mod"):
                plt._get_backend_mod()
        except Exception as exc:  # noqa: BLE001
            WARM_FAILURES["matplotlib backend"] = f"{type(exc).__name__}: {exc}"
    if "matplotlib" in sys.modules:
        _warm_matplotlib()
    for call in calls:
        try:
            module, _, function = call.partition(":")
            getattr(importlib.import_module(module), function)()
        except Exception as exc:  # noqa: BLE001 - a warm-up only saves time
            WARM_FAILURES[call] = f"{type(exc).__name__}: {exc}"
    snapshot()
    # Everything imported so far lives as long as the kernel: move it out of the garbage
    # collector's way, so the collection in each reset scans only what a report made.
    import gc

    gc.collect()
    gc.freeze()
    return dict(WARM_FAILURES)


def _warm_matplotlib() -> None:
    """Draw a small figure off pyplot: loads the Agg renderer and the default font.

    A bare ``Figure`` (not ``pyplot``) so no figure number is used up.
    """
    import io

    from matplotlib.figure import Figure

    try:
        fig = Figure(figsize=(2, 1), dpi=50)
        ax = fig.subplots()
        ax.bar([0, 1], [1, 2])
        ax.set_title("0.5")
        fig.savefig(io.BytesIO(), format="png")
    except Exception as exc:  # noqa: BLE001
        WARM_FAILURES["matplotlib"] = f"{type(exc).__name__}: {exc}"


def snapshot() -> None:
    """Record the state ``reset`` returns to (call once the kernel is warm)."""
    ip = _ip()
    s = _SNAPSHOT
    s.clear()
    s["cwd"] = os.getcwd()
    s["path"] = list(sys.path)
    s["environ"] = dict(os.environ)
    s["argv"] = list(sys.argv)
    s["filters"] = list(warnings.filters)
    s["showwarning"] = warnings.showwarning
    s["streams"] = (sys.stdout, sys.stderr, sys.stdin, sys.displayhook, sys.excepthook)
    s["recursionlimit"] = sys.getrecursionlimit()
    if ip is not None:
        s["formatters"] = {
            mime: (dict(f.type_printers), dict(f.deferred_printers), dict(f.singleton_printers), f.enabled)
            for mime, f in ip.display_formatter.formatters.items()
        }
        s["events"] = {name: list(cbs) for name, cbs in ip.events.callbacks.items()}
    if "matplotlib" in sys.modules:
        import matplotlib

        s["rc"] = dict(matplotlib.rcParams)
    try:
        if "matplotlib" in sys.modules:
            from matplotlib_inline.config import InlineBackend

            cfg = InlineBackend.instance()
            s["inline"] = {k: getattr(cfg, k) for k in ("figure_formats", "print_figure_kwargs",
                                                        "close_figures", "rc")}
    except Exception:  # noqa: BLE001
        pass
    if "pandas" in sys.modules:
        try:
            import pandas as pd

            keys = list(pd._config.config._registered_options)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                s["pandas"] = {k: pd.get_option(k) for k in keys}
        except Exception:  # noqa: BLE001
            pass
    if "numpy" in sys.modules:
        import numpy as np

        s["np_print"] = np.get_printoptions()
        s["np_err"] = np.geterr()


def _restore_dict(target: dict, saved: dict) -> None:
    if target != saved:
        target.clear()
        target.update(saved)


def reset(cwd: str | None = None) -> None:
    """Return the kernel to the snapshot; ``cwd`` is the next report's working directory."""
    s = _SNAPSHOT
    ip = _ip()
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    sys.stdout, sys.stderr, sys.stdin, sys.displayhook, sys.excepthook = s["streams"]
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    target = cwd if cwd and os.path.isdir(cwd) else s["cwd"]
    os.chdir(target)
    if ip is not None:
        ip.reset(new_session=False)  # namespace, Out, _ __ ___, _i… (as %reset -f)
        hm = ip.history_manager
        if hm is not None:  # In: %reset keeps the input history, a new kernel has none
            hm.input_hist_parsed[:] = [""]
            hm.input_hist_raw[:] = [""]
        ip.execution_count = 1
        for mime, (types, deferred, singletons, enabled) in s.get("formatters", {}).items():
            f = ip.display_formatter.formatters.get(mime)
            if f is not None:
                _restore_dict(f.type_printers, types)
                _restore_dict(f.deferred_printers, deferred)
                _restore_dict(f.singleton_printers, singletons)
                f.enabled = enabled
        for name, cbs in s.get("events", {}).items():
            if ip.events.callbacks.get(name) != cbs:
                ip.events.callbacks[name][:] = cbs
    # warnings: the filters, and forget which warnings were already shown
    warnings.filters[:] = s["filters"]
    warnings.showwarning = s["showwarning"]
    warnings.onceregistry.clear()
    warnings._filters_mutated()  # invalidates every module's __warningregistry__
    sys.path[:] = s["path"]
    sys.argv[:] = s["argv"]
    if dict(os.environ) != s["environ"]:
        for key in set(os.environ) - set(s["environ"]):
            del os.environ[key]
        for key, value in s["environ"].items():
            if os.environ.get(key) != value:
                os.environ[key] = value
    sys.setrecursionlimit(s["recursionlimit"])
    if "rc" in s and "matplotlib" in sys.modules:
        import matplotlib

        current = dict(matplotlib.rcParams)
        changed = {k: v for k, v in s["rc"].items() if k not in current or current[k] != v}
        if changed:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                matplotlib.rcParams.update(changed)
    if "inline" in s:
        from matplotlib_inline.config import InlineBackend

        cfg = InlineBackend.instance()
        for key, value in s["inline"].items():
            if getattr(cfg, key) != value:
                setattr(cfg, key, value)
    if "pandas" in s and "pandas" in sys.modules:
        import pandas as pd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in s["pandas"].items():
                try:
                    if pd.get_option(key) != value:
                        pd.set_option(key, value)
                except Exception:  # noqa: BLE001
                    pass
    if "np_print" in s and "numpy" in sys.modules:
        import numpy as np

        if np.get_printoptions() != s["np_print"]:
            np.set_printoptions(**s["np_print"])
        np.seterr(**s["np_err"])
        np.random.seed()
    import random

    random.seed()
    # IPython's reset ends with a full garbage collection. What outlived it is the kernel's
    # long-lived state: modules and what they cache per process (the loaded dataset and its
    # shared network tables). Move it out of the collector's way, as after the warm-up, so the
    # next reset's collection scans only what that report made: scanning the dataset again
    # cost every report about half a CPU second at 1,000 tambons and more at 7,255. (A cycle
    # among frozen objects that later turns to garbage waits for the kernel's restart.)
    import gc

    gc.freeze()
