"""The floor: a report notebook's code run in-process, without a Jupyter kernel.

What the batch could at best achieve: the same cells doing the same content
work (loading the processed tables, computing, drawing figures to PNG,
building the HTML of each section), minus everything a kernel adds (start-up,
ZeroMQ messages, papermill bookkeeping, writing the executed notebook,
nbconvert).

For each report the notebook is parameterised as papermill does it (a cell of
assignments right after the cell tagged ``parameters``), then every code cell
is run with ``exec`` in a fresh namespace dict. As in IPython, a cell's last
expression is displayed when it is not ``None`` and the cell does not end in
``;``; ``display()`` (the builtin IPython puts in a kernel's namespace and
``IPython.display.display``) is replaced by a function that does the same
formatting: ``_repr_html_``/``_repr_markdown_``/``_repr_svg_``/``_repr_png_``/
``_repr_mimebundle_`` as the object offers, matplotlib figures to PNG, and
``repr`` as the text/plain twin. Figures still open at the end of a cell are
rendered to PNG and closed, as matplotlib's inline backend does. The outputs
are joined into one HTML page per report and written to ``OUT/<id>.html``.

Reports run in a ``multiprocessing`` pool (spawned, like the batch's workers);
each process gets, once, in its initializer, the warm-up a warm report kernel
gets (the same imports, a figure drawn, the Thai tokenizer run, ``gc.freeze()``),
and the time counted starts before the pool is made, so that cost is included.

    .venv/bin/python bench/floor.py PROCESSED OUT [--notebook NB] [--processes 2]
                                    [--tambon ID ...] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import ast
import base64
import builtins
import html
import io
import json
import multiprocessing
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NOTEBOOK = ROOT / "notebooks" / "tambon_report.ipynb"

# Per process: the outputs of the report being run, and the parsed notebook.
_OUTPUTS: list[str] = []
_CELLS: dict[str, tuple[list[str], int]] = {}


# ------------------------------------------------------------------ display, as IPython does it


def _figure_png(fig) -> str:
    """A matplotlib figure as an inline PNG ``<img>`` (the inline backend's default: tight bbox)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return f'<img src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode("ascii")}">'


def format_output(obj: Any) -> str:
    """The HTML one output would contribute, computed as IPython's formatter would (all reprs)."""
    parts: list[str] = []
    text = repr(obj)  # text/plain is always computed
    bundle = getattr(obj, "_repr_mimebundle_", None)
    if callable(bundle):
        data = bundle()
        data = data[0] if isinstance(data, tuple) else data
        if isinstance(data, dict) and "text/html" in data:
            parts.append(str(data["text/html"]))
    for name in ("_repr_html_", "_repr_markdown_", "_repr_svg_"):
        method = getattr(obj, name, None)
        if callable(method):
            value = method()
            if value is not None:
                parts.append(str(value))
                break
    png = getattr(obj, "_repr_png_", None)
    if callable(png):
        value = png()
        if value:
            parts.append(f'<img src="data:image/png;base64,{base64.b64encode(value).decode("ascii")}">')
    if not parts:
        from matplotlib.figure import Figure

        if isinstance(obj, Figure):
            parts.append(_figure_png(obj))
        else:
            parts.append(f"<pre>{html.escape(text)}</pre>")
    return "\n".join(parts)


def display(*objs: Any, **_: Any) -> None:
    """Stand-in for ``IPython.display.display``: format each object, keep the HTML."""
    for obj in objs:
        _OUTPUTS.append(format_output(obj))


def _flush_figures() -> None:
    """Render and close every pyplot figure still open after a cell (the inline backend's job)."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    for num in plt.get_fignums():
        fig = plt.figure(num)
        _OUTPUTS.append(_figure_png(fig))
        plt.close(fig)


# ------------------------------------------------------------------ the notebook


def _inject(sources: list[str], parameters_at: int, parameters: dict[str, Any]) -> list[str]:
    """papermill's injection: a cell of assignments after the ``parameters`` cell (or first)."""
    try:
        from papermill.translators import translate_parameters

        cell = translate_parameters("python3", "python", parameters, "Parameters")
    except Exception:  # noqa: BLE001 - same text, without papermill
        cell = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in parameters.items())
    at = parameters_at + 1 if parameters_at >= 0 else 0
    return [*sources[:at], cell, *sources[at:]]


def notebook_cells(notebook: str) -> tuple[list[str], int]:
    """The code cells' sources and the index (among them) of the ``parameters`` cell (-1: none)."""
    if notebook not in _CELLS:
        import nbformat

        nb = nbformat.read(notebook, as_version=4)
        sources, at = [], -1
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                at = len(sources)
            sources.append(cell.source)
        _CELLS[notebook] = (sources, at)
    return _CELLS[notebook]


def run_cell(source: str, namespace: dict[str, Any], filename: str) -> None:
    """``exec`` a cell; display its last expression unless ``None`` or silenced with ``;``."""
    tree = ast.parse(source, filename=filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not source.rstrip().endswith(";"):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, filename, "exec"), namespace)  # noqa: S102 - the notebook is ours
    if last is not None:
        value = eval(compile(last, filename, "eval"), namespace)  # noqa: S307
        if value is not None:
            display(value)
    _flush_figures()


PAGE = ('<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
        "<body>\n{body}\n</body></html>\n")


