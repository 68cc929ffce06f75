"""The report sections on a small network made through the real pipeline:
worksheets written as teams write them → ``normalise`` → ``load`` → every section,
in Thai and English.

The network: แม่แรม and สะลวง (same district, Chiang Mai; สะลวง reached what
แม่แรม did not, so it is the first peer), ไชยสถาน (Nan, a Word file without
tables 3–4) and an unresolvable tambon whose name and text carry
``<script>alert(1)</script>``.
"""

from __future__ import annotations

import ast
import base64
import dataclasses
import re
import struct
from pathlib import Path

import pandas as pd
import pytest
import yaml

from siianalysis import words as w
from siianalysis import config, sections
from siianalysis.analysis import load, positions, tambon_scores
from siianalysis.analysis import network as network_tables
from siianalysis.analysis.scores import rank_words
from siianalysis.analysis.team import present_tables
from siianalysis.analysis.typology import sii_typology
from siianalysis.sections import html as h
from siianalysis.sections import network as net
from siianalysis.sections import tambon as tam
from tests.worksheets import CB, Filled, Line, numbered, write_docx, write_xlsx_one_sheet, write_xlsx_per_sheet

P, M, D, S = (CB.table(c) for c in ("people", "mechanism", "data", "summary"))
XSS = "<script>alert(1)</script>"
MAE_RAEM_ID, SALUANG_ID, CHAI_SATHAN_ID = "500707", "500705", "550104"
LANGS = ("th", "en")

MAE_RAEM = Filled("ตำบลแม่แรม อำเภอแม่ริม จังหวัดเชียงใหม่", "๒๗ ตุลาคม ๒๕๖๓", {
    "people": [
        Line(numbered(P, "P1"), {"method": "ถอดบทเรียนคนต้นแบบ\nจัดเวทียกย่อง", "plan": "ยกย่องเชิดชูเกียรติ"},
             {"PC1": "✓", "PC3": "✓"}),
        Line(numbered(P, "P2"), {"method": "อบรมพัฒนาศักยภาพแกนนำ"}, {"PC3": "✓"}),
    ],
    "mechanism": [Line(numbered(M, "M1"), {"assets": "คณะทำงานขับเคลื่อนตำบล", "plan": "ประชุมทุกเดือน"},
                       {"MC1": "✓", "MC4": "✓"})],
    "data": [Line(numbered(D, "D1"), {"method": "ทีมข้อมูลตำบล " + XSS}, {"DC1": "✓"})],
    "summary": [Line(numbered(S, "S1"), {"achievements": "มีคนต้นแบบ 5 คน\nมีสภาเด็ก", "plan": "ขยายเครือข่ายผู้นำ"})],
})
SALUANG = Filled("ตำบลสะลวง อำเภอแม่ริม จังหวัดเชียงใหม่", "28 ต.ค. 2563", {
    "people": [Line(numbered(P, "P1"), {"method": "ใช้ข้อมูล TCNAP ค้นหาคนต้นแบบ", "plan": "พัฒนาคนต้นแบบเป็นวิทยากร"},
                    {"PC2": "✓", "PC4": "✓", "PC5": "✓"})],
    "mechanism": [Line(numbered(M, "M3"), {"assets": "แผนแม่บทชุมชน", "plan": "บรรจุแผนชุมชนในแผนพัฒนาท้องถิ่น"},
                       {"MC2": "✓", "MC3": "✓", "MC7": "✓"})],
    "data": [Line(numbered(D, "D5"), {"method": "ใช้ข้อมูลทำแผน", "plan": "คืนข้อมูลผ่านเวทีประชาคม"},
                  {"DC3": "✓", "DC4": "✓", "DC5": "✓"})],
    "summary": [Line(numbered(S, "S2"), {"achievements": "ธรรมนูญสุขภาพตำบล", "plan": "ทบทวนธรรมนูญ"})],
})
CHAI_SATHAN = Filled("ต.ไชยสถาน อ.เมือง จ.น่าน", "27 ต.ค. 63", {
    "people": [Line(numbered(P, "P4"), {"method": "- สภาเด็กและเยาวชน\n- ค่ายเยาวชน", "plan": "ค่ายเยาวชน " + XSS},
                    {"PC1": "✓", "PC2": "✓"})],
    "mechanism": [Line(numbered(M, "M2"), {"assets": "เวทีประชาคมหมู่บ้าน"}, {"MC2": "✓", "MC5": "✓"})],
})
EVIL = Filled(f"ตำบลสุขใจ{XSS} อำเภอเมือง จังหวัดน่าน", "1 พ.ย. 2563", {
    "people": [Line(numbered(P, "P1"), {"method": "อบรม " + XSS}, {"PC1": "✓"})],
    "data": [Line(numbered(D, "D2"), {"method": "สำรวจ"}, {"DC2": "✓"})],
})


