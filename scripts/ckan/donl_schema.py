#!/usr/bin/env python3
"""Write the ckanext-scheming schema that makes the local CKAN validate like data.overheid.nl.

DCAT-AP-DONL 1.1 as ckanext-dataoverheid enforces it (dataoverheid/ckanext-dataoverheid
``logic/schemas/dcat_ap_donl.py`` @ 06a84f7a): the required dataset and resource fields
(``not_empty``), and exact membership of the value lists for every controlled field. The lists
are the ones :func:`opendata_mh.dcat.value_lists` reads (the subset known to be accepted), so
the local portal and the local pre-flight validation agree. Not enforced here (checked locally
by ``opendata_mh.dcat.validate_record`` instead): the date format, the contact-point and
open-licence cross-field rules.

Usage: PYTHONPATH=src python3 scripts/ckan/donl_schema.py OUT.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from opendata_mh.dcat import value_lists


def choices(list_name: str) -> list[dict[str, str]]:
    return [{"value": v, "label": v} for v in sorted(value_lists()[list_name])]


def text(name: str, required: bool = False, validators: str | None = None) -> dict[str, Any]:
    f: dict[str, Any] = {"field_name": name, "label": name, "required": required}
    if validators:
        f["validators"] = validators
    return f


def select(name: str, list_name: str, required: bool = True) -> dict[str, Any]:
    return {
        "field_name": name,
        "label": name,
        "preset": "select",
        "required": required,
        "choices": choices(list_name),
    }


def multi(name: str, list_name: str, required: bool = True) -> dict[str, Any]:
    return {
        "field_name": name,
        "label": name,
        "preset": "multiple_select",
        "required": required,
        "choices": choices(list_name),
    }


def uri(name: str, required: bool = False) -> dict[str, Any]:
    v = ("scheming_required " if required else "ignore_missing ") + "unicode_safe url_validator"
    return text(name, required, v)


def schema() -> dict[str, Any]:
    return {
        "scheming_version": 2,
        "dataset_type": "dataset",
        "about": "DCAT-AP-DONL 1.1 as enforced by data.overheid.nl (local test portal)",
        "about_url": "https://github.com/dataoverheid/ckanext-dataoverheid",
        "dataset_fields": [
            {"field_name": "title", "label": "Title", "preset": "title", "required": True},
            {"field_name": "name", "label": "URL", "preset": "dataset_slug"},
            {
                "field_name": "notes",
                "label": "Description",
                "required": True,
                "form_snippet": "markdown.html",
            },
            {"field_name": "owner_org", "label": "Organization", "preset": "dataset_organization"},
            {"field_name": "tag_string", "label": "Tags", "preset": "tag_string_autocomplete"},
            {"field_name": "url", "label": "Landing page"},
            {"field_name": "version", "label": "Version"},
            uri("identifier", required=True),
            select("metadata_language", "DONL:Language"),
            multi("language", "DONL:Language"),
            select("authority", "DONL:Organization"),
            select("publisher", "DONL:Organization"),
            text("contact_point_name", required=True),
            text("contact_point_email"),
            uri("contact_point_website"),
            select("license_id", "DONL:License"),
            multi("theme", "Overheid:TaxonomieBeleidsagenda"),
            text("modified", required=True),
            text("issued"),
            select("access_rights", "Overheid:Openbaarheidsniveau", required=False),
            select("frequency", "Overheid:Frequency", required=False),
            select("dataset_status", "Overheid:DatasetStatus", required=False),
            text("temporal_label"),
            text("temporal_start"),
            text("temporal_end"),
            {"field_name": "conforms_to", "label": "conforms_to", "preset": "multiple_text"},
            {"field_name": "source", "label": "source", "preset": "multiple_text"},
        ],
        "resource_fields": [
            {"field_name": "url", "label": "URL", "preset": "resource_url_upload"},
            text("name", required=True),
            text("description", required=True),
            select("format", "MDR:FiletypeNAL"),
            select("media_type", "IANA:Mediatypes", required=False),
            text("mimetype"),
            text("download_url"),
            multi("language", "DONL:Language"),
            select("metadata_language", "DONL:Language"),
            select("license_id", "DONL:License"),
            text("size"),
            text("hash"),
            text("hash_algorithm"),
            select("status", "ADMS:DistributieStatus", required=False),
        ],
    }


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(json.dumps(schema(), indent=1), encoding="utf-8")
