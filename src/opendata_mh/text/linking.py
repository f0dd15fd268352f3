"""Linking: each figure of the prose to the quantity of the package that it states.

**Quantities** (:class:`Quantity`): every cell of every table (its Dutch labels, period, table
title, section and unit) and every latent total (``@victims_total/period=2023``: labels from a
small lexicon of its name, :data:`LATENT_WORDS`, and from the tables of the relations it is the
total of). Their intervals come from the caller (the disclosure audit of the tables, see
:mod:`opendata_mh.text.verification`): exact cells are numbers, a masked cell or a latent total
is its feasibility interval.

**Derivations** (:class:`Link`, ``derivation``): ``value`` (the quantity itself), ``difference``
(Q in year Y minus Q in an earlier year: "54 meer"), ``change`` (100 (new - old) / old),
``ratio`` (new / old: "bijna twee keer zoveel"), ``share`` (100 N / D, D a total of N: the
total of a relation N is a part of, the ``all`` code of one of N's dimensions, or the sum over
one dimension; over five years the sums of the yearly cells), ``average`` (the mean over the
years), and the same between **figures of the text** itself ("126 meldingen, tegenover 77 in
2022 - een toename van 68%"; ``text_change``, ``text_difference``, ``text_ratio``), and
``text_sum`` (a total and its parts enumerated in the text: "Van de 52 ... hebben er 30 ... De
anderen ... (8), ... (11) of ... (<5)").

**Scoring** (AggChecker's idea, Jo et al. 2019, with the labels of this package): the words of
the sentence around the figure (nearer words weigh more), of the sentence before and of the
section heading are matched against each candidate's labels (Dutch stems: a common prefix of four
letters, ``ge-`` participles, :data:`SYNONYMS`), each label word weighted by its rarity among all
labels; a dimension that the sentence does not name costs; the unit word ("zaken",
"slachtoffers") and the table's section count; the year must match (the year after the figure,
"het jaar daarvoor", the last year of the sentence or the paragraph, else the newest year of the
package). A candidate whose value agrees with the printed figure gets a bonus (most figures of a
draft are right), small enough that a figure with a strong context still links to the quantity
it names when it is wrong. Candidates are ranked; ``confidence`` is the softmax weight of the
first; a figure whose best score stays under :data:`MIN_SCORE` is unlinked, one whose two best
candidates are within :data:`AMBIGUOUS_MARGIN` and disagree in value is ambiguous.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from opendata_mh.csvfile import key_fields
from opendata_mh.report import PackageData
from opendata_mh.text.extraction import Extraction, Figure, normalize

MIN_SCORE = 1.0
AMBIGUOUS_MARGIN = 0.25
VALUE_BONUS = 1.2
VALUE_WINDOW = 0.8
TOP_K = 12
PARTIAL_EVIDENCE = 1.1
"""The most evidence a candidate can have that leaves a category word of the figure's own
phrase unexplained (below what verification needs to call a contradiction)."""
UNIT_NOUN = 0.4
"""What the unit word right after the number adds (beyond the unit's weight as a context word)."""
VERBATIM_BONUS = 0.4
"""A category whose full label the figure's own words hold (:func:`verbatim_labels`)."""

STOP = frozenset(
    [
        "van",
        "de",
        "het",
        "een",
        "en",
        "of",
        "in",
        "met",
        "naar",
        "per",
        "voor",
        "door",
        "bij",
        "op",
        "aan",
        "als",
        "dan",
        "die",
        "dat",
        "is",
        "zijn",
        "er",
        "om",
        "te",
        "tot",
        "uit",
        "ook",
        "nog",
        "wel",
        "niet",
        "wordt",
        "worden",
        "werd",
        "zij",
        "ze",
        "hun",
        "hen",
        "dit",
        "deze",
        "jaar",
        "jaren",
        "aantal",
        "totaal",
        "etc",
        "alle",
        "ander",
        "andere",
        "waarvan",
        "waarin",
        "mensenhandel",
    ]
)
SYNONYMS: dict[str, str] = {
    "geseponeerd": "sepot",
    "seponeert": "sepot",
    "seponeren": "sepot",
    "gedagvaard": "dagvaarding",
    "dagvaardt": "dagvaarding",
    "veroordeeld": "veroordeling",
    "vrijgesproken": "vrijspraak",
    "mannelijke": "man",
    "mannen": "man",
    "vrouwelijke": "vrouw",
    "vrouwen": "vrouw",
    "minderjarigen": "minderjarig",
    "adolescent": "18-22",
    "melding": "gemeld",
    "meldingen": "gemeld",
    "gemelde": "gemeld",
    "nationaliteit": "nationaliteit",
    "overige": "overig",
}
LATENT_UNITS: dict[str, str] = {
    "victims": "slachtoffers",
    "investigations": "opsporingsonderzoeken",
    "suspects": "verdachten",
    "cases": "zaken",
    "disposed": "zaken",
    "disposals": "zaken",
    "tried": "verdachten",
    "court": "zaken",
}
LATENT_WORDS: dict[str, str] = {
    # a word of a latent's name -> Dutch words; "|" separates alternatives ("" = a unit only)
    "victims": "",
    "total": "",
    "sexual": "seksuele uitbuiting",
    "sex": "geslacht",
    "unknown": "onbekend",
    "other": "overig|orgaanverwijdering",
    "investigations": "",
    "suspects": "",
    "om": "",
    "disposed": "afgehandeld|inhoudelijk",
    "disposals": "afdoeningen|afgehandeld",
    "court": "rechter",
    "cases": "",
    "outcomes": "afdoening|veroordeling|veroordeeld",
    "tried": "berechte",
    "cob": "geboren|geboorteland",
    "age": "leeftijd",
    "5y": "",
}


def _stem(w: str) -> str:
    w = w.lower()
    return SYNONYMS.get(w, w)


_UNSPECIFIED_RE = re.compile(
    r"\bniet\s+nader\s+(?:getypeerd|gespecificeerd|omschreven|bekend)\b", re.IGNORECASE
)
"""Dutch for "unknown" in a category's words ("meldingen die niet nader getypeerd zijn")."""
_ANAPHORA_RE = re.compile(
    r"^\s*(?:dit|dat|deze)\s+(?:aantal|getal|cijfer|percentage|aandeel)\b"
    r"|\b(?:betreft|betroffen|gaat|ging)\s+(?:het\s+)?(?:dit|dat|om)?\s*(?:dit|dat)\b",
    re.IGNORECASE,
)


_PRONOUN_RE = re.compile(r"\b(?:zij|hen|hun|dit|dat|deze|die)\b", re.IGNORECASE)


_TENS = {"twintig": "20", "dertig": "30", "veertig": "40", "vijftig": "50", "zestig": "60"}
_AND_OVER_RE = re.compile(
    r"≥\s?(\d+)\s*jaar\b|\b(\d+|" + "|".join(_TENS) + r")\s*(?:jaar\s+)?(?:of|en)\s+ouder\b",
    re.IGNORECASE,
)
"""An age group "and over" as the tables ("≥40 jaar", "40+") and the prose ("veertig jaar of
ouder", "40 jaar en ouder") write it: one word, ``40+``. A label always reads so; the prose
only in the figure's own phrase (:func:`context`): "18% is dan veertig jaar of ouder" names the
group, a sentence that merely follows one that does ("... jonger dan dertig, namelijk 42%")
does not."""


def _and_over(m: re.Match[str]) -> str:
    n = m.group(1) or m.group(2)
    return _TENS.get(n.lower(), n) + "+"


def words(s: str, ages: bool = False) -> list[str]:
    """The words of ``s`` (stems, stop words left out); ``ages``: "veertig jaar of ouder" is
    the age group ``40+`` (:data:`_AND_OVER_RE`)."""
    s = _UNSPECIFIED_RE.sub("onbekend", s)
    if "≥" in s or (ages and "ouder" in s):
        s = _AND_OVER_RE.sub(_and_over, s)
    return [_stem(w) for w in re.findall(r"[^\W\d_]+|\d+-\d+|\d+\+", s.lower()) if w not in STOP]


EXACT_ONLY = frozenset({"minder", "meer", "over", "onder", "man", "mannen", "overig"})
"""Words that match only themselves ("minder" is no "minderjarig")."""


@lru_cache(maxsize=200_000)
def match_word(label: str, word: str) -> bool:
    """Dutch stems: equal, or a common prefix of >= 4 letters (of >= len-1 for short labels),
    also after a ``ge-`` prefix of a participle."""
    if word in EXACT_ONLY or label in EXACT_ONLY:
        return word == label
    for w in (word, word[2:] if word.startswith("ge") and len(word) > 6 else ""):
        if not w:
            continue
        if w == label:
            return True
        n = 0
        for a, b in zip(w, label, strict=False):
            if a != b:
                break
            n += 1
        need = min(5, max(3, len(label) - 1)) if len(label) <= 6 else 5
        if n >= need and (n >= 4 or n >= len(label) - 1):
            return True
    return False


@dataclass(frozen=True)
class Quantity:
    """A cell (``ref`` as in the descriptor's relations) or a latent total."""

    ref: str
    table: str
    period: str
    key: tuple[tuple[str, str], ...]
    labels: tuple[tuple[str, str], ...]  # (dimension, Dutch label); 'all' codes left out
    lower: float
    upper: float
    masked: bool = False
    latent: bool = False
    printed: str = ""
    row: int | None = None
    apriori: tuple[float, float] = (0.0, math.inf)
    depends_masked: bool = False
    """A latent total that a relation sums from a masked (``<5``) or suppressed (``x``) cell,
    directly or through another such total: its interval gives the masked cell's away by
    subtraction, so it is never shown (:func:`hides_masked`)."""

    @property
    def exact(self) -> bool:
        return self.lower == self.upper

    @property
    def hidden(self) -> bool:
        """A masked cell, or a latent total that depends on one: its interval is not shown."""
        return self.masked or self.depends_masked


@dataclass(frozen=True)
class Link:
    """One candidate: a derivation over quantities (refs), its interval, and its score."""

    derivation: str
    refs: tuple[str, ...]
    denominator: tuple[str, ...] = ()
    lower: float = 0.0
    upper: float = 0.0
    score: float = 0.0
    confidence: float = 0.0
    text_refs: tuple[int, ...] = ()  # indices of figures of the text used
    explain: str = ""
    evidence: float = 0.0  # the score from words and context alone (no value agreement)
    margin: float = 0.0  # evidence minus the best evidence of the candidates of another value

    @property
    def exact(self) -> bool:
        return self.lower == self.upper

    def describe(self) -> str:
        if self.derivation == "value":
            return self.refs[0]
        num = " + ".join(self.refs)
        den = " + ".join(self.denominator)
        return f"{self.derivation}({num}{' | ' + den if den else ''})"


@dataclass
class Index:
    """The package's quantities, by period and by table, with label statistics."""

    quantities: dict[str, Quantity]
    by_period: dict[str, list[Quantity]]
    by_key: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, Quantity]]
    parents: dict[str, list[str]]  # ref -> totals of relations it is a part of
    tables: dict[str, dict[str, Any]]
    idf: dict[str, float]
    periods: tuple[str, ...]
    years: tuple[str, ...]
    latest: str
    dims: dict[str, tuple[str, ...]] = field(default_factory=dict)

    _words: dict[str, list[list[list[str]]]] = field(default_factory=dict)
    vocab: frozenset[str] = frozenset()
    latent_units: dict[str, str] = field(default_factory=dict)
    unit_words: frozenset[str] = frozenset()
    latent_tables: dict[str, set[str]] = field(default_factory=dict)
    _tables_w: dict[str, _TableWords] = field(default_factory=dict)
    empty: dict[str, list[Quantity]] = field(default_factory=dict)
    """The tables the package has without a cell (``available: false``, no rows): per table,
    one quantity without a value for each combination of its categories (their labels from
    the schema), so that a figure whose words name such a table is seen to (:func:`names_empty`)."""
    _own: dict[str, frozenset[str]] = field(default_factory=dict)
    _vocab_hit: dict[str, bool] = field(default_factory=dict)
    dim_names: dict[str, frozenset[str]] = field(default_factory=dict)
    word_dims: dict[str, frozenset[str]] = field(default_factory=dict)
    dim_vocab: frozenset[str] = frozenset()  # words of the dimensions' names ("sector")
    _phrases: frozenset[tuple[str, ...]] | None = None

    def label_phrases(self) -> frozenset[tuple[str, ...]]:
        """Every name of every category label, as its words (:func:`label_phrases`)."""
        if self._phrases is None:
            self._phrases = frozenset(
                tuple(p.split(" "))
                for q in self.quantities.values()
                for _dim, label in q.labels
                for p in label_phrases(label)
            )
        return self._phrases

    def dims_of_word(self, w: str) -> frozenset[str]:
        """The dimensions whose labels have a word matching ``w``."""
        out: set[str] = set()
        for lw, ds in self.word_dims.items():
            if match_word(lw, w):
                out |= ds
        return frozenset(out)

    def in_vocab(self, w: str) -> bool:
        """Whether ``w`` names a category of some table (a rare label word)."""
        got = self._vocab_hit.get(w)
        if got is None:
            got = any(match_word(v, w) for v in self.vocab)
            self._vocab_hit[w] = got
        return got

    def own_words(self, q: Quantity) -> frozenset[str]:
        got = self._own.get(q.ref)
        if got is None:
            got = frozenset(w for alts in self.words_of(q) for ws in alts for w in ws)
            self._own[q.ref] = got
        return got

    def words_of(self, q: Quantity) -> list[list[list[str]]]:
        """Per dimension, the alternatives of its label, each as words."""
        got = self._words.get(q.ref)
        if got is None:
            got = []
            for dim, label in q.labels:
                names = self.dim_names.get(dim, frozenset())
                alts = []
                for alt in _alternatives(label):
                    ws = words(alt)
                    # "Overige geboortelanden": the dimension's own name is no part of what
                    # names the category ("in een overig land")
                    keep = [w for w in ws if not any(match_word(n, w) for n in names)]
                    alts.append(keep or ws)
                got.append(alts)
            self._words[q.ref] = got
        return got