def build_processed(root: Path) -> Path:
    """Four worksheets → ``root/raw`` → ``normalise`` → ``root/processed`` (returned)."""
    from siianalysis.normalise import normalise

    raw = root / "raw"
    raw.mkdir(parents=True)
    write_xlsx_per_sheet(raw / "แม่แรม.xlsx", MAE_RAEM)
    write_xlsx_per_sheet(raw / "สะลวง.xlsx", SALUANG)
    write_docx(raw / "ไชยสถาน.docx", CHAI_SATHAN)
    write_xlsx_one_sheet(raw / f"สุขใจ{XSS}.xlsx".replace("/", "_"), EVIL)
    normalise(raw, root / "processed", jobs=1, progress=False)
    return root / "processed"


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return load(build_processed(tmp_path_factory.mktemp("sections")))


@pytest.fixture(scope="module")
def evil_id(ds):
    unresolved = ds.tambons.loc[~ds.tambons["resolved"], "tambon_id"]
    assert len(unresolved) == 1 and re.fullmatch(r"u-[0-9a-f]{10}", unresolved.iloc[0])
    return unresolved.iloc[0]


@pytest.fixture(scope="module")
def evil_ds(ds, evil_id):
    """The same data with the whole payload in every identity field of the unresolved tambon."""
    tambons = ds.tambons.copy()
    hit = tambons["tambon_id"] == evil_id
    for col in ("tambon_th", "amphoe_th", "province_th", "tambon_en", "source_file"):
        tambons.loc[hit, col] = f"{col}{XSS}\nline2"
    problems = ds.problems.copy()
    problems.loc[problems["tambon_id"] == evil_id, "message"] = f"message {XSS}"
    return dataclasses.replace(ds, tambons=tambons, problems=problems)


def text_of(section) -> str:
    return str(section)


def tambon_sections(ds, tambon_id: str, lang: str) -> dict[str, str]:
    """Every section of a tambon report, as HTML, by name."""
    return {f"tambon.{name}": text_of(getattr(tam, name)(ds, tambon_id, lang)) for name in tam.SECTIONS}


def network_sections(ds, lang: str) -> dict[str, str]:
    """Every section of the network report, as HTML, by name."""
    return {f"network.{name}": text_of(getattr(net, name)(ds, lang)) for name in net.SECTIONS}


@pytest.fixture(scope="module")
def rendered(ds, evil_id):
    """Every section of both reports (for แม่แรม and the unresolved tambon), both languages, rendered once."""
    network = {lang: network_sections(ds, lang) for lang in LANGS}
    return {(tid, lang): {**tambon_sections(ds, tid, lang), **network[lang]}
            for tid in (MAE_RAEM_ID, evil_id) for lang in LANGS}


# --- the report texts ------------------------------------------------------------------------


