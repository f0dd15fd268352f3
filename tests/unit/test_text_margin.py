"""When a figure that disagrees with its best candidate is a contradiction, and when it stays
unlinked (opendata_mh.text.linking margins and evidence, opendata_mh.text.verification): wrong
figures of the mutation benchmark (scripts/bench_text.py, seed 12) on real lines of the 2023
text, and figures of the clean text that describe a table the package has without cells.

Each draft is the whole 2023 text with some figures changed (one per sentence), checked figure
by figure (:func:`check_figures`; the joint audit only adds findings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opendata_mh.report import PackageData
from opendata_mh.text.extraction import extract
from opendata_mh.text.linking import words
from opendata_mh.text.verification import Baseline, FigureCheck, baseline, check_figures
from opendata_mh.validate import read_package
from tests.unit.text_gold import TEXT_2023

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"
LINES = TEXT_2023.read_text(encoding="utf-8").split("\n")

# (line, printed in the 2023 text, mutated): one figure per sentence in each draft
DRAFTS = {
    "a": [
        (713, "In 68% van", "In 63% van"),  # conviction share of 53/78 court cases
        (569, "285 verdachten", "293 verdachten"),
        (731, "geboren (74%)", "geboren (67%)"),
        (757, "18% is dan", "9% is dan"),
        (767, "42% veertig", "48% veertig"),
    ],
    "b": [
        (713, "In 68% van", "In 69% van"),
        (569, "285 verdachten", "294 verdachten"),
        (757, "18% is dan", "17% is dan"),
    ],
}


@pytest.fixture(scope="module")
def pkg() -> PackageData:
    return read_package(PACKAGE)


@pytest.fixture(scope="module")
def base(pkg: PackageData) -> Baseline:
    return baseline(pkg)


def _checks(base: Baseline, lines: list[str]) -> list[FigureCheck]:
    return check_figures(extract(lines), base.index)


@pytest.fixture(scope="module")
def clean(base: Baseline) -> list[FigureCheck]:
    return _checks(base, LINES)


@pytest.fixture(scope="module")
def drafts(base: Baseline) -> dict[str, list[FigureCheck]]:
    out = {}
    for name, muts in DRAFTS.items():
        lines = list(LINES)
        for line, old, new in muts:
            assert old in lines[line - 1], (line, old)
            lines[line - 1] = lines[line - 1].replace(old, new, 1)
        out[name] = _checks(base, lines)
    return out


def _at(checks: list[FigureCheck], line: int, printed: str) -> FigureCheck:
    return next(c for c in checks if c.figure.line == line and c.figure.printed == printed)


def test_two_ways_to_one_value_are_no_ambiguity(clean: list[FigureCheck]) -> None:
    # "In 68% van de 78 afgedane zaken": 53 convictions of the 78 court cases, or of the 78
    # outcomes - the same value; the margin is against the candidates of another value
    c = _at(clean, 713, "68%")
    assert c.status == "consistent"
    first, second = c.links[:2]
    assert (first.lower, second.lower) == (pytest.approx(100 * 53 / 78),) * 2
    assert first.margin >= 1.0


@pytest.mark.parametrize(
    ("draft", "line", "printed", "status", "quantity"),
    [
        ("a", 713, "63%", "contradiction", "court_outcomes/period=2023/court_outcome=conviction"),
        ("b", 713, "69%", "contradiction", "court_outcomes/period=2023/court_outcome=conviction"),
        # the counted noun right after the number ("293 verdachten"), not the context word
        # "opsporingsonderzoeken", says what is counted
        ("a", 569, "293", "contradiction", "@suspects_total/period=2023 = 285"),
        ("b", 569, "294", "contradiction", "@suspects_total/period=2023 = 285"),
        # "in Nederland geboren": the heading of the table's section ("Drie op de vijf
        # berechte verdachten in Nederland geboren") explains "geboren"
        ("a", 731, "67%", "contradiction", "country_of_birth=netherlands/form=sexual_domestic"),
        # "18% is dan veertig jaar of ouder": the age group "≥40 jaar" of the tried suspects
        ("a", 757, "9%", "contradiction", "age_group_suspect=40_plus/form=all"),
        ("b", 757, "17%", "rounding", "age_group_suspect=40_plus/form=all"),
        # "42% veertig jaar of ouder": two shares of one cell (of the labour cases, of the
        # suspects of 40 and over) both disagree with 48%: it contradicts either
        ("a", 767, "48%", "contradiction", "age_group_suspect=40_plus/form=labour"),
    ],
)
def test_a_wrong_figure_the_words_name_clearly_is_flagged(
    drafts: dict[str, list[FigureCheck]],
    draft: str,
    line: int,
    printed: str,
    status: str,
    quantity: str,
) -> None:
    c = _at(drafts[draft], line, printed)
    assert c.status == status, c.message
    assert quantity in c.message


@pytest.mark.parametrize(("line", "printed"), [(770, "Vijf op de zes"), (773, "22%"), (779, "13%")])
def test_a_figure_of_a_table_without_cells_stays_unlinked(
    clean: list[FigureCheck], line: int, printed: str
) -> None:
    # "het percentage vrouwen dat terechtstaat ... 22% in 2023", "Bij binnenlandse seksuele
    # uitbuiting is het minst vaak sprake van een vrouwelijke verdachte, namelijk in 13% van
    # de zaken": the tried suspects by sex (table 22, available: false), not the suspects by
    # sex of the police or the tried suspects by country of birth
    c = _at(clean, line, printed)
    assert c.status == "unlinked", c.message
    assert "tried_suspects_by_sex" in c.message


def test_the_clean_age_paragraph_is_not_flagged(clean: list[FigureCheck]) -> None:
    # "jonger dan dertig, namelijk 42%" (under 30: no one cell) after "18% is dan veertig
    # jaar of ouder": the age group of the sentence before is not the figure's
    for line, printed in ((758, "42%"), (759, "54%"), (759, "60%")):
        assert _at(clean, line, printed).status == "unlinked"


@pytest.mark.parametrize(
    ("line", "printed", "form"),
    [(756, "23%", "all"), (763, "31%", "sexual_domestic"), (765, "8%", "labour")],
)
def test_adolescent_suspects_are_the_youngest_age_group(
    clean: list[FigureCheck], line: int, printed: str, form: str
) -> None:
    # "Zij zijn het vaakst nog adolescent (31%)": the suspects' "t/m 22 jaar", not the
    # victims' "18-22 (adolescent)"
    c = _at(clean, line, printed)
    assert c.status == "consistent", c.message
    assert c.link is not None
    assert all("age_group_suspect=up_to_22" in r for r in c.link.refs)
    assert all(f"/form={form}" in r for r in c.link.refs)


def test_an_age_group_and_over_is_one_word() -> None:
    assert words("≥40 jaar") == words("40+") == ["40+"]
    assert words("veertig jaar of ouder", ages=True) == ["40+"]
    assert words("40 jaar en ouder", ages=True) == ["40+"]
    assert "40+" not in words("veertig jaar of ouder")  # outside the figure's own phrase