_UP_TO_22_RE = re.compile(r"t/m\s?22\s?jaar", re.IGNORECASE)
"""The suspects' youngest age group ("t/m 22 jaar"), which the report calls "adolescent (en
incidenteel zelfs minderjarig)", as the victims' "18-22 (adolescent)"."""


def _alternatives(label: str) -> list[str]:
    """The names of a label: its "|" alternatives, and for one with a bracketed short name
    ("Europese Economische Ruimte (EER)", "18-22 (adolescent)") also that name alone."""
    out: list[str] = []
    for alt in label.split("|"):
        out.append(alt)
        if _UP_TO_22_RE.fullmatch(alt.strip()):
            out.append("18-22")  # the youngest suspects: "adolescent" (SYNONYMS)
        m = re.search(r"\(([^()]+)\)\s*$", alt)
        if m and alt[: m.start()].strip():
            out += [alt[: m.start()].strip(), m.group(1)]
    return out


@lru_cache(maxsize=4096)
def label_phrases(label: str) -> frozenset[str]:
    """The names of a label (:func:`_alternatives`) as their words joined by spaces, the
    dimension's own words kept ("seksuele uitbuiting onbekend")."""
    return frozenset(" ".join(ws) for alt in _alternatives(label) if (ws := words(alt)))


_DELIMITED_RE = re.compile(r"[(\"'‘“]([^()\"'‘’“”\d]{2,60})[)\"'’”]")


def verbatim_labels(index: Index, raw: str) -> frozenset[str]:
    """The category labels that the words ``raw`` around a figure hold in full: a label of two
    or more words as a run of them ("3 zaken (seksuele uitbuiting - onbekend)"), but not one
    inside the run of a longer label ("seksuele uitbuiting" there); and a label of any length
    that is all of a bracket or quote ("4 slachtoffers (onbekend)"). As
    :func:`label_phrases`."""
    phrases = index.label_phrases()
    ws = words(raw)
    runs = [
        (i, j)
        for i in range(len(ws))
        for j in range(i + 2, len(ws) + 1)
        if tuple(ws[i:j]) in phrases
    ]
    out = {
        " ".join(ws[i:j])
        for i, j in runs
        if not any(a <= i and j <= b and (a, b) != (i, j) for a, b in runs)
    }
    for m in _DELIMITED_RE.finditer(raw):
        inner = tuple(words(m.group(1)))
        if inner in phrases:
            out.add(" ".join(inner))
    return frozenset(out)


def _num(s: str | None) -> float | None:
    if s is None or s == "":
        return None
    try:
        return float(s)
    except ValueError:
        return None


