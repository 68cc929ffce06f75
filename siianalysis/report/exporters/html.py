"""``.html``: a report as one small self-contained page.

Both audiences use the ``siireport`` template (``report/template/siireport``):
nbconvert's ``basic`` cells in a small page of our own with a ~5 KB stylesheet
(Thai font stack, tables, tracebacks with their ANSI colours), no external URL at
all. Experts (default) get no code: code inputs and prompts are excluded, cells
tagged as ``EXPERT_REMOVE_CELL_TAGS`` are dropped, as are stderr streams (warnings
are noise to them; errors still show, they are ``error`` outputs); researchers
(``with_code``) keep code and parameters. Figures are inline PNGs, recompressed to
256-colour palette PNGs when that is smaller and loses nothing visible
(``images``); markdown images are embedded. Math in markdown is shown as typed,
not typeset.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from siianalysis.report.exporters import (
    EXPERT_REMOVE_CELL_TAGS, REMOVE_CELL_TAGS, REMOVE_INPUT_TAGS, REMOVE_OUTPUT_TAGS, Exporter, register,
)
from siianalysis.report.images import compact_images_preprocessor
from siianalysis.report.storage import write_atomic

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "template"
TEMPLATE_NAME = "siireport"


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


def _stable_ids_preprocessor():
    """Give papermill's injected cells a fixed id (nbformat draws a random one) so the HTML
    of the same inputs is byte-identical from run to run."""
    from nbconvert.preprocessors import Preprocessor

    class StableIds(Preprocessor):
        def preprocess_cell(self, cell, resources, index):
            tags = cell.get("metadata", {}).get("tags", [])
            if "id" in cell and ("injected-parameters" in tags or "papermill-error-cell-tag" in tags):
                cell.id = f"papermill-{index}"
            return cell, resources

    return StableIds()


_EXPORTERS = threading.local()


def html_exporter(with_code: bool = False, lang: str = "th", compact_images: bool = True):
    """The HTMLExporter for one mode and language, built once per thread (building is slow,
    and an exporter is not safe to share between threads, e.g. in a dask worker).

    Args:
        with_code: keep code cells' source and prompts (researchers) or hide them (experts).
        lang: ``<html lang>`` of the page (``"th"`` or ``"en"``).
        compact_images: recompress inline PNGs to palette PNGs where smaller (``images``).
    """
    cache = getattr(_EXPORTERS, "cache", None)
    if cache is None:
        cache = _EXPORTERS.cache = {}
    key = (with_code, lang, compact_images)
    if key not in cache:
        cache[key] = _new_exporter(with_code, lang, compact_images)
    return cache[key]


@lru_cache(maxsize=1)
def _exporter_class():
    """nbconvert's HTMLExporter without its last step, a BeautifulSoup pass over the whole
    page (to add a generic "No description has been provided" alt text to images and
    JupyterLab-only tabindex attributes): 30-40 ms a report for nothing our template uses.
    Falls back to the full HTMLExporter if nbconvert's internals differ."""
    from nbconvert import HTMLExporter

    try:
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    except ImportError:  # pragma: no cover - another nbconvert
        return HTMLExporter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            if not hasattr(self, "_nb_metadata"):  # pragma: no cover - another nbconvert
                return super().from_notebook_node(nb, resources, **kw)
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                     resources=resources)
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter


def _new_exporter(with_code: bool, lang: str, compact_images: bool):
    from traitlets.config import Config

    HTMLExporter = _exporter_class()  # noqa: N806

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
    # nbconvert may log warnings (e.g. images without alt text) that would tear the batch's
    # progress bar.
    quiet = logging.getLogger("siianalysis.report.nbconvert")
    quiet.setLevel(logging.ERROR)
    exporter.log = quiet
    exporter.register_preprocessor(_stable_ids_preprocessor(), enabled=True)
    if not with_code:
        exporter.register_preprocessor(_drop_stderr_preprocessor(), enabled=True)
    if compact_images:
        exporter.register_preprocessor(compact_images_preprocessor(), enabled=True)
    return exporter


def notebook_to_html(notebook: Any, out_html: Path | str, *, with_code: bool = False,
                     lang: str = "th", title: str | None = None, compact_images: bool = True) -> Path:
    """Convert an (executed) notebook to a self-contained HTML file.

    Args:
        notebook: the ``.ipynb`` path, or a notebook node (e.g. papermill's return value).
        out_html: the HTML file to write (atomically).
        with_code: keep code (researchers) instead of hiding it (experts).
        lang: page language.
        title: the page ``<title>``; default: the notebook's metadata title, else the file stem.
        compact_images: recompress inline PNGs where smaller.
    """
    out_html = Path(out_html)
    write_atomic(out_html, notebook_html(notebook, out_html.stem, with_code=with_code, lang=lang, title=title,
                                         compact_images=compact_images))
    return out_html


def notebook_html(notebook: Any, name: str, *, with_code: bool = False, lang: str = "th",
                  title: str | None = None, compact_images: bool = True) -> str:
    """The page ``notebook_to_html`` writes, as a string (``name``: the title when there is no
    other; the PDF exporter prints this page)."""
    import nbformat

    nb = notebook if isinstance(notebook, dict) else nbformat.read(Path(notebook), as_version=4)
    resources = {"metadata": {"name": name}, "siireport_title": title}
    body, _ = html_exporter(with_code, lang, compact_images).from_notebook_node(nb, resources=resources)
    return body


def export(notebook: Any, out: Path, options: Any, title: str | None) -> None:
    """The ``.html`` exporter: ``notebook_to_html`` for ``options`` (a ``RenderOptions``)."""
    notebook_to_html(notebook, out, with_code=options.with_code, lang=options.lang, title=title,
                     compact_images=options.compact_images)


def prepare(options: Any) -> None:
    """Build this thread's HTMLExporter for ``options`` ahead of the first report."""
    html_exporter(options.with_code, options.lang, options.compact_images)


register(Exporter(".html", export, prepare))
