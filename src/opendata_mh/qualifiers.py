"""Qualifiers of the figures quoted in the prose, as bounds of the true value.

The report qualifies some counts in its running text. The bounds published in
``text_figures.csv`` (``value_lower``, ``value_upper``; an empty upper bound means unbounded)
follow what the words say, never more:

==================  =========================================================================
printed             bounds
==================  =========================================================================
``N``               ``[N, N]``
``<N``              ``[1, N-1]`` (a masked count, as in the tables)
``A-B``             ``[A, B]``
``ten minste N``    ``[N, inf)``: "at least N" gives a lower bound only
``meer dan N``      ``[N+1, inf)``
``minder dan N``    ``[0, N-1]``
``zo'n N``,         ``[N - h, N + h - 1]`` with ``h`` half a unit of the last non-zero digit
``circa N``,        of N: the counts that round to N at the precision N is printed with
``ongeveer N``      ("zo'n 5000" = [4500, 5499], "zo'n 40" = [35, 44]).
==================  =========================================================================

Percentages, changes, years and days (:data:`~opendata_mh.model.NON_COUNT_UNITS`) have no
count bounds: their relations (share/change) read the printed percentage themselves.
"""

from __future__ import annotations

import re

from opendata_mh.model import NON_COUNT_UNITS, TextFigure, count_bounds

INF = float("inf")

NUMBER_WORDS = {
    "een": 1,
    "één": 1,
    "eén": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
}
"""The Dutch number words up to ten: read by the narrative check (``drie op de tien``, ``twee
keer zoveel``; :mod:`opendata_mh.text.extraction`) and by ``check``'s
``metadata.masked-value-stated`` (a count below the threshold written in words;
:func:`opendata_mh.validate.stated_small_counts`). ``een`` is also the indefinite article;
``eén`` is ``één`` lowercased from the capital ``Eén`` that starts a sentence."""

COUNT_WORDS = {
    **{w: n for w, n in NUMBER_WORDS.items() if w != "een"},
    "elf": 11,
    "twaalf": 12,
    "dertien": 13,
    "veertien": 14,
    "vijftien": 15,
    "zestien": 16,
    "zeventien": 17,
    "achttien": 18,
    "negentien": 19,
    "twintig": 20,
    "dertig": 30,
    "veertig": 40,
    "vijftig": 50,
    "zestig": 60,
    "zeventig": 70,
    "tachtig": 80,
    "negentig": 90,
}
"""The Dutch number words that state a count on their own (not the article ``een``): one to
twenty and the tens; :func:`word_number` composes the rest (``achtenzeventig``,
``tweehonderd``)."""

_UNITS = "een|twee|drie|vier|vijf|zes|zeven|acht|negen"
_TENS = "twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig"
_COMPOUND_RE = re.compile(rf"(?P<u>{_UNITS})[eë]n(?P<t>{_TENS})")


def _below_hundred(w: str) -> int | None:
    if w in COUNT_WORDS:
        return COUNT_WORDS[w]
    if m := _COMPOUND_RE.fullmatch(w):
        return NUMBER_WORDS[m.group("u")] + COUNT_WORDS[m.group("t")]
    return None


def _below_thousand(w: str) -> int | None:
    if "honderd" not in w:
        return _below_hundred(w)
    head, _, tail = w.partition("honderd")
    h = 1 if head == "" else NUMBER_WORDS.get(head) if head != "een" else None
    tail = tail.removeprefix("en")
    t = 0 if tail == "" else _below_hundred(tail) or NUMBER_WORDS.get(tail)
    return None if h is None or t is None else 100 * h + t


def word_number(word: str) -> int | None:
    """The count a Dutch number word states, or ``None``: ``één`` 1 (never the article
    ``een``), ``veertien`` 14, ``achtenzeventig`` 78, ``tweeëntwintig`` 22, ``honderd`` 100,
    ``driehonderdtwaalf`` 312, ``duizend`` 1000, ``tweeduizendvijfhonderd`` 2500."""
    w = word.lower()
    if w == "een":
        return None
    if "duizend" not in w:
        return _below_thousand(w)
    head, _, tail = w.partition("duizend")
    k = 1 if head == "" else _below_thousand(head)
    tail = tail.removeprefix("en")
    r = 0 if tail == "" else _below_thousand(tail) or NUMBER_WORDS.get(tail)
    return None if k is None or r is None else 1000 * k + r


_NUM = r"(\d+(?:\.\d{3})*)"
_AT_LEAST = re.compile(rf"^ten minste\s+{_NUM}$", re.IGNORECASE)
_MORE_THAN = re.compile(rf"^meer dan\s+{_NUM}$", re.IGNORECASE)
_LESS_THAN = re.compile(rf"^minder dan\s+{_NUM}$", re.IGNORECASE)
_ABOUT = re.compile(rf"^(?:zo[’']n|circa|ongeveer|rond de)\s+{_NUM}$", re.IGNORECASE)


def _int(s: str) -> int:
    return int(s.replace(".", ""))


def about_bounds(n: int) -> tuple[int, int]:
    """The counts that round to ``n`` at the precision ``n`` is printed with (its last non-zero
    digit): 5000 -> (4500, 5499), 40 -> (35, 44), 7 -> (7, 7)."""
    if n == 0:
        return (0, 0)
    step = 1
    while n % (step * 10) == 0:
        step *= 10
    if step == 1:
        return (n, n)
    half = step // 2
    return (n - half, n + half - 1)


def figure_bounds(fig: TextFigure) -> tuple[float, float] | None:
    """Bounds ``(lower, upper)`` of a prose figure's true value (``upper`` may be ``inf``), or
    ``None`` when the figure is not a count (percentages, years, days)."""
    if fig.unit in NON_COUNT_UNITS:
        return None
    s = fig.printed.strip()
    if m := _AT_LEAST.match(s):
        return (float(_int(m.group(1))), INF)
    if m := _MORE_THAN.match(s):
        return (float(_int(m.group(1)) + 1), INF)
    if m := _LESS_THAN.match(s):
        return (0.0, float(_int(m.group(1)) - 1))
    if m := _ABOUT.match(s):
        lo, hi = about_bounds(_int(m.group(1)))
        return (float(lo), float(hi))
    return count_bounds(fig.printed, fig.value)