def build_index(
    pkg: PackageData, intervals: Mapping[str, tuple[float, float]] | None = None
) -> Index:
    """The quantities of ``pkg``; ``intervals`` (ref -> feasibility interval, from the audit)
    overrides the a-priori interval of non-exact cells and gives the latent totals theirs."""
    intervals = intervals or {}
    qs: dict[str, Quantity] = {}
    tables: dict[str, dict[str, Any]] = {}
    empty: dict[str, list[Quantity]] = {}
    dims: dict[str, tuple[str, ...]] = {}
    for res in pkg.descriptor.get("resources", []):
        name = res.get("name", "")
        if name == "text_figures" or name not in pkg.rows or "schema" not in res:
            continue
        pk = key_fields(res)  # period and the dimensions of a table or totals
        if "period" not in pk:
            continue
        tables[name] = res
        if not pkg.rows[name]:
            empty[name] = _empty_quantities(name, res, pk)
        dims[name] = tuple(k for k in pk if k != "period")
        for i, row in enumerate(pkg.rows[name], 1):
            key = tuple((k, row.get(k, "")) for k in pk)
            ref = name + "".join(f"/{k}={v}" for k, v in key)
            labels = tuple(
                (k, row.get(f"{k}_label", v)) for k, v in key if k != "period" and v != "all"
            )
            v = _num(row.get("value"))
            lo = _num(row.get("value_lower"))
            up = _num(row.get("value_upper"))
            if row.get("cell_type") in ("exact", "zero") and v is not None:
                lo = up = v
            lo = 0.0 if lo is None else lo
            up = math.inf if up is None else up
            apriori = (lo, up)
            if ref in intervals:
                lo, up = intervals[ref]
            qs[ref] = Quantity(
                ref,
                name,
                row.get("period", ""),
                key,
                labels,
                lo,
                up,
                row.get("cell_type") == "masked",
                False,
                row.get("value_printed", ""),
                i,
                apriori,
            )
    parents: dict[str, list[str]] = {}
    latent_tables: dict[str, set[str]] = {}
    spans: dict[str, set[str]] = {}  # a latent without a period: the periods of its parts
    for lat in pkg.descriptor.get("latentQuantities") or []:
        rid = str(lat.get("id", ""))
        if not rid.startswith("@"):
            continue
        key = tuple((str(k), str(v)) for k, v in (lat.get("key") or {}).items())
        period = dict(key).get("period", "")
        lo, up = intervals.get(rid, (0.0, math.inf))
        name = str(lat.get("name", rid[1:].split("/")[0]))
        qs[rid] = Quantity(rid, "@" + name, period, key, (), lo, up, False, True)
    for r in pkg.descriptor.get("relations") or []:
        if r.get("type") not in ("additive", "multilabel", "subset", "overlap_subset"):
            continue
        total = str(r.get("total") or "")
        parts = [str(p) for p in r.get("parts") or []]
        if total not in qs or any(p.startswith("text:") for p in [total, *parts]):
            continue
        if qs[total].latent and not qs[total].period:
            spans.setdefault(total, set()).update(qs[p].period for p in parts if p in qs)
        for p in parts:
            if p in qs:
                parents.setdefault(p, [])
                if total not in parents[p]:
                    parents[p].append(total)
                if qs[total].latent and not qs[p].latent:
                    latent_tables.setdefault(total, set()).add(qs[p].table)
                if qs[p].latent:  # a latent part: the tables of its siblings
                    latent_tables.setdefault(p, set()).update(
                        qs[x].table for x in parts if x in qs and not qs[x].latent
                    )
    # labels of a latent: its name in Dutch (lexicon) and, for a part of a relation, the
    # tables of its siblings
    for rid, q in list(qs.items()):
        if not q.latent:
            continue
        name = q.table[1:]
        options = [LATENT_WORDS.get(t, t).split("|") for t in name.split("_")]
        options = [o for o in options if o != [""]]
        alts = [""]
        for opt in options:
            alts = [f"{a} {b}".strip() for a in alts for b in opt]
        lat_labels: list[tuple[str, str]] = [("latent", "|".join(alts))] if options else []
        for dim, code in q.key:
            lab = _label_of(qs, dim, code) if dim != "period" else ""
            if lab:
                lat_labels.append((dim, lab))
        qs[rid] = Quantity(
            q.ref,
            q.table,
            q.period or _span(spans.get(rid, set())),
            q.key,
            tuple(lat_labels),
            q.lower,
            q.upper,
            False,
            True,
        )
    _mark_depends_masked(pkg, qs)
    by_period: dict[str, list[Quantity]] = {}
    by_key: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, Quantity]] = {}
    df: Counter[str] = Counter()
    word_dims: dict[str, set[str]] = {}
    for q in qs.values():
        by_period.setdefault(q.period, []).append(q)
        rest = tuple(kv for kv in q.key if kv[0] != "period")
        by_key.setdefault((q.table, rest), {})[q.period] = q
        for dim, lab in q.labels:
            for w in set(words(lab.replace("|", " "))):
                df[w] += 1
                word_dims.setdefault(w, set()).add(dim)
    n = max(1, len(qs))
    idf = {w: math.log(1 + n / c) for w, c in df.items()}
    periods = tuple(sorted(by_period))
    years = tuple(p for p in periods if re.fullmatch(r"\d{4}", p))
    latest = years[-1] if years else ""
    vocab = frozenset(w for w, v in idf.items() if v >= 2.0 and len(w) >= 4)
    # the Dutch names of the dimensions (codelist titles: "Regio van nationaliteit",
    # "Geboorteland"): a figure whose words name a dimension is a cell of a table that has it
    titles = [words(str(r.get("title", ""))) for r in tables.values()]
    dim_words: set[str] = set()
    dim_names: dict[str, frozenset[str]] = {}
    heads: list[list[str]] = []
    for res in pkg.descriptor.get("resources", []):
        name = str(res.get("name", ""))
        title = str(res.get("title", ""))
        if name.startswith("codelist_") and ":" in title:
            heads.append(words(title.split(":", 1)[1])[:1])
            dim_names[name.removeprefix("codelist_")] = frozenset(
                w for w in words(title.split(":", 1)[1]) if len(w) >= 5
            )
            for w in words(title.split(":", 1)[1]):
                n = sum(1 for t in titles if any(match_word(w, x) for x in t))
                if len(w) >= 5 and n <= len(titles) / 3:
                    dim_words.add(w)
    vocab |= dim_words
    # the head word of each dimension's name ("Sector van seksuele uitbuiting": sector)
    dim_vocab = frozenset(ws[0] for ws in (list(n) for n in heads) if ws and ws[0] in dim_words)
    unit_words = frozenset(
        w
        for res in tables.values()
        for w in words(str((res.get("unit") or {}).get("title", "")).replace("/", " "))
    ) | frozenset(w for v in LATENT_UNITS.values() for w in words(v))
    latent_units = {}
    for lat, tabs in latent_tables.items():
        units = {str((tables[t].get("unit") or {}).get("id", "")) for t in tabs if t in tables}
        if len(units) == 1:
            latent_units[lat] = units.pop()
    return Index(
        qs,
        by_period,
        by_key,
        parents,
        tables,
        idf,
        periods,
        years,
        latest,
        dims,
        vocab=vocab,
        latent_units=latent_units,
        unit_words=unit_words,
        latent_tables=latent_tables,
        dim_names=dim_names,
        dim_vocab=dim_vocab,
        empty=empty,
        word_dims={w: frozenset(d) for w, d in word_dims.items()},
    )


def _empty_quantities(name: str, res: Mapping[str, Any], pk: Sequence[str]) -> list[Quantity]:
    """The quantities a table without rows would have: its categories crossed (schema)."""
    fields = {str(f.get("name")): f for f in (res.get("schema") or {}).get("fields") or []}
    per_dim: list[list[tuple[str, str]]] = []
    for k in pk:
        if k == "period":
            continue
        cats = [
            (str(c.get("value")), str(c.get("label", c.get("value"))))
            for c in (fields.get(k) or {}).get("categories") or []
            if isinstance(c, dict)
        ]
        if not any(v == "all" for v, _ in cats):
            cats.append(("all", ""))
        per_dim.append([(f"{k}={v}", lab if v != "all" else "") for v, lab in cats])
    out: list[Quantity] = []
    dims = [k for k in pk if k != "period"]
    for combo in itertools.product(*per_dim):
        key = tuple((d, kv.split("=", 1)[1]) for d, (kv, _lab) in zip(dims, combo, strict=True))
        labels = tuple((d, lab) for d, (_kv, lab) in zip(dims, combo, strict=True) if lab)
        ref = name + "".join(f"/{kv}" for kv, _lab in combo)
        out.append(Quantity(ref, name, "", key, labels, math.nan, math.nan))
    return out


def names_empty(index: Index, ctx: Context) -> tuple[str, float]:
    """The table without cells (:attr:`Index.empty`) whose words the figure's context names
    best, and that score (label score as for any quantity); ``("", -inf)`` if none."""
    best = ("", -math.inf)
    for name, qs in sorted(index.empty.items()):
        for q in qs:
            sc = label_score(index, q, ctx)
            if sc > best[1]:
                best = (name, sc)
    return best


def _span(periods: set[str]) -> str:
    """The period a latent without one covers: the span of its parts ("2019-2023" from the
    yearly cells 2019 ... 2023 or from the cells of the span itself); "" if they differ."""
    years: set[str] = set()
    for p in periods:
        m = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", p)
        if m is None:
            return ""
        a, b = m.group(1), m.group(2) or m.group(1)
        years |= {str(y) for y in range(int(a), int(b) + 1)}
    if len(years) < 2:
        return ""
    lo, hi = min(years), max(years)
    if len(years) != int(hi) - int(lo) + 1:
        return ""
    return f"{lo}-{hi}"


def _label_of(qs: Mapping[str, Quantity], dim: str, code: str) -> str:
    for q in qs.values():
        if not q.latent and (dim, code) in q.key:
            for d, lab in q.labels:
                if d == dim:
                    return lab
    return ""


# --------------------------------------------------------------------------------------------
# Context of a figure
# --------------------------------------------------------------------------------------------

_YEAR_RE = re.compile(r"(?<![\d-])((?:19|20)\d\d)(?![\d-])")
_PERIOD_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s?[-–]\s?((?:19|20)\d\d)(?!\d)")
_PREV_YEAR_RE = re.compile(
    r"^[\s,]*(?:\S+\s+){0,3}?(?:het|een|vorig)\s+jaar\s*(?:daarvoor|ervoor|eerder|daarvoor)?\b"
    r"|^[\s,]*(?:\S+\s+){0,2}?(?:vorig\s+jaar|het\s+jaar\s+(?:daarvoor|ervoor))",
    re.IGNORECASE,
)
_REF_YEAR_RE = re.compile(
    r"(?:ten\s+opzichte\s+van|vergeleken\s+met|sinds|dan\s+in|t\.o\.v\.)\s*(?:het\s+jaar\s+)?$",
    re.IGNORECASE,
)
_FIVE_RE = re.compile(r"\bvijf\s*jaar|\bvijfjarig|\bgemiddeld", re.IGNORECASE)


TIME_UNITS = frozenset({"jaar", "jaren", "dagen", "dag", "maanden", "weken", "uur"})


@dataclass
class Context:
    period: str  # "2023", "2019-2023"
    base: str  # the earlier year of a change ("" = period - 1)
    words: tuple[tuple[str, float], ...]
    explicit_year: bool
    sentence: str
    heading: frozenset[str] = frozenset()
    unit_word: str = ""
    specific: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    wide: tuple[str, ...] = ()
    estimate: bool = False
    phrase: str = ""  # the words of the figure's own phrase, stop words left out
    tight_names: tuple[str, ...] = ()  # the names in the figure's own phrase
    verbatim: frozenset[str] = frozenset()  # full category labels of its words
    best: dict[str, float] = field(default_factory=dict)
    cache: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for w, cw in self.words:
            if cw > self.best.get(w, 0.0):
                self.best[w] = cw


def _words_weighted(text: str, weight: float) -> list[tuple[str, float]]:
    return [(w, weight) for w in words(text)]


