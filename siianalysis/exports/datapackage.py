"""The processed tables as a Frictionless Data Package (v2): CSV files and ``datapackage.json``.

Every processed table becomes ``<table>.csv`` (UTF-8, no BOM, ``\\n`` line ends) and a
resource of ``datapackage.json`` with its Table Schema: each column's type (boolean,
date, string), a title and a description in Thai and English (``data/fields.yaml``), the
codebook's codes as ``categories`` with their labels (tables, rows, outcomes, text
fields, review pillars and priorities; also as ``enum`` constraints, which validators of
v1 check too), the tambon-id pattern, primary keys (a table whose lines have one) and
foreign keys (rows, texts, feedback → tambons; ticks → rows). An empty cell is a
missing value; a key column is ``required`` when no line of the export leaves it empty. With a ``round`` column a
tambon's key is (``tambon_id``, ``round``) everywhere (``source.key``).

Text cells: a Data Package is for analysis tools, which read the cells as written; a
spreadsheet opened on the CSV would run a cell starting with ``= + - @`` as a formula.
The free-text columns (what teams and reviewers wrote, file names, places) are guarded
*reversibly*: a cell ``export.looks_like_formula`` flags, or one starting with ``'``,
gets one ``'`` in front, so removing one leading ``'`` from a cell that starts with one
gives the text exactly as written (the package's ``siianalysis`` property and each
guarded field's description say so). Coded columns (ids, codes, dates) never start with
those characters and are written as they are.

Each resource carries its file's ``bytes`` and ``hash`` (sha256). The package is written
into a new folder beside the target and swapped in whole; a folder that holds other
files than a package is never replaced (``DataPackageError``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pandas as pd

from siianalysis import __version__
from siianalysis.analysis.dataset import Dataset
from siianalysis.codebook import TABLES
from siianalysis.export import looks_like_formula
from siianalysis.ids import ID_PATTERN
from siianalysis.schemas import BOOL_COLUMNS, COLUMNS
from siianalysis.words import t

from .fields import bilingual, column_text, fields_text, package_text, table_text
from .source import every_round, key

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
NAME = "siianalysis-processed"
DATE_COLUMNS = frozenset({"worksheet_date", "reviewed_on"})


def primary_keys() -> dict[str, list[str]]:
    """table -> the columns each of its lines is unique by: the processed contract's own
    (``schemas.schemas()``); problems and feedback have none (a file may have two problems
    alike, a reviewer two suggestions)."""
    from siianalysis.schemas import schemas

    return {name: list(schema.unique) for name, schema in schemas().items() if schema.unique}


# table -> (table referred to, its fields); each holds by construction in ``normalise``
FOREIGN_KEYS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "rows": (("tambons", ("tambon_id",)),),
    "ticks": (("rows", ("tambon_id", "row_code")),),
    # not to rows: a note written outside the tables has no row
    "texts": (("tambons", ("tambon_id",)),),
    "feedback": (("tambons", ("tambon_id",)),),
}
# columns of worksheet text, file names and places: guarded (module docstring)
FREE_TEXT = frozenset({"tambon_th", "amphoe_th", "province_th", "tambon_en", "amphoe_en", "province_en",
                       "source_file", "label", "source", "text", "location", "message", "reviewer",
                       "suggestion"})
MARKER = "datapackage.json"


class DataPackageError(ValueError):
    """A folder the package may not be written to (it holds files of something else)."""


def guard_text(value: object) -> object:
    """A text cell no spreadsheet runs, reversibly: ``'`` before a formula-like cell or a
    cell that already starts with ``'``; remove one leading ``'`` to get it back."""
    if isinstance(value, str) and (looks_like_formula(value) or value.startswith("'")):
        return "'" + value
    return value


def unguard_text(value: object) -> object:
    """``guard_text`` undone: one leading ``'`` removed."""
    return value[1:] if isinstance(value, str) and value.startswith("'") else value


# --- categories ------------------------------------------------------------------------------


def _labelled(pairs: list[tuple[str, str, str]]) -> list[dict[str, str]]:
    return [{"value": code, "label": bilingual({"th": th, "en": en})} for code, th, en in pairs]


def categories(ds: Dataset) -> dict[str, list[dict[str, str]]]:
    """column -> the codebook's codes it takes, each with its Thai / English label."""
    cb = ds.codebook
    words = fields_text()["field_codes"]
    field_codes = list(dict.fromkeys(f.code for table in cb.tables for f in table.fields))
    fields = [(c, words[c]["th"], words[c]["en"]) for c in (*field_codes, "note", "written_label")]
    fields += [(f"remark.{o.code}", words["remark"]["th"].format(outcome=o.code),
                words["remark"]["en"].format(outcome=o.code)) for o in cb.outcomes]
    tables = [(code, cb.table(code).title.th, cb.table(code).title.en) for code in TABLES]
    outside = getattr(cb, "outside_tables", None)  # notes written outside the tables, where the codebook has them
    if outside is not None:
        tables.append((outside.table, outside.label.th or outside.table, outside.label.en or outside.table))
    return {
        "table": _labelled(tables),
        "row_code": _labelled([(r.code, r.label.th, r.label.en) for tb in cb.tables for r in tb.rows]),
        "criterion_code": _labelled([(o.code, o.label.th, o.label.en) for o in cb.outcomes]),
        "field": _labelled(fields),
        "pillar": _labelled([(p.code, p.label.th, p.label.en) for p in cb.review.pillars]),
        "priority": _labelled([(p.code, p.label.th, p.label.en) for p in cb.review.priorities]),
        "severity": _labelled([(s, t(f"severity.{s}", "th"), t(f"severity.{s}", "en"))
                               for s in ("error", "warning", "info")]),
    }


