"""A typology of tambons by their S-I-I profile.

The rule, per tambon, on its lens coverages (``lens_scores``: outcomes of the
lens reached ÷ outcomes tagged with the lens):

- for each lens of the codebook (systematization, innovation, integration), the
  tambon is *at or above* when its coverage ≥ the network median of that lens
  (median over all current tambons);
- at or above on every lens → ``advanced`` (ก้าวหน้าครบทุกด้าน);
- on none → ``emerging`` (กำลังเริ่มต้น);
- otherwise → ``led_by`` the lens(es) at or above, named by their short codebook
  labels in codebook order ("นำด้วย I-นวัตกรรม + I-บูรณาการ").

A relative rule: it sorts tambons within this network, it is not a standard.
"At or above" (not "above") so that a network where most tambons share the
median value does not call them all emerging. The words of the types live in
``data/report_text.yaml`` (``typology.*``).
"""

from __future__ import annotations

import pandas as pd

from siianalysis.words import t

from .dataset import Dataset
from .scores import lens_scores

TYPES = ("advanced", "led_by", "emerging")


def sii_typology(ds: Dataset, lang: str = "th") -> pd.DataFrame:
    """One line per current tambon (file order):

    ``tambon_id, tambon_th, amphoe_th, province_th, province_code``, then for
    each lens ``lens_<code>`` (coverage) and ``above_<code>`` (≥ network
    median), then ``n_above`` (0–3), ``type`` ("advanced" | "led_by" |
    "emerging"), ``lenses_above`` (lens codes at or above, comma-joined),
    ``type_key`` (``type`` or ``led_by:<lenses_above>``, one per distinct group)
    and ``type_label`` (the group's words in ``lang``). The network medians are
    in ``.attrs["medians"]`` (lens code → median).
    """
    lenses = list(ds.codebook.lenses)
    ls = lens_scores(ds)
    wide = ls.pivot(index="tambon_id", columns="lens", values="lens_coverage")
    ident = ds.tambons.drop_duplicates("tambon_id")[
        ["tambon_id", "tambon_th", "amphoe_th", "province_th", "province_code"]].reset_index(drop=True)
    out = ident.copy()
    medians: dict[str, float] = {}
    for lens in lenses:
        values = out["tambon_id"].map(wide[lens.code]).astype(float) if not wide.empty else pd.Series(
            0.0, index=out.index)
        medians[lens.code] = float(values.median()) if len(values) else float("nan")
        out[f"lens_{lens.code}"] = values.to_numpy()
        # round: float noise in a coverage must not flip a tambon sitting on the median
        out[f"above_{lens.code}"] = (values.round(12) >= round(medians[lens.code], 12)).to_numpy()
    above = out[[f"above_{lens.code}" for lens in lenses]]
    out["n_above"] = above.sum(axis=1).astype("int64")
    out["lenses_above"] = [
        ",".join(lens.code for lens in lenses if row[f"above_{lens.code}"]) for _, row in out.iterrows()
    ]
    out["type"] = out["n_above"].map(lambda n: "advanced" if n == len(lenses) else "emerging" if n == 0
                                     else "led_by")
    out["type_key"] = [f"led_by:{a}" if ty == "led_by" else ty for ty, a in zip(out["type"], out["lenses_above"],
                                                                              strict=True)]
    joiner = t("typology.joiner", lang)

    def label(ty: str, above_codes: str) -> str:
        if ty != "led_by":
            return t(f"typology.{ty}", lang)
        names = [ds.codebook.lens(code).short.text(lang) for code in above_codes.split(",")]
        return t("typology.led_by", lang, lenses=joiner.join(names))

    out["type_label"] = [label(ty, a) for ty, a in zip(out["type"], out["lenses_above"], strict=True)]
    out.attrs["medians"] = medians
    return out


def type_order(typology: pd.DataFrame, ds: Dataset) -> list[str]:
    """The ``type_key`` values of ``typology`` in reading order: advanced, then
    led by more lenses before fewer (codebook order within), then emerging."""
    lenses = [lens.code for lens in ds.codebook.lenses]

    def key(type_key: str) -> tuple:
        if type_key == "advanced":
            return (0, 0, ())
        if type_key == "emerging":
            return (2, 0, ())
        codes = type_key.removeprefix("led_by:").split(",")
        return (1, -len(codes), tuple(lenses.index(c) for c in codes))

    return sorted(typology["type_key"].unique(), key=key)
