"""The one parser: interprets the grids every reader produces, and the records of structured sources."""

from siianalysis.parse.parsed import ParsedDocument, ParsedRow, ParsedWorksheet
from siianalysis.parse.worksheet import parse_document, parse_worksheets

__all__ = ["ParsedDocument", "ParsedRow", "ParsedWorksheet", "parse_document", "parse_worksheets"]
