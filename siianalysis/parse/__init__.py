"""The one parser: interprets the grids every reader produces."""

from siianalysis.parse.worksheet import ParsedRow, ParsedWorksheet, parse_document

__all__ = ["ParsedRow", "ParsedWorksheet", "parse_document"]
