"""``data/forms.yaml``: what the XLSForm offers and what the services add around its questions."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml


@cache
def form_settings() -> dict:
    with files("siianalysis").joinpath("data/forms.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def region_provinces(name: str) -> tuple[str, ...]:
    """The province codes of a region ``forms.yaml`` names; ``KeyError`` listing the regions."""
    regions = form_settings()["regions"]
    if name not in regions:
        raise KeyError(f"no region {name!r} (regions: {', '.join(regions)})")
    return tuple(str(c) for c in regions[name])


def header_key(text: str) -> str:
    """A header as compared: no case, no surrounding or repeated spaces."""
    return " ".join(str(text).split()).casefold()
