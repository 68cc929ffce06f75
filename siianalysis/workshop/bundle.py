"""One zip of the report site, for e-mail or a USB stick, with personal data masked.

``bundle_site(reports_dir, out_zip)`` packs the site rendered by ``siianalysis
report``: ``index.html``, ``network.html``, ``tambon/<tambon_id>.html`` and any
other page, style sheet or image under the site root (``.html .htm .css .png
.jpg .jpeg .gif .svg .webp .ico``, e.g. a ``compiled/`` folder), with paths
relative to the root, so the pages' relative links keep working once unzipped.

Every entry sits under one top folder, ``reports/`` (``TOP_FOLDER``): the zip unpacks
into a folder of its own, never spilling pages into the folder it is unpacked in, and
that folder has the name the review workbook's links expect
(``workshop.review.sheet``: ``reports/tambon/<id>.html``, relative to the workbook), so
the workbook's links open the reports when the zip is unpacked beside it, as they do
beside the project's own ``reports/``.

Left out: the executed notebooks (``.ipynb``: they hold the worksheet data
unmasked, and code), every dotfile and dot-folder (``.manifest.json``,
``.ipynb_checkpoints``), symbolic links, and files of any other type (listed
in the result). ``include_notebooks=True`` adds the notebooks, and is only
allowed with ``mask=False``: masking a notebook's outputs, metadata and
parameters completely cannot be promised, so a masked bundle never has one.

With ``mask=True`` (the default) every page (``.html .htm .svg``) goes through
``privacy.mask_html``: people's names (after a title or role word), phone
numbers, e-mail addresses and citizen IDs in the text are masked, also where a
line break splits a number, and everything else, inline images and styles
included, is kept byte for byte. The figures need no work here: a picture cannot
be masked once it is in a page, so every report draws its figures with masked
labels (``sections.html.figure`` → ``analysis.plots.mask_figure``), whatever the
bundle is asked; a site rendered before that rule came in is re-rendered by the
next ``siianalysis report`` (the reports' code changed). The reports and
processed data on disk are only read.

PDFs (``pdf=``, ``siianalysis bundle --pdf``): each report (``network.html``,
``tambon/<id>.html``) goes in also as an A4 PDF beside its page, printed from the page as
bundled, so masked like it (the command passes the report engine's
``report.exporters.pdf.html_to_pdf``). PDFs already in the site (``report --pdf``) are
never copied: they were printed from the unmasked pages.

The zip is deterministic: entries sorted by path, every entry dated
2020-10-27 00:00 (the workshop's day) with mode 0644, deflated; the same site
gives the same bytes. It is written to a temporary file beside ``out_zip`` and
moved into place. Links in the bundled pages (``href``/``src``) that point to a
file not in the bundle, or outside the site, are reported as warnings.
"""

from __future__ import annotations

import os
import posixpath
import re
import sys
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from siianalysis._zipfreeze import FIXED_DATETIME
from siianalysis.workshop.privacy import KINDS, mask_html

__all__ = ["BundleResult", "bundle_site", "bundle_main", "SITE_SUFFIXES", "PAGE_SUFFIXES", "TOP_FOLDER"]

