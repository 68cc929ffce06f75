"""Files as teams and coordinators really send them: .odt, zips, formats that are not read, lock files.

The .odt, .doc, .pdf and the zip of worksheets were made by LibreOffice
(tests/fixtures/formats/make.py); hostile zips and hand-written OpenDocument
variants are built here, small.
"""

from __future__ import annotations

import shutil
import stat
import struct
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from siianalysis.normalise import list_raw_files, normalise
from siianalysis.readers import ARCHIVE_SUFFIXES, SUPPORTED_SUFFIXES, UnreadableFile, read_file
from siianalysis.readers import archive
from tests.worksheets import CB, Filled, Line, numbered, write_xlsx_one_sheet

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
DATA = Path(__file__).parents[1] / "siianalysis" / "data"
FORMATS = yaml.safe_load((DATA / "formats.yaml").read_text(encoding="utf-8"))
PEOPLE = CB.table("people")


def advice(kind: str) -> str:
    return FORMATS["unsupported"][kind]["en"]


def run(raw: Path):
    return normalise(raw, None, jobs=1, progress=False).tables


def ticks(tables, tambon_id, row_code):
    t = tables["ticks"]
    sel = t[(t.tambon_id == tambon_id) & (t.row_code == row_code)]
    return {c: v for c, v in zip(sel.criterion_code, sel.ticked) if v}


def texts(tables, tambon_id, row_code):
    t = tables["texts"]
    sel = t[(t.tambon_id == tambon_id) & (t.row_code == row_code)]
    return dict(zip(sel.field, sel.text))


def problems(tables, source=None):
    p = tables["problems"]
    if source is not None:
        p = p[p.source_file == source]
    return [(r.source_file, r.severity, r.code) for r in p.itertuples()]


def raw_with(tmp_path: Path, *names: str, folder: str = "raw") -> Path:
    raw = tmp_path / folder
    raw.mkdir()
    for name in names:
        shutil.copy(FIXTURES / name, raw / name)
    return raw


# --------------------------------------------------------------------------- .odt from LibreOffice


def test_odt_reads_cell_for_cell_like_the_docx_it_came_from():
    word = read_file(FIXTURES / "pa_phlu.docx")[0]
    writer = read_file(FIXTURES / "pa_phlu.odt")[0]
    assert writer.source_file == "pa_phlu.odt"
    assert [(g.part, g.kind) for g in writer.grids] == [(g.part, g.kind) for g in word.grids] == [
        ("text 1", "docx-text"), ("table 1", "docx-table"), ("text 2", "docx-text"), ("table 2", "docx-table"),
        ("text 3", "docx-text"), ("table 3", "docx-table"), ("text 4", "docx-text"), ("table 4", "docx-table"),
    ]
    for a, b in zip(word.grids, writer.grids):
        assert b.cells == a.cells, b.part
    text1, people = writer.grids[0], writer.grids[1]
    assert text1.cells == [["ตำบลป่าพลู อำเภอบ้านโฮ่ง จังหวัดลำพูน"], ["วันที่ ๒๗ ตุลาคม ๒๕๖๓"],
                           [f"ตารางที่ 1 {PEOPLE.title.seed_th}"]]
    # The outcomes header merged across five columns, the other header cells merged down.
    assert people.cells[0] == [PEOPLE.label_column.seed_th, PEOPLE.field("method").label.seed_th,
                               CB.outcomes_header.seed_th, "", "", "", "", PEOPLE.field("plan").label.seed_th]
    assert people.cells[1][:2] == ["", ""] and people.cells[1][7] == ""
    # Check-box content controls (checked, not), a legacy check-box field, a Wingdings tick, typed ☑ ☐.
    assert people.cells[2] == ["1. คนต้นแบบ", "ถอดบทเรียนคนต้นแบบ\nเวทีแลกเปลี่ยนเรียนรู้", "☑", "☐", "", "✓", "",
                               "ยกย่องเชิดชูเกียรติ"]
    assert people.cells[3] == [numbered(PEOPLE, "P4"), "ค่ายพัฒนาแกนนำเยาวชน", "", "", "☑", "", "✓",
                               "สภาเด็กและเยาวชนตำบล"]
    assert people.cells[4] == ["6. อื่น ๆ (ระบุ) อาสาสมัครบริบาล", "อบรมอาสาสมัครบริบาล", "☑", "☐", "", "", "", ""]
    assert people.ref(2, 4) == "table 1, row 3, cell 5"


