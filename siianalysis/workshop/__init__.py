"""The workshop loop: the files that go out to people and come back, step by step.

The handout's process has four steps; after the reports, the loop runs through
these modules (each a command, ``siianalysis <command>``):

1. ``template``  the blank worksheet teams fill in (``write_template``; ``template``)
2. the teams' worksheets are read by ``siianalysis.normalise`` and shown in the reports
3. ``review``    the experts' review: a protected workbook out (``review.sheet``,
   ``write_review_sheet``; ``review-sheet``) and the filled workbooks back in
   (``review.read``, ``read_review``: ``normalise`` reads them into ``feedback``)
4. ``compile``   per tambon, its Table 4, its plans and the experts' suggestions side
   by side, as a workbook and HTML pages (``compile_workbook``, ``compile_html``; ``compile``)

and the site goes out:

- ``bundle``   the report site in one zip, personal data masked (``bundle_site``; ``bundle``)
- ``privacy``  masking phone numbers, e-mail addresses and citizen IDs (``mask_html``)
- ``xlsx``     the rules every workbook here follows: safe cells, the house font,
  byte-identical files

The workshop builds on ``siianalysis.analysis`` (numbers), ``siianalysis.words``
(every word, ``data/report_text.yaml``) and, for the compiled pages, the report
sections' HTML helpers. Importing this package imports none of its modules: the
names below are resolved on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# public name -> module of this package that defines it
_EXPORTS: dict[str, str] = {
    "write_template": "template",
    "build_template": "template",
    "write_review_sheet": "review.sheet",
    "read_review": "review.read",
    "compile_workbook": "compile",
    "compile_html": "compile",
    "bundle_site": "bundle",
    "mask_html": "privacy",
    "mask_personal_data": "privacy",
    "save_workbook": "xlsx",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # next access skips __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # for type checkers and IDEs only; never executed
    from .bundle import bundle_site
    from .compile import compile_html, compile_workbook
    from .privacy import mask_html, mask_personal_data
    from .review.read import read_review
    from .review.sheet import write_review_sheet
    from .template import build_template, write_template
    from .xlsx import save_workbook