def context(ex: Extraction, f: Figure, index: Index, figures: Sequence[Figure]) -> Context:
    text = ex.text
    s0, s1 = f.sentence
    before = normalize(text[s0 : f.start])
    after = normalize(text[f.end : s1])
    change = f.kind in ("change_percent", "change_count", "ratio_words")
    same = [g for g in figures if g.sentence == f.sentence and g is not f and not g.verbal]
    prev_end = max((g.end for g in same if g.end <= f.start), default=s0)
    next_start = min((g.start for g in same if g.start >= f.end), default=s1)
    window_after = normalize(text[f.end : next_start])
    sentence = normalize(text[s0:s1])
    period = ""
    explicit = False
    base = ""
    m_after = re.match(r"^[^\d]{0,40}?\bin\s+((?:19|20)\d\d)\b(?!\s?[-–]\s?\d)", window_after)
    m_than = re.match(
        r"^[^\d]{0,30}?\bdan\s+(?:in\s+)?((?:19|20)\d\d)\b|^[^\d]{0,30}?\bten\s+opzichte\s+van\s+"
        r"((?:19|20)\d\d)\b",
        window_after,
    )
    pm = _PERIOD_RE.search(sentence)
    from_to = re.search(
        r"(?:periode\s+)?((?:19|20)\d\d)\s?[-–]\s?((?:19|20)\d\d)\s+van\s+(\S+)\s+(?:tot|naar)\s+(\S+)",
        text[s0:s1],
    )
    if from_to and not (s0 + from_to.start(3) <= f.start < s0 + from_to.end(4)):
        from_to = None  # a figure after the "van A tot B" of the period
    if from_to:
        # "in de periode 2019-2022 van 53 tot 16": the first figure 2019, the second 2022
        first = f.start >= s0 + from_to.start(4)
        period, explicit = (from_to.group(2) if first else from_to.group(1)), True
    elif change and m_than:
        base = m_than.group(1) or m_than.group(2)
        period, explicit = _sentence_year(before, ex, f, index), True
    elif change and _PREV_YEAR_RE.match(window_after):
        period = _sentence_year(before, ex, f, index)
        base, explicit = str(int(period) - 1), True
    elif m_toen := re.search(r"\bin\s+((?:19|20)\d\d),?\s+toen(?:\s+er)?\s*$", before):
        period, explicit = m_toen.group(1), True  # "dan in 2022 toen er 312"
    elif re.search(r"\bjaar\s+(?:ervoor|daarvoor|eerder),?\s+toen(?:\s+er)?\s*$", before) or (
        not change
        and not m_after
        and re.search(
            r"\b(?:het|een)\s+jaar\s+(?:ervoor|daarvoor|eerder)\b",
            normalize(text[prev_end : f.start]),
        )
    ):
        ys_all = _YEAR_RE.findall(normalize(text[max(0, s0 - 400) : f.start]))
        ref = ys_all[-1] if ys_all else _paragraph_year(ex, f, index)
        if re.search(r"\bjaar\s+(?:ervoor|daarvoor|eerder),?\s+toen", before):
            ref = _sentence_year(before, ex, f, index)
        period, explicit = str(int(ref) - 1), True
    elif m_after:
        period, explicit = m_after.group(1), True
    elif _PREV_YEAR_RE.match(window_after):
        ref = _sentence_year(before, ex, f, index)
        period, explicit = str(int(ref) - 1), True
    else:
        ys = list(_YEAR_RE.finditer(before))
        usable = [m for m in ys if not _REF_YEAR_RE.search(before[: m.start()])]
        refs = [m for m in ys if _REF_YEAR_RE.search(before[: m.start()])]
        later = [
            m
            for m in _YEAR_RE.finditer(after)
            if not _REF_YEAR_RE.search(after[: m.start()])
            and not _PERIOD_RE.search(after[max(0, m.start() - 5) : m.end() + 5])
        ]
        if later and re.match(r"^\s*(?:naar|tot)\b", window_after):
            # "van 50% naar 56%" with the year later: the first value is a year earlier
            period, explicit = str(int(later[0].group(1)) - 1), True
        elif re.match(r"^\s*(?:naar|tot)\b", window_after) and re.search(r"\bvan\s*$", before):
            # "is in 2023 gestegen van 50% naar 56%", "nam af van 31 tot 18"
            ref = usable[-1].group(1) if usable else _paragraph_year(ex, f, index)
            period, explicit = str(int(ref) - 1), True
        elif usable:
            period, explicit = usable[-1].group(1), True
        elif later:
            period, explicit = later[0].group(1), True
        elif refs and change:
            period, explicit = str(int(refs[-1].group(1)) + 1), True
            base = refs[-1].group(1)
        else:
            period = _paragraph_year(ex, f, index)
        if refs and not base:
            base = refs[-1].group(1)
    five = _FIVE_RE.search(sentence)
    if pm and not from_to and not m_after:
        a, b = pm.group(1), pm.group(2)
        if (f"{a}-{b}" in index.periods or (a in index.years and b in index.years)) and (
            five or not explicit
        ):
            period = f"{a}-{b}"
    elif five and not explicit and index.years and not change:
        period = f"{index.years[0]}-{index.years[-1]}"
    elif (
        not explicit
        and index.years
        and not change
        and not _YEAR_RE.search(sentence)
        and _FIVE_RE.search(normalize(text[_prev_sentence(text, s0)[0] : s0]))
        and "\n\n" not in text[_prev_sentence(text, s0)[0] : s0].strip()
    ):
        # "Gemiddeld is 23% ... adolescent. 18% is dan veertig jaar of ouder": the average
        # of the sentence before goes on
        period = f"{index.years[0]}-{index.years[-1]}"
    if re.search(r"\btwee\s+jaar\s+geleden\b", window_after, re.IGNORECASE):
        base = str(int(period) - 2) if period.isdigit() else ""
    ws: list[tuple[str, float]] = []
    own_before = words(normalize(text[prev_end : f.start]), ages=True)
    far_before = words(normalize(text[s0:prev_end]))
    own_after = words(window_after, ages=True)
    far_after = words(normalize(text[next_start:s1]))
    # words right after the previous figure are its own, unless it closes a bracket: in
    # "A (58%), B (75%) en C (65%)" every label stands before its figure
    closes = re.match(r"\s*\)\s*(?:[,;]|(?:en|of|dan)\b)", text[prev_end : prev_end + 8])
    shared = 3 if prev_end > s0 and not closes else 0
    denominator = bool(
        re.fullmatch(r"\s*van\s+de\s*", text[prev_end : f.start])
        and any(g.end == prev_end and g.kind in ("percent", "share_words") for g in same)
    ) or bool(re.search(r"(?:%|helft|derde|kwart|vijfde)\s+van\s+de\s*$", before))

    for i, w in enumerate(reversed(own_before)):
        is_head = i >= len(own_before) - shared
        ws.append((w, 0.4 if denominator else 0.5 if is_head else 1.0 if i < 10 else 0.7))
    # after the figure: its own words up to "en"/"of"/a comma (then the next item's)
    cut = re.search(r"\b(?:en|of|maar|tegenover)\b|[,;:(–]", window_after)
    near_after = words(window_after[: cut.start()] if cut else window_after, ages=True)
    for i, w in enumerate(own_after):
        if denominator and i >= 2:
            ws.append((w, 0.3))  # "68% van de 78 afgedane zaken ... veroordeeld": the share's
            continue
        far = i >= len(near_after)
        ws.append((w, 0.4 if far else 0.95 if i < 6 else 0.6))
    ws += [(w, 0.4) for w in far_before + far_after]
    # the two sentences before, and the section heading
    p0, _ = _prev_sentence(text, s0)
    q0, _ = _prev_sentence(text, p0)
    # not across the section heading (its words count apart)
    last_head = max((ln for ln, _ in ex.headings if ln < f.line), default=0)
    limit_start = ex.line_start(last_head + 1) if last_head else 0
    if last_head:
        limit = ex.line_start(last_head + 1)
        p0, q0 = max(p0, min(limit, s0)), max(q0, min(limit, s0))
    legend = _pie_legend(ex, f.line)
    if legend is not None:
        # a label of a pie chart ("18; 34%"): its words are its legend entry, not the prose
        # around the chart
        ws = [(w, 1.0) for w in words(legend)]
        head: list[str] = []
    else:
        # "Dit aantal daalde ...", "In 2023 betreft dit 126 meldingen": a figure of the
        # sentence before's subject weighs its words nearly as its own
        back = _ANAPHORA_RE.search(normalize(text[s0 : f.start])) is not None
        ws += _words_weighted(normalize(text[p0:s0]), 0.8 if back else 0.5)
        ws += _words_weighted(normalize(text[q0:p0]), 0.5 if back else 0.3)
        if back:
            # a chain of references ("... 68 Latijns-Amerikaanse slachtoffers ... Dat is meer
            # dan een verdubbeling. Ook zij zijn vaak in de thuisprostitutie uitgebuit. In 2023
            # betreft dit ten minste 26 meldingen"): back to the sentence that names them,
            # within the paragraph
            a, b = q0, p0
            for _ in range(3):
                if not _PRONOUN_RE.search(normalize(text[a:b])[:40]):
                    break
                r0, _e = _prev_sentence(text, a)
                if r0 >= a or "\n\n" in text[r0:a].strip() or r0 < limit_start:
                    break
                ws += _words_weighted(normalize(text[r0:a]), 0.5)
                a, b = r0, a
        head = words(f.section.split(">")[-1])
        ws += [(w, 0.35) for w in head]
    um = re.match(r"^\s*([a-zé]+)", window_after)
    unit = um.group(1).lower() if um else ""
    # the words right around the number (30 characters each side, within its own segment)
    t0 = max(prev_end, f.start - 30)
    while t0 > prev_end and text[t0 - 1].isalnum() and text[t0].isalnum():
        t0 -= 1  # the whole word ("gemelde", not "melde" of the reporters' "melders")
    if shared:
        # "19% internationaal, 4% onbekend": the words before the comma are the previous
        # figure's
        sep = list(re.finditer(r"[,;]|\b(?:en|of)\b", text[t0 : f.start]))
        if sep:
            t0 += sep[-1].end()
    # after the figure: its own phrase ("12 slachtoffers afkomstig uit Roemenië"), at most 45
    # characters, up to a comma or the next item
    t1 = min(next_start, f.end + 45)
    stop = re.search(r"[,;.:(]\s|\b(?:en|of|maar)\b", text[f.end : t1])
    t1 = t1 if stop is None else f.end + stop.start()
    while t1 > f.end and t1 < len(text) and text[t1].isalnum():
        t1 -= 1  # not into the middle of a word
    tight_raw = text[t0 : f.start] + " " + text[f.end : t1]
    tight = words(normalize(tight_raw))
    specific = tuple(dict.fromkeys(w for w in tight if index.in_vocab(w)))
    if legend is None:
        # a dimension the figure's own clause names ("bij 36 meldingen ... de specifieke
        # sector onbekend is"): a quantity of a table without it is not the figure
        for w in (*own_before, *near_after, *own_after[: len(near_after) + 12]):
            if w in index.dim_vocab and w not in specific:
                specific = (*specific, w)
        # the categories the clause names before the figure of dimensions the figure's own
        # words do not name ("De slachtoffers gemeld uit de sector 'vervoer en opslag' zijn
        # relatief vaak afkomstig uit Spanje (15) en Roemenië (13)": the sector)
        mine0 = {d for w in specific for d in index.dims_of_word(w)}
        if mine0:
            for w in words(normalize(text[s0:t0])):
                if not index.in_vocab(w) or w in specific:
                    continue
                ds = index.dims_of_word(w)
                if ds and not ds & mine0:
                    specific = (*specific, w)
    if shared and t0 > prev_end:
        # "In de sector 'bouw' zijn er 12 slachtoffers afkomstig uit Roemenië en 12 uit
        # Brazilië": the second item keeps the first item's categories of the dimensions it
        # does not name itself (the sector)
        prev_fig = max((g for g in same if g.end == prev_end), key=lambda g: g.start, default=None)
        if prev_fig is not None:
            mine = {d for w in specific for d in index.dims_of_word(w)}
            before_prev = words(normalize(text[max(s0, prev_fig.start - 30) : prev_fig.start]))
            for w in before_prev:
                ds = index.dims_of_word(w) if index.in_vocab(w) else frozenset()
                if ds and not ds & mine and w not in specific:
                    specific = (*specific, w)
    wide = tuple(
        dict.fromkeys(w for w, cw in ws if cw >= 0.9 and w not in specific and index.in_vocab(w))
    )
    # a figure the tables do not hold: an estimate, a target
    estimate = bool(
        re.search(
            r"\bnaar\s+schatting\b|\bgeschat|\bschatting|\bstreefcijfer|\bdoelstelling"
            r"|\bdoel\s+van\b|\bwerkelijke?\s+aantal|\bverwacht|\bprognose|\b\d+\s+meest\b",
            sentence,
            re.IGNORECASE,
        )
    )
    # names (capitalised words inside the sentence): Veilig Thuis, Chat met Fier, FairWork
    own_raw = text[prev_end:next_start].replace("\n", " ")
    names = tuple(
        dict.fromkeys(
            w
            for m in re.finditer(r"(?<=[a-zà-ÿ0-9,(]\s)\(?[A-Z][A-Za-zà-ÿ]+", own_raw)
            for w in words(m.group(0))
        )
    )
    # what the sentence counts: unit words near the number
    units = _units(index, own_raw)
    if not units and not _units(index, text[s0:s1]):
        # "Verdachten van arbeidsuitbuiting zijn het oudst. Van hen is maar 8% adolescent":
        # what the sentence before counts
        units = _units(index, text[p0:s0])
    return Context(
        period,
        base,
        tuple(ws),
        explicit,
        sentence,
        frozenset(head),
        unit,
        specific=specific,
        names=names,
        units=units,
        wide=wide,
        estimate=estimate,
        phrase=" " + " ".join(own_before) + " | " + " ".join(near_after) + " ",
        tight_names=tuple(w for w in names if w in tight),
        verbatim=verbatim_labels(index, normalize(tight_raw)),
    )


