"""Extraction of the figures of a draft's prose (opendata_mh.text.extraction), against the 2023
gold standard and on the Dutch number forms one by one."""

from __future__ import annotations

import math

import pytest

from opendata_mh.text import extract, read_draft
from opendata_mh.text.extraction import parse_number
from tests.unit.text_gold import TEXT_2023, gold, match


@pytest.fixture(scope="module")
def extraction_2023():  # type: ignore[no-untyped-def]
    return extract(read_draft(TEXT_2023).lines)


def test_every_gold_figure_is_extracted_on_its_line(extraction_2023) -> None:  # type: ignore[no-untyped-def]
    golds = gold()
    assert len(golds) == 184  # 169 of text_figures.toml + 15 verbal quantities
    m = match(list(extraction_2023.figures), golds)
    missing = [(g["line"], g["printed"]) for i, g in enumerate(golds) if i not in m]
    assert missing == []


def test_nothing_outside_the_gold_is_extracted(extraction_2023) -> None:  # type: ignore[no-untyped-def]
    m = match(list(extraction_2023.figures), gold())
    used = set(m.values())
    extra = [(f.line, f.printed) for i, f in enumerate(extraction_2023.figures) if i not in used]
    assert extra == []


def test_kinds_agree_with_the_gold(extraction_2023) -> None:  # type: ignore[no-untyped-def]
    golds = gold()
    m = match(list(extraction_2023.figures), golds)
    wrong = [
        (g["line"], g["printed"], extraction_2023.figures[fi].kind, g["kind"])
        for gi, fi in m.items()
        if (g := golds[gi])["kind"] != extraction_2023.figures[fi].kind
    ]
    assert wrong == []


def _one(text: str):  # type: ignore[no-untyped-def]
    figs = extract(text.split("\n")).figures
    assert len(figs) == 1, figs
    return figs[0]


@pytest.mark.parametrize(
    ("sentence", "kind", "value", "lower", "upper"),
    [
        ("In 2023 zijn er 868 slachtoffers gemeld.", "count", 868, 868, 868),
        ("Er zijn zo’n 5.000 slachtoffers per jaar.", "count", 5000, 4500, 5500),
        ("Er zijn 5 000 slachtoffers per jaar.", "count", 5000, 5000, 5000),
        ("Gemiddeld het jongst zijn zij (28.3 jaar).", "decimal", 28.3, 28.25, 28.35),
        ("Gemiddeld het jongst zijn zij (28,3 jaar).", "decimal", 28.3, 28.25, 28.35),
        ("Het aandeel is 22% van alle slachtoffers.", "percent", 22, 21.5, 22.5),
        ("Het aandeel is 22 procent van alle slachtoffers.", "percent", 22, 21.5, 22.5),
        ("Het aandeel is 4,5% van alle slachtoffers.", "percent", 4.5, 4.45, 4.55),
        ("Het aantal is met 13% procent gestegen.", "change_percent", 13, 12.5, 13.5),
        ("Het aantal meldingen is met 17% is gedaald.", "change_percent", -17, -17.5, -16.5),
        ("Er is een sterke stijging (+53%).", "change_percent", 53, 52.5, 53.5),
        ("Het aantal daalde (-16%).", "change_percent", -16, -16.5, -15.5),
        ("Dat zijn er 54 meer dan het jaar daarvoor.", "change_count", 54, 54, 54),
        ("Dat is 27 minder dan in 2022.", "change_count", -27, -27, -27),
        ("Het aandeel stijgt met 3 procentpunt.", "points", 3, 2.5, 3.5),
        ("In 2023 betreft dit ten minste 26 meldingen.", "count", 26, 26, math.inf),
        ("Het gaat om ruim 20% van de verdachten.", "percent", 20, 20, 26),
        ("Een Aziatische nationaliteit (<5) hebben zij.", "masked", None, 1, 4),
        (
            "Dat is een derde van het aantal.",
            "share_words",
            100 / 3,
            100 / 3 * 0.88,
            100 / 3 * 1.12,
        ),
        ("Dat is ruim de helft van hen.", "share_words", 50, 50, 62),
        ("Drie op de vijf verdachten.", "share_words", 60, 52.8, 67.2),
        # "één" capitalised at the start of a sentence is spelled "Eén" in Dutch
        ("Eén op de vijf verdachten is minderjarig.", "share_words", 20, 17.6, 22.4),
        ("Één op de vijf verdachten is minderjarig.", "share_words", 20, 17.6, 22.4),
        ("Er zijn bijna twee keer zoveel meldingen.", "ratio_words", 2, 1.6, 2),
    ],
)
def test_dutch_number_forms(sentence, kind, value, lower, upper) -> None:  # type: ignore[no-untyped-def]
    f = _one(sentence)
    assert f.kind == kind
    if value is None:
        assert f.value is None
    else:
        assert f.value == pytest.approx(value)
    assert f.lower == pytest.approx(lower)
    assert f.upper == pytest.approx(upper)