def test_every_report_text_has_thai_and_english():
    data = yaml.safe_load(w.report_text_path().read_text(encoding="utf-8"))

    def leaves(node, path=()):
        if isinstance(node, dict) and ("th" in node or "en" in node):
            yield path, node
        elif isinstance(node, dict):
            for k, v in node.items():
                yield from leaves(v, (*path, k))

    found = list(leaves({k: v for k, v in data.items() if k != "version"}))
    assert len(found) > 100
    for path, node in found:
        assert set(node) == {"th", "en"}, ".".join(path)
        assert str(node["th"]).strip() and str(node["en"]).strip(), ".".join(path)
        # placeholders: one language may leave one out (Table 4's Thai title names the cue ตารางที่), never invent one
        th, en = (set(re.findall(r"{(\w+)}", str(node[lang]))) for lang in ("th", "en"))
        assert th <= en or en <= th, ".".join(path)
    assert w.t("tambon.header.title", "th", tambon="แม่แรม") == "รายงานระบบการจัดการพื้นที่ ตำบลแม่แรม"
    with pytest.raises(KeyError):
        w.t("tambon.no_such_key", "th")
    with pytest.raises(ValueError):
        w.t("tambon.scorecard.title", "fr")


def test_no_thai_string_literal_in_section_code():
    """Thai words come from report_text.yaml and the codebook, never from code (docstrings aside)."""
    thai = re.compile("[\u0e00-\u0e7f]")
    root = Path(sections.__file__).parent
    files = [*root.glob("*.py"), root.parent / "analysis" / "typology.py"]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        bad = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
               and id(n) not in docstrings and thai.search(n.value)]
        assert not bad, f"{path.name}: Thai literal on line(s) {bad}"


# --- helpers -----------------------------------------------------------------------------------


def test_escaping_and_line_breaks():
    assert h.esc(XSS) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert h.esc("a\nb") == "a<br>\nb"
    assert h.esc('"x" & <y>') == "&quot;x&quot; &amp; &lt;y&gt;"
    assert h.esc(None) == "" and h.esc(float("nan")) == ""
    table = h.table(["<th>"], [[XSS], [h.Markup("<b>ok</b>")]])
    assert "<script" not in table and "&lt;th&gt;" in table and "<b>ok</b>" in table
    assert "<script" not in h.prose(f"- {XSS}\n\n{XSS}")
    assert 'alt="&quot;&gt;&lt;script&gt;"' in h.tag("img", "", alt='"><script>')


def test_formatting_and_dates():
    assert h.pct(0.52381) == "52.4%" and h.pct(float("nan")) == "-" and h.pct(None) == "-"
    assert h.num(62.5) == "62" and h.num(float("nan")) == "-"
    assert w.display_date("2020-10-27", "th") == "27 ตุลาคม 2563"
    assert w.display_date("2020-10-27", "en") == "2020-10-27"
    assert w.display_date("", "th") == w.t("date.unknown", "th")
    assert h.excerpt("ก" * 1000).endswith("…") and len(h.excerpt("ก" * 1000)) < 300


def test_tambon_links_only_from_valid_ids():
    assert h.tambon_href("500707", "tambon/") == "tambon/500707.html"
    assert h.tambon_href("u-0123456789", "") == "u-0123456789.html"
    for bad in ("50070", "5007071", "../500707", "u-XYZ", "u-0123456789/../x", "500707.html", "", "<b>"):
        assert h.tambon_href(bad, "tambon/") is None, bad
    for base in ("javascript:", "https://evil.example/", "//evil.example/"):
        with pytest.raises(ValueError):
            h.tambon_href("500707", base)


def test_style_once_with_thai_font_stack():
    css = str(sections.style())
    assert css.startswith("<style>") and css.count("<style>") == 1
    assert '"Sarabun","Noto Sans Thai","Tahoma",sans-serif' in css and "line-height:1.6" in css
    assert "max-width:1100px" in css


