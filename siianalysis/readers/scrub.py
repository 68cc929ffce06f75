"""Control characters out of everything a reader produced, in the one place all of it passes.

``read_file`` hands every document through ``scrub_document`` before anything
reads it: the parser, the review reader, the problems that quote a cell. So a NUL
or an escape a file carried (typed, pasted, or put there on purpose) reaches no
processed table, page or workbook. The walk knows no reader's types: it follows
dataclass fields, lists, tuples and dicts, and cleans every string it meets with
``text.drop_control_characters`` (which returns clean text unchanged, so a clean
document costs one search per cell).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from siianalysis.text import drop_control_characters


def scrub_document(doc: Any) -> Any:
    """``doc`` with every string in it free of control characters (changed in place where it
    can be; frozen dataclasses are replaced). Returns the document."""
    return _scrubbed(doc)


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return drop_control_characters(value)
    if isinstance(value, list):
        if value and all(isinstance(item, str) for item in value):
            joined = "".join(value)  # a row of cells: one search for the clean common case
            if drop_control_characters(joined) is joined:
                return value
        for i, item in enumerate(value):
            new = _scrubbed(item)
            if new is not item:
                value[i] = new
        return value
    if isinstance(value, tuple):
        items = tuple(_scrubbed(v) for v in value)
        if all(a is b for a, b in zip(items, value)):
            return value
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        if not any(_needs(k) for k in value) and all(_scrubbed(v) is v for v in value.values()):
            return value
        return {_scrubbed(k): _scrubbed(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _scrubbed_dataclass(value)
    return value  # numbers, None, a lazy style source: no text of the file's


def _needs(key: Any) -> bool:
    return isinstance(key, str) and drop_control_characters(key) is not key


def _scrubbed_dataclass(obj: Any) -> Any:
    changes = {}
    for f in dataclasses.fields(obj):
        old = getattr(obj, f.name)
        new = _scrubbed(old)
        if new is not old and f.init:
            changes[f.name] = new
    if not changes:
        return obj
    if type(obj).__dataclass_params__.frozen:
        return dataclasses.replace(obj, **changes)
    for name, new in changes.items():
        setattr(obj, name, new)
    return obj