def _pie_legend(ex: Extraction, line: int) -> str | None:
    """The legend entry of the pie-chart label on ``line``: the labels of a chart ("18; 34%",
    "13; 25%", ...) and the legend lines after them (up to the source line) pair in order
    when there are as many of each."""
    kinds = ex.line_kinds
    if not 0 < line <= len(kinds) or kinds[line - 1] != "pie":
        return None
    a = b = line - 1
    while a - 1 >= 0 and kinds[a - 1] in ("pie", "blank"):
        a -= 1
    while b + 1 < len(kinds) and kinds[b + 1] in ("pie", "blank"):
        b += 1
    block = [i for i in range(a, b + 1) if kinds[i] == "pie"]
    legend: list[str] = []
    i = b + 1
    while i < len(kinds) and len(legend) <= len(block):
        raw = ex.lines[i].strip().lstrip("\ufffd").strip()
        if kinds[i] != "blank":
            if raw.startswith(("Bron", "Noot")) or re.search(r"\d", raw) or len(raw) > 60:
                break
            legend.append(raw)
        i += 1
    if len(legend) != len(block):
        return None
    return legend[block.index(line - 1)]


def _pie_counts(ex: Extraction, line: int) -> list[float]:
    """The counts of the pie chart whose label is on ``line`` (its legend paired)."""
    if _pie_legend(ex, line) is None:
        return []
    kinds = ex.line_kinds
    a = b = line - 1
    while a - 1 >= 0 and kinds[a - 1] in ("pie", "blank"):
        a -= 1
    while b + 1 < len(kinds) and kinds[b + 1] in ("pie", "blank"):
        b += 1
    out = []
    for i in range(a, b + 1):
        if kinds[i] == "pie":
            m = re.match(r"\s*(\d+)\s*;", ex.lines[i])
            if m is None:
                return []
            out.append(float(m.group(1)))
    return out


def _holds(index: Index, ref: str, counts: Sequence[float]) -> bool:
    """Whether the siblings of ``ref`` along one dimension hold every count (in any order)."""
    q = index.quantities.get(ref)
    if q is None:
        return False
    for dim, code in q.key:
        if dim == "period" or code == "all":
            continue
        vals = [(r.lower, r.upper) for r in _family(index, q, dim)]
        if len(vals) < len(counts):
            continue
        left = list(vals)
        ok = True
        for c in counts:
            hit = next((v for v in left if v[0] <= c <= v[1]), None)
            if hit is None:
                ok = False
                break
            left.remove(hit)
        if ok:
            return True
    return False


def _units(index: Index, raw: str) -> tuple[str, ...]:
    """The unit words ("slachtoffers", "verdachte") of ``raw``, as the package spells them."""
    out: dict[str, None] = {}
    for w in words(normalize(raw.replace("\n", " "))):
        if w in index.unit_words:
            out[w] = None
        else:
            for u in index.unit_words:
                if len(w) >= 6 and match_word(u, w) and u.startswith(w[:-1]):
                    out[u] = None
    return tuple(out)


def _sentence_year(before: str, ex: Extraction, f: Figure, index: Index) -> str:
    ys = [
        m.group(1)
        for m in _YEAR_RE.finditer(before)
        if not _REF_YEAR_RE.search(before[: m.start()])
        and not _PERIOD_RE.search(before[max(0, m.start() - 5) : m.end() + 5])
    ]
    return ys[-1] if ys else _paragraph_year(ex, f, index)


def _prev_sentence(text: str, s0: int) -> tuple[int, int]:
    if s0 <= 0:
        return 0, 0
    cut = text.rfind("\n\n", 0, max(0, s0 - 1))
    ends = list(re.finditer(r"(?<![0-9])[.!?](?=\s)", text[max(0, cut) : max(0, s0 - 2)]))
    start = max(0, cut) + (ends[-1].end() if ends else 0)
    return start, s0


_NUMBER_WORD = (
    r"(?:\w+en)?(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|"
    r"vijftien|zestien|zeventien|achttien|negentien|twintig|dertig|veertig|vijftig|zestig|"
    r"zeventig|tachtig|negentig|honderd)"
)
_FIGURE_YEAR_RE = re.compile(
    rf"(?:\d|\b{_NUMBER_WORD}\b)[%)]?\s+(?:\S+\s+){{0,2}}in\s*$", re.IGNORECASE
)
"""The text before the year of a figure ("27 in 2022", "van zeven in 2022")."""


def _paragraph_year(ex: Extraction, f: Figure, index: Index) -> str:
    """The last year named in the prose before the figure in its section, else the newest."""
    start = next((ex.line_start(ln) for ln, _ in reversed(ex.headings) if ln <= f.line), 0)
    seg = ex.text[start : f.start]
    # a figure in words ("van zeven in 2022 naar veertien in 2023") names its own year as
    # much as one in digits
    ends = [g.end - start for g in ex.figures if start <= g.end <= f.start]

    def figure_year(at: int) -> bool:
        return any(
            re.fullmatch(r"[%)]?\s+(?:\S+\s+){0,2}in\s*", seg[e:at])
            for e in ends
            if 0 <= at - e <= 30
        )

    ys = [
        m.group(1)
        for m in _YEAR_RE.finditer(seg)
        if not _REF_YEAR_RE.search(seg[max(0, m.start() - 25) : m.start()])
        and not _PERIOD_RE.search(seg[max(0, m.start() - 5) : m.end() + 5])
        and not _FIGURE_YEAR_RE.search(seg[max(0, m.start() - 30) : m.start()])
        and not figure_year(m.start())
    ]
    ys = [y for y in ys if y in index.years]
    return ys[-1] if ys else index.latest


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------


def _best(ctx: Context, w: str) -> float:
    cache = ctx.cache
    got = cache.get(w)
    if got is None:
        got = max((cw for t, cw in ctx.best.items() if match_word(w, t)), default=0.0)
        cache[w] = got
    return got


@dataclass(frozen=True)
class _TableWords:
    unit: tuple[str, ...]
    title: tuple[str, ...]
    title_weight: float
    section: frozenset[str]
    source: frozenset[str] = frozenset()


def _table_words(index: Index, q: Quantity) -> _TableWords:
    got = index._tables_w.get(q.ref if q.latent else q.table)
    if got is not None:
        return got
    res = index.tables.get(q.table)
    unit = title = section = source = ""
    if res is not None:
        source = " ".join(str(x.get("title", "")) for x in res.get("sources") or [])
    if res is None and q.latent and q.ref in index.latent_tables:
        # a latent total: the title, section and sources of the tables of its parts
        res = index.tables.get(sorted(index.latent_tables[q.ref])[0])
        if res is not None:
            title, section = str(res.get("title", "")), str(res.get("section", ""))
            source = " ".join(str(x.get("title", "")) for x in res.get("sources") or [])
            res = None
    if res is not None:
        unit = str((res.get("unit") or {}).get("title", ""))
        title = str(res.get("title", ""))
        section = str(res.get("section", ""))
    elif q.latent:
        unit = " ".join(LATENT_UNITS.get(t, "") for t in q.table[1:].split("_"))
    tw = tuple(sorted({w for w in words(title) if not re.match(r"\d", w)}))
    got = _TableWords(
        tuple(words(unit.replace("/", " "))),
        tw,
        sum(index.idf.get(w, 1.0) for w in tw),
        frozenset(words(section.split(">")[-1])),
        frozenset(words(re.sub(r"[()/,]", " ", source))),
    )
    index._tables_w[q.ref if q.latent else q.table] = got
    return got


