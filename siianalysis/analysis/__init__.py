"""Analysis of the processed worksheets: every number, table and figure the reports show.

A notebook uses it in three lines (``import siianalysis as sii`` offers the same)::

    from siianalysis.analysis import load, tambon_scores, heatmap_rows_outcomes
    ds = load("data/processed")
    scores = tambon_scores(ds)
    fig = heatmap_rows_outcomes(ds, "500707", "people")

Modules, one concern each:

- ``dataset``   the processed Parquet files as a ``Dataset`` (six frames + codebook), ``load``
- ``scores``    reporting, tick and outcome-coverage scores; pillars, S-I-I lenses,
                position against the network and the province; a tambon's scorecard
- ``gaps``      a tambon's strengths and gaps, and the peers that reached each gap
- ``team``      what one team wrote: tables sent, rows reported, texts, ticks, Table 4
- ``quality``   the problems the reader noticed, per tambon and over the network
- ``network``   the network report's tables (provinces, outcome shares, models, themes…)
- ``typology``  tambon types by S-I-I profile
- ``feedback``  the experts' suggestions beside the teams' plans
- ``places``    place names as people write them, provinces, Thai dictionary order
- ``thaitext``  tokenising (PyThaiNLP newmm + domain words), top terms, themes
- ``fonts``     a Thai font for matplotlib (``use_thai_font()``)
- ``plots``     figures (matplotlib ``Figure`` objects)

Importing this package imports none of them: the names below are resolved on
first use (module ``__getattr__``), so ``import siianalysis.analysis`` stays
cheap and does not pull in matplotlib or PyThaiNLP. ``from siianalysis.analysis
import heatmap_rows_outcomes`` imports ``plots`` (and matplotlib) at that moment.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# public name -> submodule that defines it
_EXPORTS: dict[str, str] = {
    # dataset
    "Dataset": "dataset",
    "load": "dataset",
    "clear_cache": "dataset",
    # scores
    "SCORED_TABLES": "scores",
    "table_scores": "scores",
    "outcome_reach": "scores",
    "pillar_scores": "scores",
    "lens_scores": "scores",
    "tambon_scores": "scores",
    "percentile_rank": "scores",
    "positions": "scores",
    "position": "scores",
    "network_positions": "scores",
    "network_position": "scores",
    "ticked_cells": "scores",
    "province_key": "scores",
    "data_steps": "scores",
    "scorecard_frame": "scores",
    "lens_profile_frame": "scores",
    # gaps
    "strengths_and_gaps": "gaps",
    "gap_peers": "gaps",
    # thaitext
    "tokenize": "thaitext",
    "terms": "thaitext",
    "domain_words": "thaitext",
    "stopwords": "thaitext",
    "top_terms": "thaitext",
    "Theme": "thaitext",
    "load_themes": "thaitext",
    "tag_themes": "thaitext",
    "theme_counts": "thaitext",
    # fonts
    "use_thai_font": "fonts",
    "thai_font_family": "fonts",
    "thai_rc": "fonts",
    # plots
    "heatmap_rows_outcomes": "plots",
    "sii_profile": "plots",
    "network_outcome_share": "plots",
    "row_outcome_share_heatmap": "plots",
    "score_distribution": "plots",
    "data_steps_dropoff": "plots",
    "province_overview": "plots",
    "plan_themes": "plots",
    # typology
    "sii_typology": "typology",
    # places
    "place_name": "places",
    "province_names": "places",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    # PEP 562: import the submodule only when one of its names is asked for.
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # next access skips __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # for type checkers and IDEs only; never executed
    from .dataset import Dataset, clear_cache, load
    from .fonts import thai_font_family, thai_rc, use_thai_font
    from .gaps import gap_peers, strengths_and_gaps
    from .places import place_name, province_names
    from .plots import (
        data_steps_dropoff,
        heatmap_rows_outcomes,
        network_outcome_share,
        plan_themes,
        province_overview,
        row_outcome_share_heatmap,
        score_distribution,
        sii_profile,
    )
    from .scores import (
        SCORED_TABLES,
        data_steps,
        lens_profile_frame,
        lens_scores,
        network_position,
        network_positions,
        outcome_reach,
        percentile_rank,
        pillar_scores,
        position,
        positions,
        province_key,
        scorecard_frame,
        table_scores,
        tambon_scores,
        ticked_cells,
    )
    from .typology import sii_typology
    from .thaitext import (
        Theme,
        domain_words,
        load_themes,
        stopwords,
        tag_themes,
        terms,
        theme_counts,
        tokenize,
        top_terms,
    )
