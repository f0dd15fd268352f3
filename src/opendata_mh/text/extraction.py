"""Extraction: every figure of a draft's prose as an interval; everything else that looks like a
number is set aside with a reason.

Figures (:class:`Figure`, ``kind``):

``count``           an integer: ``868``, ``5000``, ``5.000`` / ``5 000`` (thousands point or
                    space), ``ten minste 26``; in words: ``één``, ``veertien``,
                    ``achtenzeventig`` (:func:`~opendata_mh.qualifiers.word_number`)
``decimal``         a number with decimals: ``28,3`` (decimal comma) and the ``28.3`` the 2023
                    report prints (a point followed by one or two digits)
``percent``         ``22%``, ``22 procent``, ``13% procent`` (one figure), ``4,5%``
``points``          ``3 procentpunt(en)``
``change_percent``  a change in percent: signed (``+53%``, ``-16%``), or after ``met`` /
                    ``toename van`` ... with a verb of change in the sentence (``met 17% is
                    gedaald`` is -17); ``respectievelijk met 58% en 134%`` both
``change_count``    ``54 meer``, ``27 minder`` (-27), ``een toename van 12``
``range``           ``170-180``
``masked``          ``<5``: [1, 4]
``share_words``     a proportion idiom: ``een derde``, ``een kwart``, ``ruim de helft``, ``drie op
                    de vijf``, ``vijf op de zes`` (in percent)
``ratio_words``     ``bijna twee keer zoveel``, ``(meer dan een) verdubbeling`` (a ratio new/old)

Hedges (:data:`HEDGES`) widen the interval: ``zo'n``/``ongeveer``/``circa`` +-10 %,
``ten minste``/``minimaal`` [x, inf), ``ruim``/``meer dan`` above x, ``bijna``/``minder dan``
below x. A printed percentage ``p`` with ``d`` decimals is ``[p - h, p + h)``, h = 0.5 * 10**-d
(rounded half up, the rule of :func:`opendata_mh.model.share_rows`); a count is exact.

Set aside (:class:`SetAside`, ``reason``): ``year`` (1990-2039, kept as context for linking),
``period`` (``2019-2023``, ``laatste 2 jaar``), ``date`` (``26-04-2024``), ``footnote`` (a
marker glued to a word, ``zitten.1``, and the footnote's own number), ``list`` (``1.`` at the
start of a line), ``label`` (``COVID-19``, ``Top-10``, age labels such as ``18-22``), ``table``
(a line of a table grid or a chart: a label followed by two or more numbers, a lone number, a
row of years), ``axis`` (``0%`` ... ``100%`` alone on a line); for number words also
``frequency`` (``twee keer``) and ``phrase`` (``één van de``, ``in acht nemen``). The labels of
a pie chart (``18; 34%``) are figures.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

from opendata_mh.qualifiers import NUMBER_WORDS, word_number

Kind = Literal[
    "count",
    "decimal",
    "percent",
    "points",
    "change_percent",
    "change_count",
    "range",
    "masked",
    "share_words",
    "ratio_words",
]
KINDS: tuple[Kind, ...] = (
    "count",
    "decimal",
    "percent",
    "points",
    "change_percent",
    "change_count",
    "range",
    "masked",
    "share_words",
    "ratio_words",
)

APOS = "['’]"
HEDGES: dict[str, str] = {
    # phrase (regex) -> hedge id
    rf"zo{APOS}n": "about",
    r"ongeveer": "about",
    r"circa": "about",
    r"ca\.": "about",
    r"rond de": "about",
    r"ten minste": "at_least",
    r"tenminste": "at_least",
    r"minimaal": "at_least",
    r"minstens": "at_least",
    r"ruim": "over",
    r"meer dan": "above",
    r"bijna": "under",
    r"nagenoeg": "about",
    r"minder dan": "under_strict",
    r"ten hoogste": "at_most",
    r"maximaal": "at_most",
    r"hooguit": "at_most",
}
ABOUT = 0.10  # zo'n x: within 10 %
WORD_TOL = 0.12  # een derde: within 12 % of one third

ORDINALS = {"helft": 2, "derde": 3, "kwart": 4, "vierde": 4, "vijfde": 5, "zesde": 6, "tiende": 10}

UP_WORDS = (
    r"stijg\w*|gestegen|toename|toegenomen|toenemen|neemt\s+\w*\s*toe|nam\s+\w*\s*toe|groei\w*|"
    r"gegroeid|hoger|verdubbel\w*|meer"
)
DOWN_WORDS = (
    r"dal\w*|daal\w*|gedaald|daling|afname|afgenomen|neemt\s+\w*\s*af|nam\s+\w*\s*af|lager|minder|"
    r"kleiner|terug"
)
_UP_RE = re.compile(rf"\b(?:{UP_WORDS})\b", re.IGNORECASE)
_DOWN_RE = re.compile(rf"\b(?:{DOWN_WORDS})\b", re.IGNORECASE)

_HEDGE_RE = re.compile(
    r"(?:^|(?<=[\s(]))(?P<h>" + "|".join(HEDGES) + r")\s+(?:de\s+|het\s+)?$", re.IGNORECASE
)

# one number token (the order of the alternatives matters)
_TOKEN_RE = re.compile(
    r"""
    (?P<date>\b\d{1,2}-\d{1,2}-(?:19|20)\d\d\b)
  | (?P<period>\b(?:19|20)\d\d\s?[-–/]\s?(?:19|20)\d\d\b)
  | (?P<label>(?<=[A-Za-z])-\d+\b|\b\d+-(?=[a-z]))
  | (?P<footnote>(?<=[^\W\d][.)])\d{1,2}\b|(?<=[a-zà-ÿ])\d{1,2}(?=[\s,;:]|$))
  | (?P<masked>(?<![\w])<\s?\d+\b)
  | (?P<range>(?<![\w.,])\d{1,4}\s?[-–]\s?\d{1,4}(?![\d.,%]))
  | (?P<num>(?<![\w.,])(?P<sign>[+\-−–](?=\d))?
        (?P<digits>\d{1,3}(?:\.\d{3})+(?![\d])|\d{1,3}(?:\s\d{3})+(?![\d])|\d+(?:[,.]\d+)?)
        (?P<pct>\s?(?:%(?:\s?procent\b)?|procentpunt(?:en)?\b|procent\b))?)
    """,
    re.VERBOSE,
)

_WORD_SHARE_RE = re.compile(
    r"(?<![\w])(?:(?P<h>ruim|bijna|meer\s+dan|minder\s+dan|ongeveer|zo['’]n|circa)\s+)?"
    r"(?:(?P<art>de|een)\s+(?P<frac>helft|derde|kwart|vijfde)"
    r"|(?P<a>één|eén|een|twee|drie|vier|vijf|zes|zeven|acht|negen)\s+op\s+de\s+"
    r"(?P<b>twee|drie|vier|vijf|zes|zeven|acht|negen|tien))\b",
    re.IGNORECASE,
)
_WORD_RATIO_RE = re.compile(
    r"(?<![\w])(?:(?P<h>ruim|bijna|meer\s+dan|minder\s+dan|ongeveer|zo['’]n)\s+)?"
    r"(?:(?P<n>twee|drie|vier|vijf)\s+keer\s+(?:zoveel|zo\s+veel|zo\s+groot|zo\s+hoog)"
    r"|(?:een\s+)?(?P<v>verdubbeling|verdrievoudiging))\b",
    re.IGNORECASE,
)

_NUMTOK = r"(?:<\s?\d+|\d+(?:[-–]\d+)?%?|x)"
_TABLE_TAIL_RE = re.compile(rf"(?:^|\s){_NUMTOK}(?:\s+{_NUMTOK})+\s*$")
_LONE_RE = re.compile(rf"^\s*{_NUMTOK}\s*$")
_AXIS_RE = re.compile(r"^\s*\d{1,3}\s?%\s*$")
_PIE_RE = re.compile(r"^\s*\d+;\s*\d+\s?%\s*$")
_LIST_RE = re.compile(r"^\s*(\d{1,2})\.?\t|^\s*(\d{1,2})\.\s+(?=\S)")
_FOOTNOTE_LINE_RE = re.compile(r"^\s*(?:\[(\d{1,2})\]|(\d{1,2})\t)")
_YEARS_ROW_RE = re.compile(r"^\s*(?:(?:19|20)\d\d\s+){2,}(?:19|20)\d\d\b")
_SHORT_TAIL_RE = re.compile(r"^[^.,;:!?]{0,40}?[A-Za-zé]\s+\d+\s*$")
_PREP_BEFORE = re.compile(
    r"\b(?:in|van|tot|naar|dan|op|bij|tegenover|met|om|er|zijn|is|was|ruim|bijna)\s+\d+\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    """A figure of the prose.

    ``line`` (1-based) and ``offset`` (0-based column) locate the number itself; ``start``/``end``
    are offsets in the whole text (:attr:`Extraction.text`) of the printed span (hedge included).
    ``lower``/``upper`` bound the value in the figure's unit (percent for percentages and
    proportion idioms, a ratio for ``ratio_words``); ``upper_open`` marks ``[lower, upper)``.
    ``sign`` is +1/-1 for a change whose direction the text gives (0 otherwise).
    """

    line: int
    offset: int
    start: int
    end: int
    printed: str
    number: str
    value: float | None
    lower: float
    upper: float
    kind: Kind
    hedge: str = ""
    sign: int = 0
    unit: str = ""
    upper_open: bool = False
    lower_open: bool = False
    decimals: int = 0
    sentence: tuple[int, int] = (0, 0)
    section: str = ""

    @property
    def verbal(self) -> bool:
        return self.kind in ("share_words", "ratio_words")

    @property
    def interval_text(self) -> str:
        lo = "(" if self.lower_open else "["
        hi = ")" if self.upper_open else "]"
        up = "inf" if math.isinf(self.upper) else _fmt(self.upper)
        return f"{lo}{_fmt(self.lower)}, {up}{hi}"

    def contains(self, x: float, eps: float = 1e-9) -> bool:
        lo_ok = x > self.lower + eps if self.lower_open else x >= self.lower - eps
        hi_ok = x < self.upper - eps if self.upper_open else x <= self.upper + eps
        return lo_ok and hi_ok


@dataclass(frozen=True)
class SetAside:
    line: int
    offset: int
    printed: str
    reason: str
    value: float | None = None


@dataclass(frozen=True)
class Extraction:
    text: str
    lines: tuple[str, ...]
    figures: tuple[Figure, ...]
    set_aside: tuple[SetAside, ...]
    line_kinds: tuple[str, ...] = ()
    headings: tuple[tuple[int, str], ...] = field(default=())

    def sentence_text(self, f: Figure) -> str:
        return normalize(self.text[f.sentence[0] : f.sentence[1]])

    def line_start(self, line: int) -> int:
        return sum(len(x) + 1 for x in self.lines[: line - 1])


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def normalize(s: str) -> str:
    """Join words hyphenated over a line break, lines with spaces, collapse whitespace."""
    s = re.sub(r"(?<=[a-zà-ÿ])-\s*\n\s*(?=[a-zà-ÿ])", "", s)
    s = re.sub(r"-\s*\n\s*", "-", s)
    return re.sub(r"\s+", " ", s).strip()


def parse_number(digits: str) -> tuple[float, int]:
    """Dutch digits -> (value, decimals): ``5.000`` 5000, ``5 000`` 5000, ``28,3`` 28.3, and
    ``28.3`` 28.3 (a point before one or two digits is a decimal point, as printed in 2023)."""
    d = digits.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", d) or re.fullmatch(r"\d{1,3}(?:\s\d{3})+", d):
        return float(re.sub(r"[.\s]", "", d)), 0
    if "," in d:
        a, b = d.split(",", 1)
        return float(f"{a}.{b}"), len(b)
    if "." in d:
        a, b = d.split(".", 1)
        return float(d), len(b)
    return float(d), 0


def _is_table_line(s: str) -> bool:
    """A row of a table grid or a chart: years, a lone number, a label and two or more numbers,
    or a short label ending in one number (not after a preposition)."""
    if _YEARS_ROW_RE.match(s) or _LONE_RE.match(s):
        return True
    if _TABLE_TAIL_RE.search(s) and not re.search(r"[.;:!?]\s*$|,\s", s):
        return True
    return bool(_SHORT_TAIL_RE.match(s) and not _PREP_BEFORE.search(s) and len(s.split()) <= 5)


def _line_kinds(lines: list[str]) -> list[str]:
    """``table``, ``axis``, ``pie``, ``footnote``, ``list``, ``heading``, ``blank`` or ``prose``."""
    kinds: list[str] = []
    # footnote markers glued to a word ("zitten.1"): a later line starting with that number and
    # a capital is the footnote itself (a PDF loses the tab after the number)
    markers = {m.group(1) for ln in lines for m in re.finditer(r"[^\W\d][.)]?(\d{1,2})\b", ln)}
    for raw in lines:
        fm = re.match(r"^\s*(\d{1,2})\s+[A-Z]", raw)
        if fm and fm.group(1) in markers and not _TABLE_TAIL_RE.search(raw):
            kinds.append("footnote")
            continue
        s = raw.strip().lstrip("\ufffd").strip()
        if not s:
            kinds.append("blank")
        elif _PIE_RE.match(s):
            kinds.append("pie")
        elif _AXIS_RE.match(s):
            kinds.append("axis")
        elif _is_table_line(s):
            kinds.append("table")
        elif _FOOTNOTE_LINE_RE.match(raw):
            kinds.append("footnote")
        elif _LIST_RE.match(raw):
            kinds.append("list")
        else:
            kinds.append("prose")
    # headings: a short line without final punctuation, followed by a capital or a blank line,
    # after a blank, a source line or another heading; or a line in capitals
    for i, k in enumerate(kinds):
        if k != "prose":
            continue
        raw = lines[i].strip()
        if raw.startswith("\ufffd") and len(raw) > 3:
            # the report's heading bullet (a glyph the PDF extraction lost); a heading broken
            # over two lines continues on a short line in lower case
            kinds[i] = "heading"
            nxt_i = i + 1
            if (
                nxt_i < len(lines)
                and kinds[nxt_i] == "prose"
                and not re.search(r"[.:;!?]$", raw)
                and lines[nxt_i].strip()[:1].islower()
                and len(lines[nxt_i].strip()) < 60
            ):
                kinds[nxt_i] = "heading"
            continue
        if i and kinds[i - 1] == "heading" and lines[i - 1].strip().startswith("\ufffd"):
            pass
        s = lines[i].strip().lstrip("\ufffd").strip()
        letters = [c for c in s if c.isalpha()]
        caps = len(letters) >= 4 and all(c.isupper() for c in letters)
        nxt = next((lines[j].strip() for j in range(i + 1, len(lines)) if lines[j].strip()), "")
        prev = lines[i - 1].strip() if i else ""
        if (
            caps
            or (
                len(s) < 110
                and not re.search(r"[.,;:!?\-]$", s)
                and not re.search(r"[a-z][.!?]\s+[A-Z]", s)  # a sentence ends inside: prose
                and (not nxt or nxt[:1].isupper() or nxt[:1] in "\ufffd(")
                # "... Coördinatiecentrum Mensenhandel" + "(CoMensha). Dat ...": a sentence
                # broken before its closing bracket is prose
                and not re.match(r"\([^()]*\)\s*[.,;:]", nxt)
                and (
                    not prev
                    or prev.startswith(("Bron", "Noot"))
                    or (kinds[i - 1] != "prose" and (kinds[i - 1] != "heading" or len(s) < 60))
                )
                and s[:1].isupper()
            )
        ):
            kinds[i] = "heading"
    return kinds


def _flat(text: str) -> tuple[str, list[int]]:
    """``text`` with words hyphenated over a line break joined and line breaks as spaces, and
    for each character of the result its offset in ``text``."""
    out: list[str] = []
    where: list[int] = []
    for m in re.finditer(r"(?<=[a-zà-ÿ])-[ \t]*\n[ \t]*(?=[a-zà-ÿ])|\n|[^\n]", text):
        g = m.group(0)
        if len(g) > 1:
            continue
        out.append(" " if g == "\n" else g)
        where.append(m.start())
    return "".join(out), where


def _clamp(sb: tuple[int, int], lno: int, kinds: list[str], starts: list[int]) -> tuple[int, int]:
    """A sentence does not reach back over a heading line (nor into the next one)."""
    i = lno - 1
    if kinds[i] == "heading":
        return starts[i], starts[i] + 10_000 if i + 1 >= len(starts) else starts[i + 1] - 1
    j = i - 1
    while j >= 0 and starts[j] + 1 > sb[0] and kinds[j] != "heading":
        j -= 1
    a = sb[0]
    if j >= 0 and kinds[j] == "heading" and starts[j] + 1 > sb[0] - 200:
        a = max(a, starts[j + 1])
    k = i + 1
    b = sb[1]
    while k < len(starts) and starts[k] < b:
        if kinds[k] == "heading":
            b = starts[k] - 1
            break
        k += 1
    return a, max(b, a)


def _section_at(headings: list[tuple[int, str]], line: int) -> str:
    sec = ""
    for ln, s in headings:
        if ln > line:
            break
        sec = s
    return sec


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """The sentence around ``pos``: from after the previous full stop (not a decimal point, not
    an abbreviation) or paragraph break, to the next."""
    end_re = re.compile(r"(?<![0-9])[.!?](?=\s)|(?<=[0-9])\.(?=\s+[A-Z])|\n\s*\n")
    start = 0
    for m in end_re.finditer(text, max(0, pos - 1500), pos):
        start = m.end()
    m2 = end_re.search(text, pos)
    end = m2.end() if m2 else len(text)
    return start, end


def _hedge_before(text: str, start: int) -> tuple[str, int]:
    """The hedge right before ``start`` and where it begins (``("", start)`` if none)."""
    window = text[max(0, start - 20) : start]
    window = window.replace("\n", " ")
    m = _HEDGE_RE.search(window)
    if not m:
        return "", start
    phrase = m.group("h").lower()
    for pat, hid in HEDGES.items():
        if re.fullmatch(pat, phrase, re.IGNORECASE):
            return hid, start - (len(window) - m.start("h"))
    return "", start


def hedge_interval(
    value: float, hedge: str, lo: float, hi: float, *, cap: float = math.inf
) -> tuple[float, float, bool, bool]:
    """Widen ``[lo, hi]`` (the printed value's own interval) by a hedge: (lower, upper,
    lower_open, upper_open)."""
    if hedge == "about":
        return value * (1 - ABOUT), value * (1 + ABOUT), False, False
    if hedge == "at_least":
        return lo, cap, False, False
    if hedge == "over":  # ruim x: just above x
        return value, min(cap, value * 1.25 + 1), True, False
    if hedge == "above":
        return value, cap, True, False
    if hedge == "under":
        return value * 0.8, value, False, True
    if hedge == "under_strict":
        return 0.0, value, False, True
    if hedge == "at_most":
        return 0.0, hi, False, False
    return lo, hi, False, False


def _change_sign(sentence: str, rel: int) -> int:
    """The direction of the change word nearest to position ``rel`` of ``sentence``."""
    best: tuple[int, int] | None = None
    for rx, sign in ((_UP_RE, 1), (_DOWN_RE, -1)):
        for m in rx.finditer(sentence):
            d = abs(m.start() - rel)
            if best is None or d < best[0]:
                best = (d, sign)
    return best[1] if best else 0


_CHANGE_CUE_RE = re.compile(
    r"(?:\bmet|\b(?:toename|stijging|daling|afname|groei)\s+van|\brespectievelijk\s+met)"
    r"\s+(?:ruim\s+|bijna\s+|zo['’]n\s+)?$",
    re.IGNORECASE,
)
_LEVEL_CUE_RE = re.compile(r"\b(?:aandeel|percentage|deel)\b", re.IGNORECASE)


def extract(lines: tuple[str, ...] | list[str]) -> Extraction:
    """Every figure of the prose of ``lines`` (see the module docstring)."""
    lines = list(lines)
    text = "\n".join(lines)
    kinds = _line_kinds(lines)
    starts = []
    pos = 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln) + 1
    figures: list[Figure] = []
    aside: list[SetAside] = []
    headings: list[tuple[int, str]] = []
    section = ""
    top = ""
    prev_change: tuple[int, int] | None = None  # (end, sign) of the last change_percent
    for i, ln in enumerate(lines):
        lno = i + 1
        kind = kinds[i]
        if kind == "heading":
            h = ln.strip().lstrip("\ufffd").strip()
            letters = [c for c in h if c.isalpha()]
            if letters and all(c.isupper() for c in letters):
                top = h
                section = h
            elif (
                i
                and kinds[i - 1] == "heading"
                and section != top
                and not re.search(r"[.:;!?]$", lines[i - 1].strip())
                and (h[:1].islower() or re.search(r"\b(?:en|of|met|van|naar|in)$", section))
            ):
                section = f"{section} {h}"  # a heading broken over two lines
            else:
                section = f"{top} > {h}" if top else h
            headings.append((lno, section))
        for m in _TOKEN_RE.finditer(ln):
            s0 = starts[i] + m.start()
            tok = m.group(0)
            if m.group("date"):
                aside.append(SetAside(lno, m.start(), tok, "date"))
                continue
            if m.group("period"):
                aside.append(SetAside(lno, m.start(), tok, "period"))
                continue
            if m.group("footnote"):
                aside.append(SetAside(lno, m.start(), tok, "footnote"))
                continue
            if m.group("label"):
                aside.append(SetAside(lno, m.start(), tok, "label"))
                continue
            if kind in ("table", "axis"):
                aside.append(SetAside(lno, m.start(), tok, kind))
                continue
            if kind == "footnote" and m.start() <= len(ln) - len(ln.lstrip()) + 1:
                aside.append(SetAside(lno, m.start(), tok, "footnote"))
                continue
            if kind == "list" and m.start() <= len(ln) - len(ln.lstrip()) + 1:
                aside.append(SetAside(lno, m.start(), tok, "list"))
                continue
            sb = _clamp(_sentence_bounds(text, s0), lno, kinds, starts)
            if m.group("masked"):
                n = int(re.sub(r"\D", "", tok))
                figures.append(
                    Figure(
                        lno,
                        m.start(),
                        s0,
                        s0 + len(tok),
                        tok,
                        tok,
                        None,
                        1,
                        n - 1,
                        "masked",
                        sentence=sb,
                        section=section,
                    )
                )
                continue
            if m.group("range"):
                a, b = (int(x) for x in re.split(r"\s?[-–]\s?", tok))
                if 1900 <= a <= 2100:
                    aside.append(SetAside(lno, m.start(), tok, "period"))
                    continue
                if re.match(r"\s*(?:jaar|jarig)", ln[m.end() :]) or a >= b:
                    aside.append(SetAside(lno, m.start(), tok, "label"))
                    continue
                figures.append(
                    Figure(
                        lno,
                        m.start(),
                        s0,
                        s0 + len(tok),
                        tok,
                        tok,
                        None,
                        a,
                        b,
                        "range",
                        sentence=sb,
                        section=section,
                    )
                )
                continue
            digits = m.group("digits")
            pct = (m.group("pct") or "").strip()
            sign_s = m.group("sign") or ""
            before = ln[: m.start()]
            after = ln[m.end() :]
            # footnote marker glued to a word or a full stop: "zitten.1", "woord2"
            if re.search(r"[^\W\d][.)]?$", before) and not pct and not sign_s:
                aside.append(SetAside(lno, m.start(), tok, "footnote"))
                continue
            value, decimals = parse_number(digits)
            if (
                not pct
                and not sign_s
                and decimals == 0
                and 1990 <= value <= 2039
                and not re.match(r"\s+(?:slachtoffers|zaken|verdachten|meldingen|personen)", after)
            ):
                aside.append(SetAside(lno, m.start(), tok, "year", value))
                continue
            if re.search(r"\b(?:laatste|afgelopen|komende)\s+$", before) and re.match(
                r"\s*jaar", after
            ):
                aside.append(SetAside(lno, m.start(), tok, "period", value))
                continue
            hedge, hstart = _hedge_before(text, s0 - (len(sign_s) and 0))
            if sign_s in ("−", "–"):
                sign_s = "-"
            sent = text[sb[0] : sb[1]]
            rel = s0 - sb[0]
            fkind: Kind
            sign = 0
            unit = ""
            if pct.startswith("procentpunt"):
                fkind = "points"
                unit = "points"
            elif pct:
                unit = "percent"
                pre = text[max(sb[0], s0 - 40) : s0].replace("\n", " ")
                if sign_s:
                    fkind, sign = "change_percent", (1 if sign_s == "+" else -1)
                elif _CHANGE_CUE_RE.search(pre) and not _LEVEL_CUE_RE.search(
                    text[max(sb[0], s0 - 60) : s0]
                ):
                    fkind, sign = "change_percent", _change_sign(sent, rel)
                elif (
                    prev_change
                    and s0 - prev_change[0] < 12
                    and re.fullmatch(r"\s*en\s*", text[prev_change[0] : s0])
                ):
                    fkind, sign = "change_percent", prev_change[1]
                else:
                    fkind = "percent"
            else:
                am = re.match(r"\s+(meer|minder)\b", after)
                cue = re.search(
                    r"\b(?:toename|stijging|daling|afname|groei)\s+van\s+$", before, re.IGNORECASE
                )
                if am:
                    fkind, sign = "change_count", (1 if am.group(1) == "meer" else -1)
                elif cue:
                    fkind = "change_count"
                    sign = -1 if re.match(r"(?i)daling|afname", cue.group(0).strip()) else 1
                elif sign_s:
                    fkind, sign = "change_count", (1 if sign_s == "+" else -1)
                elif decimals:
                    fkind = "decimal"
                else:
                    fkind = "count"
                um = re.match(r"\s+([a-zé]+)", after)
                unit = um.group(1) if um else ""
            signed = value * (sign if fkind in ("change_percent", "change_count") and sign else 1)
            lo, hi, uo = signed, signed, False
            if fkind in ("percent", "change_percent", "points", "decimal"):
                h = 0.5 * 10**-decimals
                lo, hi, uo = signed - h, signed + h, True
            lo_open = False
            if hedge:
                if signed < 0:  # hedges bound the size of a decrease
                    ha, hb, lo_o, hi_o = hedge_interval(-signed, hedge, -hi, -lo)
                    lo, hi, lo_open, uo = -hb, -ha, hi_o, lo_o
                else:
                    lo, hi, lo_open, uo = hedge_interval(
                        signed, hedge, lo, hi, cap=100.0 if fkind == "percent" else math.inf
                    )
            start = hstart if hedge else s0
            end = s0 + len(tok)
            f = Figure(
                lno,
                m.start(),
                start,
                end,
                text[start:end].replace("\n", " "),
                tok.strip(),
                signed,
                lo,
                hi,
                fkind,
                hedge,
                sign,
                unit,
                uo,
                lo_open,
                decimals,
                sb,
                section,
            )
            figures.append(f)
            if fkind == "change_percent":
                prev_change = (end, sign)
    flat, where = _flat(text)
    for m in _WORD_SHARE_RE.finditer(flat):
        s0, e0 = where[m.start()], where[m.end() - 1] + 1
        i = text.count("\n", 0, s0)
        lno, section = i + 1, _section_at(headings, i + 1)
        if kinds[i] in ("table", "axis"):
            continue
        if True:
            if m.group("frac"):
                frac = m.group("frac").lower()
                p = 100.0 / ORDINALS[frac]
            else:
                a = NUMBER_WORDS[m.group("a").lower()]
                b = NUMBER_WORDS[m.group("b").lower()]
                if a >= b:
                    continue
                p = 100.0 * a / b
            hw = re.sub(r"\s+", " ", (m.group("h") or "").lower())
            hid = next((v for k, v in HEDGES.items() if re.fullmatch(k, hw)), "")
            lo, hi = p * (1 - WORD_TOL), p * (1 + WORD_TOL)
            lo_o = hi_o = False
            if hid in ("over", "above"):
                lo, hi, lo_o = (
                    p,
                    (min(100.0, p * (1 + 2 * WORD_TOL)) if hid == "over" else 100.0),
                    True,
                )
            elif hid in ("under",):
                lo, hi, hi_o = p * (1 - WORD_TOL), p, True
            elif hid == "under_strict":
                lo, hi, hi_o = 0.0, p, True
            figures.append(
                Figure(
                    lno,
                    s0 - starts[i],
                    s0,
                    e0,
                    " ".join(m.group(0).split()),
                    m.group(0),
                    p,
                    lo,
                    hi,
                    "share_words",
                    hid,
                    0,
                    "percent",
                    hi_o,
                    lo_o,
                    0,
                    _clamp(_sentence_bounds(text, s0), lno, kinds, starts),
                    section,
                )
            )
    for m in _WORD_RATIO_RE.finditer(flat):
        s0, e0 = where[m.start()], where[m.end() - 1] + 1
        i = text.count("\n", 0, s0)
        lno, section = i + 1, _section_at(headings, i + 1)
        if kinds[i] in ("table", "axis"):
            continue
        if True:
            r = (
                float(NUMBER_WORDS[m.group("n").lower()])
                if m.group("n")
                else (2.0 if m.group("v").lower().startswith("verdubbel") else 3.0)
            )
            hw = re.sub(r"\s+", " ", (m.group("h") or "").lower())
            hid = next((v for k, v in HEDGES.items() if re.fullmatch(k, hw)), "")
            lo, hi, lo_o, hi_o = r * 0.95, r * 1.05, False, False
            if hid in ("over", "above"):
                lo, hi, lo_o = r, math.inf if hid == "above" else r * 1.25, True
            elif hid in ("under", "under_strict"):
                lo, hi, hi_o = r * 0.8, r, True
            figures.append(
                Figure(
                    lno,
                    s0 - starts[i],
                    s0,
                    e0,
                    " ".join(m.group(0).split()),
                    m.group(0),
                    r,
                    lo,
                    hi,
                    "ratio_words",
                    hid,
                    1,
                    "ratio",
                    hi_o,
                    lo_o,
                    0,
                    _clamp(_sentence_bounds(text, s0), lno, kinds, starts),
                    section,
                )
            )
    _number_words(text, flat, where, kinds, starts, headings, figures, aside)
    figures.sort(key=lambda f: (f.line, f.offset))
    return Extraction(
        text, tuple(lines), tuple(figures), tuple(aside), tuple(kinds), tuple(headings)
    )


_WORD_RE = re.compile(r"(?<![\w-])[^\W\d_]+(?![\w-])")
_WORD_PERIOD_AFTER = re.compile(
    r"\s+(?:(?:meest|recente|laatste|afgelopen|voorgaande|vorige|opeenvolgende|"
    r"achtereenvolgende|volle|hele)\s+){0,2}(?:jaar|jaren|jarigen|maanden|weken|dagen|uur)\b",
    re.IGNORECASE,
)
_WORD_AGE_BEFORE = re.compile(r"\b(?:jonger|ouder)\s+dan\s+$", re.IGNORECASE)
_WORD_TIMES_AFTER = re.compile(r"\s+(?:keer|maal)\b", re.IGNORECASE)
_WORD_ONE_OF_AFTER = re.compile(r"\s+(?:van\s+de|van\s+het|van\s+hen|der)\b", re.IGNORECASE)
_WORD_IDIOM_AFTER = re.compile(r"\s+(?:worden\s+)?(?:genomen|nemen|slaan|geslagen|laten)\b")
_WORD_IDIOM_BEFORE = re.compile(r"\b(?:in|buiten)\s+$", re.IGNORECASE)


def _number_words(
    text: str,
    flat: str,
    where: list[int],
    kinds: list[str],
    starts: list[int],
    headings: list[tuple[int, str]],
    figures: list[Figure],
    aside: list[SetAside],
) -> None:
    """Counts written in words (:func:`~opendata_mh.qualifiers.word_number`: ``één``,
    ``veertien``, ``achtenzeventig``; never the article ``een``), as ``count`` figures. Set
    aside: a period or age (``twee jaar geleden``, ``veertig jaar of ouder``, ``jonger dan
    dertig``: ``period``/``label``), a frequency (``twee keer``: ``frequency``), ``één van de``
    and ``in acht nemen`` (``phrase``); a word inside a proportion idiom is that idiom's."""
    taken = [(f.start, f.end) for f in figures if f.verbal]
    for m in _WORD_RE.finditer(flat):
        n = word_number(m.group(0))
        if n is None:
            continue
        s0, e0 = where[m.start()], where[m.end() - 1] + 1
        if any(a <= s0 < b for a, b in taken):
            continue
        i = text.count("\n", 0, s0)
        lno, off = i + 1, s0 - starts[i]
        if kinds[i] in ("table", "axis"):
            continue
        before, after = flat[max(0, m.start() - 30) : m.start()], flat[m.end() : m.end() + 40]
        word = text[s0:e0]
        reason = ""
        if _WORD_PERIOD_AFTER.match(after):
            reason = "period"
        elif _WORD_AGE_BEFORE.search(before):
            reason = "label"
        elif _WORD_TIMES_AFTER.match(after):
            reason = "frequency"
        elif (n == 1 and _WORD_ONE_OF_AFTER.match(after)) or (
            n == 8 and _WORD_IDIOM_BEFORE.search(before) and _WORD_IDIOM_AFTER.match(after)
        ):
            reason = "phrase"
        if reason:
            aside.append(SetAside(lno, off, word, reason, float(n)))
            continue
        hedge, hstart = _hedge_before(text, s0)
        lo, hi, lo_open, uo = float(n), float(n), False, False
        if hedge:
            lo, hi, lo_open, uo = hedge_interval(float(n), hedge, lo, hi)
        start = hstart if hedge else s0
        um = re.match(r"\s+([a-zé]+)", after)
        figures.append(
            Figure(
                lno,
                off,
                start,
                e0,
                text[start:e0].replace("\n", " "),
                word,
                float(n),
                lo,
                hi,
                "count",
                hedge,
                0,
                um.group(1) if um else "",
                uo,
                lo_open,
                0,
                _clamp(_sentence_bounds(text, s0), lno, kinds, starts),
                _section_at(headings, lno),
            )
        )
