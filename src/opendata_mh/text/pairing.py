"""Pairing: figures that belong together by the structure of the prose.

Linking (:mod:`opendata_mh.text.linking`) ranks each figure's candidates by its own words, and
a candidate whose value agrees with the printed figure gets a bonus. A figure that is wrong
then links to some other quantity that happens to have its value, or stays unlinked, instead
of being flagged. The structure of the sentence often says which quantity a figure states,
whatever its value; the rules here read that structure and give the figure the quantity of
its partners (each rule returns figure index -> :class:`Pairing`):

* **years** (:func:`year_chains`): "50 in 2023, 27 in 2022 en 11 in 2021", "van 15 in 2022
  naar 8 in 2023", "in de periode 2019-2022 van 53 tot 16, maar is in 2023 gestegen naar 36":
  one quantity in the years the prose gives each figure. The quantity is the one the members
  together name best (the sum of their candidates' scores for it, each in its own year), and
  one member must link to it confidently. A member whose year the tables do not hold for that
  quantity is unlinked (not linked by value to some other table).
* **respectively** (:func:`respectively`): "... van Afrikaanse en vooral Latijns-Amerikaanse
  slachtoffers ... (respectievelijk met 58% en 134%)": the i-th figure after
  "respectievelijk" states the i-th category the sentence names before it, or else after the
  figures ("respectievelijk 135 en 333 slachtoffers van binnenlandse en internationale ...").
* **legend pairs** (:func:`legend_pairs`): a pie chart's label "18; 34%": the count is the
  numerator of the share that the percentage links to.
* **appositions** (:func:`appositions`): "bijna een kwart (23%)", "126 slachtoffers (15%)": a
  percentage in brackets right after a verbal share states the same share; after a count, a
  share of that count's quantity.
* **share lists** (:func:`share_lists`): "82% ... seksuele uitbuiting, 9% arbeidsuitbuiting en
  8% criminele/overige uitbuiting": once the first share of the list links confidently (and
  another member over the same base), the others are shares over its denominator; when the
  first is the odd one out, the base most members link over.

* **shares of counts** (:func:`shares_of_counts`): "In 68% van de 78 afgedane zaken ...", "Meer
  dan de helft van de 124 slachtoffers ...": a share over the quantity of the count after it,
  when that count links by its words.

The caller (:func:`opendata_mh.text.verification.check_figures`) checks each figure against
the link a rule gives it; a figure outside it is a contradiction.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from opendata_mh.text.extraction import Extraction, Figure, normalize
from opendata_mh.text.linking import Index, Link, Quantity, match_word, words

CONFIDENT = ("consistent", "rounding")
"""The statuses of a figure whose first link a rule may build on."""


@dataclass(frozen=True)
class Pairing:
    """What a rule gives a figure: a link, or ``None`` with the reason it cannot be checked
    (the structure names a quantity the tables do not hold)."""

    link: Link | None
    why: str = ""


def _key(q: Quantity) -> tuple[str, tuple[tuple[str, str], ...]]:
    return (q.table, tuple(kv for kv in q.key if kv[0] != "period"))


def value_link(q: Quantity, top: Link, anchor: int, explain: str) -> Link:
    """A link to the value of ``q``, as confident as ``top``, anchored on figure ``anchor``."""
    return Link(
        "value",
        (q.ref,),
        lower=q.lower,
        upper=q.upper,
        score=top.score,
        confidence=top.confidence,
        text_refs=(anchor,),
        explain=explain,
        evidence=top.evidence,
    )


def _same(a: Link | None, b: Link) -> bool:
    return a is not None and (a.derivation, a.refs, a.denominator) == (
        b.derivation,
        b.refs,
        b.denominator,
    )


# --------------------------------------------------------------------------------------------
# Years: one quantity in the years the prose gives each figure
# --------------------------------------------------------------------------------------------

_Y = r"(?:19|20)\d\d"
_LIST_GAP_RE = re.compile(rf"^in ({_Y}) ?(?:,|en\b|of\b|tegenover\b)(?: ?in)?$")
_TO_GAP_RE = re.compile(rf"^(?:in ({_Y}) )?(?:naar|tot)$")
_MOVED_GAP_RE = re.compile(
    rf"^(?:in ({_Y}) ?)?,? ?(?:maar|en|om|daarna|vervolgens)?\b[^\d.;:]{{0,40}}?"
    rf"(?:\bin ({_Y}) )?[^\d.;:]{{0,25}}?"
    r"\b(?:ge(?:stegen|daald|groeid|zakt)|toegenomen|afgenomen|opgelopen|teruggelopen|"
    r"stijgt|daalt|steeg|daalde|groeide|nam\S*\s+\S+)\s+(?:naar|tot)$"
)
_FROM_RE = re.compile(r"\bvan$")
_SPAN_FROM_RE = re.compile(rf"({_Y}) ?[-–] ?({_Y}) van$")
_OWN_YEAR_RE = re.compile(rf"^in ({_Y})\b(?! ?[-–] ?\d)")


def _gap(ex: Extraction, a: Figure, b: Figure) -> str:
    return normalize(ex.text[a.end : b.start])


def _chains(ex: Extraction) -> list[tuple[list[int], dict[int, str]]]:
    """Chains of counts in one sentence joined by years ("A in Y1, B in Y2 en C in Y3") or
    by "van A (in Y1) naar/tot B (in Y2)" and "..., maar is in Y3 gestegen naar C", with the
    year of each member."""
    figs = ex.figures
    out: list[tuple[list[int], dict[int, str]]] = []
    i = 0
    while i < len(figs):
        chain = [i]
        years: dict[int, str] = {}
        moved = False
        while True:
            a = chain[-1]
            b = a + 1
            if b >= len(figs) or figs[b].sentence != figs[i].sentence:
                break
            gap = _gap(ex, figs[a], figs[b])
            m = _LIST_GAP_RE.match(gap)
            if m:
                years[a] = m.group(1)
                chain.append(b)
                continue
            before_a = normalize(ex.text[max(0, figs[a].start - 20) : figs[a].start])
            m = _TO_GAP_RE.match(gap)
            if m and (len(chain) > 1 or _FROM_RE.search(before_a)):
                if m.group(1):
                    years[a] = m.group(1)
                chain.append(b)
                moved = True
                continue
            m = _MOVED_GAP_RE.match(gap)
            if m and (moved or _FROM_RE.search(before_a)):
                if m.group(1):
                    years[a] = m.group(1)
                if m.group(2):
                    years[b] = m.group(2)
                chain.append(b)
                moved = True
                continue
            break
        i = chain[-1] + 1
        if len(chain) < 2:
            continue
        last = chain[-1]
        m = _OWN_YEAR_RE.match(normalize(ex.text[figs[last].end : figs[last].sentence[1]]))
        if m and last not in years:
            years[last] = m.group(1)
        span = _SPAN_FROM_RE.search(
            normalize(ex.text[figs[chain[0]].sentence[0] : figs[chain[0]].start])
        )
        if span and moved:
            # "in de periode 2019-2022 van 53 tot 16": the first two members, the span's ends
            years.setdefault(chain[0], span.group(1))
            years.setdefault(chain[1], span.group(2))
        out.append((chain, years))
    return out


def year_chains(
    ex: Extraction, links: Sequence[Sequence[Link]], status: Sequence[str], index: Index
) -> dict[int, Pairing]:
    """The members of a chain of years (:func:`_chains`) are one quantity, each in its own
    year (see the module docstring). Figure index -> pairing."""
    figs = ex.figures
    out: dict[int, Pairing] = {}
    for chain, years in _chains(ex):
        if any(figs[k].kind != "count" or figs[k].hedge for k in chain):
            continue
        if len(years) != len(chain) or any(y not in index.years for y in years.values()):
            continue
        totals: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        anchors: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
        for k in chain:
            best: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
            for n, lk in enumerate(links[k]):
                if lk.derivation != "value" or len(lk.refs) != 1:
                    continue
                q = index.quantities.get(lk.refs[0])
                if q is None or q.period != years[k]:
                    continue
                key = _key(q)
                best[key] = max(best.get(key, -9.0), lk.score)
                if n == 0 and status[k] in CONFIDENT:
                    a = anchors.get(key)
                    if a is None or lk.evidence > links[a][0].evidence:
                        anchors[key] = k
            for key, s in best.items():
                totals[key] = totals.get(key, 0.0) + s
        ranked = sorted(
            ((s, key) for key, s in totals.items() if key in anchors), key=lambda t: -t[0]
        )
        if not ranked or (len(ranked) > 1 and ranked[1][0] >= ranked[0][0] - 1e-9):
            continue
        key = ranked[0][1]
        a = anchors[key]
        top = links[a][0]
        qa = index.quantities[top.refs[0]]
        for k in chain:
            if k == a:
                continue
            q = index.by_key.get(key, {}).get(years[k])
            what = f"the quantity of {figs[a].printed!r} (line {figs[a].line})"
            if q is None:
                out[k] = Pairing(
                    None,
                    f"{what}, {qa.ref}, in {years[k]}: the tables do not hold it for that year",
                )
                continue
            link = value_link(q, top, a, f"{what} in its own year {years[k]}")
            if not _same(links[k][0] if links[k] else None, link) or status[k] not in CONFIDENT:
                out[k] = Pairing(link)
    return out


# --------------------------------------------------------------------------------------------
# "respectievelijk": the i-th figure, the i-th category named
# --------------------------------------------------------------------------------------------

_RESP_RE = re.compile(r"\brespectievelijk\b", re.IGNORECASE)


def _named_at(index: Index, q: Quantity, dims: set[str], tokens: list[str]) -> int | None:
    """The first position in ``tokens`` where one of ``dims``' labels of ``q`` is named (every
    word of one of its alternatives within four words)."""
    best: int | None = None
    labels = dict(q.labels)
    for (dim, _label), alts in zip(q.labels, index.words_of(q), strict=True):
        if dim not in dims or dim not in labels:
            continue
        for ws in alts:
            if not ws:
                continue
            for p, t in enumerate(tokens):
                if not match_word(ws[0], t):
                    continue
                rest = tokens[p + 1 : p + 5]
                if all(any(match_word(w, r) for r in rest) for w in ws[1:]):
                    best = p if best is None else min(best, p)
                    break
    return best


def _general_dropped(
    index: Index, qs: Sequence[Quantity], dims: set[str], at: dict[str, int | None]
) -> dict[str, int | None]:
    """``at`` without the quantities whose category is named only as part of a narrower one
    named too ("binnenlandse en internationale seksuele uitbuiting": not "seksuele
    uitbuiting")."""
    own: dict[str, frozenset[str]] = {}
    for q in qs:
        ws: set[str] = set()
        for (dim, _label), alts in zip(q.labels, index.words_of(q), strict=True):
            if dim in dims and alts:
                ws.update(alts[0])
        own[q.ref] = frozenset(ws)
    named = [r for r, p in at.items() if p is not None]
    return {
        r: None if p is not None and any(own[r] < own[o] for o in named) else p
        for r, p in at.items()
    }


def respectively(
    ex: Extraction, links: Sequence[Sequence[Link]], status: Sequence[str], index: Index
) -> dict[int, Pairing]:
    """ "A en B ... (respectievelijk met x% en y%)": x states A, y states B. Figure index ->
    pairing."""
    figs = ex.figures
    out: dict[int, Pairing] = {}
    done: set[tuple[int, int]] = set()
    for f in figs:
        s0, s1 = f.sentence
        if f.sentence in done:
            continue
        done.add(f.sentence)
        m = _RESP_RE.search(ex.text, s0, s1)
        if m is None:
            continue
        members = [k for k, g in enumerate(figs) if g.sentence == f.sentence and g.start > m.end()]
        if len(members) < 2 or len({figs[k].kind for k in members}) != 1:
            continue
        tokens = words(normalize(ex.text[s0 : m.start()]))
        # "respectievelijk 135 en 333 slachtoffers van binnenlandse en internationale
        # seksuele uitbuiting": the categories named after the figures
        after = words(normalize(ex.text[figs[members[-1]].end : s1]))
        pool = [
            lk for k in members for lk in links[k] if lk.refs and lk.refs[0] in index.quantities
        ]
        tables = [
            index.quantities[links[k][0].refs[0]].table
            for k in members
            if links[k] and links[k][0].refs and links[k][0].refs[0] in index.quantities
        ]
        options: list[dict[int, Link]] = []
        for table in dict.fromkeys(tables):
            qs = [index.quantities[lk.refs[0]] for lk in pool]
            qs = [q for q in qs if q.table == table]
            codes: dict[str, set[str]] = {}
            for q in qs:
                for d, c in q.key:
                    codes.setdefault(d, set()).add(c)
            dims = {d for d, cs in codes.items() if len(cs) > 1 and d != "period"}
            if not dims:
                continue
            for toks in (tokens, after):
                at = _general_dropped(
                    index, qs, dims, {q.ref: _named_at(index, q, dims, toks) for q in qs}
                )
                named = sorted({p for p in at.values() if p is not None})
                if len(named) == len(members):
                    break
            if len(named) != len(members):
                continue
            got: dict[int, Link] = {}
            for k, pos in zip(members, named, strict=True):
                mine = [
                    lk
                    for lk in links[k]
                    if lk.refs
                    and lk.refs[0] in at
                    and at[lk.refs[0]] == pos
                    and lk.derivation == (links[k][0].derivation if links[k] else "")
                ]
                if not mine:
                    break
                got[k] = max(mine, key=lambda lk: lk.score)
            if len(got) == len(members):
                options.append(got)
        if options:
            # the table whose categories the words name best ("slachtoffers van binnenlandse
            # en internationale seksuele uitbuiting": all victims, not the minors among them)
            got = max(options, key=lambda o: sum(lk.evidence for lk in o.values()))
            for i, (k, lk) in enumerate(got.items()):
                if _same(links[k][0], lk) and status[k] in CONFIDENT:
                    continue
                out[k] = Pairing(
                    _retold(
                        lk,
                        f"item {i + 1} of the categories 'respectievelijk' refers to (line "
                        f"{figs[k].line})",
                    )
                )
    return out


# --------------------------------------------------------------------------------------------
# Legend pairs and appositions
# --------------------------------------------------------------------------------------------


def _retold(lk: Link, explain: str) -> Link:
    return Link(
        lk.derivation,
        lk.refs,
        lk.denominator,
        lk.lower,
        lk.upper,
        lk.score,
        lk.confidence,
        lk.text_refs,
        explain,
        lk.evidence,
        lk.margin,
    )


def legend_pairs(
    ex: Extraction, links: Sequence[Sequence[Link]], status: Sequence[str], index: Index
) -> dict[int, Pairing]:
    """ "18; 34%" (a pie chart's label): the count is the numerator of the linked share."""
    figs = ex.figures
    out: dict[int, Pairing] = {}
    kinds = ex.line_kinds
    for k in range(len(figs) - 1):
        n, p = figs[k], figs[k + 1]
        if n.kind != "count" or p.kind != "percent" or n.line != p.line:
            continue
        if not 0 < n.line <= len(kinds) or kinds[n.line - 1] != "pie":
            continue
        if status[k + 1] not in CONFIDENT or not links[k + 1]:
            continue
        top = links[k + 1][0]
        if top.derivation != "share" or len(top.refs) != 1:
            continue
        q = index.quantities.get(top.refs[0])
        if q is None:
            continue
        link = value_link(q, top, k + 1, f"the count of the share {p.printed!r} (line {p.line})")
        if not _same(links[k][0] if links[k] else None, link) or status[k] not in CONFIDENT:
            out[k] = Pairing(link)
    return out


_OPEN_RE = re.compile(r"^\s*\(\s*$")
_CLOSE_RE = re.compile(r"^\s*\)")


def appositions(
    ex: Extraction, links: Sequence[Sequence[Link]], status: Sequence[str], index: Index
) -> dict[int, Pairing]:
    """ "bijna een kwart (23%)": the percentage states the verbal share's quantity; "126
    slachtoffers (15%)": a share of the count's quantity (the percentage's best such
    candidate)."""
    figs = ex.figures
    out: dict[int, Pairing] = {}
    for k in range(1, len(figs)):
        p, v = figs[k], figs[k - 1]
        if p.kind != "percent" or p.sentence != v.sentence:
            continue
        if not _OPEN_RE.match(ex.text[v.end : p.start]) or not _CLOSE_RE.match(ex.text[p.end :]):
            continue
        if status[k - 1] not in CONFIDENT or not links[k - 1]:
            continue
        top = links[k - 1][0]
        link: Link | None = None
        if v.kind == "share_words" and top.derivation == "share":
            link = _retold(top, f"the share {v.printed!r} states (line {v.line})")
        elif v.kind == "count" and top.derivation == "value":
            mine = [lk for lk in links[k] if lk.derivation == "share" and lk.refs == top.refs]
            if mine:
                best = max(mine, key=lambda lk: lk.score)
                link = _retold(best, f"a share of {v.printed!r} (line {v.line})")
        if link is None:
            continue
        if not _same(links[k][0] if links[k] else None, link) or status[k] not in CONFIDENT:
            out[k] = Pairing(link)
    return out


# --------------------------------------------------------------------------------------------
# Lists of shares over one base
# --------------------------------------------------------------------------------------------

_ITEM_GAP_RE = re.compile(r"^[^()]*(?:,|\ben|\bof)\s*$|^\s*\)\s*(?:,|en\b|of\b)[^()]*\(\s*$")


def share_lists(
    ex: Extraction, links: Sequence[Sequence[Link]], status: Sequence[str], index: Index
) -> dict[int, Pairing]:
    """ "82% ..., 9% arbeidsuitbuiting en 8% criminele/overige uitbuiting": the members of a
    list of percentages are shares over one base: the first member's (it names the base) when
    another member links over it too, else the base most members link over."""
    figs = ex.figures
    out: dict[int, Pairing] = {}
    i = 0
    while i < len(figs):
        chain = [i]
        while True:
            j = chain[-1] + 1
            if j >= len(figs) or figs[j].sentence != figs[i].sentence:
                break
            if figs[j].kind != "percent" or figs[chain[-1]].kind != "percent":
                break
            if not _ITEM_GAP_RE.match(normalize(ex.text[figs[chain[-1]].end : figs[j].start])):
                break
            chain.append(j)
        i = chain[-1] + 1
        if len(chain) < 2:
            continue
        # the first member names the base ("82% van de zaken die ... zijn ingeschreven"),
        # when another member's link agrees; else the base most members link to
        tops = {
            k: links[k][0].denominator
            for k in chain
            if status[k] in CONFIDENT
            and links[k]
            and links[k][0].derivation == "share"
            and not figs[k].hedge
        }
        votes = Counter(tops.values())
        first = tops.get(chain[0])
        if first is not None and votes[first] >= 2:
            den, a = first, chain[0]
        else:
            ranked = votes.most_common(2)
            if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
                continue
            den = ranked[0][0]
            a = next(k for k in chain if tops.get(k) == den)
        for k in chain:
            if k == a:
                continue
            mine = [lk for lk in links[k] if lk.derivation == "share" and lk.denominator == den]
            if not mine:
                continue
            best = max(mine, key=lambda lk: lk.score)
            if _same(links[k][0] if links[k] else None, best) and status[k] in CONFIDENT:
                continue
            out[k] = Pairing(
                _retold(
                    best,
                    f"a share over the base of {figs[a].printed!r} (line {figs[a].line}), the "
                    "list it is part of",
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# "X% van de N ...": a share over the count after it
# --------------------------------------------------------------------------------------------

_OF_THE_RE = re.compile(r"^\s*van\s+de\s*$", re.IGNORECASE)
BASE_EVIDENCE = 1.2
"""The evidence a count's link needs to serve as the base of the share before it."""


def shares_of_counts(
    ex: Extraction, links: Sequence[Sequence[Link]], status: Sequence[str], index: Index
) -> dict[int, Pairing]:
    """ "In 68% van de 78 afgedane zaken ...", "Meer dan de helft van de 124 slachtoffers ...":
    when the count links confidently by its words, the percentage (or verbal share) is a share
    over its quantity (its best such candidate). The converse, a
    count the words do not link, is :func:`opendata_mh.text.verification.share_bases`."""
    figs = ex.figures
    out: dict[int, Pairing] = {}
    for k in range(len(figs) - 1):
        p, n = figs[k], figs[k + 1]
        if p.kind not in ("percent", "share_words") or n.kind != "count":
            continue
        if p.sentence != n.sentence or not _OF_THE_RE.match(ex.text[p.end : n.start]):
            continue
        if status[k + 1] not in CONFIDENT or not links[k + 1]:
            continue
        base = links[k + 1][0]
        if base.derivation != "value" or base.evidence < BASE_EVIDENCE:
            continue
        mine = [lk for lk in links[k] if lk.derivation == "share" and lk.denominator == base.refs]
        if not mine:
            continue
        best = max(mine, key=lambda lk: lk.score)
        if _same(links[k][0] if links[k] else None, best) and status[k] in CONFIDENT:
            continue
        out[k] = Pairing(_retold(best, f"a share of the {n.printed} after it (line {n.line})"))
    return out


RULES = (year_chains, respectively, legend_pairs, appositions, share_lists, shares_of_counts)


def pair(
    ex: Extraction, links: Sequence[Sequence[Link]], status: Sequence[str], index: Index
) -> dict[int, Pairing]:
    """Every rule of the module; a figure that two rules give a link keeps the first's."""
    out: dict[int, Pairing] = {}
    for rule in RULES:
        for k, p in rule(ex, links, status, index).items():
            out.setdefault(k, p)
    return out


__all__ = ["Pairing", "pair", "value_link"]