def _best_word(ctx: Context, w: str, used: set[str]) -> tuple[float, str]:
    """The weight of the best context word matching label word ``w`` (not in ``used``)."""
    best, word = 0.0, ""
    for t, cw in ctx.best.items():
        if cw > best and t not in used and match_word(w, t):
            best, word = cw, t
    return best, word


def label_score(index: Index, q: Quantity, ctx: Context) -> float:
    total = 0.0
    labelled = False
    own = index.own_words(q)
    tws = _table_words(index, q)
    own = own | frozenset(tws.title) | tws.source
    used: set[str] = set()  # a word of the text names one dimension only
    for (_dim, label), alts in zip(q.labels, index.words_of(q), strict=True):
        labelled = True
        best_frac = -1.0
        best_hits: set[str] = set()
        for ws in alts:
            if not ws:
                continue
            weights = [index.idf.get(w, 1.0) for w in ws]
            got = 0.0
            hits: set[str] = set()
            for w, wt in zip(ws, weights, strict=True):
                cw, t = _best_word(ctx, w, used)
                got += wt * cw
                if t:
                    hits.add(t)
            if got / sum(weights) > best_frac:
                best_frac, best_hits = got / sum(weights), hits
        used |= best_hits
        if any(len(ws) >= 2 and f" {' '.join(ws)} " in ctx.phrase for ws in alts):
            total += 0.4  # the sentence names the label as a phrase ("geslacht onbekend")
        elif ctx.verbatim and label_phrases(label) & ctx.verbatim:
            total += VERBATIM_BONUS  # its words hold the full label, not only a part of it
        if best_frac < 0:
            total -= 0.6  # a label the words cannot name ("≥40 jaar")
            continue
        total += 1.6 * best_frac if best_frac >= 0.4 else -1.2 + best_frac
    # words near the figure that name a category this quantity does not have: the figure is
    # more specific than the quantity ("Afrikaanse slachtoffers" is no total)
    if ctx.specific:
        total -= min(
            2.0, 0.7 * sum(1 for w in ctx.specific if not any(match_word(o, w) for o in own))
        )
    if ctx.wide:
        n_wide = sum(1 for w in ctx.wide if not any(match_word(o, w) for o in own))
        total -= min(1.5, 0.5 * n_wide)
    if ctx.estimate:
        total -= 1.5
    if ctx.names:
        total -= min(1.8, 0.6 * sum(1 for w in ctx.names if not any(match_word(o, w) for o in own)))
    tw = _table_words(index, q)
    if tw.unit:
        total += 0.6 * max(_best(ctx, u) for u in tw.unit)
        if ctx.unit_word and any(match_word(u, ctx.unit_word) for u in tw.unit):
            # the counted noun right after the number ("293 verdachten") says what is
            # counted more surely than other nouns of the phrase ("in de opsporingsonderzoeken")
            total += UNIT_NOUN
        mine = set(tw.unit)
        if ctx.units and not any(match_word(u, w) for u in mine for w in ctx.units):
            total -= 1.5  # the sentence counts something else (verdachten, not slachtoffers)
    if tw.title:
        hit = sum(index.idf.get(w, 1.0) for w in tw.title if _best(ctx, w) > 0)
        total += 0.5 * hit / tw.title_weight
    if tw.section:
        total += 0.6 * len(tw.section & ctx.heading) / len(tw.section)
    if not labelled:
        total += 0.8  # a total: what an unqualified figure states
    if ctx.unit_word and ctx.unit_word in TIME_UNITS:
        total -= 3.0
    return total


def _hull(*ivs: tuple[float, float]) -> tuple[float, float]:
    return (min(i[0] for i in ivs), max(i[1] for i in ivs))


def _sum(qs: Sequence[Quantity]) -> tuple[float, float]:
    return (sum(q.lower for q in qs), sum(q.upper for q in qs))


def _div(n: tuple[float, float], d: tuple[float, float]) -> tuple[float, float]:
    """Interval of n / d for d > 0 (n >= 0 or signed)."""
    if d[1] <= 0:
        return (math.nan, math.nan)
    dl = max(d[0], 1e-12)
    cands = [n[0] / dl, n[0] / d[1], n[1] / dl, n[1] / d[1]]
    cands = [c for c in cands if not math.isnan(c)]
    return (min(cands), max(cands))


def _mark_depends_masked(pkg: PackageData, qs: dict[str, Quantity]) -> None:
    """Mark each latent total of ``qs`` that the tables leave open (not exact) and that a
    relation ties to a masked cell, or to a latent total so marked: as their sum, or as the
    rest of a total beside it (:attr:`Quantity.depends_masked`). An exact latent total follows
    from exact cells alone and is shown."""
    groups: list[set[str]] = []
    for r in pkg.descriptor.get("relations") or []:
        g = {str(x) for x in (r.get("total"), *(r.get("parts") or [])) if x}
        if any(x in qs and qs[x].latent for x in g):
            groups.append(g)
    dep = {ref for ref, q in qs.items() if q.masked}
    grew = True
    while grew:
        grew = False
        for g in groups:
            for x in g:
                q = qs.get(x)
                if q is None or x in dep or not q.latent or q.exact:
                    continue
                if (g - {x}) & dep:
                    dep.add(x)
                    grew = True
    for ref in dep:
        if qs[ref].latent:
            qs[ref] = replace(qs[ref], depends_masked=True)


def hides_masked(index: Index, refs: Iterable[str]) -> bool:
    """Whether a derivation over ``refs`` (numerator and denominator) depends on a masked cell:
    then its interval and computed value are never shown."""
    return any(r in index.quantities and index.quantities[r].hidden for r in refs)


def _agrees(f: Figure, iv: tuple[float, float]) -> bool:
    if math.isnan(iv[0]):
        return False
    lo, hi = iv
    flo, fhi = f.lower, f.upper
    if lo > fhi or (f.upper_open and lo >= fhi):
        return False
    return not (hi < flo or (f.lower_open and hi <= flo))


def _public_iv(index: Index, c: _Cand) -> tuple[float, float]:
    """What a figure's value is compared with to rank candidate ``c``: its interval, but for
    a masked cell the range its symbol allows (``<5``: its a-priori interval, public). The
    interval the tables imply for a masked cell is never shown, and the ranking must not
    depend on it either: a value the symbol allows links alike whether it is right or wrong
    (then a disclosure, :func:`opendata_mh.text.verification.check_figure`)."""
    if c.derivation == "value" and len(c.refs) == 1:
        q = index.quantities.get(c.refs[0])
        if q is not None and q.masked:
            return q.apriori
    return c.iv


def _siblings_sum(index: Index, q: Quantity, dim: str) -> list[Quantity]:
    others = dict(kv for kv in q.key if kv[0] not in (dim,))
    out = []
    for r in index.by_period.get(q.period, []):
        if r.table != q.table or r.latent:
            continue
        kd = dict(r.key)
        if kd.get(dim) in (None, "all"):
            continue
        if all(kd.get(k) == v for k, v in others.items()):
            out.append(r)
    return out


def _all_of(index: Index, q: Quantity, dim: str) -> Quantity | None:
    key = tuple((k, "all" if k == dim else v) for k, v in q.key)
    ref = q.table + "".join(f"/{k}={v}" for k, v in key)
    r = index.quantities.get(ref)
    return r if r is not None and r.ref != q.ref else None


def _same_key(index: Index, q: Quantity, period: str) -> Quantity | None:
    rest = tuple(kv for kv in q.key if kv[0] != "period")
    return index.by_key.get((q.table, rest), {}).get(period)


def _years_of(index: Index, period: str) -> list[str]:
    if "-" not in period:
        return [period]
    a, b = period.split("-")
    return [y for y in index.years if a <= y <= b]


def _over_years(index: Index, q: Quantity, period: str) -> list[Quantity] | None:
    """The yearly quantities of q's key over ``period`` (None if one year is missing)."""
    out = []
    for y in _years_of(index, period):
        r = _same_key(index, q, y)
        if r is None:
            return None
        out.append(r)
    return out


_ALL_OF_RE = re.compile(r"\b(?:van|onder)\s+alle\s+((?:\S+\s+){0,3}\S+)", re.IGNORECASE)


def _all_of_names(index: Index, d: Quantity, ctx: Context) -> bool:
    """The sentence says "van alle ..." and those words name every label word of ``d``."""
    m = _ALL_OF_RE.search(ctx.sentence)
    if m is None:
        return False
    said = words(m.group(1))
    return all(any(match_word(w, s) for s in said) for w in index.own_words(d))


def _denominators(index: Index, q: Quantity) -> list[tuple[str, list[Quantity]]]:
    """Totals that q is a part of (relations, 'all' codes, sums over a dimension)."""
    out: list[tuple[str, list[Quantity]]] = []
    seen: set[tuple[str, ...]] = set()

    def add(tag: str, qs: list[Quantity]) -> None:
        key = tuple(sorted(x.ref for x in qs))
        if (qs and key not in seen and q.ref not in key) or (
            qs and len(qs) > 1 and key not in seen
        ):
            seen.add(key)
            out.append((tag, qs))

    for p in index.parents.get(q.ref, []):
        d = index.quantities[p]
        if d.period and q.period and d.period != q.period:
            continue  # a year's share of a five-year total is no share the prose states
        add("relation", [d])
    if q.latent:
        # a latent of a family (@court_cases_5y/form=...): the family's 'all' member
        for dim, code in q.key:
            if dim == "period" or code == "all":
                continue
            ref = "@" + q.table[1:] + "".join(f"/{k}={'all' if k == dim else v}" for k, v in q.key)
            if ref in index.quantities:
                add("all", [index.quantities[ref]])
    for dim in index.dims.get(q.table, ()):
        if dict(q.key).get(dim) == "all":
            continue  # a total is no share of its own parts
        a = _all_of(index, q, dim)
        if a is not None:
            add("all", [a])
        sib = _siblings_sum(index, q, dim)
        if len(sib) > 1:
            add("sum", sib)
    return out


