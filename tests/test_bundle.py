"""Packing the report site into one zip, masked, deterministic, with working links."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import pytest

from siianalysis.workshop.bundle import TOP_FOLDER, bundle_main, bundle_site


def valid_id(first12: str) -> str:
    total = sum(int(c) * (13 - i) for i, c in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


VID = valid_id("350990012776")
ID_WRITTEN = f"{VID[0]}-{VID[1:5]}-{VID[5:10]}-{VID[10:12]}-{VID[12]}"
ID_MASKED = f"x-xxxx-xxxxx-xx-{VID[12]}"
PNG_URI = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA" + VID + "0812345678AAAA"


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>"
            "<style>.sii{width:0812345678px}</style></head>\n"
            f"<body class=\"sii\">\n{body}\n</body></html>\n")


def _tambon_page(name: str, peer: str) -> str:
    return _page(name, (
        f"<h1>{name}</h1>\n<p>ผู้ประสานงาน นายสมชาย ใจดี โทร. 081-234-5678 อีเมล somchai.j@gmail.com</p>\n"
        f"<table><tr><td>เลขบัตร {ID_WRITTEN}</td><td>งบ 150,000 บาท</td><td>27/10/2563</td></tr></table>\n"
        f"<img src=\"{PNG_URI}\" alt=\"กราฟ\">\n"
        f"<p><a href=\"{peer}\">ตำบลใกล้เคียง</a> <a href=\"../index.html\">สารบัญ</a> "
        f"<a href=\"../compiled/site.css\">css</a> <a href=\"#top\">top</a> "
        f"<a href=\"https://www.thaihealth.or.th/\">สสส.</a></p>"))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "reports"
    (root / "tambon").mkdir(parents=True)
    (root / "compiled").mkdir()
    (root / ".ipynb_checkpoints").mkdir()
    (root / "index.html").write_text(_page("สารบัญ", (
        "<ul><li><a href=\"network.html\">ภาพรวมเครือข่าย</a></li>"
        "<li><a href=\"tambon/500707.html\">ไชยสถาน</a></li>"
        "<li><a href=\"tambon/u-0123456789.html\">บ้านใหม่ (ไม่ทราบรหัส)</a></li></ul>"
        "<link rel=\"stylesheet\" href=\"compiled/site.css\">")), encoding="utf-8")
    (root / "network.html").write_text(_page("เครือข่าย", (
        "<p><a href=\"tambon/500707.html\">ไชยสถาน</a> <a href=\"tambon/u-0123456789.html\">บ้านใหม่</a></p>"
        "<p>ติดต่อเครือข่าย 053-123456</p>")), encoding="utf-8")
    (root / "tambon" / "500707.html").write_text(_tambon_page("ไชยสถาน", "u-0123456789.html"), encoding="utf-8")
    (root / "tambon" / "u-0123456789.html").write_text(_tambon_page("บ้านใหม่", "500707.html"), encoding="utf-8")
    notebook = json.dumps({"cells": [{"cell_type": "code", "source": "tambon_id = '500707'",
                                      "outputs": [{"text": "081-234-5678 " + VID}]}]})
    for name in ("network.ipynb", "tambon/500707.ipynb", "tambon/u-0123456789.ipynb", ".ipynb_checkpoints/x.ipynb"):
        (root / name).write_text(notebook, encoding="utf-8")
    (root / ".manifest.json").write_text(json.dumps({"reports": {"network": "abc"}}), encoding="utf-8")
    (root / "compiled" / "site.css").write_text(".sii{color:#123456}", encoding="utf-8")
    (root / "compiled" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + VID.encode() + b"081-234-5678")
    (root / "compiled" / ".DS_Store").write_bytes(b"junk")
    (root / "notes.txt").write_text("โทร 081-234-5678", encoding="utf-8")
    return root


def _snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


SITE_ENTRIES = ["compiled/logo.png", "compiled/site.css", "index.html", "network.html",
                "tambon/500707.html", "tambon/u-0123456789.html"]


def test_bundle_entries_masking_and_links(site: Path, tmp_path: Path):
    before = _snapshot(site)
    out = tmp_path / "out" / "site.zip"
    result = bundle_site(site, out)

    assert out.is_file() and not out.with_name("site.zip.tmp").exists()
    assert _snapshot(site) == before  # the reports on disk are untouched
    assert result.files == SITE_ENTRIES and result.n_files == 6
    assert result.skipped == ["notes.txt"]
    assert result.masked == {"phone": 3, "email": 2, "citizen_id": 2, "name": 2}
    assert set(result.masked_by_file) == {"network.html", "tambon/500707.html", "tambon/u-0123456789.html"}
    assert result.warnings == [] and result.broken_links == {}

    with zipfile.ZipFile(out) as zf:
        # sorted, relative to the site root, under one top folder, no notebook, no dotfile
        assert zf.namelist() == [f"{TOP_FOLDER}/{e}" for e in SITE_ENTRIES]
        names = [n.removeprefix(f"{TOP_FOLDER}/") for n in zf.namelist()]
        for info in zf.infolist():
            assert info.date_time == (2020, 10, 27, 0, 0, 0)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert (info.external_attr >> 16) & 0o777 == 0o644
        pages = {n: zf.read(f"{TOP_FOLDER}/{n}").decode("utf-8") for n in names if n.endswith(".html")}
        assert zf.read(f"{TOP_FOLDER}/compiled/logo.png") == (site / "compiled/logo.png").read_bytes()
        assert zf.read(f"{TOP_FOLDER}/compiled/site.css") == (site / "compiled/site.css").read_bytes()

    for name, text in pages.items():
        assert "081-234-5678" not in text.split("</style>")[1]
        assert "somchai.j@" not in text and ID_WRITTEN not in text
        # every relative link resolves to an entry of the zip
        for link in re.findall(r'(?:href|src)="([^"]+)"', text):
            if link.startswith(("#", "https:", "data:")):
                continue
            target = (Path("/site") / name).parent.joinpath(link).resolve().relative_to("/site").as_posix()
            assert target in names, (name, link)
    tambon = pages["tambon/500707.html"]
    original = (site / "tambon/500707.html").read_text(encoding="utf-8")
    assert tambon == (original.replace("นายสมชาย ใจดี", "นายส*** ใ***").replace("081-234-5678 อีเมล", "0xx-xxx-xx78 อีเมล")
                      .replace("somchai.j@gmail.com", "s***@gmail.com").replace(ID_WRITTEN, ID_MASKED))
    assert PNG_URI in tambon and "width:0812345678px" in tambon  # image and style byte for byte
    assert "0xx-xxxx56" in pages["network.html"]
    assert pages["index.html"] == (site / "index.html").read_text(encoding="utf-8")

    summary = result.summary()
    assert "6 files" in summary and "2 citizen id, 3 phone, 2 email" in summary and "notes.txt" in summary


def test_bundle_unzips_to_a_working_site(site: Path, tmp_path: Path):
    out = tmp_path / "site.zip"
    bundle_site(site, out)
    dest = tmp_path / "unzipped"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(dest)
    assert [p.name for p in dest.iterdir()] == [TOP_FOLDER]  # one folder of its own
    dest = dest / TOP_FOLDER
    index = (dest / "index.html").read_text(encoding="utf-8")
    for link in re.findall(r'href="([^"#:]+)"', index):
        assert (dest / link).is_file(), link
    assert not list(dest.rglob("*.ipynb")) and not list(dest.rglob(".*"))


def test_bundle_is_deterministic(site: Path, tmp_path: Path):
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    bundle_site(site, a)
    (site / "index.html").touch()  # a newer modification time changes nothing
    bundle_site(site, b)
    assert a.read_bytes() == b.read_bytes()
    bundle_site(site, a)  # overwriting an existing bundle
    assert a.read_bytes() == b.read_bytes()


def test_bundle_without_masking_keeps_the_originals(site: Path, tmp_path: Path):
    out = tmp_path / "raw.zip"
    result = bundle_site(site, out, mask=False)
    assert not result.masked and not result.masked_by_file
    assert "nothing" in result.summary()
    with zipfile.ZipFile(out) as zf:
        assert zf.namelist() == [f"{TOP_FOLDER}/{e}" for e in SITE_ENTRIES]
        for name in SITE_ENTRIES:
            assert zf.read(f"{TOP_FOLDER}/{name}") == (site / name).read_bytes()


def test_notebooks_only_unmasked(site: Path, tmp_path: Path):
    with pytest.raises(ValueError, match="mask=False"):
        bundle_site(site, tmp_path / "x.zip", include_notebooks=True)
    assert not (tmp_path / "x.zip").exists()
    result = bundle_site(site, tmp_path / "nb.zip", mask=False, include_notebooks=True)
    assert result.files == sorted(SITE_ENTRIES + ["network.ipynb", "tambon/500707.ipynb", "tambon/u-0123456789.ipynb"])
    with zipfile.ZipFile(tmp_path / "nb.zip") as zf:
        assert ".manifest.json" not in zf.namelist()
        assert not any(n.startswith(".") or "/." in n for n in zf.namelist())
        assert all(n.startswith(f"{TOP_FOLDER}/") for n in zf.namelist())


def test_broken_links_are_warned(site: Path, tmp_path: Path):
    (site / "tambon" / "u-0123456789.html").unlink()
    index = (site / "index.html").read_text(encoding="utf-8")
    (site / "index.html").write_text(index.replace("</ul>", "<li><a href=\"../elsewhere.html\">x</a></li>"
                                                   "<li><a href=\"tambon/510101.html?x=1#top\">y</a></li></ul>"),
                                     encoding="utf-8")
    result = bundle_site(site, tmp_path / "site.zip")
    assert result.broken_links["index.html"] == ["tambon/u-0123456789.html", "../elsewhere.html", "tambon/510101.html"]
    assert result.broken_links["network.html"] == ["tambon/u-0123456789.html"]
    assert result.broken_links["tambon/500707.html"] == ["tambon/u-0123456789.html"]
    index_warning = next(w for w in result.warnings if w.startswith("index.html:"))
    assert "2 link(s) to files not in the bundle" in index_warning and "1 link(s) outside the site" in index_warning
    assert "warnings: 3" in result.summary()


def test_symlinks_are_left_out(site: Path, tmp_path: Path):
    secret = tmp_path / "secret.html"
    secret.write_text("<p>081-234-5678</p>", encoding="utf-8")
    try:
        (site / "tambon" / "secret.html").symlink_to(secret)
    except OSError:
        pytest.skip("no symbolic links here")
    result = bundle_site(site, tmp_path / "site.zip")
    assert "tambon/secret.html" not in result.files
    assert any("symbolic link" in w for w in result.warnings)


def test_undecodable_bytes_survive(site: Path, tmp_path: Path):
    page = site / "tambon" / "500707.html"
    page.write_bytes(page.read_bytes().replace(b"</h1>", b"\xff\xfe</h1>"))
    bundle_site(site, tmp_path / "site.zip")
    with zipfile.ZipFile(tmp_path / "site.zip") as zf:
        data = zf.read(f"{TOP_FOLDER}/tambon/500707.html")
    assert b"\xff\xfe</h1>" in data and b"0xx-xxx-xx78" in data


def test_bundle_main(site: Path, tmp_path: Path, capsys):
    out = tmp_path / "site.zip"
    assert bundle_main(site, out, mask=True) == 0
    printed = capsys.readouterr().out
    assert str(out) in printed and "masked:" in printed and out.is_file()

    empty = tmp_path / "empty"
    empty.mkdir()
    assert bundle_main(empty, tmp_path / "none.zip", mask=True) == 2
    err = capsys.readouterr().err
    assert "siianalysis report" in err and "index.html" in err
    assert not (tmp_path / "none.zip").exists()

    assert bundle_main(site, tmp_path, mask=True) == 2  # a folder, not a zip file
    assert "folder" in capsys.readouterr().err

    with pytest.raises(FileNotFoundError):
        bundle_site(empty, tmp_path / "none.zip")
