"""Disclosure findings of the narrative check (opendata_mh.text.verification): a new sentence of
a draft that states a masked cell, or gives one away by subtraction, is ``text.disclosure`` on
its own line. The sentences are the missed mutants of the mutation benchmark
(scripts/bench_text.py, seed 12; issue 12), appended to the 2023 text as the benchmark does.

No test here states or asserts a masked value or its interval: they assert statuses, cells and
codes, and that the output is the same whatever small value the draft states."""

from __future__ import annotations

from pathlib import Path

import pytest

from opendata_mh.report import PackageData
from opendata_mh.text.extraction import extract
from opendata_mh.text.linking import candidates
from opendata_mh.text.output import check_draft, render_html
from opendata_mh.text.reading import read_text
from opendata_mh.text.verification import Baseline, baseline, check_figures
from opendata_mh.validate import read_package
from tests.unit.text_gold import TEXT_2023

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"
LINES_2023 = TEXT_2023.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def pkg() -> PackageData:
    return read_package(PACKAGE)


@pytest.fixture(scope="module")
def bl(pkg: PackageData) -> Baseline:
    return baseline(pkg)


def _appended(sentence: str) -> tuple[str, int]:
    """The 2023 text with ``sentence`` as a new paragraph at its end, and that line."""
    lines = [*LINES_2023, "", sentence]
    return "\n".join(lines), len(lines)


# ------------------------------------------------------------------------------------------
# a new sentence gives a masked cell away by subtraction
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "cell"),
    [
        (
            "Van de 209 zaken in 2023 zijn er 118 onvoorwaardelijk sepot voor mensenhandel, "
            "89 dagvaarding voor mensenhandel.",
            "om_disposals/period=2023/disposal=other/form=all",
        ),
        (
            "Van de 178 zaken in 2022 zijn er 88 onvoorwaardelijk sepot voor mensenhandel, "
            "87 dagvaarding voor mensenhandel.",
            "om_disposals/period=2022/disposal=other/form=all",
        ),
    ],
)
def test_a_subtraction_is_flagged_on_its_own_line_when_another_line_gives_it_away_too(
    pkg: PackageData, bl: Baseline, sentence: str, cell: str
) -> None:
    # the 2023 text gives these cells away on line 646 already ("209 zaken ... 31 meer"); the
    # new sentence gives them away again on its own: a maintainer who fixes line 646 must
    # still see line 854 (every line that gives a masked cell away is flagged, not only the
    # first the audit's certificate names)
    text, line = _appended(sentence)
    rep = check_draft(read_text(text, "draft.txt"), pkg, str(PACKAGE), bl)
    on_line = [c for c in rep.checks if c.figure.line == line]
    assert len(on_line) == 3 and all(c.link is not None for c in on_line)
    flagged = [c for c in on_line if c.status == "disclosure"]
    assert len(flagged) == 1 and cell in flagged[0].message
    issue = next(i for i in rep.issues if i.row == line)
    assert issue.code == "text.disclosure" and issue.severity == "error" and cell in issue.message
    # line 646 keeps its own finding
    assert any(c.figure.line == 646 and c.status == "disclosure" for c in rep.checks)


# ------------------------------------------------------------------------------------------
# a new sentence states a masked cell
# ------------------------------------------------------------------------------------------

MASKED = [
    (
        "In 2023 ging het om {v} slachtoffers (overig seksuele uitbuiting).",
        "victims_by_region/period=2023/region=other/form=sexual",
    ),
    (
        "In 2023 ging het om {v} zaken (seksuele uitbuiting - onbekend).",
        "court_cases_by_form/period=2023/form=sexual_unknown",
    ),
    (
        "In 2019 ging het om {v} zaken (overig/onbekend).",
        "court_outcomes/period=2019/court_outcome=other_unknown/form=all",
    ),
    (
        "In 2023 ging het om {v} slachtoffers (onbekend).",
        "victims_by_region/period=2023/region=unknown/form=all",
    ),
]


@pytest.mark.parametrize(("template", "cell"), MASKED)
def test_a_small_count_stated_for_a_masked_cell_is_a_disclosure_right_or_wrong(
    pkg: PackageData, bl: Baseline, template: str, cell: str
) -> None:
    # every value the symbol <5 allows: the verdict, the message, the --json figure and the
    # HTML are the same for each, so the check neither confirms nor denies the masked value.
    # (Nothing is asserted per value: a failure must not tell which value differs.)
    seen = []
    for v in (1, 2, 3, 4):
        text, line = _appended(template.format(v=v))
        draft = read_text(text, "draft.txt")
        ex = extract(draft.lines)
        checks = check_figures(ex, bl.index)
        alone = next(c for c in checks if c.figure.line == line)
        rep = check_draft(draft, pkg, str(PACKAGE), bl, ex, checks)
        c = next(c for c in rep.checks if c.figure.line == line)
        issues = [(i.code, i.severity, i.message) for i in rep.issues if i.row == line]
        page = render_html(rep)
        table = page.split("<h2>Text</h2>")[0]
        row = next((r for r in table.split("<tr>") if f'href="#L{line}c' in r), "")
        seen.append(
            (
                alone.status,
                alone.message,
                c.status,
                c.message,
                c.link.refs if c.link else None,
                c.names_masked_value,
                issues,
                rep.figure_dict(c),
                row,
            )
        )
    same = all(s == seen[0] for s in seen[1:])
    assert same, "the output differs with the stated value"
    alone_status, _m, status, message, refs, hidden, issues, fig, row = seen[0]
    assert alone_status == status == "disclosure", message
    assert refs == (cell,) and cell in message and hidden
    assert [(code, sev) for code, sev, _ in issues] == [("text.disclosure", "error")]
    assert cell in issues[0][2]
    assert (fig["printed"], fig["value"], fig["interval"], fig["computed"]) == (
        "(not repeated)",
        None,
        None,
        None,
    )
    assert "<td>(not repeated)</td>" in row


def test_a_figure_that_no_masked_cell_allows_is_no_disclosure(bl: Baseline) -> None:
    # 40 is beyond what <5 allows: the words still name the masked cell, but the figure
    # states no value the symbol allows (whether it is a contradiction depends on how clearly
    # the words name it)
    text, line = _appended(MASKED[0][0].format(v=40))
    ex = extract(read_text(text, "draft.txt").lines)
    c = next(c for c in check_figures(ex, bl.index) if c.figure.line == line)
    assert c.status != "disclosure" and not c.names_masked_value
    assert c.link is not None and c.link.refs == (MASKED[0][1],)


# ------------------------------------------------------------------------------------------
# linking: a category named by its full label
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "ref"),
    [
        # "seksuele uitbuiting" is a category too (of the OM's cases): the words name the
        # court's "seksuele uitbuiting - onbekend" in full
        (
            "In 2023 ging het om 60 zaken (seksuele uitbuiting - onbekend).",
            "court_cases_by_form/period=2023/form=sexual_unknown",
        ),
        (
            "In 2019 ging het om 60 zaken (overig/onbekend).",
            "court_outcomes/period=2019/court_outcome=other_unknown/form=all",
        ),
    ],
)
def test_a_category_named_by_its_full_label_comes_first(
    bl: Baseline, sentence: str, ref: str
) -> None:
    # a count no cell has, so the value decides nothing: the words alone
    text, line = _appended(sentence)
    ex = extract(read_text(text, "draft.txt").lines)
    fi = next(i for i, f in enumerate(ex.figures) if f.line == line)
    links, _ctx = candidates(ex, fi, bl.index)
    assert links[0].refs == (ref,), [ln.describe() for ln in links[:3]]
