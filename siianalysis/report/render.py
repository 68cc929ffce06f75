"""One notebook → executed ``.ipynb`` + self-contained HTML.

``render_report`` runs a notebook with papermill (parameters injected as Python
literals, so a ``tambon_id`` of ``"010101"`` stays the string ``"010101"``),
keeps the executed notebook beside the HTML (same stem) and converts it with
nbconvert.

Two audiences:

- experts (default): no code. Code inputs and prompts are excluded, and cells
  tagged ``parameters``, ``injected-parameters``, ``remove_cell``/``remove-cell``
  or ``hide``/``hide-cell`` are dropped, as are stderr streams (warnings are
  noise to them; errors still show, they are ``error`` outputs);
- researchers (``with_code=True``): code and parameters kept.

Both use the ``siireport`` template (``template/siireport``): JupyterLab's look
with every CDN script (require.js, MathJax, Mermaid, widgets) left out, so a
report opens offline. CSS is inlined by the lab template, plots are inline
base64 PNGs (matplotlib's inline backend) and markdown images are embedded.
Math in markdown is therefore shown as typed, not typeset.

A failing notebook still yields its executed notebook (papermill writes it up
to the failing cell) and an HTML of it, so the reader sees where it stopped;
the result carries the failing cell and the error. A kernel that dies or does
not start in time is retried (``retries`` times) before being reported.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

TEMPLATE_DIR = Path(__file__).parent / "template"
TEMPLATE_NAME = "siireport"

# Tags that remove a whole cell from the expert HTML.
EXPERT_REMOVE_CELL_TAGS = frozenset({
    "remove_cell", "remove-cell", "hide", "hide-cell", "hide_cell",
    "parameters", "injected-parameters",
})
# Tags honoured in both modes.
REMOVE_CELL_TAGS = frozenset({"remove_cell", "remove-cell"})
REMOVE_INPUT_TAGS = frozenset({"remove_input", "remove-input", "hide-input", "hide_input"})
REMOVE_OUTPUT_TAGS = frozenset({"remove_output", "remove-output", "hide-output", "hide_output"})

# What the manifest keeps of a failure, so the index can show it in later runs.
FAILURE_FIELDS = ("error_name", "error_message", "cell_index", "execution_count", "cell_excerpt", "html")

DEFAULT_TIMEOUT = 600  # seconds per cell
DEFAULT_START_TIMEOUT = 60  # seconds for the kernel to start


@dataclass
class RenderResult:
    """The outcome of one report.

    ``status`` is ``"rendered"``, ``"skipped"`` (inputs unchanged) or
    ``"failed"``. For a failure, ``error_name``/``error_message`` say what, and,
    when a cell raised, ``cell_index`` (0-based, in the source notebook),
    ``execution_count`` (the ``In [n]``) and ``cell_excerpt`` (its first lines)
    say where. ``html`` is set whenever an HTML file was written (also for a
    partial, failed run).
    """

    key: str
    status: str
    html: str | None = None
    notebook_out: str | None = None
    seconds: float = 0.0
    attempts: int = 0
    error_name: str | None = None
    error_message: str | None = None
    cell_index: int | None = None
    execution_count: int | None = None
    cell_excerpt: str | None = None
    digest: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def where(self) -> str:
        """Where it failed, for people: 'cell 4 (In [3])'."""
        if self.cell_index is None:
            return ""
        count = f" (In [{self.execution_count}])" if self.execution_count is not None else ""
        return f"cell {self.cell_index + 1}{count}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _drop_stderr_preprocessor():
    """A preprocessor dropping stderr stream outputs (warnings, progress noise) for experts."""
    from nbconvert.preprocessors import Preprocessor

    class DropStderr(Preprocessor):
        def preprocess_cell(self, cell, resources, index):
            if cell.get("outputs"):
                cell.outputs = [o for o in cell.outputs
                                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            return cell, resources

    return DropStderr()


@lru_cache(maxsize=None)
def html_exporter(with_code: bool = False, lang: str = "th"):
    """The HTMLExporter for one mode and language, built once per process (building is slow).

    Args:
        with_code: keep code cells' source and prompts (researchers) or hide them (experts).
        lang: ``<html lang>`` of the page (``"th"`` or ``"en"``).
    """
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS if with_code else EXPERT_REMOVE_CELL_TAGS)
    c.TagRemovePreprocessor.remove_input_tags = set(REMOVE_INPUT_TAGS)
    c.TagRemovePreprocessor.remove_all_outputs_tags = set(REMOVE_OUTPUT_TAGS)
    c.HTMLExporter.exclude_input = not with_code
    c.HTMLExporter.exclude_input_prompt = not with_code
    c.HTMLExporter.exclude_output_prompt = not with_code
    c.HTMLExporter.embed_images = True  # markdown images inline: the page must open offline
    c.HTMLExporter.language_code = lang
    exporter = HTMLExporter(config=c, template_name=TEMPLATE_NAME,
                            extra_template_basedirs=[str(TEMPLATE_DIR)])
    if not with_code:
        exporter.register_preprocessor(_drop_stderr_preprocessor(), enabled=True)
    return exporter


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` via a temp file + ``os.replace``: a reader never sees half a file.

    The temp name carries the pid (one writer per file per process); ``open``
    keeps the umask's permissions, unlike ``mkstemp``'s 0600.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def notebook_to_html(notebook: Path | str, out_html: Path | str, *, with_code: bool = False,
                     lang: str = "th", title: str | None = None) -> Path:
    """Convert an (executed) notebook file to a self-contained HTML file.

    Args:
        notebook: the ``.ipynb`` to convert.
        out_html: the HTML file to write (atomically).
        with_code: keep code (researchers) instead of hiding it (experts).
        lang: page language.
        title: the page ``<title>``; default: the notebook's metadata title, else the file stem.
    """
    import nbformat

    notebook, out_html = Path(notebook), Path(out_html)
    nb = nbformat.read(notebook, as_version=4)
    resources = {"metadata": {"name": title or out_html.stem}}
    body, _ = html_exporter(with_code, lang).from_notebook_node(nb, resources=resources)
    write_atomic(out_html, body)
    return out_html


def is_transient(exc: BaseException) -> bool:
    """A kernel that died or was slow to start: worth one more try.

    A cell that runs too long (``CellTimeoutError``, also a ``TimeoutError``) and
    an error raised by the notebook's own code are not transient.
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, (PapermillExecutionError, CellTimeoutError)):
        return False
    if isinstance(exc, (DeadKernelError, TimeoutError)):
        return True
    if isinstance(exc, RuntimeError):
        msg = str(exc)
        return any(s in msg for s in ("Kernel died", "Kernel didn't respond", "kernel died", "Kernel is dead"))
    return False


