"""Small HTML helpers shared by the report sections: escaping, tables, figures, links.

Every piece of worksheet text is untrusted (teams type what they like, and a
file name or a tambon name is worksheet text too). The rule here is simple:
a plain ``str`` is always escaped when it goes into HTML; only ``Markup``
(HTML this module built itself from escaped parts) goes in as is. Newlines in
team text become ``<br>`` *after* escaping.

The report's own words come from ``siianalysis.words`` (``t(key, lang)``),
Thai first, English with ``lang="en"``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import math
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from siianalysis.ids import is_tambon_id
from siianalysis.words import t

FIGURE_DPI = 100  # CSS pixels per inch of a figure: a 9-inch figure is 900 px wide on the page
# PNG pixels per CSS pixel: sharp on phones' and laptops' 2x screens and in print (~190 dpi on A4).
# The palette compaction (report.images) keeps the page weight goal at this density.
FIGURE_DENSITY = 2
EXCERPT_CHARS = 280

# One small style sheet for every report, emitted once per notebook by ``style()``.
# Selectors are scoped under .sii and made specific enough to win over
# JupyterLab's own table rules in the exported HTML.
CSS = """
.sii{font-family:"Sarabun","Noto Sans Thai","Tahoma",sans-serif;line-height:1.6;max-width:1100px;
color:#1f2933;font-size:15px}
.sii h1{font-size:1.7em;margin:.2em 0 .1em;color:#12395b;line-height:1.3}
.sii h2{font-size:1.35em;margin:1.2em 0 .4em;padding-bottom:.15em;border-bottom:2px solid #2a7ab0;color:#12395b}
.sii h3{font-size:1.1em;margin:1em 0 .3em;color:#1f4e79}
.sii h4{font-size:1em;margin:.8em 0 .2em;color:#333}
.sii p{margin:.35em 0}
.sii .sii-sub{color:#52606d;font-size:1.05em;margin:0 0 .6em}
.sii .sii-explain{background:#f5f8fb;border-left:4px solid #2a7ab0;padding:.4em .9em;margin:.5em 0 .9em;
color:#323f4b}
.sii .sii-explain ul{margin:.2em 0 .2em 1.2em;padding:0}
.sii .sii-muted{color:#7b8794}
.sii .sii-note{color:#52606d;font-size:.92em}
.sii table.sii-t{border-collapse:collapse;margin:.4em 0 1em;font-size:.93em;width:auto;max-width:100%;
table-layout:auto;color:inherit}
.sii table.sii-t th,.sii table.sii-t td{border:1px solid #d9e2ec;padding:4px 8px;vertical-align:top;
text-align:left;white-space:normal;line-height:1.5}
.sii table.sii-t thead th{background:#e8f0f7;color:#12395b;font-weight:600}
.sii table.sii-t tbody tr:nth-child(odd){background:#fff}
.sii table.sii-t tbody tr:nth-child(even){background:#f7f9fb}
.sii table.sii-t td.num,.sii table.sii-t th.num{text-align:right;font-variant-numeric:tabular-nums}
.sii table.sii-t td.num{white-space:nowrap}
.sii table.sii-t tr.sii-total td{font-weight:600;border-top:2px solid #9fb3c8}
.sii img.sii-fig{display:block;max-width:100%;height:auto;margin:.4em 0 1em}
.sii ul.sii-list{margin:.2em 0 .6em 1.2em;padding:0}
.sii .sii-tag{display:inline-block;padding:0 .45em;border-radius:3px;font-size:.85em;background:#e8f0f7}
.sii .sii-tag.error{background:#fde2e1;color:#8a1c1c}
.sii .sii-tag.warning{background:#fff3c4;color:#6b4e00}
.sii .sii-tag.info{background:#e8eef7;color:#274472}
.sii .sii-gap{margin:.6em 0 1em;padding-left:.6em;border-left:3px solid #e07b39}
.sii a{color:#1f6fb2}
.sii table.sii-side{width:100%;table-layout:fixed}
.sii table.sii-side td{width:50%}
.sii .sii-item{margin:0 0 .7em}
.sii .sii-item:last-child{margin-bottom:0}
.sii .sii-meta{color:#52606d;font-size:.9em}
.sii .sii-tag.prio-high{background:#fde2e1;color:#8a1c1c}
.sii .sii-tag.prio-medium{background:#fff3c4;color:#6b4e00}
.sii .sii-tag.prio-low{background:#e3f4e8;color:#1d5e33}
.sii .sii-tag.prio-unset{background:#eef1f4;color:#52606d}
.sii details{margin:.3em 0 .8em}
.sii details>summary{cursor:pointer;color:#1f4e79}
.sii table.sii-t a,.sii .sii-name{white-space:nowrap}
.sii .sii-figbox{margin:.4em 0 1em}
.sii .sii-figbox>a:first-child{display:block;position:relative}
.sii .sii-figbox img.sii-fig{margin:0}
.sii .sii-figclose{display:none}
.sii .sii-figbox:target{position:fixed;inset:0;z-index:1000;margin:0;padding:2.6em .5em .5em;background:#fff;
overflow:auto;-webkit-overflow-scrolling:touch}
.sii .sii-figbox:target img.sii-fig{max-width:none}
.sii .sii-figbox:target .sii-figclose{display:block;position:fixed;top:.3em;right:.6em;font-size:1.6em;
line-height:1;padding:.1em .4em;text-decoration:none;background:#e8f0f7;border-radius:4px}
.sii .sii-gridbox{overflow-x:auto;margin:.4em 0 1em}
.sii table.sii-grid{border-collapse:separate;border-spacing:2px;font-size:.9em;color:inherit}
.sii table.sii-grid thead th{font-weight:600;color:#12395b;vertical-align:bottom;text-align:center;padding:2px 4px;
min-width:5.5em;max-width:8em;line-height:1.3}
.sii table.sii-grid thead th:first-child{text-align:left;min-width:0}
.sii table.sii-grid tbody th{font-weight:normal;text-align:left;vertical-align:middle;padding:2px 8px 2px 0;
min-width:12em;max-width:24em;line-height:1.35;position:sticky;left:0;background:#fff;z-index:1}
.sii table.sii-grid td{background:#eeeeee;text-align:center;vertical-align:middle;height:2em;padding:0}
.sii table.sii-grid td.on{background:#2a7ab0;color:#fff;font-weight:700;font-size:1.15em;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
.sii table.sii-grid caption{caption-side:top;text-align:left;color:#52606d;font-size:.92em;padding:0 0 .2em}
@media (max-width:700px){.sii table.sii-t{display:block;overflow-x:auto}
.sii table.sii-grid tbody th{min-width:8em;max-width:10em}.sii table.sii-grid thead th{min-width:4.5em}
.sii table.sii-t th,.sii table.sii-t td{padding:3px 5px;min-width:5.5em}
.sii table.sii-t td:first-child,.sii table.sii-t th:first-child{min-width:7.5em}
.sii .sii-figbox>a:first-child::after{content:"+";position:absolute;right:4px;top:4px;width:1.5em;height:1.5em;
line-height:1.45em;text-align:center;border-radius:50%;background:#1f6fb2;color:#fff;font-weight:700}
.sii .sii-figbox:target>a:first-child::after{display:none}}
@media print{.sii{max-width:none;font-size:10.5pt}
.sii .sii-gridbox{overflow:visible}
.sii h1,.sii h2,.sii h3,.sii h4{break-after:avoid;page-break-after:avoid;break-inside:avoid}
.sii table.sii-t{display:table;overflow:visible}.sii table.sii-t thead{display:table-header-group}
.sii table.sii-t tr,.sii table.sii-grid tr,.sii img.sii-fig,.sii .sii-figbox,.sii .sii-explain,.sii .sii-item{break-inside:avoid}
.sii .sii-figbox:target{position:static;padding:0;overflow:visible}.sii .sii-figclose{display:none!important}
}
""".strip()


# --- escaping ----------------------------------------------------------------------------


class Markup(str):
    """HTML built here from escaped parts: inserted as is, never escaped again."""

    __slots__ = ()

    def __add__(self, other: str) -> Markup:  # Markup + Markup stays Markup
        return Markup(str.__add__(self, other if isinstance(other, Markup) else esc(other)))


def esc(value: Any) -> Markup:
    """``value`` as HTML text: escaped (quotes too), newlines as ``<br>``.

    ``Markup`` passes through; None and NaN give "".
    """
    if isinstance(value, Markup):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Markup("")
    text = html.escape(str(value), quote=True)
    return Markup(text.replace("\r\n", "\n").replace("\n", "<br>\n"))


def join(parts: Iterable[Any], sep: str = "") -> Markup:
    """Parts (escaped unless Markup) joined by ``sep`` (HTML)."""
    return Markup(sep.join(esc(p) for p in parts))


def tag(name: str, content: Any = "", cls: str | None = None, **attrs: Any) -> Markup:
    """``<name class=… attr=…>content</name>``; content and attribute values escaped."""
    if cls:
        attrs = {"class": cls, **attrs}
    attr = "".join(f' {k.rstrip("_").replace("_", "-")}="{html.escape(str(v), quote=True)}"'
                   for k, v in attrs.items() if v is not None)
    return Markup(f"<{name}{attr}>{esc(content)}</{name}>")


def prose(text: str) -> Markup:
    """Plain text to paragraphs: a blank line starts a paragraph, "- " lines are bullets."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        items: list[str] = []
        lines: list[str] = []

        def flush_lines() -> None:
            if lines:
                out.append(f"<p>{esc(' '.join(lines))}</p>")
                lines.clear()

        def flush_items() -> None:
            if items:
                out.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")
                items.clear()

        for line in block.splitlines():
            line = line.strip()
            if line.startswith("- "):
                flush_lines()
                items.append(line[2:])
            elif line:
                flush_items()
                lines.append(line)
        flush_lines()
        flush_items()
    return Markup("".join(out))


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` cut at about ``limit`` characters (at a space or line end if one is near), with "…"."""
    text = str(text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + " …"


# --- numbers ----------------------------------------------------------------------------


def _missing(x: Any) -> bool:
    try:
        return x is None or bool(math.isnan(float(x)))
    except (TypeError, ValueError):
        return True


def pct(x: Any, digits: int = 1) -> str:
    """A share (0–1) as a percentage: 0.5238 → "52.4%"; missing → "-"."""
    return "-" if _missing(x) else f"{float(x) * 100:.{digits}f}%"


def num(x: Any, digits: int = 0) -> str:
    """A number with ``digits`` decimals (percentiles: 62.5 → "62" with 0); missing → "-"."""
    return "-" if _missing(x) else f"{float(x):.{digits}f}"


def ratio(a: Any, b: Any) -> str:
    """ "3 / 5" """
    return f"{int(a)} / {int(b)}"


# --- building blocks --------------------------------------------------------------------


def heading(text: Any, level: int = 2, anchor: str | None = None) -> Markup:
    return tag(f"h{level}", text, id=anchor)


def explain(text: str) -> Markup:
    """The plain-language explanation box of a section."""
    return tag("div", prose(text), cls="sii-explain")


def note(text: Any, cls: str = "sii-note") -> Markup:
    return tag("p", text, cls=cls)


def bullet_list(items: Iterable[Any]) -> Markup:
    return tag("ul", Markup("".join(tag("li", i) for i in items)), cls="sii-list")


def table(columns: Sequence[Any], rows: Iterable[Sequence[Any]], *, num_cols: Iterable[int] = (),
          total_rows: Iterable[int] = (), cls: str = "sii-t") -> Markup:
    """An HTML table; every cell escaped unless it is ``Markup``.

    ``num_cols``: indices of right-aligned (numeric) columns; ``total_rows``:
    indices of rows shown as totals.
    """
    nums, totals = set(num_cols), set(total_rows)
    head = "".join(f'<th{" class=num" if i in nums else ""}>{esc(c)}</th>' for i, c in enumerate(columns))
    body = []
    for r, row in enumerate(rows):
        cells = "".join(f'<td{" class=num" if i in nums else ""}>{esc(v)}</td>' for i, v in enumerate(row))
        body.append(f'<tr{" class=sii-total" if r in totals else ""}>{cells}</tr>')
    return Markup(f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def tick_grid(corner: Any, columns: Sequence[tuple[Any, Any]], rows: Iterable[tuple[Any, Sequence[bool]]],
              mark: str = "\u2713", caption: Any = None) -> Markup:
    """Rows × columns of yes/no as a table of coloured cells, "✓" in the filled ones.

    ``columns``: (short heading, full name shown on hover) per column; ``rows``: (row
    heading, one bool per column). Text, not a picture: it scales, wraps and scrolls on a
    phone, prints sharp, and is searched and copied like the rest of the page; masking
    the page masks it. Every heading is escaped unless it is ``Markup``.
    """
    head = "".join(f'<th scope="col" title="{html.escape(str(full), quote=True)}">{esc(short)}</th>'
                   for short, full in columns)
    body = "".join(
        f'<tr><th scope="row">{esc(label)}</th>'
        + "".join(f'<td class="on">{mark}</td>' if on else "<td></td>" for on in cells) + "</tr>"
        for label, cells in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption is not None else ""
    return Markup(f'<div class="sii-gridbox"><table class="sii-grid">{cap}<thead><tr><th scope="col">{esc(corner)}'
                  f"</th>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def frame_table(df, *, num_cols: Iterable[str] = (), total_rows: Iterable[int] = ()) -> Markup:
    """A DataFrame as ``table`` (columns by name in ``num_cols`` right-aligned); index left out."""
    names = list(df.columns)
    idx = [names.index(c) for c in num_cols if c in names]
    return table(names, df.itertuples(index=False, name=None), num_cols=idx, total_rows=total_rows)


def figure(fig, alt: str = "", dpi: int = FIGURE_DPI, mask: bool = True, density: int = FIGURE_DENSITY) -> Markup:
    """A matplotlib Figure as an inline base64 PNG ``<img>``; the figure is closed afterwards.

    The image is ``dpi`` CSS pixels per inch wide on the page and holds ``density`` PNG
    pixels per CSS pixel (2: sharp on 2x screens and in print). It is wrapped in a link
    to itself: on a phone a tap opens the figure full size in a scrollable layer (CSS
    ``:target``, no script; the same image, so no second copy in the page), "✕" closes it.
    The ids come from the image's bytes: the same figure gives the same HTML.

    With ``mask`` (the default) personal data in the texts it draws is masked first
    (``analysis.plots.mask_figure``): a picture cannot be masked once it is in a page, so
    every report draws masked labels; its text, and the bundle, are masked apart.
    """
    buf = io.BytesIO()
    try:
        if mask:
            # here, not at the top: importing the sections must not import matplotlib
            from siianalysis.analysis.plots import mask_figure

            mask_figure(fig)
        fig.savefig(buf, format="png", dpi=dpi * density, facecolor="white")
        width = int(round(fig.get_figwidth() * dpi))
    finally:
        close_figure(fig)
    png = buf.getvalue()
    data = base64.b64encode(png).decode("ascii")
    fid = "fig-" + hashlib.sha1(png).hexdigest()[:10]
    img = (f'<img class="sii-fig" src="data:image/png;base64,{data}" width="{width}" '
           f'alt="{html.escape(str(alt), quote=True)}">')
    # "✕" goes to the image's own link: the box is no longer the target, the page stays at the figure
    return Markup(f'<div class="sii-figbox" id="{fid}"><a id="{fid}-x" href="#{fid}">{img}</a>'
                  f'<a class="sii-figclose" href="#{fid}-x">\u2715</a></div>')


def close_figure(fig) -> None:
    """Release a figure: unregister it from pyplot (if pyplot is in use) and clear it."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)
    fig.clear()


def link(href: str, text: Any) -> Markup:
    return tag("a", text, href=href)


def severity_tag(severity: str, lang: str) -> Markup:
    key = severity if severity in ("error", "warning", "info") else "warning"
    return tag("span", t(f"severity.{key}", lang), cls=f"sii-tag {key}")


# --- what a section returns -----------------------------------------------------------


class HTMLBlock:
    """HTML that Jupyter displays as HTML (``_repr_html_``); ``str()`` gives the HTML."""

    def __init__(self, html_text: str, label: str = "") -> None:
        self.html = Markup(html_text)
        self.label = label

    def _repr_html_(self) -> str:
        return str(self.html)

    def __str__(self) -> str:
        return str(self.html)

    def __repr__(self) -> str:
        # the text/plain twin of the output: short, so notebooks stay readable as JSON
        return f"<{type(self).__name__} {self.label}>".replace(" >", ">")


class Section(HTMLBlock):
    """One report section: heading, explanation, tables and figures, as HTML.

    ``data`` holds the frames the section showed (for researchers and tests);
    ``title`` its heading text.
    """

    def __init__(self, key: str, title: str, parts: Iterable[Any], data: dict[str, Any] | None = None,
                 level: int = 2, intro: Markup | None = None) -> None:
        anchor = "sii-" + key.replace(".", "-").replace("_", "-")
        body = [heading(title, level, anchor=anchor), *(p for p in parts if p is not None and p != "")]
        html_text = f'<section class="sii sii-section" data-section="{html.escape(key, quote=True)}">' \
                    + "\n".join(esc(p) for p in body) + "</section>"
        super().__init__(html_text, label=key)
        self.key = key
        self.title = title
        self.data = data or {}


def style() -> HTMLBlock:
    """The report style sheet, once per notebook (call it in the first cell)."""
    return HTMLBlock(f"<style>{CSS}</style>", label="style")


# --- links -----------------------------------------------------------------------------------


def tambon_href(tambon_id: str, base: str = "") -> str | None:
    """``base + tambon_id + ".html"`` for a valid id, else None (never a link from a malformed id).

    ``base`` must be a relative path (no scheme such as ``javascript:``)."""
    if not is_tambon_id(str(tambon_id)):
        return None
    if re.match(r"^\s*[a-zA-Z][a-zA-Z0-9+.\-]*:", base) or base.startswith("//"):
        raise ValueError(f"link base must be a relative path, not {base!r}")
    return f"{base}{tambon_id}.html"