# --- the descriptor ------------------------------------------------------------------------


def _field(table: str, column: str, cats: dict[str, list[dict[str, str]]], required: bool,
           guarded: bool) -> dict:
    kind = "boolean" if column in BOOL_COLUMNS else "date" if column in DATE_COLUMNS else "string"
    field: dict = {"name": column, "type": kind}
    words = column_text(table, column)
    if words is not None:
        field["title"] = column
        description = f"{words['th']}\n\n{words['en']}"
        if guarded:
            description += "\n\n" + "\n\n".join(package_text("guard").values())
        field["description"] = description
    constraints: dict = {"required": True} if required else {}
    if column == "tambon_id":
        constraints["pattern"] = f"(?:{ID_PATTERN})"  # a missing value is not checked
    if column in cats:
        field["categories"] = cats[column]
        constraints["enum"] = [c["value"] for c in cats[column]]
    if constraints:
        field["constraints"] = constraints
    return field


def _schema(table: str, frame: pd.DataFrame, frames: dict[str, pd.DataFrame],
            cats: dict[str, list[dict[str, str]]]) -> dict:
    keys = primary_keys()
    primary = key(frame, keys[table]) if table in keys else []
    filled = {c for c in primary if not (frame[c].astype(str) == "").any()}
    schema: dict = {
        "$schema": SCHEMA_PROFILE,
        "fields": [_field(table, c, cats, c in filled, c in FREE_TEXT) for c in frame.columns],
        "missingValues": [""],
    }
    if primary:
        schema["primaryKey"] = primary
    foreign = []
    for target, fields in FOREIGN_KEYS.get(table, ()):
        if target not in frames:
            continue
        both = key(frame, fields) if "round" in frames[target].columns else list(fields)
        foreign.append({"fields": both, "reference": {"resource": target, "fields": both}})
    if foreign:
        schema["foreignKeys"] = foreign
    return schema


def descriptor(frames: dict[str, pd.DataFrame], ds: Dataset, hashes: dict[str, tuple[int, str]],
               masked: bool) -> dict:
    """``datapackage.json`` for ``frames`` (table -> frame as written) and the files' (bytes, sha256)."""
    cats = categories(ds)
    title, description = package_text("title"), package_text("description")
    privacy = package_text("masked" if masked else "not_masked")
    resources = []
    for table, frame in frames.items():
        size, digest = hashes[table]
        resources.append({
            "$schema": RESOURCE_PROFILE,
            "name": table, "type": "table", "path": f"{table}.csv", "scheme": "file", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "bytes": size, "hash": f"sha256:{digest}",
            "title": bilingual(table_text(table, "title")),
            "description": f"{table_text(table, 'description')['th']}\n\n{table_text(table, 'description')['en']}",
            "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
            "schema": _schema(table, frame, frames, cats),
        })
    return {
        "$schema": PROFILE,
        "name": NAME,
        "title": bilingual(title),
        "description": "\n\n".join([description["th"], privacy["th"], description["en"], privacy["en"]]),
        "version": __version__,
        "sources": [{"title": f"siianalysis {__version__}"}],
        "siianalysis": {"codebook_version": ds.codebook.version, "masked": masked,
                        "formula_guard": package_text("guard")["en"], "guarded_fields": sorted(FREE_TEXT)},
        "resources": resources,
    }


# --- writing ---------------------------------------------------------------------------------


def _csv(frame: pd.DataFrame, path: Path) -> tuple[int, str]:
    out = frame.copy()
    for column in out.columns:
        if column in FREE_TEXT:
            out[column] = out[column].map(guard_text)
    data = out.to_csv(index=False, lineterminator="\n").encode("utf-8")
    path.write_bytes(data)
    return len(data), hashlib.sha256(data).hexdigest()


def check_target(out: Path) -> None:
    """Raises ``DataPackageError`` when folder ``out`` may not take the package."""
    if out.exists() and not out.is_dir():
        raise DataPackageError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise DataPackageError(f"{out} holds other files and no {MARKER}: it is not replaced; "
                               "write the package to a new or empty folder")


def write_datapackage(ds: Dataset, out: str | Path, masked: bool = True) -> Path:
    """Writes every table of ``ds`` and ``datapackage.json`` into folder ``out``; returns
    the descriptor's path. ``masked`` says whether ``ds``'s personal data was masked
    (``source.export_dataset``), for the package's description."""
    out = Path(out)
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        frames = every_round(ds)
        hashes = {name: _csv(frame, tmp / f"{name}.csv") for name, frame in frames.items()}
        text = json.dumps(descriptor(frames, ds, hashes, masked), ensure_ascii=False, indent=2) + "\n"
        (tmp / MARKER).write_text(text, encoding="utf-8")
        aside = out.parent / f".{out.name}.old-{os.getpid()}"
        if out.exists():
            out.rename(aside)
        try:
            tmp.rename(out)
        except OSError:
            if aside.exists():
                aside.rename(out)  # the previous package stays
            raise
        shutil.rmtree(aside, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out / MARKER
