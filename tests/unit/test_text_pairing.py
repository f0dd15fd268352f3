"""Figures that belong together (opendata_mh.text.pairing), on the real lines of the 2023
report: a changed figure of a pair or a list contradicts the quantity that the structure of
the prose gives it, instead of linking elsewhere by its printed value or staying unlinked.
Each case is a mutation of the benchmark (scripts/bench_text.py, seed 12) that went unflagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from opendata_mh.report import PackageData
from opendata_mh.text.output import TextReport, check_draft
from opendata_mh.text.reading import read_text
from opendata_mh.validate import read_package
from tests.unit.text_gold import TEXT_2023

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"
LINES = TEXT_2023.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def pkg() -> PackageData:
    return read_package(PACKAGE)


def _draft(
    pkg: PackageData, first: int, last: int, edits: dict[int, tuple[str, str]]
) -> TextReport:
    """Lines ``first``..``last`` of the 2023 text, with ``edits`` (line -> old, new) applied."""
    lines = LINES[first - 1 : last]
    for ln, (old, new) in edits.items():
        assert old in lines[ln - first], (ln, old)
        lines[ln - first] = lines[ln - first].replace(old, new, 1)
    return check_draft(read_text("\n".join(lines), "draft.txt"), pkg, str(PACKAGE))


def _fig(rep: TextReport, printed: str, line: int | None = None):  # type: ignore[no-untyped-def]
    """The check of the figure ``printed`` (on ``line`` of the draft, if given)."""
    return next(
        c
        for c in rep.checks
        if c.figure.printed == printed and (line is None or c.figure.line == line)
    )


# 1. "respectievelijk": the i-th figure states the i-th category the sentence names
@pytest.mark.parametrize(
    ("printed", "status"),
    [("134%", "consistent"), ("144%", "contradiction"), ("130%", "contradiction")],
)
def test_respectively_pairs_figures_with_categories_in_order(
    pkg: PackageData, printed: str, status: str
) -> None:
    rep = _draft(pkg, 205, 210, {210: ("134%", printed)})
    c = _fig(rep, printed)
    assert c.status == status, c.message
    assert c.link is not None and c.link.refs == (
        "victims_by_region/period=2023/region=latin_america/form=all",
    )
    assert (c.link.lower, c.link.upper) == pytest.approx((134.0, 134.0), abs=0.5)
    assert _fig(rep, "58%").link.refs == (  # type: ignore[union-attr]
        "victims_by_region/period=2023/region=africa/form=all",
    )


# 2. "van A (in Y1) naar/tot B (in Y2)", "gestegen naar C": one quantity in other years
@pytest.mark.parametrize(
    ("new", "printed", "status"),
    [("8 in 2023", "8", "consistent"), ("12 in 2023", "12", "contradiction")],
)
def test_from_to_in_years_is_one_quantity(
    pkg: PackageData, new: str, printed: str, status: str
) -> None:
    rep = _draft(pkg, 818, 821, {821: ("8 in 2023", new)})
    c = _fig(rep, printed)
    assert c.status == status, c.message
    assert c.link is not None
    assert c.link.refs == ("investigations_by_form/period=2023/form=labour",)
    assert (c.link.lower, c.link.upper) == (8, 8)


@pytest.mark.parametrize(
    ("edit", "printed", "status", "ref"),
    [
        ((60, "53 tot 16", "53 tot 16"), "16", "consistent", "period=2022"),
        ((60, "53 tot 16", "53 tot 24"), "24", "contradiction", "period=2022"),
        ((61, "in 2023", "in 2022"), "36", "contradiction", "period=2022"),
        ((61, "in 2023", "in 2023"), "36", "consistent", "period=2023"),
    ],
)
def test_from_to_then_risen_to_is_one_quantity(
    pkg: PackageData, edit: tuple[int, str, str], printed: str, status: str, ref: str
) -> None:
    ln, old, new = edit
    rep = _draft(pkg, 57, 61, {ln: (old, new)})
    c = _fig(rep, printed)
    assert c.status == status, c.message
    assert c.link is not None and c.link.refs == (f"victims_by_form/{ref}/form=unknown",)


# 3. a pie chart's label "X; Y%": the count is the numerator of the share
@pytest.mark.parametrize(
    ("line", "old", "new", "form"),
    [
        (397, "18; 34%", "27; 34%", "sexual_domestic"),
        (399, "13; 25%", "18; 25%", "sexual_international"),
        (401, "13; 25%", "23; 25%", "criminal"),
    ],
)
def test_the_count_of_a_legend_pair_is_its_share_numerator(
    pkg: PackageData, line: int, old: str, new: str, form: str
) -> None:
    rep = _draft(pkg, 393, 412, {line: (old, new)})
    c = _fig(rep, new.split(";")[0], line - 393 + 1)
    assert c.status == "contradiction", c.message
    assert c.link is not None
    assert c.link.refs == (f"minor_victims_by_form/period=2023/form={form}",)
    clean = _draft(pkg, 393, 412, {})
    assert all(x.status == "consistent" for x in clean.checks), [x.message for x in clean.checks]


# 4. an apposition: "bijna een kwart (23%)" - the percentage states the verbal share's quantity
@pytest.mark.parametrize(("printed", "status"), [("23%", "consistent"), ("22%", "contradiction")])
def test_a_percentage_in_brackets_after_a_verbal_share(
    pkg: PackageData, printed: str, status: str
) -> None:
    rep = _draft(pkg, 728, 729, {729: ("(23%)", f"({printed})")})
    c = _fig(rep, printed)
    assert c.status == status, c.message
    assert c.link is not None
    assert "country_of_birth=other" in c.link.refs[0]
    assert (c.link.lower, c.link.upper) == pytest.approx((23.0, 23.0), abs=0.5)


# 5. a list of shares over one base: "82% ..., 9% arbeidsuitbuiting en 8% criminele/overige"
@pytest.mark.parametrize(
    ("line", "old", "new", "form", "status"),
    [
        # 8.8% of the OM cases: "8%" holds only when truncated
        (620, "9% arbeid", "8% arbeid", "=labour", "rounding"),
        (620, "8% crim", "0% crim", "=criminal_other", "contradiction"),
        # the first share changed: the base the others link over still holds
        (619, "82%", "77%", "=sexual", "contradiction"),
    ],
)
def test_a_list_of_shares_over_one_base(
    pkg: PackageData, line: int, old: str, new: str, form: str, status: str
) -> None:
    rep = _draft(pkg, 619, 620, {line: (old, new)})
    c = _fig(rep, new.split()[0], line - 618)
    assert c.status == status, c.message
    assert c.link is not None and c.link.derivation == "share"
    assert all(r.startswith("om_cases_by_form/") and r.endswith(form) for r in c.link.refs)
    assert all(r.startswith("om_cases_registered/") for r in c.link.denominator)
    clean = _draft(pkg, 619, 620, {})
    assert [x.status for x in clean.checks] == ["consistent"] * 3


# 6. a list of years: "50 in 2023, 27 in 2022 en 11 in 2021" - one quantity across the years;
# the tables hold the Latin-American victims of labour exploitation for 2023 only, so 27 and 11
# cannot be checked (and 11 is no court case of 2021, whatever its value)
@pytest.mark.parametrize("year", ["2021", "2020"])
def test_a_list_of_years_keeps_its_quantity(pkg: PackageData, year: str) -> None:
    rep = _draft(pkg, 175, 176, {176: ("11 in 2021", f"11 in {year}")})
    assert _fig(rep, "50").status == "consistent"
    for printed in ("27", "11"):
        c = _fig(rep, printed)
        assert c.status == "unlinked", c.message
        assert "victims_by_region" in c.message and "latin_america" in c.message


# 7. "X% van de N ...": the share's base is the count after it, when that count links
@pytest.mark.parametrize(("printed", "status"), [("68%", "consistent"), ("63%", "contradiction")])
def test_a_share_of_the_count_after_it(pkg: PackageData, printed: str, status: str) -> None:
    rep = _draft(pkg, 713, 713, {713: ("68%", printed)})
    c = _fig(rep, printed)
    assert c.status == status, c.message
    assert c.link is not None and c.link.derivation == "share"
    assert c.link.refs == ("court_outcomes/period=2023/court_outcome=conviction/form=all",)
    assert c.link.denominator == ("court_cases_by_form/period=2023/form=all",)
    assert _fig(rep, "78").status == "consistent"


def test_a_verbal_share_of_the_count_after_it(pkg: PackageData) -> None:
    # "Meer dan de helft van de 124 slachtoffers met een Latijns-Amerikaanse nationaliteit is
    # seksueel uitgebuit": the half is of the 124, not of another region's victims
    rep = _draft(pkg, 205, 218, {})
    c = _fig(rep, "Meer dan de helft")
    assert c.status == "consistent", c.message
    assert c.link is not None
    assert c.link.refs == ("victims_by_region/period=2023/region=latin_america/form=sexual",)
    assert c.link.denominator == ("victims_by_region/period=2023/region=latin_america/form=all",)


def _text(pkg: PackageData, text: str) -> TextReport:
    return check_draft(read_text(text, "draft.txt"), pkg, str(PACKAGE))


# 8. "respectievelijk" before the figures, the categories after them (both orders are Dutch)
@pytest.mark.parametrize(("second", "status"), [("333", "consistent"), ("339", "contradiction")])
@pytest.mark.parametrize(
    "template",
    [
        "In 2023 zijn er respectievelijk 135 en {} slachtoffers van binnenlandse en "
        "internationale seksuele uitbuiting gemeld.",
        "Het aantal slachtoffers van binnenlandse en internationale seksuele uitbuiting was in "
        "2023 respectievelijk 135 en {}.",
    ],
)
def test_respectively_with_the_categories_after_the_figures(
    pkg: PackageData, template: str, second: str, status: str
) -> None:
    rep = _text(pkg, template.format(second))
    first = _fig(rep, "135")
    assert first.status == "consistent", first.message
    assert first.link is not None
    assert first.link.refs == ("victims_by_form/period=2023/form=sexual_domestic",)
    c = _fig(rep, second)
    assert c.status == status, c.message
    assert c.link is not None
    assert c.link.refs == ("victims_by_form/period=2023/form=sexual_international",)


# 9. the year of a figure ("van zeven in 2022 naar veertien in 2023") is not the year of the
# paragraphs after it: "met 17 procent is gedaald" is 2023 against 2022
@pytest.mark.parametrize(("printed", "status"), [("17", "consistent"), ("25", "contradiction")])
def test_a_figure_year_in_words_is_not_the_paragraph_year(
    pkg: PackageData, printed: str, status: str
) -> None:
    rep = _text(
        pkg,
        "Het kleine jaarlijkse aantal zaken van criminele/overige uitbuiting stijgt van zeven in "
        "2022 naar veertien in 2023.\n\n"
        "Ten opzichte van 2022 is er sprake van een sterke stijging van het aantal gemelde "
        "slachtoffers van internationale seksuele uitbuiting (+53%).\n\n"
        f"Daar staat tegenover dat het aantal meldingen van binnenlandse seksuele uitbuiting met "
        f"{printed} procent is gedaald.\n",
    )
    c = _fig(rep, f"{printed} procent")
    assert c.status == status, c.message
    assert c.link is not None and c.link.derivation == "change"
    assert c.link.refs == ("victims_by_form/period=2023/form=sexual_domestic",)
    assert c.link.denominator == ("victims_by_form/period=2022/form=sexual_domestic",)


# 10. "Van alle gemelde slachtoffers ... is x procent ...": a share of all victims, by its words
# (not "melde" of the reporters' "melders" cut from "gemelde", and not of a narrower total)
@pytest.mark.parametrize(("printed", "status"), [("15,6", "consistent"), ("18,6", "contradiction")])
def test_a_share_of_all_victims_links_by_its_words(
    pkg: PackageData, printed: str, status: str
) -> None:
    rep = _text(
        pkg,
        f"Van alle gemelde slachtoffers in 2023 is {printed} procent slachtoffer van "
        "binnenlandse seksuele uitbuiting.\n",
    )
    c = _fig(rep, f"{printed} procent")
    assert c.status == status, c.message
    assert c.link is not None and c.link.derivation == "share"
    assert c.link.refs == ("victims_by_form/period=2023/form=sexual_domestic",)
    assert c.link.denominator == ("@victims_total/period=2023",)
