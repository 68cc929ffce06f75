"""How reports are rendered: one frozen options object, carried by every render task.

``render_report`` (one notebook), ``RenderTask`` (one report of a batch) and the
batch's ``plan_reports``/``build_reports`` all take a ``RenderOptions``; each of them
also accepts its fields as keywords (``render_report(..., with_code=True)``), which
``RenderOptions.of`` turns into one. Plain data: it pickles to pool and Dask workers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from siianalysis.report.kernel import DEFAULT_MAX_REPORTS, DEFAULT_WARM_MODULES, KernelOptions

DEFAULT_TIMEOUT = 600  # seconds per cell
DEFAULT_START_TIMEOUT = 60  # seconds for the kernel to start
DEFAULT_FORMAT = ".html"


@dataclass(frozen=True)
class RenderOptions:
    """How each report is run and exported.

    What the reader gets:

    - ``with_code``: keep the code in the document (researchers) instead of hiding it (experts).
    - ``lang``: ``"th"`` or ``"en"``: the document's language (and the batch's parameter and index).
    - ``format``: the document's suffix, an exporter registered in ``report.exporters``
      (``".html"``). A batch names its documents with it (``tambon/<id>.html``);
      ``render_report`` exports to the suffix of the path it is given.
    - ``extra_formats``: more documents of the same run, each beside the main one with its own
      suffix (``(".pdf",)``: ``tambon/<id>.pdf`` beside ``tambon/<id>.html``); written only when
      the notebook ran through (a failed run leaves none, and removes an older one).
    - ``compact_images``: recompress inline PNGs to palette PNGs where smaller (``images``).

    How the notebook runs:

    - ``kernel_name``: the Jupyter kernel (``python3`` = this environment's ipykernel).
    - ``timeout``: seconds a single cell may run (``None``: no limit).
    - ``start_timeout``: seconds a kernel may take to start.
    - ``retries``: extra attempts for a kernel that died or did not start.
    - ``fresh_kernel``: a new kernel for every report instead of a warm, reset one (slower;
      for notebooks that change library state a reset cannot undo).
    - ``reuse_kernel_reports``: reports a warm kernel runs before it is restarted (bounds
      its memory; ``None``: only after failures).
    - ``warm_modules``: modules a warm kernel imports at start; ``None``: the caller's
      default (a batch's: what its notebooks import; else ``kernel.DEFAULT_WARM_MODULES``).
    - ``warm_calls``: ``"module:function"`` names a warm kernel calls after those imports;
      ``None``: the caller's default (else none).
    """

    with_code: bool = False
    lang: str = "th"
    format: str = DEFAULT_FORMAT
    extra_formats: tuple[str, ...] = ()
    compact_images: bool = True
    kernel_name: str = "python3"
    timeout: int | None = DEFAULT_TIMEOUT
    start_timeout: int = DEFAULT_START_TIMEOUT
    retries: int = 1
    fresh_kernel: bool = False
    reuse_kernel_reports: int | None = DEFAULT_MAX_REPORTS
    warm_modules: tuple[str, ...] | None = None
    warm_calls: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        # lists given by a caller become tuples: options are compared and hashed (kernel pools)
        for name in ("warm_modules", "warm_calls"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        # ".pdf", "PDF" and "pdf" are one format; the main one is not made twice
        suffixes = ("." + s.lstrip(".").lower() for s in self.extra_formats)
        extra = tuple(dict.fromkeys(s for s in suffixes if s != self.format.lower()))
        object.__setattr__(self, "extra_formats", extra)

    @classmethod
    def of(cls, options: RenderOptions | None = None, **changes: Any) -> RenderOptions:
        """``options`` (default: the defaults) with ``changes``; an unknown name raises ``TypeError``."""
        return replace(options or cls(), **changes)

    def with_defaults(self, *, warm_modules: tuple[str, ...], warm_calls: tuple[str, ...]) -> RenderOptions:
        """These options with a caller's warm-up wherever they leave it to the caller (``None``)."""
        return replace(self, warm_modules=warm_modules if self.warm_modules is None else self.warm_modules,
                       warm_calls=warm_calls if self.warm_calls is None else self.warm_calls)

    def kernel_options(self) -> KernelOptions:
        """How a worker's warm kernels are made for these options (a kernel pool's key)."""
        return KernelOptions(
            kernel_name=self.kernel_name,
            warm_modules=DEFAULT_WARM_MODULES if self.warm_modules is None else self.warm_modules,
            warm_calls=() if self.warm_calls is None else self.warm_calls,
            max_reports=self.reuse_kernel_reports, start_timeout=self.start_timeout,
        )

    def output_fields(self) -> dict[str, Any]:
        """What changes a report's document. How its kernel was made does not (a reset kernel
        gives the same outputs as a fresh one), so switching fresh/warm kernels re-renders nothing.
        Nor do ``extra_formats``: a batch renders a report again when one of its documents is
        missing, so asking for PDFs once re-renders what lacks one, and a run without them
        re-renders nothing."""
        return {"with_code": self.with_code, "lang": self.lang, "kernel_name": self.kernel_name,
                "compact_images": self.compact_images, "format": self.format}