@dataclass
class _Cand:
    derivation: str
    refs: tuple[str, ...]
    den: tuple[str, ...]
    iv: tuple[float, float]
    score: float
    text_refs: tuple[int, ...] = ()
    explain: str = ""
    evidence: float = 0.0


def candidates(
    ex: Extraction,
    fi: int,
    index: Index,
    ctx: Context | None = None,
    prior: Mapping[int, Link] | None = None,
) -> tuple[list[Link], Context]:
    """Ranked candidate links of figure ``fi`` of ``ex``; ``prior`` holds the first links of
    the figures before it (a change right after a count is a change of that count's quantity:
    "868 slachtoffers ... Dat zijn er 54 meer dan het jaar daarvoor")."""
    figures = ex.figures
    f = figures[fi]
    ctx = ctx or context(ex, f, index, figures)
    out: list[_Cand] = []
    period = ctx.period
    years = _years_of(index, period)
    multi = len(years) > 1
    pool: list[Quantity] = list(index.by_period.get(period, []))
    if multi:
        # a five-year quantity: the cells of that period, or the yearly cells to add up
        pool += list(index.by_period.get(years[-1], []))
    elif period.isdigit():
        # a cell of a span that holds the year (a per-form column printed for 2019-2023 only)
        for p in index.periods:
            if "-" in p and p.split("-")[0] <= period <= p.split("-")[1]:
                pool += index.by_period.get(p, [])
    scored = sorted(
        ((round(label_score(index, q, ctx), 6), q) for q in pool), key=lambda t: (-t[0], t[1].ref)
    )
    top = scored[: TOP_K * 2]
    kind = f.kind
    base = ctx.base or (str(int(period) - 1) if period.isdigit() else "")

    def level_iv(q: Quantity) -> tuple[tuple[float, float], tuple[str, ...]] | None:
        if multi and q.period != period:
            qs = _over_years(index, q, period)
            if qs is None:
                return None
            return _sum(qs), tuple(x.ref for x in qs)
        return (q.lower, q.upper), (q.ref,)

    if kind in ("count", "decimal", "masked", "range"):
        avg = bool(re.search(r"\bgemiddeld", ctx.sentence, re.IGNORECASE))
        for s, q in top:
            if avg and multi:
                qs = _over_years(index, q, period)
                if qs:
                    iv = _sum(qs)
                    n = len(qs)
                    out.append(
                        _Cand(
                            "average", tuple(x.ref for x in qs), (), (iv[0] / n, iv[1] / n), s + 0.4
                        )
                    )
                continue
            if q.period != period:
                continue
            out.append(_Cand("value", (q.ref,), (), (q.lower, q.upper), s))
        for s, q in top:
            if "-" in q.period and "-" not in period and not q.latent:
                out.append(_Cand("value", (q.ref,), (), (q.lower, q.upper), s - 0.4))
    if kind == "change_count" or kind in ("change_percent", "ratio_words"):
        for s, q in top:
            if q.period != period or not base:
                continue
            old = _same_key(index, q, base)
            if old is None:
                continue
            new_iv, old_iv = (q.lower, q.upper), (old.lower, old.upper)
            if kind == "change_count":
                iv = (new_iv[0] - old_iv[1], new_iv[1] - old_iv[0])
                out.append(_Cand("difference", (q.ref,), (old.ref,), iv, s))
            elif kind == "change_percent":
                r = _div(new_iv, old_iv)
                out.append(
                    _Cand("change", (q.ref,), (old.ref,), (100 * r[0] - 100, 100 * r[1] - 100), s)
                )
            else:
                out.append(_Cand("ratio", (q.ref,), (old.ref,), _div(new_iv, old_iv), s))
    if kind in ("percent", "share_words"):
        for s, q in top[:TOP_K]:
            span = "-" in q.period and "-" not in period
            if not multi and q.period != period and not span:
                continue
            if span:
                s -= 0.4
            lv = level_iv(q)
            if lv is None:
                continue
            niv, nrefs = lv
            options = _denominators(index, q)
            n_rel = sum(tag == "relation" for tag, _ds in options)
            for tag, dens in options:
                if multi and q.period != period:
                    parts: list[Quantity] = []
                    ok = True
                    for d in dens:
                        ys = _over_years(index, d, period)
                        if ys is None:
                            ok = False
                            break
                        parts += ys
                    if not ok:
                        continue
                    div = _sum(parts)
                    drefs = tuple(x.ref for x in parts)
                else:
                    div = _sum(dens)
                    drefs = tuple(x.ref for x in dens)
                r = _div(niv, div)
                bonus = {"relation": 0.3, "all": 0.25, "sum": 0.1}[tag]
                if tag == "relation" and n_rel > 1 and _all_of_names(index, dens[0], ctx):
                    # "Van alle gemelde slachtoffers ... is 15,6 procent ...": the total the
                    # words after "alle" name, not a narrower one (of sexual exploitation)
                    bonus += 0.15
                out.append(_Cand("share", nrefs, drefs, (100 * r[0], 100 * r[1]), s + bonus))
            if q.period == period:
                out += _group_shares(index, q, ctx)
    if prior and kind in ("count", "masked"):
        paired = _paired(ex, fi, index, ctx, prior)
        if paired is not None:
            out = [c for c in out if c.refs != paired.refs]
            if paired.refs:
                out.append(paired)
            else:
                out = [_Cand(c.derivation, c.refs, c.den, c.iv, c.score - 2.0) for c in out]
    if prior and kind in ("count", "masked"):
        within = _within_text_total(ex, fi, index, prior)
        if within is not None:
            # a part of a total the text enumerates ("Van de 52 minderjarige slachtoffers ...
            # De anderen hebben ... (8)") lies within the total's quantity: a candidate
            # without the total's categories (no age group "minderjarig") is not it
            out = [
                c
                if c.derivation != "value" or _has_codes(index, c.refs, within)
                else _Cand(c.derivation, c.refs, c.den, c.iv, c.score - 2.5)
                for c in out
            ]
    pie = _pie_counts(ex, f.line)
    if pie:
        # the labels of a pie chart are the members of one breakdown: a candidate whose
        # siblings hold all the chart's counts is the chart's table
        out = [
            _Cand(c.derivation, c.refs, c.den, c.iv, c.score + 1.5)
            if c.derivation in ("value", "share")
            and len(c.refs) == 1
            and _holds(index, c.refs[0], pie)
            else c
            for c in out
        ]
    # derivations between figures of the text (same sentence)
    out += _text_candidates(ex, fi, ctx)
    if prior and kind in ("change_count", "change_percent", "ratio_words"):
        out += _anchored(ex, fi, index, ctx, prior)
    # value agreement
    best_ev = max((c.score for c in out), default=0.0)
    for c in out:
        c.evidence = c.score
        if ctx.estimate or _partial(index, c, ctx):
            # the figure's own words name a category this quantity does not have ("12
            # slachtoffers [in de bouw] afkomstig uit Roemenië": no table crosses sector and
            # nationality), or an estimate or a target: the best the package has, but no
            # confident link
            c.evidence = min(c.evidence, PARTIAL_EVIDENCE)
        lo, hi = iv = _public_iv(index, c)
        narrow = not math.isnan(lo) and math.isfinite(hi) and hi - lo <= max(4.0, 0.15 * abs(hi))
        # the value breaks ties between candidates the words name about as well; it never
        # lifts a candidate the words name clearly worse (a wrong figure still links)
        if narrow and _agrees(f, iv) and c.score >= best_ev - VALUE_WINDOW:
            c.score += VALUE_BONUS
    out.sort(key=lambda c: (-round(c.score, 6), c.derivation, c.refs, c.den))
    # dedupe
    seen: set[tuple[str, tuple[str, ...], tuple[str, ...]]] = set()
    uniq: list[_Cand] = []
    for c in out:
        k = (c.derivation, c.refs, c.den)
        if k in seen:
            continue
        seen.add(k)
        uniq.append(c)
    uniq = uniq[:TOP_K]
    if not uniq:
        return [], ctx
    mx = uniq[0].score
    zs = [math.exp(2.0 * (c.score - mx)) for c in uniq]
    tot = sum(zs)
    links = [
        Link(
            c.derivation,
            c.refs,
            c.den,
            c.iv[0],
            c.iv[1],
            round(c.score, 3),
            round(z / tot, 3),
            c.text_refs,
            c.explain,
            round(c.evidence, 3),
            round(_margin(c, uniq), 3),
        )
        for c, z in zip(uniq, zs, strict=True)
    ]
    return links, ctx


def _same_value(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) for x, y in zip(a, b, strict=True))


def _margin(c: _Cand, cands: Sequence[_Cand]) -> float:
    """The evidence of ``c`` minus the best evidence of the candidates whose value differs
    from it: two ways to one value ("68% van de 78 zaken": the conviction share of the court
    cases, or of the outcomes, both 53/78) are no ambiguity about what the figure should say.
    With no candidate of another value, the margin is the evidence itself."""
    rival = max(
        (d.evidence for d in cands if d is not c and not _same_value(d.iv, c.iv)), default=0.0
    )
    return c.evidence - rival


def _family(index: Index, q: Quantity, dim: str) -> list[Quantity]:
    """q and its siblings along ``dim`` (same table or latent family, same other codes)."""
    others = {k: v for k, v in q.key if k != dim}
    out = []
    for r in index.by_period.get(q.period, []):
        if r.table != q.table:
            continue
        kd = dict(r.key)
        if kd.get(dim) in (None, "all") or any(kd.get(k) != v for k, v in others.items()):
            continue
        out.append(r)
    return out


def _all_member(index: Index, q: Quantity, dim: str) -> Quantity | None:
    prefix = q.table if not q.latent else "@" + q.table[1:]
    ref = prefix + "".join(f"/{k}={'all' if k == dim else v}" for k, v in q.key)
    r = index.quantities.get(ref)
    return r if r is not None and r.ref != q.ref else None