SITE_SUFFIXES = frozenset({".html", ".htm", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico"})
PAGE_SUFFIXES = frozenset({".html", ".htm", ".svg"})  # masked, and their links checked
NOTEBOOK_SUFFIX = ".ipynb"
ZIP_DATE_TIME = FIXED_DATETIME.timetuple()[:6]
FILE_MODE = 0o100644
MAX_WARNINGS_SHOWN = 20
REPORT_PAGE = re.compile(r"network\.html|tambon/[^/]+\.html")  # the pages ``pdf=`` prints
TOP_FOLDER = "reports"  # the one folder the zip unpacks into; the review workbook's links start with it


@dataclass
class BundleResult:
    """What ``bundle_site`` wrote.

    Attributes:
        out_zip: the zip written.
        reports_dir: the site root it was made from.
        files: the files written (paths relative to the site root, each zipped under
            ``TOP_FOLDER/``), sorted.
        mask: whether the pages were masked.
        masked: items masked per kind over the whole bundle (``citizen_id``, ``phone``, ``email``, ``name``).
        masked_by_file: the same per entry, for entries where anything was masked.
        skipped: files under the root left out because of their type (not dotfiles, not notebooks).
        warnings: broken links (one line per page), symbolic links left out.
        broken_links: per page, the site paths its links point to that are not in the bundle
            (``../…`` for a link leaving the site).
    """

    out_zip: Path
    reports_dir: Path
    files: list[str] = field(default_factory=list)
    mask: bool = True
    masked: Counter = field(default_factory=Counter)
    masked_by_file: dict[str, Counter] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    broken_links: dict[str, list[str]] = field(default_factory=dict)

    @property
    def n_files(self) -> int:
        return len(self.files)

    @property
    def n_masked(self) -> int:
        return sum(self.masked.values())

    def summary(self) -> str:
        size = self.out_zip.stat().st_size if self.out_zip.exists() else 0
        lines = [f"bundle: {self.out_zip} ({self.n_files} files in {TOP_FOLDER}/, {size / 1024:.0f} KiB) "
                 f"from {self.reports_dir}"]
        if self.mask:
            kinds = ", ".join(f"{self.masked.get(k, 0)} {k.replace('_', ' ')}" for k in KINDS)
            lines.append(f"masked: {kinds} in {len(self.masked_by_file)} files")
        else:
            lines.append("masked: nothing (--no-mask): the pages carry the worksheets' personal data as written")
        if self.skipped:
            shown = ", ".join(self.skipped[:5]) + (" …" if len(self.skipped) > 5 else "")
            lines.append(f"left out: {len(self.skipped)} other files ({shown})")
        if self.warnings:
            lines.append(f"warnings: {len(self.warnings)}")
            lines.extend(f"  {w}" for w in self.warnings[:MAX_WARNINGS_SHOWN])
            if len(self.warnings) > MAX_WARNINGS_SHOWN:
                lines.append(f"  … and {len(self.warnings) - MAX_WARNINGS_SHOWN} more")
        return "\n".join(lines)


class _Links(HTMLParser):
    """Collects the ``href`` and ``src`` values of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)

    handle_startendtag = handle_starttag


def _local_target(page: str, link: str) -> str | None:
    """The site path a relative link points to (``..`` kept if it leaves the site), or None for others."""
    link = link.strip()
    if not link or link.startswith(("#", "//")):
        return None
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if not path:
        return None
    if path.startswith("/"):
        return ".." + path  # an absolute path: outside the site once unzipped elsewhere
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if path.endswith("/"):
        joined = posixpath.join(joined, "index.html")
    return joined


def _missing_links(page: str, text: str, present: set[str]) -> list[str]:
    """The link targets of ``page`` (site paths, ``..`` kept) that are not among ``present``, in order."""
    parser = _Links()
    parser.feed(text)
    parser.close()
    missing, seen = [], set()
    for link in parser.links:
        target = _local_target(page, link)
        if target is None or target in seen:
            continue
        seen.add(target)
        if target not in present:
            missing.append(target)
    return missing


def _link_warning(page: str, missing: list[str]) -> str:
    outside = [t for t in missing if t == ".." or t.startswith("../")]
    inside = [t for t in missing if t not in outside]
    parts = []
    if inside:
        shown = ", ".join(inside[:5]) + (f" … (+{len(inside) - 5})" if len(inside) > 5 else "")
        parts.append(f"{len(inside)} link(s) to files not in the bundle: {shown}")
    if outside:
        parts.append(f"{len(outside)} link(s) outside the site: {', '.join(outside[:3])}")
    return f"{page}: " + "; ".join(parts)


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


def _collect(root: Path, include_notebooks: bool) -> tuple[list[str], list[str], list[str]]:
    """``(entries, skipped, warnings)`` under ``root``, as sorted posix paths."""
    entries, skipped, warnings = [], [], []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for d in list(dirnames):
            if (here / d).is_symlink():
                dirnames.remove(d)
                warnings.append(f"{(here / d).relative_to(root).as_posix()}: symbolic link left out")
        for name in sorted(filenames):
            path = here / name
            rel = path.relative_to(root).as_posix()
            if _hidden(rel):
                continue
            if path.is_symlink():
                warnings.append(f"{rel}: symbolic link left out")
                continue
            suffix = path.suffix.lower()
            if suffix in SITE_SUFFIXES or (include_notebooks and suffix == NOTEBOOK_SUFFIX):
                entries.append(rel)
            elif suffix != NOTEBOOK_SUFFIX:
                skipped.append(rel)
    return sorted(entries), sorted(skipped), warnings


def _zipinfo(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, so the mode below is read
    info.external_attr = FILE_MODE << 16
    return info


def bundle_site(reports_dir: str | Path, out_zip: str | Path, *, mask: bool = True,
                include_notebooks: bool = False, pdf: Callable[[str, Path], bytes] | None = None) -> BundleResult:
    """Packs the report site under ``reports_dir`` into ``out_zip`` (see the module doc).

    Args:
        reports_dir: the site root, holding ``index.html``.
        out_zip: the zip to write (replaced if it exists; its folder is created).
        mask: mask personal data in every page (default).
        include_notebooks: add the executed ``.ipynb`` files; only with ``mask=False``.
        pdf: ``pdf(page, folder)`` → the PDF of a report page (its HTML as bundled; ``folder``:
            where its relative links start); each report then goes in also as ``.pdf``.

    Raises:
        ValueError: ``include_notebooks`` with ``mask``.
        FileNotFoundError: no ``index.html`` in ``reports_dir``.
    """
    if include_notebooks and mask:
        raise ValueError("notebooks hold the worksheet data unmasked (and code); "
                         "include_notebooks=True needs mask=False")
    root = Path(reports_dir)
    if not (root / "index.html").is_file():
        raise FileNotFoundError(f"no index.html in {root}")
    out = Path(out_zip)
    entries, skipped, warnings = _collect(root, include_notebooks)
    out_resolved = out.resolve()
    entries = [e for e in entries if (root / e).resolve() != out_resolved]
    if pdf is not None:  # the site's own PDFs are replaced by the ones printed here, not "left out"
        skipped = [s for s in skipped if not (s.endswith(".pdf") and REPORT_PAGE.fullmatch(s[:-4] + ".html"))]
    result = BundleResult(out_zip=out, reports_dir=root, mask=mask, skipped=skipped, warnings=warnings)
    present = set(entries)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for rel in entries:
                data = (root / rel).read_bytes()
                if Path(rel).suffix.lower() in PAGE_SUFFIXES:
                    text = data.decode("utf-8", "surrogateescape")
                    missing = _missing_links(rel, text, present)
                    if missing:
                        result.broken_links[rel] = missing
                        result.warnings.append(_link_warning(rel, missing))
                    if mask:
                        counts: Counter = Counter()
                        masked = mask_html(text, counts)
                        if counts:
                            result.masked.update(counts)
                            result.masked_by_file[rel] = counts
                            data = masked.encode("utf-8", "surrogateescape")
                zf.writestr(_zipinfo(f"{TOP_FOLDER}/{rel}"), data, compresslevel=9)
                result.files.append(rel)
                if pdf is not None and REPORT_PAGE.fullmatch(rel):
                    printed = pdf(data.decode("utf-8", "surrogateescape"), (root / rel).parent)
                    zf.writestr(_zipinfo(f"{TOP_FOLDER}/{rel[:-5]}.pdf"), printed, compresslevel=9)
                    result.files.append(f"{rel[:-5]}.pdf")
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return result


def bundle_main(reports_dir: str | Path, out: str | Path, mask: bool = True,
                pdf: Callable[[str, Path], bytes] | None = None) -> int:
    """The ``siianalysis bundle`` command: prints the summary; 0 done, 2 no site or bad arguments, 1 write error."""
    root = Path(reports_dir)
    if not (root / "index.html").is_file():
        print(f"siianalysis bundle: no index.html in {root}; run `siianalysis report` first", file=sys.stderr)
        return 2
    out = Path(out)
    if out.exists() and out.is_dir():
        print(f"siianalysis bundle: {out} is a folder; give the zip file to write (e.g. site.zip)", file=sys.stderr)
        return 2
    try:
        result = bundle_site(root, out, mask=mask, pdf=pdf)
    except (OSError, ValueError, RuntimeError) as exc:  # RuntimeError: a page the PDF maker could not print
        print(f"siianalysis bundle: {exc}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0
