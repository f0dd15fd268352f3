"""The package can be cited: CITATION.cff (repository root and datapackage/) and
datapackage/README.md name the version they ship with."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "datapackage"


def _desc() -> dict:
    return json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))


def test_citation_cff_names_this_version_and_the_author() -> None:
    cff = (PACKAGE / "CITATION.cff").read_text(encoding="utf-8")
    d = _desc()
    assert "cff-version: 1.2.0" in cff and "type: dataset" in cff
    assert f'version: "{d["version"]}"' in cff
    assert 'date-released: "2024-10-01"' in cff
    assert '  - name: "Nationaal Rapporteur Mensenhandel en Seksueel Geweld tegen Kinderen"' in cff
    assert "opendata-mh maintainers" not in cff  # a wrangler, not an author
    assert f'value: "{d["id"]}"' in cff


def test_repository_citation_is_the_generated_one() -> None:
    # after a new edition: cp datapackage/CITATION.cff .
    assert (REPO / "CITATION.cff").read_bytes() == (PACKAGE / "CITATION.cff").read_bytes()


def test_package_readme_lists_every_resource_and_how_to_cite() -> None:
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    d = _desc()
    assert readme.startswith(f"# {d['title']} (version {d['version']})")
    for r in d["resources"]:
        assert f"`{r['path']}`" in readme, r["name"]
    assert "## Cite" in readme and d["id"] in readme


def test_changelog_has_release_notes_for_this_version() -> None:
    # a new edition (opendata-mh build) bumps the version; its release notes go in CHANGELOG.md
    version = _desc()["version"]
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = text.split("\n## ")
    mine = [s for s in sections if s.startswith(f"{version} ") or s.startswith(f"{version}\n")]
    assert mine, f"CHANGELOG.md has no section '## {version}'"
    assert "### Data" in mine[0]
