"""The online form's questions, named once from the codebook: the writer and the reader agree.

``siianalysis xlsform`` writes these questions as an XLSForm; exports of that form
(KoboToolbox, ODK Central) are read back by the same names. Every name is derived
from the codebook's codes, so a codebook row or outcome added is a question added,
and a name never depends on a label someone may reword:

- the place and date: group ``place``, questions ``province``, ``amphoe``,
  ``tambon`` (cascading selects whose choices are DOPA codes) and
  ``worksheet_date``;
- each row of each table: group ``<table>_<row>`` (``people_P1``), questions
  ``<row>_<field>`` (``P1_method``, ``S2_achievements``), ``<row>_outcomes`` (a
  ``select_multiple`` of the table's outcome codes, list ``outcomes_<table>``)
  and, for an "other (specify)" row, ``<row>_label`` (the team's own label).

Row codes are unique across the tables, so question names are unique in the whole
form: an export written without group names still names every column.

Labels are numbered as the handout numbers its rows ("1.6 …"), so two "other"
rows, and the same field in every row, never share a label: an export whose
headers are labels names every column too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from siianalysis.codebook import Codebook, Label, RowType, Table
from siianalysis.words import t

PLACE_GROUP = "place"
PLACE_QUESTIONS = ("province", "amphoe", "tambon")
DATE_QUESTION = "worksheet_date"
# Between a question and a choice in a split select_multiple column (Kobo, ODK Central).
CHOICE_SEPARATOR = "/"
# Between a group and a question: KoboToolbox's default and its other usual choices,
# ODK Central's "-", and none.
GROUP_SEPARATORS = ("/", "-", ".", ":")

Kind = Literal["place", "date", "text", "label", "outcomes"]


@dataclass(frozen=True, slots=True)
class Question:
    """One question of the form. ``key`` is the identity key of a place or date
    question, the field code of a text question ("" otherwise)."""

    kind: Kind
    name: str
    group: str
    label: Label
    group_label: Label
    table: str = ""
    row: str = ""
    key: str = ""


def group_name(table: Table, row: RowType) -> str:
    return f"{table.code}_{row.code}"


def question_name(row: RowType, what: str) -> str:
    """``what``: a text field's code, ``outcomes`` or ``label``."""
    return f"{row.code}_{what}"


def outcome_list(table: Table) -> str:
    return f"outcomes_{table.code}"


def _numbered(number: str, label: Label) -> Label:
    return Label(th=f"{number} {label.th}", en=f"{number} {label.en}")


def form_words(key: str) -> Label:
    """A word of the form itself (``xlsform.<key>`` in ``report_text.yaml``)."""
    return Label(th=t(f"xlsform.{key}", "th"), en=t(f"xlsform.{key}", "en"))


def outcome_label(table: Table, code: str) -> Label:
    """A choice's label: the outcome numbered as the handout numbers it ("1. …")."""
    outcome = table.outcome(code)
    return _numbered(f"{outcome.number}.", outcome.label)


@cache
def questions(codebook: Codebook) -> tuple[Question, ...]:
    """Every question of the form, in the form's order."""
    place_label = form_words("place")
    out = [Question("place", key, PLACE_GROUP, codebook.identity[key], place_label, key=key)
           for key in PLACE_QUESTIONS]
    out.append(Question("date", DATE_QUESTION, PLACE_GROUP, codebook.identity["worksheet_date"], place_label,
                        key="worksheet_date"))
    for table in codebook.tables:
        for row in table.rows:
            number = f"{table.number}.{row.number}"
            group, group_label = group_name(table, row), _numbered(number, row.label)
            if row.other:
                out.append(Question("label", question_name(row, "label"), group,
                                    _numbered(number, form_words("other_label")), group_label, table.code, row.code))
            for column in table.columns:
                if column == "outcomes" and table.outcomes:
                    out.append(Question("outcomes", question_name(row, "outcomes"), group,
                                        _numbered(number, codebook.outcomes_header), group_label,
                                        table.code, row.code))
                elif column not in ("label", "outcomes"):
                    out.append(Question("text", question_name(row, column), group,
                                        _numbered(number, table.field(column).label), group_label,
                                        table.code, row.code, column))
    return tuple(out)
