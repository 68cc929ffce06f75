"""Smaller inline PNGs for the HTML reports, without a visible change.

matplotlib writes 8-bit RGBA PNGs. A chart has few colours: flat fills, text,
and the anti-aliased pixels at their edges (a few hundred shades in all), so a
256-colour palette PNG holds it in a third of the bytes. ``compact_png``:

- keeps the image when it is not an opaque RGB(A) PNG (real transparency,
  greyscale, already a palette), when more than 1% of its pixels would change
  colour (gradients, photos), or when the result is not smaller;
- uses as palette the 256 most frequent colours, found on a sample of the
  pixels; every pixel of one of those colours keeps its exact colour (the
  white background, the bars, the heat-map cells, the text), and only rare
  edge shades are mapped to the nearest palette colour (Euclidean RGB);
- is deterministic: the same PNG in gives the same bytes out.

``compact_html_images`` applies it to every ``data:image/png;base64,`` URL in
an HTML string (the report sections embed their figures that way), and
``CompactImages`` is the nbconvert preprocessor doing both that and
``image/png`` outputs.
"""

from __future__ import annotations

import base64
import binascii
import io
import re

PALETTE = 256
SAMPLE_STEP = 5  # every 5th pixel is enough to find the frequent colours
MAX_APPROXIMATED = 0.01  # at most 1% of the pixels may change colour (edge shades), else keep the PNG
DATA_URL = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")


def compact_png(data: bytes, *, compress_level: int = 6) -> bytes:
    """``data`` (a PNG) as a 256-colour palette PNG if that is smaller, else ``data`` unchanged."""
    import numpy as np
    from PIL import Image

    try:
        im = Image.open(io.BytesIO(data))
        if im.format != "PNG" or im.mode not in ("RGB", "RGBA"):
            return data
        im.load()
    except Exception:  # noqa: BLE001 - not an image we understand: leave it alone
        return data
    if im.mode == "RGBA" and im.getextrema()[3][0] != 255:
        return data  # real transparency: keep
    if im.mode == "RGB":
        im = im.convert("RGBA")  # opaque alpha: one 32-bit word per pixel
    # one uint32 per pixel (R | G << 8 | B << 16 | 255 << 24): a colour key, no arithmetic
    flat = np.asarray(im).view("<u4").reshape(-1)
    colours, counts = np.unique(flat[::SAMPLE_STEP], return_counts=True)
    by_count = colours[np.argsort(-counts, kind="stable")[:PALETTE]]
    palette = np.sort(by_count)
    # the most frequent colour (the background) without a search
    background = by_count[0]
    index = np.full(flat.shape, np.searchsorted(palette, background), dtype=np.uint8)
    others = np.flatnonzero(flat != background)
    values = flat[others]
    found = np.searchsorted(palette, values)
    np.minimum(found, len(palette) - 1, out=found)
    miss = palette[found] != values
    if np.count_nonzero(miss) > MAX_APPROXIMATED * flat.size:
        return data  # a gradient or a photo, not a chart: a palette would show
    if miss.any():
        rare, where = np.unique(values[miss], return_inverse=True)
        distance = ((_rgb(rare)[:, None, :] - _rgb(palette)[None, :, :]) ** 2).sum(axis=2)
        found[miss] = distance.argmin(axis=1)[where]
    index[others] = found
    out = Image.fromarray(index.reshape(im.size[1], im.size[0]), "P")
    out.putpalette(_rgb(palette).astype(np.uint8).tobytes())
    buf = io.BytesIO()
    out.save(buf, "PNG", compress_level=compress_level)
    packed = buf.getvalue()
    return packed if len(packed) < len(data) else data


def _rgb(keys):
    """``(n, 3)`` int32 RGB of colour keys (little-endian RGBA words)."""
    import numpy as np

    return np.stack([keys & 255, (keys >> 8) & 255, (keys >> 16) & 255], axis=1).astype(np.int32)


def compact_base64_png(text: str) -> str:
    """A base64 PNG (as in notebook outputs) compacted, still base64; unchanged if undecodable."""
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return text
    packed = compact_png(raw)
    return text if packed is raw else base64.b64encode(packed).decode("ascii")


def compact_html_images(html: str) -> str:
    """Every ``data:image/png;base64,…`` URL in ``html`` compacted."""
    if "data:image/png;base64," not in html:
        return html
    return DATA_URL.sub(lambda m: "data:image/png;base64," + compact_base64_png(m.group(1)), html)


def compact_images_preprocessor():
    """An nbconvert preprocessor compacting ``image/png`` outputs and PNGs inside ``text/html``."""
    from nbconvert.preprocessors import Preprocessor

    class CompactImages(Preprocessor):
        def preprocess_cell(self, cell, resources, index):
            for output in cell.get("outputs", []):
                data = output.get("data")
                if not data:
                    continue
                if "image/png" in data:
                    data["image/png"] = compact_base64_png(data["image/png"])
                if "text/html" in data:
                    html = data["text/html"]
                    html = "".join(html) if isinstance(html, list) else html
                    data["text/html"] = compact_html_images(html)
            return cell, resources

    return CompactImages()