def test_resolve_processed_dir(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "data" / "processed").mkdir(parents=True)
    (project / "data" / "raw").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("SIIANALYSIS_HOME", str(project))
    assert config.resolve_processed_dir("../data/processed") == (project / "data" / "processed").resolve()
    assert config.resolve_processed_dir("data/processed") == (project / "data" / "processed").resolve()
    assert config.resolve_processed_dir(str(elsewhere)) == elsewhere  # absolute: as is
    assert config.resolve_processed_dir("no/such/dir") == Path("no/such/dir")  # load() will say what is missing


# --- tambon sections -------------------------------------------------------------------------


def test_every_section_has_its_heading_in_both_languages(rendered, ds):
    for (tid, lang), out in rendered.items():
        for name in tam.SECTIONS:
            key = f"tambon.{name}"
            if name == "header":
                row = ds.tambon(tid)
                name_in_lang = (row["tambon_en"] or row["tambon_th"]) if lang == "en" else row["tambon_th"]
                title = w.t("tambon.header.title", lang, tambon=name_in_lang)
            elif name == "summary_table":
                title = w.t("tambon.summary_table.title", lang, cue=CB.table_title_cue, number=4,
                            table=CB.table("summary").title.text(lang))
            else:
                title = w.t(f"{key}.title", lang)
            assert str(h.esc(title)) in out[key], (tid, lang, key)
            assert out[key].startswith('<section class="sii sii-section"')
        for name in net.SECTIONS:
            key = "network.title" if name == "title" else f"network.{name}.title"
            assert str(h.esc(w.t(key, lang))) in out[f"network.{name}"], (lang, name)


def test_header(rendered, ds, evil_id):
    th = rendered[(MAE_RAEM_ID, "th")]["tambon.header"]
    assert "<h1" in th and "รายงานระบบการจัดการพื้นที่ ตำบลแม่แรม" in th
    assert "อำเภอแม่ริม จังหวัดเชียงใหม่" in th and MAE_RAEM_ID in th
    assert "27 ตุลาคม 2563" in th and "แม่แรม.xlsx" in th
    en = rendered[(MAE_RAEM_ID, "en")]["tambon.header"]
    assert "Mae Raem" in en and "Mae Rim" in en and "2020-10-27" in en and "(แม่แรม)" in en
    unresolved = rendered[(evil_id, "th")]["tambon.header"]
    assert w.t("tambon.header.unresolved", "th") in unresolved
    assert w.t("problem_codes.unknown-tambon", "th") in unresolved and evil_id in unresolved
    assert w.t("tambon.header.unresolved", "en") in rendered[(evil_id, "en")]["tambon.header"]


