"""``.pdf``: a report printed to an A4 PDF by WeasyPrint, Thai shaped by Pango and HarfBuzz.

The PDF is the HTML page of the same executed notebook (``html.notebook_html``: the
same audience, cells and figures) laid out for print: the page's own print rules
(``siireport.css`` and the sections' style sheet: A4 ``@page``, headings kept with
what follows, figures and table rows never cut, a long table's head repeated, page
numbers) and ``PRINT_CSS`` here, which sets the text in the project's bundled Noto
Sans Thai (package ``fontpkg-noto-sans-thai``, by ``@font-face``): the PDF looks the
same on every machine, whatever Thai fonts it has, and embeds the glyphs it uses.

Nothing is fetched from the network: WeasyPrint gets a URL fetcher (``LocalFetcher``)
that loads ``data:`` URLs (the inline figures), the font file and files inside the
report's own folder, and refuses anything else. Links to other reports stay relative
(``tambon/<id>.html``) so they work beside the PDF. The text map of every font is
rebuilt from the font (``report.pdf_text``), so Thai copied or extracted from the PDF
reads as written.

Used as an extra document beside the HTML (``RenderOptions.extra_formats``: ``report
--pdf``), or as the format itself (``--format pdf``). Needs the ``weasyprint`` package
and the Pango library (Linux: ``libpango-1.0``; macOS: Homebrew's ``pango``).
"""

from __future__ import annotations

import io
import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from siianalysis.report.errors import ReportUserError
from siianalysis.report.exporters import Exporter, register
from siianalysis.report.exporters.html import notebook_html

FONT_FAMILY = "SII Report Thai"
FONT_DATE_EPOCH = 1603756800  # 2020-10-27, the workshop's day, as the bundle's zip entries
_DATE_LOCK = threading.Lock()
# The bundled font first; the page's own stack after it only for characters it lacks.
PRINT_CSS = """
@font-face{font-family:"%(family)s";src:url("%(url)s")}
body,.sii,table,th,td,h1,h2,h3,h4,h5,h6{font-family:"%(family)s","Noto Sans Thai","DejaVu Sans",sans-serif}
"""


class PdfExportError(ReportUserError, RuntimeError):
    """No PDF can be made here: WeasyPrint, the Pango library or the Thai font is missing."""


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the package is there, the Pango library is not
        raise PdfExportError(f"PDF needs WeasyPrint and the Pango library ({type(exc).__name__}: {exc}); "
                             "pip install weasyprint, and on Linux the libpango-1.0 package") from exc
    # what it says (CSS it ignores, a URL refused, an anchor missing) would tear a batch's progress bar
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint


def _font_path() -> Path:
    """The TTF of ``fontpkg_noto_sans_thai``, the font the charts use too (``analysis.fonts``;
    found here again: the engine imports nothing above it)."""
    try:
        import fontpkg_noto_sans_thai as pkg
    except ImportError as exc:
        raise PdfExportError("PDF needs the Thai font of the package fontpkg-noto-sans-thai (not installed)") from exc
    found = sorted((Path(pkg.ROOT) / "files").glob("*.[to]tf"))
    if not found:
        raise PdfExportError(f"no font file in {Path(pkg.ROOT) / 'files'} (fontpkg-noto-sans-thai)")
    return found[0].resolve()


def local_fetcher(roots: list[Path]):
    """A WeasyPrint URL fetcher for ``data:`` URLs and ``file:`` URLs inside ``roots``; any other
    URL is refused (the PDF shows nothing for it: a report must not reach the network)."""
    weasyprint = _weasyprint()
    allowed = [Path(r).resolve() for r in roots]

    class LocalFetcher(weasyprint.URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            if url.lower().startswith("file:"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not any(path == root or root in path.parents for root in allowed):
                    raise ValueError(f"not a file of this report: {url}")
            elif not url.lower().startswith("data:"):
                raise ValueError(f"the PDF loads nothing from outside: {url}")
            return super().fetch(url, headers)

    return LocalFetcher()


def _relative_links(base_url: str):
    """A WeasyPrint finisher turning links into the report's folder (made absolute by WeasyPrint)
    back into relative ones, so they still work when the folder is moved or zipped."""
    import pydyf

    prefix = base_url.rstrip("/") + "/"

    def finish(document, pdf) -> None:
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Dictionary) and isinstance(obj.get("A"), pydyf.Dictionary):
                text = getattr(obj["A"].get("URI"), "string", None)
                if isinstance(text, str) and text.startswith(prefix):
                    obj["A"]["URI"] = pydyf.String(text[len(prefix):])

    return finish


def html_to_pdf(page: str, folder: Path | str) -> bytes:
    """The A4 PDF of the report page ``page`` (HTML text) whose relative links and files are
    those of ``folder``; raises ``PdfExportError`` when WeasyPrint, Pango or the font is missing."""
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    from siianalysis.report.pdf_text import extractable_fonts

    folder = Path(folder).resolve()
    font = _font_path()
    fetcher = local_fetcher([folder, font])
    fonts = FontConfiguration()
    css = weasyprint.CSS(string=PRINT_CSS % {"family": FONT_FAMILY, "url": font.as_uri()}, font_config=fonts,
                         url_fetcher=fetcher)
    base = folder.as_uri() + "/"
    document = weasyprint.HTML(string=page, base_url=base, url_fetcher=fetcher).render(
        stylesheets=[css], font_config=fonts)
    buf = io.BytesIO()
    with _fixed_font_dates():
        extractable_fonts(document).write_pdf(buf, finisher=_relative_links(base))
    return buf.getvalue()


@contextmanager
def _fixed_font_dates():
    """The same page gives the same PDF bytes (a bundle's zip is byte for byte the same): the
    fonts WeasyPrint makes static from the variable Noto Sans Thai are stamped by fontTools with
    ``SOURCE_DATE_EPOCH`` when it is set, else with the time of day; unset, it is set for the
    write (one write at a time per process)."""
    with _DATE_LOCK:
        own = "SOURCE_DATE_EPOCH" not in os.environ
        if own:
            os.environ["SOURCE_DATE_EPOCH"] = str(FONT_DATE_EPOCH)
        try:
            yield
        finally:
            if own:
                os.environ.pop("SOURCE_DATE_EPOCH", None)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """``data`` to ``path`` via a temporary file and ``os.replace`` (no half-written PDF)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def export(notebook: Any, out: Path, options: Any, title: str | None) -> None:
    """The ``.pdf`` exporter: the report's HTML page for ``options``, printed by ``html_to_pdf``."""
    out = Path(out)
    page = notebook_html(notebook, out.stem, with_code=options.with_code, lang=options.lang, title=title,
                         compact_images=options.compact_images)
    write_bytes_atomic(out, html_to_pdf(page, out.parent))


def prepare(options: Any) -> None:
    """Load WeasyPrint ahead of the first report (it takes a second); ``PdfExportError`` when
    it, Pango or the font is missing."""
    _weasyprint()
    _font_path()


register(Exporter(".pdf", export, prepare))
