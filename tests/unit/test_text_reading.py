"""Reading drafts (opendata_mh.text.reading): text, DOCX with a text box and a footnote, PDF with
lost ligature glyphs; bad input."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from opendata_mh.errors import DraftError
from opendata_mh.text import extract, read_draft, read_text
from opendata_mh.text.reading import repair_glyphs
from tests.unit.text_gold import TEXT_2023

ROOT = Path(__file__).resolve().parents[2]


def _fixtures_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "make_text_fixtures", ROOT / "scripts" / "make_text_fixtures.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_text_fixtures"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def made(tmp_path_factory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("text-fixtures")
    mod = _fixtures_module()
    return {
        "docx": mod.make_docx(out),
        "pdf": mod.make_pdf(out),
        "encrypted": mod.make_pdf(out, encrypted=True),
    }


def _figures(path: Path) -> list[tuple[str, float | None]]:
    return [(f.kind, f.value) for f in extract(read_draft(path).lines).figures]


def test_the_2023_text_has_six_lost_glyphs_all_repaired() -> None:
    raw = TEXT_2023.read_text(encoding="utf-8")
    assert raw.count("slachto\ufffders") == 6
    d = read_draft(TEXT_2023)
    assert (d.repaired, d.unrepaired) == (6, 0)
    assert "slachto\ufffders" not in d.text
    assert "totaal aantal slachtoffers, omdat slachtoffers meerdere" in d.text


def test_repair_uses_the_documents_vocabulary() -> None:
    text, fixed, left = repair_glyphs(
        "de stofe \ufffdets. de o\ufffdcier, de officier, de officier"
    )
    assert "de officier, de officier" in text and "o\ufffdcier" not in text
    assert fixed == 1 and left == 0
    assert repair_glyphs("\ufffdLICHTE STIJGING")[1:] == (0, 0)  # a lost bullet is no word


def test_docx_reads_body_one_copy_of_the_text_box_and_the_footnote(made) -> None:  # type: ignore[no-untyped-def]
    d = read_draft(made["docx"])
    assert d.format == "docx"
    assert d.text.count("Meer inzicht in het proces van signale-") == 1  # Choice, not Fallback
    assert any(line.startswith("[1] Zie meer uitgebreid") for line in d.lines)
    assert _figures(made["docx"]) == _figures(TEXT_2023)


def test_pdf_figures_equal_the_text_and_glyphs_are_repaired(made) -> None:  # type: ignore[no-untyped-def]
    d = read_draft(made["pdf"])
    assert d.format == "pdf"
    assert (d.repaired, d.unrepaired) == (6, 0)
    assert _figures(made["pdf"]) == _figures(TEXT_2023)


def test_encrypted_pdf(made) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DraftError, match="encrypted") as exc:
        read_draft(made["encrypted"])
    assert exc.value.code == "text.encrypted"
    assert str(made["encrypted"]) in str(exc.value)


@pytest.mark.parametrize(
    ("name", "data", "code", "words"),
    [
        ("empty.txt", b"", "text.empty", "empty"),
        ("blank.md", b"  \n\n ", "text.empty", "empty"),
        ("fake.docx", b"this is not a zip", "text.unreadable", "not a DOCX"),
        ("fake.pdf", b"hello", "text.unreadable", "not a PDF"),
        ("broken.pdf", b"%PDF-1.4\n garbage", "text.unreadable", "not a readable PDF"),
        ("binary.txt", b"\x00\x01\x02\x03" * 10, "text.unreadable", "binary"),
        ("zip.docx", b"PK\x03\x04" + b"\x00" * 40, "text.unreadable", "not a DOCX"),
    ],
)
def test_bad_input(tmp_path: Path, name: str, data: bytes, code: str, words: str) -> None:
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(DraftError, match=words) as exc:
        read_draft(p)
    assert exc.value.code == code
    assert name in str(exc.value)


def test_read_text_rejects_empty() -> None:
    with pytest.raises(DraftError, match="empty"):
        read_text("   \n")