def test_odt_normalised_to_the_same_ticks_texts_and_place_as_the_docx(tmp_path):
    from_word = run(raw_with(tmp_path, "pa_phlu.docx", folder="word"))
    from_writer = run(raw_with(tmp_path, "pa_phlu.odt", folder="writer"))
    tambon = from_writer["tambons"].iloc[0]
    assert len(from_writer["tambons"]) == 1 and tambon.tambon_id == "510302" and tambon.resolved
    assert (tambon.tambon_th, tambon.amphoe_th, tambon.province_th) == ("ป่าพลู", "บ้านโฮ่ง", "ลำพูน")
    assert tambon.worksheet_date == "2020-10-27" and tambon.source_file == "pa_phlu.odt"
    assert ticks(from_writer, "510302", "P1") == {"PC1": True, "PC4": True}
    assert ticks(from_writer, "510302", "P4") == {"PC3": True, "PC5": True}
    assert ticks(from_writer, "510302", "P6") == {"PC1": True}
    assert ticks(from_writer, "510302", "M4") == {"MC2": True}
    assert texts(from_writer, "510302", "M4") == {"assets": "ธรรมนูญสุขภาพตำบล", "remark.MC2": "บางหมู่บ้าน"}
    rows = from_writer["rows"].set_index("row_code")
    assert rows.label["P6"] == "อาสาสมัครบริบาล" and rows.source["P1"] == "pa_phlu.odt: table 1, row 3, cell 1"
    for name in ("tambons", "rows", "ticks", "texts", "problems"):
        a, b = from_word[name], from_writer[name]
        for col in ("source_file", "source"):
            if col in a:
                a = a.assign(**{col: a[col].str.replace("pa_phlu.docx", "X")})
                b = b.assign(**{col: b[col].str.replace("pa_phlu.odt", "X")})
        pd.testing.assert_frame_equal(a, b, obj=name)


# --------------------------------------------------------------------------- .odt as written by hand (ODF 1.3)