def test_scorecard_numbers_are_the_librarys(ds):
    scores = tambon_scores(ds)
    row = scores.set_index("tambon_id").loc[MAE_RAEM_ID]
    section = tam.scorecard(ds, MAE_RAEM_ID, "th")
    out = str(section)
    frame = section.data["scorecard"].set_index("pillar")
    for t in ("people", "mechanism", "data"):
        assert frame.loc[t, "outcome_coverage"] == pytest.approx(row[f"{t}_outcome_coverage"])
        assert frame.loc[t, "tick_rate"] == pytest.approx(row[f"{t}_tick_rate"])
        assert frame.loc[t, "rows_reported"] == row[f"{t}_rows_reported"]
        assert frame.loc[t, "outcomes_reached"] == row[f"{t}_outcomes_reached"]
        cells = [h.pct(row[f"{t}_outcome_coverage"]), h.pct(row[f"{t}_tick_rate"]),
                 f"{row[f'{t}_outcomes_reached']} / {len(CB.table(t).outcomes)}",
                 f"{row[f'{t}_rows_reported']} / {len(CB.table(t).canonical_rows)}"]
        label = str(h.esc(CB.table(t).title.text("th")))
        # issue 11: two tables, depth (tick rate) then breadth (coverage), ranks instead of percentiles
        depth_line, breadth_line = re.findall(rf"<tr><td>{re.escape(label)}</td>(.*?)</tr>", out)
        line = depth_line + breadth_line
        for cell in cells:
            assert f">{cell}<" in line, (t, cell)
        pos = positions(scores, f"{t}_outcome_coverage").set_index("tambon_id").loc[MAE_RAEM_ID]
        rank = rank_words(pos["network_rank"], pos["network_tied"], pos["network_n"], "th")
        assert f">{h.pct(pos['network_median'])}<" in breadth_line and f">{rank}<" in breadth_line
        deep = positions(scores, f"{t}_tick_rate").set_index("tambon_id").loc[MAE_RAEM_ID]
        rank = rank_words(deep["province_rank"], deep["province_tied"], deep["province_n"], "th")
        assert f">{h.pct(deep['network_median'])}<" in depth_line and f">{rank}<" in depth_line
    overall = positions(scores).set_index("tambon_id").loc[MAE_RAEM_ID]
    assert frame.loc["overall", "outcome_coverage"] == pytest.approx(row["overall_outcome_coverage"])
    total = re.findall(r'<tr class=sii-total>(.*?)</tr>', out)[1]  # the breadth table's
    assert w.t("common.overall", "th") in total
    for cell in (h.pct(row["overall_outcome_coverage"]), h.pct(overall["network_median"]),
                 rank_words(overall["network_rank"], overall["network_tied"], overall["network_n"], "th"),
                 rank_words(overall["province_rank"], overall["province_tied"], overall["province_n"], "th")):
        assert f">{cell}<" in total, cell
    assert frame.loc["overall", "network_n"] == len(ds.tambons)
    # the team's hand: 2 of 5 people outcomes (PC1, PC3) → 40%
    assert frame.loc["people", "outcomes_reached"] == 2 and ">40.0%<" in out


def test_a_missing_table_is_said_so(ds):
    out = str(tam.scorecard(ds, CHAI_SATHAN_ID, "th"))
    assert w.t("tambon.scorecard.not_sent", "th") in out
    words = str(tam.team_words(ds, CHAI_SATHAN_ID, "en"))
    assert h.esc(w.t("common.not_reported_table", "en", table=CB.table("data").title.text("en"))) in words
    summary = str(tam.summary_table(ds, CHAI_SATHAN_ID, "th"))
    assert w.t("common.not_reported_table", "th", table=CB.table("summary").title.text("th")) in summary


def test_figures_are_inline_png(rendered, ds):
    for (tid, lang), out in rendered.items():
        # the heat maps are grids of text (issue 14), one per scored table sent (issue 11)
        sent = len({"people", "mechanism", "data"} & present_tables(ds, tid))
        assert out["tambon.heatmaps"].count('<table class="sii-grid">') == sent, (tid, lang)
        for key, n in (("tambon.heatmaps", 0), ("tambon.sii_profile", 1), ("network.overview", 1),
                       ("network.outcome_shares", 6), ("network.score_distributions", 2),
                       ("network.data_dropoff", 1), ("network.themes_terms", 1)):
            assert out[key].count('<img class="sii-fig" src="data:image/png;base64,') == n, (tid, lang, key)


def test_figures_are_closed():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1])
    img = h.figure(fig, alt="x")
    # 200 CSS pixels wide (2 inches at FIGURE_DPI), twice that in PNG pixels; a link opens it full size
    assert '<img class="sii-fig" src="data:image/png;base64,' in img and 'width="200"' in img
    png = base64.b64decode(re.search(r'base64,([A-Za-z0-9+/=]+)', img).group(1))
    assert struct.unpack(">II", png[16:24]) == (400, 200)
    box = re.search(r'<div class="sii-figbox" id="(fig-[0-9a-f]+)"><a id="\1-x" href="#\1"><img ', img)
    assert box and f'<a class="sii-figclose" href="#{box.group(1)}-x">' in img
    assert not fig.axes  # cleared


