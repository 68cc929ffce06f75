"""The words of the research exports (``data/fields.yaml``), Thai and English.

What each processed column means (``column_text``), each table's title and description,
the package's own words, and the analysis file's labels (``analysis_text``). Codes take
their labels from the codebook, never from here.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from siianalysis.words import check_lang, dotted


def fields_path() -> Path:
    return Path(str(files("siianalysis").joinpath("data/fields.yaml")))


@cache
def fields_text() -> dict[str, Any]:
    """``data/fields.yaml``, read once."""
    with open(fields_path(), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _pair(node: Any, key: str) -> dict[str, str]:
    if not isinstance(node, dict) or not {"th", "en"} <= set(node):
        raise KeyError(f"{key!r} in {fields_path().name} needs a th and an en text")
    return {"th": str(node["th"]).strip(), "en": str(node["en"]).strip()}


def column_text(table: str, column: str) -> dict[str, str] | None:
    """{th, en}: what ``column`` of processed ``table`` means (the table's own words first,
    then the column's); None for a column the file does not describe."""
    columns = fields_text()["columns"]
    for key in (f"{table}.{column}", column):
        if key in columns:
            return _pair(columns[key], key)
    return None


def table_text(table: str, part: str) -> dict[str, str]:
    """{th, en} of a table's ``title`` or ``description``."""
    return _pair(fields_text()["tables"][table][part], f"tables.{table}.{part}")


def package_text(part: str) -> dict[str, str]:
    return _pair(fields_text()["package"][part], f"package.{part}")


def analysis_node(key: str) -> Any:
    """The raw node at dotted ``key`` of the ``analysis`` block (KeyError if none)."""
    return dotted(fields_text()["analysis"], key, f"no analysis.{key} in {fields_path().name}")


def analysis_text(key: str, lang: str = "th", **values: Any) -> str:
    """The ``analysis.<key>`` text in ``lang``, ``{name}`` filled from ``values``."""
    check_lang(lang)
    return _pair(analysis_node(key), f"analysis.{key}")[lang].format(**values)


def bilingual(pair: dict[str, str], sep: str = " / ") -> str:
    """Thai then English, as the Data Package carries every label."""
    return pair["th"] if pair["th"] == pair["en"] else f"{pair['th']}{sep}{pair['en']}"
