"""The one parser: interprets the grids every reader produces."""

from siianalysis.parse.worksheet import ParsedDocument, ParsedRow, ParsedWorksheet, parse_document, parse_worksheets

__all__ = ["ParsedDocument", "ParsedRow", "ParsedWorksheet", "parse_document", "parse_worksheets"]
