"""Linking of the 2023 report text to the published package (opendata_mh.text.linking): the
figure on a line of the text and the quantity (cell, latent total, share) it is linked to, and
the figures the tables do not hold, which must stay unlinked rather than become contradictions
(issue 12: correct first link, flags on the clean text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opendata_mh.report import PackageData
from opendata_mh.text.output import TextReport, check_draft
from opendata_mh.text.reading import read_draft, read_text
from opendata_mh.validate import read_package
from tests.unit.text_gold import TEXT_2023

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"
FIVE = "@court_cases_5y/form="


@pytest.fixture(scope="module")
def pkg() -> PackageData:
    return read_package(PACKAGE)


@pytest.fixture(scope="module")
def report_2023(pkg: PackageData) -> TextReport:
    return check_draft(read_draft(TEXT_2023), pkg, str(PACKAGE))


def _at(rep: TextReport, line: int, printed: str, nth: int = 0):  # type: ignore[no-untyped-def]
    got = [c for c in rep.checks if c.figure.line == line and c.figure.printed == printed]
    return got[nth]


def test_a_five_year_latent_total_covers_the_years_of_its_parts(report_2023: TextReport) -> None:
    q = report_2023.index.quantities[FIVE + "all"]
    assert q.period == "2019-2023"
    assert (q.lower, q.upper) == (447, 447)  # the court cases of 2019 ... 2023


def test_conviction_share_of_five_years_of_court_cases(report_2023: TextReport) -> None:
    # "criminele uitbuiting of een overige uitbuitingsvorm (65%)": 28 of 43 court cases
    c = _at(report_2023, 723, "65%")
    assert c.status == "consistent"
    assert c.link is not None and c.link.derivation == "share"
    assert c.link.refs == (
        "court_outcomes/period=2019-2023/court_outcome=conviction/form=criminal_other",
    )
    assert c.link.denominator == (FIVE + "criminal_other",)
    assert c.link.lower == pytest.approx(100 * 28 / 43)


def test_share_of_a_group_of_forms_named_by_their_common_word(report_2023: TextReport) -> None:
    # "gemiddeld 82% van de door de rechter afgedane zaken in ieder geval seksuele uitbuiting"
    c = _at(report_2023, 674, "82%")
    assert c.status == "consistent"
    assert c.link is not None and c.link.derivation == "share"
    assert set(c.link.refs) == {
        FIVE + "sexual_domestic",
        FIVE + "sexual_international",
        FIVE + "sexual_unknown",
    }
    assert c.link.denominator == (FIVE + "all",)
    assert c.link.lower == pytest.approx(100 * 368 / 447)  # 82.3%


def test_pie_chart_labels_pair_with_their_legend(report_2023: TextReport) -> None:
    # "18; 34%" above the legend "Binnenlandse seksuele uitbuiting" of the minors' chart
    n = _at(report_2023, 397, "18")
    assert n.status == "consistent"
    assert n.link is not None
    assert n.link.refs == ("minor_victims_by_form/period=2023/form=sexual_domestic",)
    p = _at(report_2023, 397, "34%")
    assert p.status == "consistent"
    assert p.link is not None and p.link.refs == n.link.refs
    assert len(p.link.denominator) == 4  # the four forms of the chart: 18 / 53
    nine = _at(report_2023, 403, "9")
    assert nine.link is not None
    assert nine.link.refs == ("minor_victims_by_form/period=2023/form=other_unknown",)


def test_country_of_birth_named_by_its_short_name(report_2023: TextReport) -> None:
    # "bijna een vijfde (19%) in een ander land behorende tot de EER"
    for printed in ("19%", "bijna een vijfde"):
        c = _at(report_2023, 728, printed)
        assert c.status == "consistent"
        assert c.link is not None
        assert all("country_of_birth=eea" in r for r in c.link.refs)
    # "bijna een kwart (23%) in een overig land": the category "Overige geboortelanden"
    c = _at(report_2023, 729, "23%")
    assert c.status == "consistent"
    assert c.link is not None and c.link.refs
    assert all("country_of_birth=other" in r for r in c.link.refs)


def test_figures_the_tables_do_not_cross_stay_unlinked(report_2023: TextReport) -> None:
    # sector x nationality of labour exploitation: no table holds "12 slachtoffers [in de
    # bouw] afkomstig uit Roemenië" or "12 uit Brazilië"
    for nth in (0, 1):
        assert _at(report_2023, 156, "12", nth).status == "unlinked"
    assert _at(report_2023, 157, "11").status == "unlinked"
    # suspects by nationality: the tables count tried suspects by country of birth only
    c = _at(report_2023, 602, "157")
    assert c.status == "unlinked"
    assert c.link is not None and c.link.evidence < 1.2


def test_parts_of_a_text_total_lie_within_its_quantity(report_2023: TextReport) -> None:
    # "Van de 52 minderjarige slachtoffers ... een andere Europese nationaliteit (8), een
    # Afrikaanse nationaliteit (11) of een Aziatische (<5)": no table crosses age and
    # nationality; the Asian <5 is still given away by the subtraction
    assert _at(report_2023, 384, "8").status == "unlinked"
    assert _at(report_2023, 384, "11").status == "unlinked"
    assert _at(report_2023, 384, "<5").status == "disclosure"


def test_a_percentage_of_suspects_is_no_share_of_victims(report_2023: TextReport) -> None:
    # "Verdachten van arbeidsuitbuiting zijn juist het oudst. Van hen is maar 8% adolescent":
    # what the sentence before counts (suspects), not the victims aged 18-22
    c = _at(report_2023, 765, "8%")
    assert c.status != "contradiction"
    assert not any(r.startswith("victims_") for r in c.link.refs) or c.status == "unlinked"


def test_the_average_of_the_sentence_before_goes_on(report_2023: TextReport) -> None:
    # "Gemiddeld is 23% ... adolescent ... 18% is dan veertig jaar of ouder": five years
    c = _at(report_2023, 757, "18%")
    assert c.status == "consistent"
    assert c.link is not None and c.link.derivation == "share"
    assert all("age_group_suspect=40_plus" in r for r in c.link.refs)
    assert len(c.link.refs) == 5 or c.link.refs == ("@tried_age_5y/age_group_suspect=40_plus",)


def test_a_heading_broken_over_two_lines_is_one_section(report_2023: TextReport) -> None:
    f = _at(report_2023, 551, "174").figure
    assert f.section.endswith("minder naar seksuele uitbuiting")


def test_a_line_with_a_full_stop_inside_is_prose_not_a_heading(pkg: PackageData) -> None:
    text = (
        "Verdachten van binnenlandse seksuele uitbuiting zijn het jongst. Zij zijn het vaakst\n"
        "(31%) nog adolescent.\n"
    )
    rep = check_draft(read_text(text, "draft.txt"), pkg, str(PACKAGE))
    assert all(ln != 1 for ln, _ in rep.extraction.headings)


def test_a_bracketed_short_name_is_a_name_of_its_own() -> None:
    from opendata_mh.text.linking import _alternatives

    assert _alternatives("Europese Economische Ruimte (EER)") == [
        "Europese Economische Ruimte (EER)",
        "Europese Economische Ruimte",
        "EER",
    ]
    assert _alternatives("Onbekend (uitsluitend)|Adolescent") == [
        "Onbekend (uitsluitend)",
        "Onbekend",
        "uitsluitend",
        "Adolescent",
    ]
    assert _alternatives("(uitsluitend)") == ["(uitsluitend)"]


def test_a_figure_of_the_sentence_before_s_subject(report_2023: TextReport) -> None:
    # "Tot slot zijn er meldingen die niet nader getypeerd zijn naar vorm van uitbuiting. Dit
    # aantal daalde in de periode 2019-2022 van 53 tot 16, maar is in 2023 gestegen naar 36."
    for line, printed, year in ((60, "53", "2019"), (60, "16", "2022"), (61, "36", "2023")):
        c = _at(report_2023, line, printed)
        assert c.status == "consistent"
        assert c.link is not None
        assert c.link.refs == (f"victims_by_form/period={year}/form=unknown",)
    # "Veel van hen [Afrikaanse slachtoffers] zijn uitgebuit in de thuisprostitutie. In 2023
    # betreft dit 126 meldingen" under the heading broken over two lines "Sterke toename ... met
    # Afrikaanse en / Latijns-Amerikaanse nationaliteit"
    c = _at(report_2023, 99, "126")
    assert c.status == "consistent"
    assert c.link is not None
    assert c.link.refs == (
        "sexual_exploitation_by_sector_region/period=2023/sector_sexual=home/region=africa",
    )
    assert c.figure.section.endswith("met Afrikaanse en Latijns-Amerikaanse nationaliteit")


def test_figures_of_categories_the_tables_do_not_know_stay_unlinked(
    report_2023: TextReport,
) -> None:
    # "6 Chinese verdachten en nog eens 6 Surinaamse verdachten": no table counts suspects by
    # nationality; the total of 285 suspects is the best candidate, but no confident one
    for nth in (0, 1):
        c = _at(report_2023, 603, "6", nth)
        assert c.status == "unlinked"
    # "bij 36 meldingen van seksuele uitbuiting van Latijns-Amerikaanse slachtoffers de
    # specifieke sector onbekend is": the sector names the table (sector x region)
    c = _at(report_2023, 108, "36")
    assert c.status == "consistent"
    assert c.link is not None
    assert c.link.refs == (
        "sexual_exploitation_by_sector_region/period=2023/sector_sexual=unknown_only"
        "/region=latin_america",
    )
    # "ten minste 26 meldingen, tegenover 12 in 2022": sector x region has 2023 only
    assert _at(report_2023, 108, "12").status == "unlinked"


@pytest.mark.parametrize(
    "sentence",
    [
        "In 2023 zijn er 868 slachtoffers van mensenhandel gemeld. Het werkelijke aantal "
        "slachtoffers ligt met zo'n 5000 per jaar veel hoger.",
        "In 2023 zijn er 215 zaken bij het OM ingeschreven, tegen een doel van 220 zaken.",
    ],
)
def test_an_estimate_or_a_target_is_no_contradiction(pkg: PackageData, sentence: str) -> None:
    rep = check_draft(read_text(sentence, "draft.txt"), pkg, str(PACKAGE))
    est = rep.checks[-1]
    assert est.figure.value in (5000, 220)
    assert est.status == "unlinked"
    assert rep.checks[0].status == "consistent"  # the count of the tables beside it
