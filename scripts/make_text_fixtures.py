"""Make the DOCX and PDF fixtures of the narrative check from the 2023 report text.

    python scripts/make_text_fixtures.py [OUT_DIR]   (default: a fresh temporary directory)

Writes ``jaarcijfers_2023.docx`` and ``jaarcijfers_2023.pdf`` from
``tests/fixtures/text/jaarcijfers_2023.txt`` (tests call :func:`make_docx` / :func:`make_pdf`
into their own temporary directory, so no binary file is committed):

* DOCX (python-docx): one paragraph per line of the text; the narrow-column paragraph of lines
  36-42 ("Meer inzicht in het proces ...") in a **text box**, stored twice as Word does
  (``mc:Choice`` with DrawingML and ``mc:Fallback`` with VML); footnote 1 (lines 180-181) as a
  real **footnote** (``word/footnotes.xml``) referenced from line 173 instead of the glued "1".
* PDF (fpdf2, DejaVu Sans from matplotlib's data): one PDF line per text line, 60 lines a page;
  the six "slachto\\ufffders" of the text keep their lost glyph (U+FFFD), as the real report's
  PDF gives them to pdfplumber; ``encrypted=True`` makes a password-protected copy.
"""

from __future__ import annotations

import re
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = ROOT / "tests" / "fixtures" / "text" / "jaarcijfers_2023.txt"
TEXTBOX_LINES = range(36, 43)  # 1-based, inclusive of 42
FOOTNOTE_LINES = (180, 181)
FOOTNOTE_REF_LINE = 173

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TEXTBOX = """<w:r xmlns:w="{w}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
 xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
 xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent><mc:Choice Requires="wps">
<w:drawing><wps:wsp><wps:txbx><w:txbxContent>{paras}</w:txbxContent></wps:txbx></wps:wsp>
</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{paras}
</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"""
_FOOTNOTES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{w}">
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>
</w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:footnote>
</w:footnotes>"""


def _xml(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _lines() -> list[str]:
    return TEXT.read_text(encoding="utf-8").split("\n")


def make_docx(out: Path) -> Path:
    """The 2023 text as a DOCX with a text box and a footnote; returns the path."""
    import docx
    from docx.oxml import parse_xml

    lines = _lines()
    doc = docx.Document()
    note = " ".join(lines[i - 1].strip() for i in FOOTNOTE_LINES)
    note = re.sub(r"^1\s*", "", note)
    i = 1
    while i <= len(lines):
        if i in FOOTNOTE_LINES:
            i += 1
            continue
        if i == TEXTBOX_LINES.start:
            host = doc.add_paragraph()
            paras = "".join(
                f'<w:p><w:r><w:t xml:space="preserve">{_xml(lines[j - 1])}</w:t></w:r></w:p>'
                for j in TEXTBOX_LINES
            )
            host._p.append(parse_xml(_TEXTBOX.format(w=W, paras=paras)))
            i = TEXTBOX_LINES.stop
            continue
        line = lines[i - 1]
        if i == FOOTNOTE_REF_LINE and line.endswith("zitten.1"):
            p = doc.add_paragraph(line[:-1])
            p._p.append(
                parse_xml(
                    f'<w:r xmlns:w="{W}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                    '<w:footnoteReference w:id="1"/></w:r>'
                )
            )
        else:
            doc.add_paragraph(line)
        i += 1
    path = out / "jaarcijfers_2023.docx"
    doc.save(str(path))
    # add the footnotes part (python-docx cannot write footnotes)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            elif item.filename == "word/_rels/document.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdFootnotes1" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
                    b"</Relationships>",
                )
            zout.writestr(item, data)
        zout.writestr("word/footnotes.xml", _FOOTNOTES.format(w=W, text=_xml(note)))
    tmp.replace(path)
    return path


def make_pdf(out: Path, *, encrypted: bool = False, name: str | None = None) -> Path:
    """The 2023 text as a PDF (one PDF line per text line); returns the path."""
    import matplotlib
    from fpdf import FPDF

    font = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(font))
    pdf.set_font("DejaVu", size=7)
    lines = _lines()
    for k in range(0, len(lines), 60):
        pdf.add_page()
        for line in lines[k : k + 60]:
            pdf.cell(0, 4.2, line.replace("\t", " ") or " ", new_x="LMARGIN", new_y="NEXT")
    if encrypted:
        pdf.set_encryption(owner_password="owner", user_password="secret")
    path = out / (
        name or ("jaarcijfers_2023_encrypted.pdf" if encrypted else "jaarcijfers_2023.pdf")
    )
    pdf.output(str(path))
    return path


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(tempfile.mkdtemp(prefix="text-fixtures-"))
    out.mkdir(parents=True, exist_ok=True)
    for p in (make_docx(out), make_pdf(out), make_pdf(out, encrypted=True)):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