def test_a_printed_percentage_is_rounded_half_up() -> None:
    f = _one("Het aandeel is 64% van alle slachtoffers.")
    assert f.contains(63.5) and f.contains(64.49) and not f.contains(64.5)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Bron: Phoenix, peildatum 26-04-2024.", "date"),
        ("In de Monitor Mensenhandel 2019-2023 verschijnt dit.", "period"),
        ("Er zijn netwerken die daarachter zitten.1", "footnote"),
        ("reisbeperkingen gedurende de COVID-19 pandemie zijn opgeheven.", "label"),
        ("Binnenlandse seksuele uitbuiting 181 119 189 162 135", "table"),
        ("2019 2020 2021 2022 2023", "table"),
        ("80%", "axis"),
        ("In 2023 ging het goed.", "year"),
    ],
)
def test_set_aside(line: str, reason: str) -> None:
    e = extract([line])
    assert e.figures == ()
    assert reason in {a.reason for a in e.set_aside}


def test_list_numbers_are_set_aside() -> None:
    e = extract(["1.\t Lichte stijging in de meldingen van slachtoffers"])
    assert e.figures == ()
    assert [a.reason for a in e.set_aside] == ["list"]


def test_pie_labels_are_figures() -> None:
    e = extract(["18; 34%"])
    assert [(f.kind, f.value) for f in e.figures] == [("count", 18), ("percent", 34)]


def test_a_phrase_broken_over_two_lines() -> None:
    e = extract(["gemeld, tegenover 26 het jaar daarvoor. Dat is meer dan een verdubbe-", "ling."])
    words = [f for f in e.figures if f.kind == "ratio_words"]
    assert len(words) == 1 and words[0].line == 1 and words[0].lower_open
    assert words[0].lower == 2 and math.isinf(words[0].upper)


@pytest.mark.parametrize(
    ("digits", "value", "decimals"),
    [("5.000", 5000, 0), ("12.345.678", 12345678, 0), ("28,3", 28.3, 1), ("28.3", 28.3, 1)],
)
def test_parse_number(digits: str, value: float, decimals: int) -> None:
    assert parse_number(digits) == (pytest.approx(value), decimals)


def test_lines_and_offsets_point_at_the_number(extraction_2023) -> None:  # type: ignore[no-untyped-def]
    for f in extraction_2023.figures:
        line = extraction_2023.lines[f.line - 1]
        assert line[f.offset :].startswith(f.number.split("\n")[0].split()[0])


# number words (a new-user test: a draft that wrote its counts in words gave "0 figures")
WORDS_DRAFT = [
    "In 2023 heeft de rechter achtenzeventig zaken afgedaan.",
    "Het aantal zaken van criminele/overige uitbuiting stijgt van zeven in 2022 naar veertien "
    "in 2023.",
    "In 2023 zijn er drie slachtoffers van gedwongen orgaanverwijdering gemeld.",
    "In 2023 is één slachtoffer van gedwongen orgaanverwijdering gemeld.",
    "Eén slachtoffer, eenentwintig verdachten en tweeëntwintig zaken; ruim twintig meldingen.",
    "In 2023 heeft de rechter zes zaken van internationale seksuele uitbuiting afgedaan.",
]


def test_number_words_are_counts() -> None:
    ex = extract(WORDS_DRAFT)
    got = [(f.line, f.printed, f.value, f.kind) for f in ex.figures]
    assert got == [
        (1, "achtenzeventig", 78, "count"),
        (2, "zeven", 7, "count"),
        (2, "veertien", 14, "count"),
        (3, "drie", 3, "count"),
        (4, "één", 1, "count"),
        (5, "Eén", 1, "count"),
        (5, "eenentwintig", 21, "count"),
        (5, "tweeëntwintig", 22, "count"),
        (5, "ruim twintig", 20, "count"),
        (6, "zes", 6, "count"),
    ]
    f = ex.figures[1]
    assert (f.offset, f.unit, f.lower, f.upper) == (WORDS_DRAFT[1].index("zeven"), "in", 7, 7)
    assert ex.figures[0].unit == "zaken"
    ruim = ex.figures[8]
    assert ruim.hedge == "over" and ruim.lower == 20 and ruim.lower_open


@pytest.mark.parametrize(
    "sentence",
    [
        # the 2023 report's own uses that are not counts of the tables
        "18% is dan veertig jaar of ouder.",  # an age group
        "In 2023 is minder dan de helft van de verdachten jonger dan dertig, namelijk 42%.",
        "Het percentage veroordelingen is in de twee meest recente jaren lager.",
        "Dat is de laatste vier jaar zo; twee jaar geleden was het anders.",
        "Gemiddeld genomen over vijf jaar is 83% van de berechte verdachten man.",
        "Mensenhandel is één van de prioriteiten.",
        "Drie op de vijf berechte verdachten in Nederland geboren",  # the share idiom only
        "in 2023 bijna twee keer zoveel meldingen",  # the ratio idiom only
        "Het slachtoffer werd twee keer gehoord; beide zaken en een tweede zaak.",
        "Een derde van de slachtoffers; een zaak; de derde zaak.",
        "Dit moet in acht worden genomen.",
    ],
)
def test_number_words_that_are_not_counts_are_set_aside(sentence: str) -> None:
    ex = extract([sentence])
    assert [f.kind for f in ex.figures if f.kind == "count" and not f.number[0].isdigit()] == []
