"""A word processor's body (Word, Writer) as grids, in the order it is read.

Each run of non-empty paragraphs between tables becomes a one-column
``docx-text`` grid ("text N"), each table a ``docx-table`` grid ("table N", N
its position in the body counting from 1, so an empty, skipped table still
uses its number). Headers are read only when the body has no text at all
(teams put the tambon name there): grid part "header". One home for this
convention, so .docx and .odt give the parser the same shapes.
"""

from __future__ import annotations

from collections.abc import Callable

from siianalysis.readers.grid import Grid


class TextFlow:
    """Collects a body's paragraphs and tables as they come; ``grids()`` gives the result."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._grids: list[Grid] = []
        self._text: list[str] = []
        self._n_text = self._n_table = 0

    def paragraph(self, line: str) -> None:
        if line.strip():
            self._text.append(line)

    def table(self, cells: list[list[str]], merged: list[tuple[int, int, int, int]] | None = None) -> None:
        """A table's cells; ``merged`` its merged ranges (``Grid.merged``), when the reader knows them."""
        self._flush()
        self._n_table += 1
        if any(c.strip() for row in cells for c in row):
            self._grids.append(Grid(self.source, f"table {self._n_table}", "docx-table", cells,
                                    merged=[m for m in merged or () if m[:2] != m[2:]]))

    def grids(self, header_lines: Callable[[], list[str]]) -> list[Grid]:
        """The grids; ``header_lines`` is asked only when the body had no paragraph with text."""
        self._flush()
        if self._n_text == 0 and (header := header_lines()):
            self._grids.insert(0, Grid(self.source, "header", "docx-text", [[t] for t in header]))
        return self._grids

    def _flush(self) -> None:
        if self._text:
            self._n_text += 1
            self._grids.append(Grid(self.source, f"text {self._n_text}", "docx-text", [[t] for t in self._text]))
            self._text = []