def test_strengths_gaps_teach_from_the_nearest_peer(ds):
    section = tam.strengths_gaps(ds, MAE_RAEM_ID, "th")
    out = str(section)
    peers = section.data["peers"]
    # PC2 is a gap of แม่แรม; สะลวง (same district) reached it and comes first
    first = peers[peers["outcome_code"] == "PC2"].iloc[0]
    assert (first["peer_id"], first["proximity"]) == (SALUANG_ID, "amphoe")
    assert f'<a href="{SALUANG_ID}.html">' in out and "ใช้ข้อมูล TCNAP ค้นหาคนต้นแบบ" in out
    assert w.t("proximity.amphoe", "th") in out
    sg = section.data["strengths_gaps"]
    assert set(sg.loc[sg["reached"], "outcome_code"]) == {"PC1", "PC3", "MC1", "MC4", "DC1"}
    assert CB.outcome("PC2").label.th in out
    no_links = str(tam.strengths_gaps(ds, MAE_RAEM_ID, "en", peer_links=False))
    assert "<a href" not in no_links and "Peer tambon" in no_links


def test_team_words_keep_line_breaks_and_labels(rendered):
    out = rendered[(MAE_RAEM_ID, "th")]["tambon.team_words"]
    assert "ถอดบทเรียนคนต้นแบบ<br>\nจัดเวทียกย่อง" in out
    assert CB.table("people").field("method").label.th in out and "PC1, PC3" in out
    summary = rendered[(MAE_RAEM_ID, "th")]["tambon.summary_table"]
    assert "มีคนต้นแบบ 5 คน<br>\nมีสภาเด็ก" in summary and "ขยายเครือข่ายผู้นำ" in summary
    assert CB.table("summary").field("achievements").label.en in rendered[(MAE_RAEM_ID, "en")]["tambon.summary_table"]


def test_quality_notes(rendered, evil_id):
    assert w.t("tambon.quality_notes.none", "th") in rendered[(MAE_RAEM_ID, "th")]["tambon.quality_notes"]
    out = rendered[(evil_id, "en")]["tambon.quality_notes"]
    assert "unknown-tambon" in out and w.t("problem_codes.unknown-tambon", "en") in out
    assert w.t("severity.warning", "en") in out


def test_no_payload_ever_renders_as_a_tag(rendered, evil_ds, evil_id):
    payload = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for out in rendered.values():
        for key, text in out.items():
            assert "<script" not in text.lower(), key
    assert payload in rendered[(MAE_RAEM_ID, "th")]["tambon.team_words"]  # the team's text, escaped
    assert "&lt;script&gt;alert" in rendered[(evil_id, "th")]["tambon.header"]  # the name as the parser read it
    # the whole payload in every identity field, a file name and a problem message
    network = network_sections(evil_ds, "th")
    for text in network.values():
        assert "<script" not in text.lower()
    assert payload in network["network.quality_summary"] and payload in network["network.report_links"]
    for lang in LANGS:
        out = tambon_sections(evil_ds, evil_id, lang)
        for key, text in out.items():
            assert "<script" not in text.lower(), (lang, key)
        assert payload in out["tambon.header"] and "<br>" in out["tambon.header"]
        assert payload in out["tambon.quality_notes"]


# --- network sections ------------------------------------------------------------------------


def test_overview_counts(ds):
    section = net.overview(ds, "th")
    frame = section.data["overview"]
    total = frame.iloc[-1]
    assert (total["tambons"], total["resolved"], total["all_tables"]) == (4, 3, 2)
    nan = frame.set_index("province").loc["น่าน"]
    assert (nan["tambons"], nan["resolved"]) == (2, 1)
    assert frame.iloc[:-1]["tambons"].sum() == 4