def _group_shares(index: Index, q: Quantity, ctx: Context) -> list[_Cand]:
    """The share of a group of categories the text names by the word their labels share:
    "82% ... in ieder geval seksuele uitbuiting" = the binnenlandse, internationale and
    onbekende seksuele uitbuiting together, of the total."""
    out: list[_Cand] = []
    labels = dict(q.labels)
    for dim, code in q.key:
        if dim == "period" or code == "all" or dim not in labels:
            continue
        fam = _family(index, q, dim)
        total = _all_member(index, q, dim)
        if len(fam) < 3 or total is None:
            continue
        fam_words = {r.ref: set(words(dict(r.labels).get(dim, ""))) for r in fam}
        for w in set(words(labels[dim])):
            if w not in index.vocab or ctx.best.get(w, 0.0) < 0.9:
                continue
            group = [r for r in fam if w in fam_words[r.ref]]
            if not 2 <= len(group) < len(fam) or q not in group:
                continue
            common = set.intersection(*(fam_words[r.ref] for r in group))
            if any(common <= fam_words[r.ref] for r in fam if r not in group):
                continue
            syn = Quantity(
                f"{q.ref}#group:{w}",
                q.table,
                q.period,
                q.key,
                tuple((d, " ".join(sorted(common)) if d == dim else lab) for d, lab in q.labels),
                0.0,
                0.0,
                latent=q.latent,
            )
            sc = label_score(index, syn, ctx) + 0.25
            niv = _sum(group)
            r = _div(niv, (total.lower, total.upper))
            out.append(
                _Cand(
                    "share",
                    tuple(x.ref for x in sorted(group, key=lambda x: x.ref)),
                    (total.ref,),
                    (100 * r[0], 100 * r[1]),
                    sc,
                )
            )
    return out


def _partial(index: Index, c: _Cand, ctx: Context) -> bool:
    """Whether the figure's own category words (:attr:`Context.specific`) include one that
    candidate ``c`` (its numerator's quantities) does not explain."""
    if not (ctx.specific or ctx.tight_names) or c.derivation.startswith("text_"):
        return False
    own: set[str] = set()
    for r in c.refs:
        q = index.quantities.get(r)
        if q is None:
            return False
        tw = _table_words(index, q)
        # the heading of the table's section names what it counts too ("Drie op de vijf
        # berechte verdachten in Nederland geboren")
        own |= index.own_words(q) | set(tw.title) | set(tw.source) | tw.section
    return any(not any(match_word(o, w) for o in own) for w in (*ctx.specific, *ctx.tight_names))


def _within_text_total(
    ex: Extraction, fi: int, index: Index, prior: Mapping[int, Link]
) -> dict[str, str] | None:
    """The categories (dimension -> code, 'all' left out) of the quantity of the text total
    that figure ``fi`` is an enumerated part of, if that total is linked to a cell."""
    for s in _sums_of(ex):
        if fi not in s.parts:
            continue
        link = prior.get(s.total)
        if link is None or link.derivation != "value" or link.evidence < 1.2:
            return None
        q = index.quantities.get(link.refs[0])
        if q is None:
            return None
        return {k: v for k, v in q.key if k != "period" and v != "all"}
    return None


def _has_codes(index: Index, refs: Sequence[str], codes: Mapping[str, str]) -> bool:
    for r in refs:
        q = index.quantities.get(r)
        if q is None or any(dict(q.key).get(k) != v for k, v in codes.items()):
            return False
    return True


_SUMS: dict[int, tuple[Extraction, list[TextSum]]] = {}


def _sums_of(ex: Extraction) -> list[TextSum]:
    got = _SUMS.get(id(ex))
    if got is None or got[0] is not ex:
        _SUMS.clear()
        got = (ex, text_sums(ex))
        _SUMS[id(ex)] = got
    return got[1]


def _paired(
    ex: Extraction, fi: int, index: Index, ctx: Context, prior: Mapping[int, Link]
) -> _Cand | None:
    """ "A ..., tegenover B in 2022 / het jaar daarvoor": B is A's quantity in the earlier year.
    A candidate with no refs means: that quantity is not published for the year."""
    f = ex.figures[fi]
    for j in range(fi - 1, -1, -1):
        g = ex.figures[j]
        if g.sentence != f.sentence and g.end < f.sentence[0] - 2:
            return None
        if g.kind not in ("count", "masked"):
            continue
        between = normalize(ex.text[g.end : f.start])
        if not re.search(r"\btegenover\b", between) or re.search(r"\d", between):
            return None
        link = prior.get(j)
        # A's link may be a capped one (PARTIAL_EVIDENCE): B is still A's quantity a year
        # earlier, or nothing the package publishes
        if link is None or link.derivation != "value" or link.evidence < 1.0:
            return None
        q = index.quantities.get(link.refs[0])
        if q is None or not ctx.period:
            return None
        old = _same_key(index, q, ctx.period)
        if old is None:
            return _Cand("value", (), (), (math.nan, math.nan), -9.0)
        return _Cand("value", (old.ref,), (), (old.lower, old.upper), link.evidence + 0.5)
    return None


def _anchored(
    ex: Extraction, fi: int, index: Index, ctx: Context, prior: Mapping[int, Link]
) -> list[_Cand]:
    """A change of the quantity of the count just before it (same or previous sentence)."""
    f = ex.figures[fi]
    p0, _ = _prev_sentence(ex.text, f.sentence[0])
    for j in range(fi - 1, -1, -1):
        g = ex.figures[j]
        if g.start < p0:
            break
        if g.kind != "count":
            continue
        link = prior.get(j)
        if link is None or link.derivation != "value" or link.evidence < 1.2:
            return []
        q = index.quantities.get(link.refs[0])
        if q is None or not q.period.isdigit():
            return []
        base = ctx.base if ctx.base and ctx.base < q.period else str(int(q.period) - 1)
        old = _same_key(index, q, base)
        if old is None:
            return []
        nv, ov = (q.lower, q.upper), (old.lower, old.upper)
        if f.kind == "change_count":
            return [_Cand("difference", (q.ref,), (old.ref,), (nv[0] - ov[1], nv[1] - ov[0]), 2.6)]
        r = _div(nv, ov)
        if f.kind == "change_percent":
            return [
                _Cand("change", (q.ref,), (old.ref,), (100 * r[0] - 100, 100 * r[1] - 100), 2.6)
            ]
        return [_Cand("ratio", (q.ref,), (old.ref,), r, 2.6)]
    return []


_AGAINST_RE = re.compile(r"\btegenover\b|\bten\s+opzichte\s+van\b|\bnaar\b|\btot\b", re.IGNORECASE)


def _text_candidates(ex: Extraction, fi: int, ctx: Context) -> list[_Cand]:
    """Changes, differences and ratios between two counts of the text before the figure in
    the same sentence (or the sentence before): "A ..., tegenover B ... een toename van p%"."""
    f = ex.figures[fi]
    if f.kind not in ("change_percent", "change_count", "ratio_words"):
        return []
    p0, _ = _prev_sentence(ex.text, f.sentence[0])
    counts = [
        (j, g)
        for j, g in enumerate(ex.figures[:fi])
        if g.kind in ("count", "masked") and g.start >= p0 and g.value is not None
    ]
    out: list[_Cand] = []
    for a in range(len(counts) - 1):
        (ja, ga), (jb, gb) = counts[a], counts[a + 1]
        between = ex.text[ga.end : gb.start]
        if not _AGAINST_RE.search(between) or "\n\n" in between:
            continue
        if re.search(r"\bvan\s*$", ex.text[max(0, ga.start - 8) : ga.start]):
            old, new = ga, gb  # "van B naar A"
            jo, jn = ja, jb
        else:
            new, old = ga, gb  # "A, tegenover B"
            jn, jo = ja, jb
        nv, ov = (new.lower, new.upper), (old.lower, old.upper)
        near = 2.6 if gb.sentence == f.sentence or gb.end >= f.sentence[0] - 2 else 1.6
        if f.kind == "change_percent":
            r = _div(nv, ov)
            iv = (100 * r[0] - 100, 100 * r[1] - 100)
            der = "text_change"
        elif f.kind == "ratio_words":
            iv = _div(nv, ov)
            der = "text_ratio"
        else:
            iv = (nv[0] - ov[1], nv[1] - ov[0])
            der = "text_difference"
        out.append(
            _Cand(
                der,
                (f"line {new.line}: {new.printed}",),
                (f"line {old.line}: {old.printed}",),
                iv,
                near,
                (jn, jo),
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Text-internal sums
# --------------------------------------------------------------------------------------------

_OF_THE_RE = re.compile(r"\bvan\s+de\s*$", re.IGNORECASE)
_REST_RE = re.compile(r"\b(?:de\s+anderen|de\s+overigen|de\s+rest|de\s+overige)\b", re.IGNORECASE)


@dataclass(frozen=True)
class TextSum:
    """A total and its parts enumerated in the text (figure indices)."""

    total: int
    parts: tuple[int, ...]


def text_sums(ex: Extraction) -> list[TextSum]:
    """ "Van de 52 minderjarige slachtoffers hebben er 30 de Nederlandse nationaliteit. De
    anderen hebben ... (8), ... (11) of ... (<5)": 52 = 30 + 8 + 11 + <5. A total after "van
    de", its first part in the same sentence, the rest after "de anderen/overigen/rest" in the
    next sentence."""
    out: list[TextSum] = []
    figs = ex.figures
    for i, f in enumerate(figs):
        if f.kind != "count" or not _OF_THE_RE.search(ex.text[max(0, f.start - 10) : f.start]):
            continue
        same = [j for j in range(i + 1, len(figs)) if figs[j].sentence == f.sentence]
        if not same:
            continue
        nxt_start = f.sentence[1]
        m = _REST_RE.search(ex.text, nxt_start, nxt_start + 40)
        if not m:
            continue
        nxt_sent = next((g.sentence for g in figs if g.start >= m.end()), None)
        rest = [
            j
            for j in range(i + 1, len(figs))
            if figs[j].sentence == nxt_sent and figs[j].kind in ("count", "masked")
        ]
        if len(rest) < 1:
            continue
        parts = tuple(j for j in same if figs[j].kind in ("count", "masked")) + tuple(rest)
        out.append(TextSum(i, parts))
    return out
