"""The ``dcat`` block the publishing tests add to the fixture package (valid DONL values)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DCAT: dict[str, Any] = {
    "name": "opendata-mh-fixture",
    "identifier": "https://example.org/id/dataset/opendata-mh-fixture",
    "authority": "http://standaarden.overheid.nl/owms/terms/minjenv",
    "publisher": "http://standaarden.overheid.nl/owms/terms/minjenv",
    "organization_name": "Ministerie van Justitie en Veiligheid",
    "organization_tooi": "https://identifier.overheid.nl/tooi/id/ministerie/mnre1058",
    "creator_name": "Nationaal Rapporteur",
    "theme": ["http://standaarden.overheid.nl/owms/terms/Criminaliteit"],
    "theme_eu": ["http://publications.europa.eu/resource/authority/data-theme/JUST"],
    "license": "http://creativecommons.org/publicdomain/zero/1.0/deed.nl",
    "access_rights": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
    "frequency": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
    "metadata_language": "http://publications.europa.eu/resource/authority/language/NLD",
    "issued": "2024-10-01",
    "modified": "2024-10-01",
    "contact_point": {"name": "Nationaal Rapporteur", "website": "https://example.org/"},
}


def add_dcat(package: Path, **changes: Any) -> Path:
    """Add (a changed copy of) :data:`DCAT` to ``package``'s datapackage.json; returns package."""
    path = package / "datapackage.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    d["dcat"] = {**DCAT, **changes}
    path.write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return package