def run_report(job: tuple[str, dict[str, Any], str]) -> tuple[str, float, int]:
    """Run one parameterised notebook; write its page. Returns (name, seconds, bytes written)."""
    notebook, parameters, out_html = job
    start = time.perf_counter()
    sources, at = notebook_cells(notebook)
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins, "display": display}
    _OUTPUTS.clear()
    for i, source in enumerate(_inject(sources, at, parameters)):
        run_cell(source, namespace, f"<cell {i}>")
    page = PAGE.format(lang=html.escape(str(parameters.get("lang", "th"))),
                       title=html.escape(Path(out_html).stem), body="\n".join(_OUTPUTS))
    data = page.encode("utf-8")
    Path(out_html).write_bytes(data)
    _OUTPUTS.clear()
    return Path(out_html).stem, time.perf_counter() - start, len(data)


WARM_MODULES = (  # a report kernel's warm-up list (siianalysis.report.batch.warmup.MODULES) when it has one
    "numpy", "pandas", "pyarrow.parquet", "matplotlib", "matplotlib.pyplot",
    "siianalysis", "siianalysis.analysis", "siianalysis.analysis.plots", "siianalysis.analysis.thaitext",
    "siianalysis.sections", "siianalysis.sections.tambon", "siianalysis.sections.network",
)


def _warm() -> None:
    """The one-time preparation a warm report kernel gets, so the floor has every advantage the
    batch has: the same imports, a Thai-labelled figure drawn (fonts, Agg), the Thai tokenizer
    run once, then everything imported moved out of the garbage collector's way."""
    import gc
    import importlib

    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    try:
        import matplotlib
        from matplotlib.figure import Figure

        from siianalysis.analysis.fonts import thai_rc

        with matplotlib.rc_context(thai_rc()):
            fig = Figure(figsize=(2, 1), dpi=50)
            fig.subplots().set_title("ตำบล")
            fig.savefig(io.BytesIO(), format="png")
    except Exception:  # noqa: BLE001 - only costs the first report some time
        pass
    try:
        from siianalysis.analysis.thaitext import tokenize

        tokenize("การจัดการพื้นที่ตำบลสุขภาวะ")
    except Exception:  # noqa: BLE001
        pass
    gc.collect()
    gc.freeze()


def _init_worker() -> None:
    """Once per process: the imports and warm-up a kernel gets, and ``display`` where notebooks look."""
    import matplotlib

    matplotlib.use("agg")
    _warm()

    builtins.display = display  # type: ignore[attr-defined]
    try:
        import IPython.core.display_functions as display_functions
        import IPython.display as ipython_display

        ipython_display.display = display
        display_functions.display = display
    except ImportError:
        pass


# ------------------------------------------------------------------ the runner


def tambon_ids(processed_dir: Path) -> list[str]:
    import pandas as pd

    return sorted(pd.read_parquet(Path(processed_dir) / "tambons.parquet")["tambon_id"].astype(str).unique())


def run_floor(processed_dir: Path | str, out_dir: Path | str, *, notebook: Path | str = DEFAULT_NOTEBOOK,
              ids: list[str] | None = None, processes: int = 2, lang: str = "th") -> dict[str, Any]:
    """Run the tambon notebook's code for ``ids`` (default: every tambon) in ``processes`` processes.

    Returns a dict: ``reports``, ``elapsed`` (seconds, pool start-up included),
    ``per_report`` (elapsed / reports), ``median_cell_seconds`` (one report alone)
    and ``median_bytes`` (page size).
    """
    processed_dir, out_dir = Path(processed_dir).resolve(), Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    ids = ids if ids is not None else tambon_ids(processed_dir)
    jobs = [(str(Path(notebook).resolve()),
             {"tambon_id": tid, "processed_dir": str(processed_dir), "lang": lang},
             str(out_dir / f"{tid}.html")) for tid in ids]
    start = time.perf_counter()
    if processes <= 1:
        _init_worker()
        done = [run_report(j) for j in jobs]
    else:
        with multiprocessing.get_context("spawn").Pool(processes, initializer=_init_worker) as pool:
            done = list(pool.imap_unordered(run_report, jobs, chunksize=1))
    elapsed = time.perf_counter() - start
    return {
        "reports": len(done), "elapsed": elapsed, "per_report": elapsed / max(1, len(done)),
        "median_report_seconds": statistics.median(d[1] for d in done) if done else 0.0,
        "median_bytes": statistics.median(d[2] for d in done) if done else 0,
        "processes": processes,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench/floor.py", description=__doc__.splitlines()[0])
    p.add_argument("processed", type=Path, help="processed tables (siianalysis normalise output)")
    p.add_argument("out", type=Path, help="folder for the pages")
    p.add_argument("--notebook", type=Path, default=DEFAULT_NOTEBOOK)
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--tambon", action="append", help="only this tambon (repeatable)")
    p.add_argument("--limit", type=int, help="only the first N tambons")
    p.add_argument("--lang", default="th")
    p.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = p.parse_args(argv)
    ids = args.tambon or tambon_ids(args.processed)
    if args.limit:
        ids = ids[: args.limit]
    result = run_floor(args.processed, args.out, notebook=args.notebook, ids=ids,
                       processes=args.processes, lang=args.lang)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['reports']} reports in {result['elapsed']:.1f} s with {args.processes} processes: "
              f"{result['per_report']:.3f} s/report (one report alone: {result['median_report_seconds']:.3f} s; "
              f"median page {result['median_bytes'] / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
