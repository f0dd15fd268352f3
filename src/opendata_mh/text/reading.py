"""Reading a draft: plain text or Markdown, DOCX and PDF, as lines of text.

The only home of python-docx (``docx``) and pdfplumber (tests/unit/test_architecture.py).

* **Text/Markdown** (``.txt``, ``.md``, anything else that decodes as UTF-8): read as is.
* **DOCX**: the body in document order (paragraphs, table rows as one line with the cells
  separated by spaces, and the text boxes of ``w:txbxContent``). Word stores a text box twice,
  once in ``mc:Choice`` (DrawingML) and once in ``mc:Fallback`` (VML): only the ``mc:Choice``
  copy is read. Footnotes follow the body, one line each (``[n] text``). python-docx reads
  neither text boxes (python-docx #416) nor footnotes, so the XML is walked directly.
* **PDF**: the text of each page from pdfplumber (which expands the U+FB00-FB06 ligatures).
  A glyph without a text mapping stays U+FFFD ("slachto\ufffders"; pdfplumber #1280, cannot be
  fixed in the extraction): :func:`repair_glyphs` restores such a word from the words of the
  same document (the most frequent word that matches with one to three letters in the gap).

Bad input raises :class:`~opendata_mh.errors.DraftError` naming the file: an empty file, a
binary file, a DOCX that is not a ZIP with ``word/document.xml``, a PDF that is encrypted or
not a PDF, a PDF without a text layer, a text over :data:`MAX_TEXT_CHARS` characters.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from opendata_mh.errors import DraftError

Format = Literal["text", "docx", "pdf"]

MAX_TEXT_CHARS = 2_000_000
"""The most text a draft may have (characters, after reading): the 2023 text has about
35,000, a whole report draft at most a few hundred thousand. A larger text is refused at once
(``text.too-large``, exit 3) instead of running for minutes; split it into its chapters."""

REPLACEMENT = "\ufffd"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_BROKEN_RE = re.compile(r"[^\W\d_]+(?:\ufffd[^\W\d_]+)+", re.UNICODE)


@dataclass(frozen=True)
class Draft:
    """A draft as read: its lines, the format, and how many lost glyphs were repaired."""

    path: str
    format: Format
    lines: tuple[str, ...]
    repaired: int = 0
    unrepaired: int = 0

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def repair_glyphs(text: str) -> tuple[str, int, int]:
    """Repair words with U+FFFD from the document's own vocabulary.

    Returns ``(text, repaired, unrepaired)``. A broken word (letters around one or more U+FFFD)
    becomes the most frequent intact word of the text that matches it with 1-3 letters for each
    U+FFFD (a lost ligature: fi, fl, ff, ffi, ffl, ft, tt); case is kept from the match. A
    U+FFFD outside a word (a lost bullet glyph) is left alone.
    """
    vocab = Counter(w for w in _WORD_RE.findall(text) if REPLACEMENT not in w)
    lower_vocab: Counter[str] = Counter()
    for w, n in vocab.items():
        lower_vocab[w.lower()] += n
    cache: dict[str, str | None] = {}
    repaired = unrepaired = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal repaired, unrepaired
        word = m.group(0)
        if not word.strip(REPLACEMENT):
            return word  # a lone lost glyph (bullet, icon): not a word
        if word not in cache:
            parts = [re.escape(p) for p in word.lower().split(REPLACEMENT)]
            pat = re.compile("^" + r"[^\W\d_]{1,3}".join(parts) + "$")
            best = [(n, w) for w, n in lower_vocab.items() if pat.match(w)]
            cache[word] = max(best)[1] if best else None
        hit = cache[word]
        if hit is None:
            unrepaired += 1
            return word
        repaired += 1
        return hit[0].upper() + hit[1:] if word[:1].isupper() else hit

    out = _BROKEN_RE.sub(fix, text)
    return out, repaired, unrepaired


def _decode(data: bytes, path: Path) -> str:
    if b"\x00" in data[:4096]:
        raise DraftError(f"{path}: a binary file, not a text (give a .txt, .md, .docx or .pdf)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise DraftError(f"{path}: not UTF-8 or Windows-1252 text ({exc})") from exc


def _inside(el: Any, top: Any, tags: tuple[str, ...]) -> bool:
    """Whether ``el`` lies in an element with one of ``tags`` below ``top``."""
    for a in el.iterancestors():
        if a is top:
            return False
        if a.tag in tags:
            return True
    return False


def _docx_lines(path: Path) -> list[str]:
    import docx  # python-docx: lxml elements of the document and its parts
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document: Any = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DraftError(
            f"{path}: not a DOCX document (a ZIP with word/document.xml): {exc}"
        ) from exc

    def para_text(p: Any) -> str:
        return "".join(
            (t.text or "") if t.tag == _W + "t" else "\t" if t.tag == _W + "tab" else "\n"
            for t in p.iter(_W + "t", _W + "tab", _W + "br")
            if not any(a.tag == _MC + "Fallback" for a in t.iterancestors())
        )

    lines: list[str] = []

    def walk(el: Any) -> None:
        for child in el:
            tag = child.tag
            if tag == _MC + "Fallback":
                continue  # the VML copy of a text box already read in mc:Choice
            if tag == _W + "p":
                # a paragraph's own runs; text boxes anchored in it come after it
                own = [
                    t
                    for t in child.iter(_W + "t", _W + "tab", _W + "br")
                    if not _inside(t, child, (_W + "txbxContent", _MC + "Fallback"))
                ]
                text = "".join(
                    (t.text or "") if t.tag == _W + "t" else "\t" if t.tag == _W + "tab" else "\n"
                    for t in own
                )
                lines.extend(text.split("\n"))
                for box in child.iter(_W + "txbxContent"):
                    if not _inside(box, child, (_MC + "Fallback", _W + "txbxContent")):
                        walk(box)
            elif tag == _W + "tbl":
                for tr in child.iter(_W + "tr"):
                    cells = [
                        " ".join(para_text(p) for p in tc.iter(_W + "p")).strip()
                        for tc in tr.iter(_W + "tc")
                    ]
                    lines.append(" ".join(c for c in cells if c))
            else:
                walk(child)

    walk(document.element.body)
    notes = []
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes") and not rel.is_external:
            from docx.oxml import parse_xml

            root = parse_xml(rel.target_part.blob)
            for fn in root.iter(_W + "footnote"):
                fid = fn.get(_W + "id")
                if fn.get(_W + "type") in ("separator", "continuationSeparator"):
                    continue
                text = " ".join(para_text(p) for p in fn.iter(_W + "p")).strip()
                if text:
                    notes.append(f"[{fid}] {text}")
    if notes:
        lines.append("")
        lines.extend(notes)
    return lines


def _pdf_lines(path: Path) -> list[str]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    lines: list[str] = []
    try:
        with pdfplumber.open(str(path)) as pdf:
            for page in pdf.pages:
                lines.extend((page.extract_text() or "").split("\n"))
                lines.append("")
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise DraftError(
            f"{path}: the PDF is encrypted; give an unprotected copy", code="text.encrypted"
        ) from exc
    except PdfminerException as exc:
        inner = exc.args[0] if exc.args else exc
        if isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError):
            raise DraftError(
                f"{path}: the PDF is encrypted; give an unprotected copy", code="text.encrypted"
            ) from exc
        raise DraftError(f"{path}: not a readable PDF ({inner})") from exc
    except (PDFSyntaxError, ValueError, TypeError, KeyError) as exc:
        raise DraftError(f"{path}: not a readable PDF ({exc})") from exc
    if not any(line.strip() for line in lines):
        raise DraftError(
            f"{path}: the PDF has no text layer (a scan?); give the text, DOCX or a PDF with text",
            code="text.empty",
        )
    return lines


def read_text(text: str, path: str = "<text>", fmt: Format = "text") -> Draft:
    """A draft from a string (repairs lost glyphs, checks that there is text)."""
    if len(text) > MAX_TEXT_CHARS:
        raise DraftError(
            f"{path}: the draft has {len(text):,} characters of text, more than the "
            f"{MAX_TEXT_CHARS:,} a report draft may have; check it chapter by chapter",
            code="text.too-large",
        )
    fixed, repaired, unrepaired = repair_glyphs(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not fixed.strip():
        raise DraftError(f"{path}: the draft is empty", code="text.empty")
    return Draft(path, fmt, tuple(fixed.split("\n")), repaired, unrepaired)


def read_draft(path: str | Path) -> Draft:
    """Read a draft from ``path`` by its content (PDF and DOCX by their magic bytes, a
    ``.docx``/``.pdf`` name that does not match its content is an error)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DraftError(f"{p}: cannot read the draft ({exc.strerror or exc})") from exc
    if not data.strip():
        raise DraftError(f"{p}: the draft is empty", code="text.empty")
    suffix = p.suffix.lower()
    if data.startswith(b"%PDF"):
        return read_text("\n".join(_pdf_lines(p)), str(p), "pdf")
    if suffix == ".pdf":
        raise DraftError(f"{p}: not a PDF (no %PDF header)")
    if data.startswith(b"PK\x03\x04"):
        if suffix not in (".docx", ".docm", ""):
            raise DraftError(f"{p}: a ZIP archive, not a text (give a .docx, .pdf, .txt or .md)")
        return read_text("\n".join(_docx_lines(p)), str(p), "docx")
    if suffix in (".docx", ".docm"):
        raise DraftError(f"{p}: not a DOCX document (no ZIP archive)")
    return read_text(_decode(data, p), str(p), "text")
