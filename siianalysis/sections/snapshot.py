"""The line of a tambon report that says which network it compares the tambon with
(``analysis.snapshot``): the date, how many tambons, the set's short id."""

from __future__ import annotations

from siianalysis.analysis.dataset import Dataset
from siianalysis.analysis.snapshot import network_snapshot
from siianalysis.words import check_lang, display_date, t

from .html import HTMLBlock, tag


def compared_with(ds: Dataset, tambon_id: str, lang: str = "th") -> HTMLBlock:
    """"Compared with the network as of <date>: <n> tambons (data set <id>)"; the page's
    marker (``data-snapshot``) carries the whole set id for tools."""
    check_lang(lang)
    ds.tambon(str(tambon_id))  # KeyError for an unknown id
    snap = network_snapshot(ds)
    text = t("at_scale.snapshot", lang, date=display_date(snap.date, lang), n=snap.tambons,
             id=snap.short_id or t("at_scale.snapshot_no_id", lang))
    return HTMLBlock(tag("p", text, cls="sii-note sii-snapshot", data_snapshot=snap.set_id), label="snapshot")