_NS = " ".join(f'xmlns:{k}="{v}"' for k, v in {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "form": "urn:oasis:names:tc:opendocument:xmlns:form:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}.items())


def write_odt(path: Path, body: str, *, styles: str = "", automatic: str = "", prolog: str = "",
              mimetype: str = "application/vnd.oasis.opendocument.text", kind: str = "text") -> Path:
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {_NS} office:version="1.3">'
               f'<office:font-face-decls><style:font-face style:name="Wingdings1" svg:font-family="Wingdings"/>'
               f'</office:font-face-decls><office:automatic-styles>{automatic}</office:automatic-styles>'
               f'<office:body><office:{kind}>{body}</office:{kind}></office:body></office:document-content>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        if styles:
            z.writestr("styles.xml", f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_NS}>'
                                     f'<office:master-styles>{styles}</office:master-styles></office:document-styles>')
    return path


def grids_of(path: Path) -> dict[str, list[list[str]]]:
    return {g.part: g.cells for g in read_file(path)[0].grids}


def test_odt_form_controls_spaces_merges_and_what_is_not_text(tmp_path):
    body = (
        '<office:forms><form:form form:name="Standard">'
        '<form:checkbox form:name="a" xml:id="control1" form:id="control1" form:current-state="checked"/>'
        '<form:checkbox form:name="b" xml:id="control2" form:id="control2" form:state="checked" '
        'form:current-state="unchecked"/>'
        '<form:checkbox form:name="c" xml:id="control3" form:state="checked"/></form:form></office:forms>'
        '<text:tracked-changes><text:changed-region text:id="ct1"><text:deletion><text:p>ลบแล้ว</text:p>'
        '</text:deletion></text:changed-region></text:tracked-changes>'
        '<text:p>\n   ต.ป่าพลู   <text:span>อ.บ้านโฮ่ง</text:span>\n <text:s text:c="2"/>จ.ลำพูน'
        '<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body>'
        '<text:p>เชิงอรรถ</text:p></text:note-body></text:note><office:annotation><dc:creator>x</dc:creator>'
        '<text:p>ความเห็น</text:p></office:annotation></text:p>'
        '<text:list><text:list-item><text:p>ข้อ<text:tab/>หนึ่ง<text:line-break/>บรรทัดสอง</text:p>'
        '</text:list-item></text:list>'
        '<text:section text:name="s"><table:table table:name="T">'
        '<table:table-column table:number-columns-repeated="4"/>'
        '<table:table-header-rows><table:table-row>'
        '<table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="2"><text:p>หัว</text:p>'
        '</table:table-cell><table:covered-table-cell/>'
        '<table:table-cell table:number-columns-repeated="2"><text:p/></table:table-cell></table:table-row>'
        '</table:table-header-rows>'
        '<table:table-row><table:covered-table-cell table:number-columns-repeated="2"/>'
        '<table:table-cell><text:p><draw:control draw:control="control1"/></text:p></table:table-cell>'
        '<table:table-cell><text:p><draw:control draw:control="control2"/></text:p><text:p>'
        '<draw:control draw:control="control3"/></text:p></table:table-cell></table:table-row>'
        '<table:table-row><table:table-cell><text:p/><text:p>ใน</text:p><table:table table:name="N">'
        '<table:table-row><table:table-cell><text:p>ก</text:p></table:table-cell><table:table-cell/>'
        '<table:table-cell><text:p>ข</text:p></table:table-cell></table:table-row></table:table><text:p/>'
        '</table:table-cell><table:table-cell><text:p><text:span text:style-name="T1">\uf0fc</text:span>'
        '<draw:frame><draw:text-box><text:p>กล่อง</text:p></draw:text-box></draw:frame></text:p>'
        '</table:table-cell><table:table-cell table:number-columns-repeated="2"/></table:table-row>'
        '</table:table></text:section>'
        '<table:table table:name="empty"><table:table-row><table:table-cell/></table:table-row></table:table>'
        '<table:table table:name="after"><table:table-row><table:table-cell><text:p>ท้าย</text:p>'
        '</table:table-cell></table:table-row></table:table>'
    )
    automatic = ('<style:style style:name="T1" style:family="text">'
                 '<style:text-properties style:font-name="Wingdings1"/></style:style>')
    assert grids_of(write_odt(tmp_path / "hand.odt", body, automatic=automatic)) == {
        "text 1": [["ต.ป่าพลู อ.บ้านโฮ่ง   จ.ลำพูน"], ["ข้อ\tหนึ่ง\nบรรทัดสอง"]],
        "table 1": [
            ["หัว", "", "", ""],
            ["", "", "☑", "☐\n☑"],  # current state first, else the default state
            ["ใน\nก\tข", "✓\nกล่อง", "", ""],  # a nested table one line per row; a Wingdings tick; a text box
        ],
        "table 3": [["ท้าย"]],  # table 2 is empty: skipped, its number kept, as in Word
    }


def test_odt_header_read_when_the_body_has_no_text(tmp_path):
    styles = ('<style:master-page style:name="Standard"><style:header><text:p>ต.ป่าพลู อ.บ้านโฮ่ง จ.ลำพูน</text:p>'
              '</style:header><style:header-left><text:p>ต.ป่าพลู อ.บ้านโฮ่ง จ.ลำพูน</text:p></style:header-left>'
              '</style:master-page>')
    body = '<table:table><table:table-row><table:table-cell><text:p>ก</text:p></table:table-cell></table:table-row></table:table>'
    assert grids_of(write_odt(tmp_path / "h.odt", body, styles=styles)) == {
        "header": [["ต.ป่าพลู อ.บ้านโฮ่ง จ.ลำพูน"]], "table 1": [["ก"]],
    }


def test_odt_refuses_entities_and_crafted_repeats(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("รหัสลับ")
    xxe = write_odt(tmp_path / "xxe.odt", "<text:p>&x;</text:p>",
                    prolog=f'<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>')
    with pytest.raises(UnreadableFile) as info:
        read_file(xxe)
    assert info.value.code == "corrupt-file" and "document type" in str(info.value)
    laughs = write_odt(tmp_path / "lol.odt", "<text:p>&c;</text:p>", prolog=(
        '<!DOCTYPE d [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;">]>'))
    with pytest.raises(UnreadableFile) as info:
        read_file(laughs)
    assert info.value.code == "corrupt-file"
    repeated = write_odt(tmp_path / "rep.odt", '<table:table><table:table-row table:number-rows-repeated="1000000">'
                                               '<table:table-cell table:number-columns-repeated="1000"/>'
                                               '</table:table-row></table:table>')
    with pytest.raises(UnreadableFile) as info:
        read_file(repeated)
    assert info.value.code == "corrupt-file" and "200,000 cells" in str(info.value)


def test_odt_that_is_something_else(tmp_path):
    ods = write_odt(tmp_path / "sheet.odt", "<table:table/>", kind="spreadsheet",
                    mimetype="application/vnd.oasis.opendocument.spreadsheet")
    with pytest.raises(UnreadableFile) as info:
        read_file(ods)
    assert info.value.code == "corrupt-file" and "rename it back" in str(info.value)
    renamed = tmp_path / "word.odt"
    shutil.copy(FIXTURES / "pa_phlu.docx", renamed)
    with pytest.raises(UnreadableFile) as info:
        read_file(renamed)
    assert info.value.code == "corrupt-file" and ".docx renamed" in str(info.value)


# --------------------------------------------------------------------------- zip from a coordinator


SENT = {
    "510301": "sent.zip!/ต.บ้านโฮ่ง.xlsx",  # UTF-8, flagged
    "510304": "sent.zip!/ศรีเตี้ย/แบบฟอร์ม ต.ศรีเตี้ย.docx",  # cp874, no flag
    "510303": "sent.zip!/ต.เหล่ายาว.odt",  # UTF-8, no flag
}


def test_zip_members_normalised_with_their_source_file(tmp_path):
    tables = run(raw_with(tmp_path, "sent.zip", "pa_phlu.odt"))
    tambons = tables["tambons"].set_index("tambon_id")
    assert dict(tambons.source_file) == {**SENT, "510302": "pa_phlu.odt"}
    assert tambons.worksheet_date.to_dict() == {"510301": "2020-10-27", "510302": "2020-10-27",
                                                "510303": "2020-10-29", "510304": "2020-10-28"}
    assert ticks(tables, "510301", "P2") == {"PC1": True, "PC3": True}
    assert ticks(tables, "510304", "D5") == {"DC3": True, "DC4": True}
    assert ticks(tables, "510303", "M6") == {"MC6": True}
    assert texts(tables, "510303", "S2") == {"achievements": "กองทุนสวัสดิการชุมชน", "plan": "ศูนย์เรียนรู้"}
    rows = tables["rows"]
    assert rows[rows.tambon_id == "510301"].source.tolist() == [
        "sent.zip!/ต.บ้านโฮ่ง.xlsx: ตาราง1!A4", "sent.zip!/ต.บ้านโฮ่ง.xlsx: ตาราง2!A4", "sent.zip!/ต.บ้านโฮ่ง.xlsx: ตาราง3!A4"]
    # The lock file inside is noted; the folder entry, __MACOSX/ and .DS_Store say nothing.
    assert problems(tables, "sent.zip!/~$ต.บ้านโฮ่ง.xlsx") == [
        ("sent.zip!/~$ต.บ้านโฮ่ง.xlsx", "info", "lock-file-skipped")]
    sources = set(tables["problems"].source_file)
    assert not any("MACOSX" in s or "DS_Store" in s for s in sources)
    assert not any(s.startswith("sent.zip") and s.endswith("/") for s in sources)
    assert not (tables["problems"].severity == "error").any()


def test_zip_members_read_as_if_sent_on_their_own(tmp_path):
    zipped = run(raw_with(tmp_path, "sent.zip"))
    loose = tmp_path / "loose"
    with zipfile.ZipFile(FIXTURES / "sent.zip") as z:
        for info in z.infolist():
            name = archive.member_name(info)
            if name in {m.split("!/")[1] for m in SENT.values()}:
                (loose / name).parent.mkdir(parents=True, exist_ok=True)
                (loose / name).write_bytes(z.read(info))
    alone = run(loose)
    for name in ("rows", "ticks", "texts"):
        a = zipped[name].assign(**({"source": zipped[name].source.str.replace("sent.zip!/", "")}
                                   if name == "rows" else {}))
        pd.testing.assert_frame_equal(a, alone[name], obj=name)
    assert zipped["tambons"].source_file.str.replace("sent.zip!/", "").tolist() == alone["tambons"].source_file.tolist()


def _info(raw: bytes, flag: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(raw.decode("utf-8" if flag else "cp437"))
    info.flag_bits = flag
    info.orig_filename = info.filename
    return info


@pytest.mark.parametrize(("raw", "flag", "expected"), [
    ("ต.บ้านโฮ่ง.xlsx".encode(), 0x800, "ต.บ้านโฮ่ง.xlsx"),  # the UTF-8 flag
    ("ต.บ้านโฮ่ง.xlsx".encode(), 0, "ต.บ้านโฮ่ง.xlsx"),  # UTF-8 without the flag (macOS, chat apps)
    ("ต.บ้านโฮ่ง.xlsx".encode("cp874"), 0, "ต.บ้านโฮ่ง.xlsx"),  # Thai Windows
    ("ยก.xlsx".encode("cp874"), 0, "ยก.xlsx"),  # cp874 bytes that happen to be valid UTF-8 (U+00A1 "¡")
    ("ส่ง\\ต.ป่าพลู.docx".encode("cp874"), 0, "ส่ง/ต.ป่าพลู.docx"),  # Windows separators
    (b"\xdb\xfc.xlsx", 0, "█ⁿ.xlsx"),  # neither: zip's own cp437
    (b"plain.xlsx", 0, "plain.xlsx"),
])
def test_member_names_decoded(raw, flag, expected):
    assert archive.member_name(_info(raw, flag)) == expected


# --------------------------------------------------------------------------- hostile zips

GOOD = Filled("ตำบลบ้านโฮ่ง อำเภอบ้านโฮ่ง จังหวัดลำพูน", "27 ต.ค. 2563",
              {"people": [Line(numbered(PEOPLE, "P1"), {"method": "อบรม"}, {"PC2": "✓"})]})
OTHER = Filled("ตำบลป่าพลู อำเภอบ้านโฮ่ง จังหวัดลำพูน", "27 ต.ค. 2563",
               {"people": [Line(numbered(PEOPLE, "P3"), {"method": "ศึกษาดูงาน"}, {"PC4": "✓"})]})
ZEROS = b"\0" * (5 * 1024 * 1024)


def _patch(path: Path, member: str, *, size: int | None = None, flags: int | None = None) -> None:
    """Rewrites what the archive declares for ``member`` (local header and index): its
    uncompressed size, or its flags (zipfile writes its own flags, never an encrypted one)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info, start = z.getinfo(member), z.start_dir
    # (field, offset in the local header, offset in the index entry)
    fields = [("<I", 22, 24, size), ("<H", 6, 8, flags)]
    for fmt, local, _, value in fields:
        if value is not None:
            struct.pack_into(fmt, data, info.header_offset + local, value)
    pos = start
    while data[pos:pos + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack_from("<HHH", data, pos + 28)
        if data[pos + 46:pos + 46 + n].decode("utf-8") == member:
            for fmt, _, central, value in fields:
                if value is not None:
                    struct.pack_into(fmt, data, pos + central, value)
        pos += 46 + n + m + k
    path.write_bytes(bytes(data))


def hostile_zip(tmp_path: Path) -> Path:
    good = write_xlsx_one_sheet(tmp_path / "good.xlsx", GOOD).read_bytes()
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("ต.ป่าพลู.xlsx", write_xlsx_one_sheet(tmp_path / "other.xlsx", OTHER).read_bytes())
    path = tmp_path / "raw" / "hostile.zip"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("inner.zip", inner.read_bytes())
        z.writestr("bomb.xlsx", ZEROS)
        z.writestr("liar.xlsx", ZEROS)
        z.writestr("huge.xlsx", b"PK small")
        z.writestr("../../evil.xlsx", good)
        z.writestr("secret.xlsx", good)
        link = zipfile.ZipInfo("link.xlsx")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
        z.writestr("old.xlsx", good, compress_type=zipfile.ZIP_BZIP2)
        z.writestr("scan.pdf", b"%PDF-1.4")
        z.writestr("broken.docx", b"PK\x03\x04 not a document")
        z.writestr("ต.บ้านโฮ่ง.xlsx", good)  # last: everything before must not stop it
    _patch(path, "liar.xlsx", size=1000)
    _patch(path, "huge.xlsx", size=60 * 1024 * 1024)
    _patch(path, "secret.xlsx", flags=0x1)
    return path


def test_hostile_zip_refused_member_by_member_while_the_rest_goes_through(tmp_path):
    path = hostile_zip(tmp_path)
    assert path.stat().st_size < 100_000  # tiny on disk: 5 MB of zeros twice, compressed
    write_xlsx_one_sheet(tmp_path / "raw" / "ป่าพลู.xlsx", OTHER)
    tables = run(tmp_path / "raw")
    assert dict(tables["tambons"].set_index("tambon_id").source_file) == {
        "510301": "hostile.zip!/ต.บ้านโฮ่ง.xlsx", "510302": "ป่าพลู.xlsx"}
    assert ticks(tables, "510301", "P1") == {"PC2": True}
    errors = tables["problems"][tables["problems"].severity == "error"].set_index("source_file")
    codes = errors.code.to_dict()
    assert codes == {
        "hostile.zip!/inner.zip": "archive-refused",
        "hostile.zip!/bomb.xlsx": "archive-refused",
        "hostile.zip!/liar.xlsx": "archive-refused",
        "hostile.zip!/huge.xlsx": "file-too-large",
        "hostile.zip!/../../evil.xlsx": "archive-refused",
        "hostile.zip!/secret.xlsx": "archive-refused",
        "hostile.zip!/link.xlsx": "archive-refused",
        "hostile.zip!/old.xlsx": "archive-refused",
        "hostile.zip!/scan.pdf": "unsupported-format",
        "hostile.zip!/broken.docx": "corrupt-file",
    }
    message = errors.message.to_dict()
    assert "archive inside an archive" in message["hostile.zip!/inner.zip"]
    assert "5,242,880" in message["hostile.zip!/bomb.xlsx"] and "100 times" in message["hostile.zip!/bomb.xlsx"]
    assert "checksum" in message["hostile.zip!/liar.xlsx"]
    assert "62,914,560" in message["hostile.zip!/huge.xlsx"]
    assert "outside" in message["hostile.zip!/../../evil.xlsx"]
    assert "password" in message["hostile.zip!/secret.xlsx"]
    assert "symbolic link" in message["hostile.zip!/link.xlsx"]
    assert "method 12" in message["hostile.zip!/old.xlsx"]
    assert message["hostile.zip!/scan.pdf"] == advice("pdf")


def test_declared_sizes_are_checked_before_decompressing(tmp_path, monkeypatch):
    path = hostile_zip(tmp_path)
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open",
                        lambda self, info, *a, **k: opened.append(getattr(info, "filename", info))
                        or real_open(self, info, *a, **k))
    seen = {m.name.split("!/")[1]: m.refused.code if m.refused else "read" for m in archive.members(path, "h.zip")}
    assert seen["ต.บ้านโฮ่ง.xlsx"] == seen["broken.docx"] == "read"
    # Only the members whose declarations pass are decompressed at all; the liar is caught while it is.
    assert sorted(opened) == sorted(["liar.xlsx", "broken.docx", "ต.บ้านโฮ่ง.xlsx"])


def test_limits_on_the_whole_archive(tmp_path, monkeypatch):
    good = write_xlsx_one_sheet(tmp_path / "good.xlsx", GOOD).read_bytes()
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(4):
            z.writestr(f"{i}.xlsx", good)
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 2 * len(good) + 10)
    got = [(m.name, m.refused.code if m.refused else "read") for m in archive.members(path, "many.zip")]
    assert got == [("many.zip!/0.xlsx", "read"), ("many.zip!/1.xlsx", "read"),
                   ("many.zip!/2.xlsx", "archive-refused"), ("many.zip!/3.xlsx", "archive-refused")]
    monkeypatch.setattr(archive, "MAX_ENTRIES", 3)
    with pytest.raises(UnreadableFile) as info:
        list(archive.members(path, "many.zip"))
    assert info.value.code == "archive-refused" and "4 entries" in str(info.value)


def test_archives_that_cannot_be_opened(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "junk.zip").write_bytes(b"this is not a zip at all")
    shutil.copy(FIXTURES / "pa_phlu.docx", raw / "ใบงาน.zip")  # renamed to pass an e-mail filter
    (raw / "empty.zip").write_bytes(b"")
    write_xlsx_one_sheet(raw / "ok.xlsx", GOOD)
    tables = run(raw)
    p = tables["problems"].set_index("source_file")
    assert {k: v for k, v in p.code.to_dict().items() if k.endswith(".zip")} == {
        "junk.zip": "corrupt-file", "ใบงาน.zip": "unsupported-format", "empty.zip": "empty-file"}
    assert "rename it back to .docx" in p.message["ใบงาน.zip"]
    assert tables["tambons"].tambon_id.tolist() == ["510301"]


# --------------------------------------------------------------------------- formats not read, with advice


@pytest.mark.parametrize(("name", "kind"), [
    ("pa_phlu.doc", "word_legacy"), ("pa_phlu.pdf", "pdf"), ("ใบงาน.jpg", "image"), ("IMG_0001.HEIC", "image"),
    ("สแกน.png", "image"), ("book.xlsb", "excel_binary"), ("ใบงาน.pages", "apple"), ("notes.txt", "plain_text"),
    ("ส่งทั้งหมด.rar", "archive_other"),
])
def test_unsupported_formats_say_what_to_do(tmp_path, name, kind):
    path = tmp_path / name
    if (FIXTURES / name).exists():  # LibreOffice's own .doc and .pdf exports of the worksheet
        shutil.copy(FIXTURES / name, path)
    else:
        path.write_bytes(b"\xff\xd8\xff\xe0 not a worksheet")
    with pytest.raises(UnreadableFile) as info:
        read_file(path)
    assert info.value.code == "unsupported-format" and str(info.value) == advice(kind)


def test_unsupported_advice_reaches_the_problems_table_inside_zips_too(tmp_path):
    raw = raw_with(tmp_path, "pa_phlu.doc", "pa_phlu.pdf")
    with zipfile.ZipFile(raw / "sent.zip", "w") as z:
        z.write(FIXTURES / "pa_phlu.doc", "ต.ป่าพลู.doc")
        z.writestr("รูปใบงาน.jpg", b"\xff\xd8\xff\xe0")
    p = run(raw)["problems"].set_index("source_file")
    assert p.code.to_dict() == {"pa_phlu.doc": "unsupported-format", "pa_phlu.pdf": "unsupported-format",
                                "sent.zip!/ต.ป่าพลู.doc": "unsupported-format",
                                "sent.zip!/รูปใบงาน.jpg": "unsupported-format"}
    assert p.message.to_dict() == {"pa_phlu.doc": advice("word_legacy"), "pa_phlu.pdf": advice("pdf"),
                                   "sent.zip!/ต.ป่าพลู.doc": advice("word_legacy"),
                                   "sent.zip!/รูปใบงาน.jpg": advice("image")}


def test_unknown_suffix_keeps_the_generic_message(tmp_path):
    path = tmp_path / "data.abc"
    path.write_bytes(b"x")
    with pytest.raises(UnreadableFile) as info:
        read_file(path)
    assert str(info.value) == "'.abc' files are not read (only .csv .docx .ods .odt .xls .xlsm .xlsx .zip)"


def test_formats_yaml_never_refuses_a_readable_suffix():
    listed = [s for entry in FORMATS["unsupported"].values() for s in entry["suffixes"]]
    assert len(listed) == len(set(listed)) and all(s == s.lower() and s.startswith(".") for s in listed)
    assert not set(listed) & (SUPPORTED_SUFFIXES | ARCHIVE_SUFFIXES)


def test_new_problem_codes_have_report_words():
    codes = yaml.safe_load((DATA / "report_text.yaml").read_text(encoding="utf-8"))["problem_codes"]
    for code in ("archive-refused", "lock-file-skipped"):
        assert codes[code]["th"] and codes[code]["en"]


# --------------------------------------------------------------------------- office lock files


def test_lock_files_are_noted_never_read(tmp_path):
    raw = raw_with(tmp_path, "pa_phlu.odt", "pa_phlu.docx")
    (raw / "~$pa_phlu.docx").write_bytes(b"\x08somchai ".ljust(162, b"\0"))  # Word's lock file
    (raw / ".~lock.pa_phlu.odt#").write_text("ผู้ใช้,pc01,pc01,27.10.2020 09:00,file:///C:/pa_phlu.odt;")
    (raw / "~$ต.ป่าพลู.xlsx").write_bytes(FIXTURES.joinpath("pa_phlu.docx").read_bytes())  # even a lookalike
    (raw / ".hidden.xlsx").write_bytes(b"x")  # other dot-files stay silent
    (raw / ".git").mkdir()
    (raw / ".git" / "~$x.xlsx").write_bytes(b"x")  # ... and so does everything in a hidden folder
    assert [p.name for p in list_raw_files(raw)] == [
        ".~lock.pa_phlu.odt#", "pa_phlu.docx", "pa_phlu.odt", "~$pa_phlu.docx", "~$ต.ป่าพลู.xlsx"]
    tables = run(raw)
    notes = tables["problems"][tables["problems"].code == "lock-file-skipped"]
    assert sorted(notes.source_file) == [".~lock.pa_phlu.odt#", "~$pa_phlu.docx", "~$ต.ป่าพลู.xlsx"]
    assert set(notes.severity) == {"info"} and set(notes.location) == {"whole file"}
    assert set(notes.message) == {FORMATS["lock_file"]["en"]} and set(notes.tambon_id) == {""}
    assert tables["tambons"].tambon_id.tolist() == ["510302"]  # docx and odt: one tambon, one superseded
    assert not (tables["problems"].severity == "error").any()
