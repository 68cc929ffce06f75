"""Office XML parts, parsed safely, and OpenDocument's qualified names.

Every XML part a reader opens (xlsx styles and sheets, OpenDocument content and
styles) comes from a file a stranger sent: entities are never expanded, no DTD
is loaded and nothing is fetched from the network (no XXE, no billion laughs),
and lxml's own limits on huge documents stay on.
"""

from __future__ import annotations

from lxml import etree

# OpenDocument (.ods, .odt) namespaces, by the prefixes the standard uses.
ODF_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "form": "urn:oasis:names:tc:opendocument:xmlns:form:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "field": "urn:openoffice:names:experimental:ooo-ms-interop:xmlns:field:1.0",
    "loext": "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0",
    "xml": "http://www.w3.org/XML/1998/namespace",
}


def odf(name: str) -> str:
    """``"table:table"`` → ``"{urn:…:table:1.0}table"`` (lxml's form of a qualified name)."""
    prefix, local = name.split(":")
    return f"{{{ODF_NS[prefix]}}}{local}"


def parse_xml(data: bytes):
    """The root element of an XML part; lxml's errors pass through."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(data, parser)