def _executed_cells(nb_path: Path) -> list | None:
    """The executed notebook's cells without papermill's error-marker cells (None if unreadable)."""
    import nbformat

    try:
        cells = nbformat.read(nb_path, as_version=4).cells
    except Exception:  # noqa: BLE001
        return None
    return [c for c in cells if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]


def _source_index(cells: list, executed_index: int) -> int:
    """Index in the source notebook of ``cells[executed_index]`` (papermill's parameters cell undone)."""
    injected = sum(1 for c in cells[:executed_index]
                   if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    return executed_index - injected


def _locate_failure(result: RenderResult, out_nb: Path, error: BaseException) -> None:
    """Fill in where the notebook stopped: the raising cell, else the last cell that started."""
    from papermill.exceptions import PapermillExecutionError

    cells = _executed_cells(out_nb) if out_nb.exists() else None
    if isinstance(error, PapermillExecutionError):
        # papermill counts cells after injecting parameters, before adding its error markers
        result.error_name, result.error_message = error.ename, str(error.evalue)
        result.execution_count = error.exec_count
        result.cell_index = _source_index(cells, error.cell_index) if cells else error.cell_index
        result.cell_excerpt = _excerpt(error.source or "")
        return
    if not cells:
        return
    started = [i for i, c in enumerate(cells)
               if c.cell_type == "code" and (c.get("metadata", {}).get("papermill") or {}).get("start_time")]
    if started:  # e.g. a cell timeout or a kernel that died mid-run
        i = started[-1]
        result.cell_index = _source_index(cells, i)
        result.execution_count = cells[i].get("execution_count")
        result.cell_excerpt = _excerpt(cells[i].source)


def _excerpt(source: str, lines: int = 3, chars: int = 240) -> str:
    text = "\n".join(source.splitlines()[:lines])
    return text if len(text) <= chars else text[: chars - 1] + "…"


@lru_cache(maxsize=None)
def _kernel_arguments(kernel_name: str) -> tuple[str, ...]:
    """Extra kernel command-line arguments: quiet an ipykernel's own start-up warnings.

    ipykernel logs to stderr about unencrypted local TCP at every start and about the
    interrupt jupyter_client sends at shutdown; that would tear the batch progress
    bar (notebook errors reach the result anyway). Other kernels get nothing.
    """
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
    except Exception:  # noqa: BLE001 - papermill will report an unknown kernel itself
        return ()
    return ("--IPKernelApp.log_level=CRITICAL",) if any("ipykernel" in a for a in argv) else ()


def _quiet_papermill() -> None:
    # papermill logs every cell at INFO and unknown parameters at WARNING; in a batch
    # that would tear the progress bar. Errors still reach the result object.
    logging.getLogger("papermill").setLevel(logging.ERROR)


def render_report(notebook: Path | str, parameters: dict[str, Any], out_html: Path | str, *,
                  with_code: bool = False, kernel_name: str = "python3", lang: str = "th",
                  timeout: int | None = DEFAULT_TIMEOUT, start_timeout: int = DEFAULT_START_TIMEOUT,
                  retries: int = 1, cwd: Path | str | None = None, key: str | None = None,
                  title: str | None = None) -> RenderResult:
    """Execute ``notebook`` with ``parameters`` and write ``out_html`` (+ ``.ipynb`` beside it).

    Args:
        notebook: the source notebook (never modified).
        parameters: injected by papermill as Python literals after the ``parameters`` cell.
        out_html: the HTML to write; the executed notebook goes to the same path with ``.ipynb``.
        with_code: show code (researchers); default hides it (experts).
        kernel_name: the Jupyter kernel to run (``python3`` = this environment's ipykernel).
        lang: page language of the HTML.
        timeout: seconds a single cell may run (``None``: no limit).
        start_timeout: seconds to wait for the kernel to start.
        retries: extra attempts after a dead or slow-to-start kernel.
        cwd: the kernel's working directory (default: the notebook's folder, as in Jupyter).
        key: the report's name in results (default: the HTML's stem).
        title: the HTML ``<title>`` (escaped by the template; default: the HTML's stem).

    Returns:
        A ``RenderResult``; this function does not raise for notebook or kernel errors.
    """
    import papermill as pm

    _quiet_papermill()
    notebook, out_html = Path(notebook), Path(out_html)
    out_nb = out_html.with_suffix(".ipynb")
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_nb.unlink(missing_ok=True)  # never mistake an older run's notebook for this one's
    result = RenderResult(key=key or out_html.stem, status="failed", notebook_out=str(out_nb))
    start = time.perf_counter()
    error: BaseException | None = None
    for attempt in range(1, retries + 2):
        result.attempts = attempt
        try:
            pm.execute_notebook(
                str(notebook), str(out_nb), parameters=dict(parameters), kernel_name=kernel_name,
                execution_timeout=timeout, start_timeout=start_timeout, progress_bar=False,
                log_output=False, cwd=str(cwd or notebook.parent),
                extra_arguments=list(_kernel_arguments(kernel_name)),
            )
            error = None
            break
        except Exception as exc:  # noqa: BLE001 - every failure becomes a result
            error = exc
            if not is_transient(exc) or attempt > retries:
                break
            time.sleep(1)  # a loaded machine: give the next kernel a moment
    if error is None:
        result.status = "rendered"
    else:
        result.error_name = type(error).__name__
        result.error_message = str(error).strip()
        _locate_failure(result, out_nb, error)
    # HTML also for a failed run: the partial notebook shows where it stopped.
    if out_nb.exists():
        try:
            notebook_to_html(out_nb, out_html, with_code=with_code, lang=lang, title=title)
            result.html = str(out_html)
        except Exception as exc:  # noqa: BLE001
            if result.status == "rendered":
                result.status = "failed"
                result.error_name = type(exc).__name__
                result.error_message = f"HTML conversion failed: {exc}"
    elif result.status == "rendered":
        result.status, result.error_name = "failed", "MissingOutput"
        result.error_message = f"papermill wrote no notebook at {out_nb}"
    if result.status == "failed" and result.html is None:
        out_html.unlink(missing_ok=True)  # no stale report from older inputs
    result.seconds = time.perf_counter() - start
    return result