def test_typology_rule_and_counts(ds):
    typ = sii_typology(ds, "th")
    assert len(typ) == len(ds.tambons) == 4
    medians = typ.attrs["medians"]
    for lens in CB.lenses:
        assert medians[lens.code] == pytest.approx(typ[f"lens_{lens.code}"].median())
        assert (typ[f"above_{lens.code}"] == (typ[f"lens_{lens.code}"] >= medians[lens.code])).all()
    for r in typ.to_dict("records"):
        above = [lens for lens in CB.lenses if r[f"above_{lens.code}"]]
        if len(above) == 3:
            assert r["type_label"] == w.t("typology.advanced", "th")
        elif not above:
            assert r["type_label"] == w.t("typology.emerging", "th")
        else:
            names = w.t("typology.joiner", "th").join(lens.short.th for lens in above)
            assert r["type_label"] == w.t("typology.led_by", "th", lenses=names)
    section = net.typology(ds, "en")
    counts = section.data["counts"]
    assert counts["tambons"].sum() == len(ds.tambons)
    assert set(counts["type_label"]) == set(sii_typology(ds, "en")["type_label"])
    assert f">{len(ds.tambons)}<" in re.search(r"<tr class=sii-total>(.*?)</tr>", str(section)).group(1)


def test_model_tambons_order(ds):
    frame = network_tables.model_frame(ds)
    people = frame[frame["table"] == "people"]
    assert list(people["rank"]) == [1, 2, 3]
    assert people["outcome_coverage"].is_monotonic_decreasing
    # สะลวง: PC2, PC4, PC5 → 60%, the best people coverage here
    assert people.iloc[0]["tambon_id"] == SALUANG_ID
    assert "พัฒนาคนต้นแบบเป็นวิทยากร" in str(net.model_tambons(ds, "th"))


def test_distributions_dropoff_themes_quality(ds, evil_id):
    scores = network_tables.score_table(ds, "th")
    assert scores.iloc[-1]["n"] == 4
    assert scores.iloc[-1]["median"] == pytest.approx(tambon_scores(ds)["overall_outcome_coverage"].median())
    drop = network_tables.dropoff_frame(ds)
    assert list(drop["step"]) == ["D1", "D2", "D3", "D4", "D5"]
    assert drop.set_index("step").loc["D1", "reported"] == 1
    themes = net.themes_terms(ds, "th")
    assert themes.data["themes"]["tambons"].max() >= 1 and not themes.data["terms"].empty
    quality = net.quality_summary(ds, "th")
    assert quality.data["by_code"]["count"].sum() == len(ds.problems)
    assert evil_id in str(quality)


def test_report_links_use_valid_ids(ds, evil_id):
    section = net.report_links(ds, "th")
    hrefs = re.findall(r'href="([^"]*)"', str(section))
    assert len(hrefs) == len(ds.tambons)
    assert all(re.fullmatch(r"tambon/(\d{6}|u-[0-9a-f]{10})\.html", x) for x in hrefs)
    assert f"tambon/{evil_id}.html" in hrefs
    other = str(net.report_links(ds, "en", link_base="../reports/tambon/"))
    assert 'href="../reports/tambon/500707.html"' in other and "Chiang Mai" in other
    # a malformed id never becomes a link
    bad = dataclasses.replace(ds, tambons=ds.tambons.assign(
        tambon_id=ds.tambons["tambon_id"].where(ds.tambons["tambon_id"] != SALUANG_ID, "../../etc")))
    out = str(net.report_links(bad, "th"))
    assert "ต.สะลวง" in out and "../../etc" not in out
    assert len(re.findall(r'href="', out)) == len(ds.tambons) - 1
    assert w.t("network.report_links.no_link", "th") in out


def test_unknown_tambon_and_language_fail_clearly(ds):
    with pytest.raises(KeyError, match="999999"):
        tam.header(ds, "999999")
    with pytest.raises(ValueError, match="lang"):
        tam.scorecard(ds, MAE_RAEM_ID, "de")
    with pytest.raises(ValueError, match="lang"):
        net.overview(ds, "de")


def test_sections_display_as_html_in_jupyter(ds):
    section = tam.summary_table(ds, MAE_RAEM_ID)
    assert section._repr_html_() == str(section)
    assert repr(section) == "<Section tambon.summary_table>"
    assert isinstance(section.data["summary"], pd.DataFrame)
