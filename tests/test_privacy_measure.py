"""Precision and recall of the personal-data masker, per kind, on a labelled set.

The set (``fixtures/privacy/labelled.yaml``, 328 short texts in the worksheets' style,
170 of them hard negatives: places, organisations, the codebook's row labels, roles
with no name, the numbers a report is made of) was written by hand before the name
rules, and is never edited to suit them. Print the numbers with
``python -m tests.test_privacy_measure``.

How it is counted, per kind (phone, citizen_id, email, name):

- a labelled item is *found* when the masker's matches of that kind cover every letter
  and digit of it (a name whose given name is masked but whose family name is not is
  missed: the family name alone still points at the person); recall = found / labelled;
- a match is *right* when it overlaps a labelled item of its kind and every letter and
  digit it covers belongs to one (a match that runs on over the words after a name is
  wrong: it blanks a document's content); precision = right / matches.

The thresholds, and why:

- citizen_id: recall 1.0 (the ID is the most sensitive item, and every valid one has
  the shape the rule reads); precision at least 0.9: one 13-digit reference number in
  ten passes the check digit by chance, and a rule cannot tell it from an ID.
- phone: recall at least 0.95 and precision at least 0.98: a phone's shape is fixed;
  what is missed is written one digit at a time ("0 8 1 2 …"), which the rule leaves
  so that lists of small numbers never read as a phone.
- email: 1.0 both: the shape is unambiguous.
- name: recall at least 0.88 (seven in eight names, as people write them, with or
  without a title; the misses are nicknames after kinship words, names after a role
  that the name lists do not know, and names with no title at all) and precision at
  least 0.95 (over-masking blanks words of the document handed back to each tambon).
  Both leave room for about two items of drift (PyThaiNLP's lists change between
  releases) and fail on a real regression.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from siianalysis.analysis.personal_data import KINDS, find_personal_data

LABELLED = Path(__file__).resolve().parent / "fixtures" / "privacy" / "labelled.yaml"
THRESHOLDS = {  # kind: (precision, recall)
    "citizen_id": (0.90, 1.00),
    "phone": (0.98, 0.95),
    "email": (1.00, 1.00),
    "name": (0.95, 0.88),
}


def labelled() -> list[tuple[str, list[tuple[str, int, int]]]]:
    """(text, [(kind, start, end), …]) for every item of the set."""
    items = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["items"]
    out = []
    for item in items:
        text, spans, seen = item["text"], [], {}
        for kind, written in item.get("pii") or []:
            start = text.find(written, seen.get(written, 0))
            assert start >= 0, (text, written)
            seen[written] = start + 1
            spans.append((kind, start, start + len(written)))
        out.append((text, spans))
    return out


def measure() -> dict[str, dict[str, int]]:
    """Per kind: labelled, found, matches, right (see the module doc)."""
    counts = {k: Counter() for k in KINDS}
    for text, gold in labelled():
        predicted = [(m.kind, m.start, m.end) for m in find_personal_data(text)]
        for kind, start, end in predicted:
            inside = {i for k, a, b in gold if k == kind for i in range(a, b)}
            overlaps = any(k == kind and start < b and a < end for k, a, b in gold)
            clean = all(i in inside or not text[i].isalnum() for i in range(start, end))
            counts[kind]["matches"] += 1
            counts[kind]["right"] += overlaps and clean
        for kind, start, end in gold:
            covered = {i for k, a, b in predicted if k == kind for i in range(a, b)}
            counts[kind]["labelled"] += 1
            counts[kind]["found"] += all(i in covered for i in range(start, end) if text[i].isalnum())
    return {k: dict(v) for k, v in counts.items()}


def rates(c: dict[str, int]) -> tuple[float, float]:
    return (c.get("right", 0) / c["matches"] if c.get("matches") else 1.0,
            c.get("found", 0) / c["labelled"] if c.get("labelled") else 1.0)


def test_the_set_is_realistic_and_whole():
    items = labelled()
    per_kind = Counter(kind for _, gold in items for kind, _, _ in gold)
    assert len(items) >= 300 and sum(not gold for _, gold in items) >= 150
    assert per_kind["name"] >= 120 and per_kind["phone"] >= 40
    assert per_kind["citizen_id"] >= 20 and per_kind["email"] >= 10


@pytest.fixture(scope="module")
def measured():
    return measure()


@pytest.mark.parametrize("kind", list(THRESHOLDS))
def test_precision_and_recall(measured, kind):
    precision, recall = rates(measured[kind])
    want_p, want_r = THRESHOLDS[kind]
    shown = f"{kind}: precision {precision:.3f} recall {recall:.3f} ({measured[kind]})"
    assert precision >= want_p, shown
    assert recall >= want_r, shown


if __name__ == "__main__":
    for kind, c in measure().items():
        p, r = rates(c)
        print(f"{kind:11s} precision {c.get('right', 0)}/{c.get('matches', 0)} = {p:.3f}   "
              f"recall {c.get('found', 0)}/{c.get('labelled', 0)} = {r:.3f}")
