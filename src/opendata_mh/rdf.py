"""The catalogue record as DCAT-AP-NL 3.0 RDF (rdflib; the only rdflib import).

DCAT-AP-NL 3.0 (Geonovum, on DCAT-AP 3.0) is the announced successor of DCAT-AP-DONL 1.1 on
data.overheid.nl. :func:`record_graph` reads the same :class:`opendata_mh.dcat.CatalogRecord`
that the CKAN mapping reads, so both profiles describe the same thing. The graph holds:

- a ``dcat:CatalogRecord`` (``foaf:primaryTopic`` the dataset, ``dct:language`` the metadata
  language, ``dct:modified``);
- the ``dcat:Dataset`` (IRI = the record's identifier): title and description in Dutch and
  English, identifier, access rights, contact point (``vcard:Organization``), creator (the
  Rapporteur, ``foaf:Agent``), publisher (TOOI IRI), EU data themes and the DONL themes, languages,
  keywords, temporal coverage (``dct:PeriodOfTime`` with ``xsd:date``), issued/modified
  (``xsd:date``), frequency, landing page, conformsTo, version (the
  sources are organisations' home pages, not ``dcat:Dataset``s, so no ``dct:source``);
- one ``dcat:Distribution`` per file (IRI = identifier + ``/distribution/<file name>``) with
  access URL (the landing page, or the hosted file when ``urls`` gives one; then also its
  ``dcat:downloadURL``), licence,
  format (EU file type), media type (IANA), byte size, SHA-256 checksum (``spdx:checksum``).

Every IRI used as an object is typed with the class the shapes expect (``skos:Concept`` for a
theme, ``dct:LicenseDocument`` for a licence, ...), so the graph validates on its own against the
official shapes (``tests/fixtures/dcat-ap-nl30``; tested with pySHACL).

:func:`donl_graph` writes the DCAT-AP-DONL 1.1 RDF of a CKAN dataset dict (the fields
:mod:`opendata_mh.publish` sends) with the portal's own field-to-RDF mapping
(``data/donl/dcat_rdf.json``, copied from ckanext-dataoverheid): what data.overheid.nl's
harvester reads. No blank node has a random id, so the Turtle of the same input is the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from opendata_mh.dcat import CatalogRecord, build_record
from opendata_mh.errors import PackageError

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCAT_NS = Namespace(str(DCAT))  # dcat:version is DCAT 3, unknown to rdflib's closed namespace
SHA256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
DATASET_STATUS_COMPLETED = URIRef(
    "http://publications.europa.eu/resource/authority/dataset-status/COMPLETED"
)


#: Labels of the EU data themes (publications.europa.eu authority table data-theme).
EU_THEME_LABELS = {
    "JUST": "Justice, legal system and public safety",
    "SOCI": "Population and society",
    "GOVE": "Government and public sector",
}
TABLE_SCHEMA = "https://datapackage.org/standard/table-schema/"


def _concept(g: Graph, iri: str) -> URIRef:
    """``iri`` as a ``skos:Concept`` with a ``skos:prefLabel`` (the shapes want one)."""
    node = _typed(g, iri, SKOS.Concept)
    code = iri.rstrip("/").rsplit("/", 1)[-1]
    if "/data-theme/" in iri and code in EU_THEME_LABELS:
        g.add((node, SKOS.prefLabel, Literal(EU_THEME_LABELS[code], lang="en")))
    else:
        label = code.replace("_(thema)", "").replace("_", " ")
        g.add((node, SKOS.prefLabel, Literal(label, lang="nl" if "overheid.nl" in iri else "en")))
    return node


def _typed(g: Graph, iri: str, cls: URIRef) -> URIRef:
    node = URIRef(iri)
    g.add((node, RDF.type, cls))
    return node


def record_graph(record: CatalogRecord, urls: Mapping[str, str] | None = None) -> Graph:
    """The DCAT-AP-NL 3.0 graph of ``record`` (see the module docstring for its shape).
    ``urls`` maps a distribution key to the URL its file is hosted at (a release)."""
    ds = record.dataset
    g = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("vcard", VCARD),
        ("spdx", SPDX),
        ("adms", ADMS),
    ):
        g.bind(prefix, ns)
    d = URIRef(ds.identifier)
    g.add((d, RDF.type, DCAT.Dataset))
    g.add((d, RDF.type, DCAT.Resource))
    g.add((d, DCTERMS.identifier, Literal(ds.identifier)))
    g.add((d, DCTERMS.title, Literal(ds.title, lang="nl")))
    if ds.title_en:
        g.add((d, DCTERMS.title, Literal(ds.title_en, lang="en")))
    g.add((d, DCTERMS.description, Literal(ds.description, lang="nl")))
    if ds.description_en:
        g.add((d, DCTERMS.description, Literal(ds.description_en, lang="en")))
    g.add((d, DCTERMS.accessRights, _typed(g, ds.access_rights, DCTERMS.RightsStatement)))

    cp = BNode("contactpoint")
    g.add((d, DCAT.contactPoint, cp))
    g.add((cp, RDF.type, VCARD.Organization))
    g.add((cp, RDF.type, VCARD.Kind))
    g.add((cp, VCARD.fn, Literal(ds.contact_point.name)))
    if ds.contact_point.email:
        g.add((cp, VCARD.hasEmail, URIRef(f"mailto:{ds.contact_point.email}")))
    if ds.contact_point.website:
        g.add((cp, VCARD.hasURL, URIRef(ds.contact_point.website)))

    publisher = (
        _typed(g, ds.organization_tooi, FOAF.Agent)
        if ds.organization_tooi
        else _typed(g, ds.publisher, FOAF.Agent)
    )
    g.add((publisher, FOAF.name, Literal(ds.organization_name or ds.publisher, lang="nl")))
    g.add((d, DCTERMS.publisher, publisher))
    creator = BNode("creator")
    g.add((creator, RDF.type, FOAF.Agent))
    g.add((creator, FOAF.name, Literal(ds.creator_name or ds.contact_point.name, lang="nl")))
    g.add((d, DCTERMS.creator, creator))

    for t in (*ds.theme_eu, *ds.theme):
        g.add((d, DCAT.theme, _concept(g, t)))
    for lang in ds.language:
        g.add((d, DCTERMS.language, _typed(g, lang, DCTERMS.LinguisticSystem)))
    for kw in ds.keywords:
        g.add((d, DCAT.keyword, Literal(kw)))
    if ds.temporal_start or ds.temporal_end:
        period = BNode("temporal")
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if ds.temporal_start:
            g.add((period, DCAT.startDate, Literal(ds.temporal_start, datatype=XSD.date)))
        if ds.temporal_end:
            g.add((period, DCAT.endDate, Literal(ds.temporal_end, datatype=XSD.date)))
        g.add((d, DCTERMS.temporal, period))
    if ds.issued:
        g.add((d, DCTERMS.issued, Literal(ds.issued, datatype=XSD.date)))
    g.add((d, DCTERMS.modified, Literal(ds.modified, datatype=XSD.date)))
    if ds.frequency:
        g.add((d, DCTERMS.accrualPeriodicity, _typed(g, ds.frequency, DCTERMS.Frequency)))
    if ds.landing_page:
        g.add((d, DCAT.landingPage, _typed(g, ds.landing_page, FOAF.Document)))
        g.add((d, FOAF.page, URIRef(ds.landing_page)))
    for c in ds.conforms_to:
        g.add((d, DCTERMS.conformsTo, _typed(g, c, DCTERMS.Standard)))
    if ds.version:
        g.add((d, DCAT_NS["version"], Literal(ds.version)))
    g.add((d, ADMS.status, _concept(g, str(DATASET_STATUS_COMPLETED))))

    access = URIRef(ds.landing_page or ds.identifier)
    for dist in record.distributions:
        n = URIRef(f"{ds.identifier.rstrip('/')}/distribution/{dist.key}")
        g.add((d, DCAT.distribution, n))
        g.add((n, RDF.type, DCAT.Distribution))
        g.add((n, DCTERMS.title, Literal(dist.title, lang="nl")))
        if dist.title_en:
            g.add((n, DCTERMS.title, Literal(dist.title_en, lang="en")))
        g.add((n, DCTERMS.description, Literal(dist.description, lang="nl")))
        hosted = (urls or {}).get(dist.key)
        g.add((n, DCAT.accessURL, URIRef(hosted) if hosted else access))
        if hosted:
            g.add((n, DCAT.downloadURL, URIRef(hosted)))
        g.add((n, DCTERMS.license, _typed(g, dist.license, DCTERMS.LicenseDocument)))
        if dist.format:
            g.add((n, DCTERMS["format"], _typed(g, dist.format, DCTERMS.MediaTypeOrExtent)))
        if dist.media_type:
            g.add((n, DCAT.mediaType, _typed(g, dist.media_type, DCTERMS.MediaType)))
        g.add((n, DCAT.byteSize, Literal(dist.byte_size, datatype=XSD.nonNegativeInteger)))
        for lang in dist.language:
            g.add((n, DCTERMS.language, _typed(g, lang, DCTERMS.LinguisticSystem)))
        for c in dist.conforms_to or ((TABLE_SCHEMA,) if dist.role == "table" else ()):
            g.add((n, DCTERMS.conformsTo, _typed(g, c, DCTERMS.Standard)))
        checksum = BNode(f"checksum-{dist.key}")
        g.add((n, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, _typed(g, SHA256, SPDX.ChecksumAlgorithm)))
        g.add((checksum, SPDX.checksumValue, Literal(dist.sha256, datatype=XSD.hexBinary)))

    rec = URIRef(f"{ds.identifier.rstrip('/')}/record")
    g.add((rec, RDF.type, DCAT.CatalogRecord))
    g.add((rec, FOAF.primaryTopic, d))
    g.add((rec, DCTERMS.language, _typed(g, ds.metadata_language, DCTERMS.LinguisticSystem)))
    g.add((rec, DCTERMS.modified, Literal(ds.modified, datatype=XSD.date)))
    return g


def dcat_rdf(package_dir: str | Path, fmt: str = "ttl") -> str:
    """The package's catalogue record as DCAT-AP-NL 3.0 text: ``fmt`` ``ttl`` (Turtle) or
    ``jsonld`` (JSON-LD). Raises :class:`opendata_mh.errors.PackageError` if unreadable."""
    record = build_record(package_dir)
    bad = [p for p in record.problems if p.code in ("dcat.missing-file", "package.bad-path")]
    if bad:  # never a catalogue without (or with a foreign) file: exit 3, naming each one
        err = PackageError("; ".join(p.message for p in bad))
        missing = all(p.code == "dcat.missing-file" for p in bad)
        err.code = "package.missing-file" if missing else "package.bad-path"  # type: ignore[attr-defined]
        raise err
    graph = record_graph(record)
    return graph.serialize(format="turtle" if fmt == "ttl" else "json-ld", indent=2)


# ------------------------------------------------------------------------------------------------
# DCAT-AP-DONL 1.1 (the portal's own mapping)
# ------------------------------------------------------------------------------------------------


@cache
def _donl_mapping() -> dict[str, Any]:
    ref = importlib_resources.files("opendata_mh").joinpath("data", "donl", "dcat_rdf.json")
    data: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return data


def _donl_add(g: Graph, node: URIRef | BNode, section: str, values: Mapping[str, Any]) -> None:
    """Add ``values`` (CKAN field -> value) to ``node`` as the mapping's ``section`` says."""
    m = _donl_mapping()
    ns = m["namespaces"]
    spec = m["rdf"][section]
    if "class" in spec:
        g.add((node, RDF.type, URIRef(ns[spec["class"]["namespace"]] + spec["class"]["name"])))
    for fld, f in spec.items():
        if not isinstance(f, dict) or "type" not in f or fld not in values:
            continue
        raw = values[fld]
        items = raw if isinstance(raw, list) else [raw]
        pred = URIRef(ns[f["namespace"]] + f["property"])
        for v in items:
            if isinstance(v, dict):
                v = v.get("name")
            if v is None or v == "":
                continue
            kind = f["type"]
            if kind == "literal":
                g.add((node, pred, Literal(str(v))))
            elif kind == "datetime":
                g.add((node, pred, Literal(str(v), datatype=XSD.dateTime)))
            elif kind == "number":
                g.add((node, pred, Literal(int(v), datatype=XSD.integer)))
            elif kind == "boolean":
                if v is True:
                    g.add((node, pred, URIRef(ns[f["class"]["namespace"]] + f["class"]["name"])))
            else:  # uri, resource
                obj = URIRef(f.get("prefix", "") + str(v))
                g.add((node, pred, obj))
                if kind == "resource" and "class" in f:
                    cls = f["class"]
                    g.add((obj, RDF.type, URIRef(ns[cls["namespace"]] + cls["name"])))


def _donl_child(
    g: Graph, parent: URIRef, section: str, values: Mapping[str, Any], node: URIRef | BNode
) -> None:
    m = _donl_mapping()
    spec = m["rdf"][section]
    fields = {k for k, f in spec.items() if isinstance(f, dict) and "type" in f}
    if not any(values.get(k) not in (None, "", []) for k in fields):
        return
    pred = URIRef(m["namespaces"][spec["namespace"]] + spec["property"])
    g.add((parent, pred, node))
    _donl_add(g, node, section, values)


def donl_graph(
    dataset: Mapping[str, Any],
    resources: Sequence[Mapping[str, Any]],
    *,
    catalog: str | None = None,
) -> Graph:
    """The DCAT-AP-DONL 1.1 graph of a CKAN dataset dict and its resource dicts, mapped field by
    field as ckanext-dataoverheid maps them (dataset, catalogue record, contact point, temporal
    coverage, distributions, checksums). ``catalog`` is the IRI of a ``dcat:Catalog`` that lists
    the dataset (a release's catalogue)."""
    m = _donl_mapping()
    g = Graph()
    for prefix, iri in sorted(m["namespaces"].items()):
        g.bind(prefix.lower(), Namespace(iri))
    ident = str(dataset.get("identifier") or "")
    d = URIRef(ident)
    _donl_add(g, d, "dataset", dataset)
    g.add((d, RDF.type, DCAT.Dataset))
    _donl_child(g, d, "contactPoint", dataset, BNode("contactpoint"))
    _donl_child(g, d, "temporal", dataset, BNode("temporal"))
    record = URIRef(f"{ident.rstrip('/')}/record")
    g.add((record, RDF.type, DCAT.CatalogRecord))
    g.add((record, FOAF.primaryTopic, d))
    _donl_add(g, record, "catalogRecord", {"metadata_language": dataset.get("metadata_language")})
    for r in resources:
        key = str(r.get("url") or r.get("name") or "").rstrip("/").rsplit("/", 1)[-1]
        n = URIRef(f"{ident.rstrip('/')}/distribution/{quote(key)}")
        _donl_child(g, d, "distribution", r, n)
        _donl_child(g, n, "checksum", r, BNode(f"checksum-{key}"))
    if catalog:
        c = URIRef(catalog)
        g.add((c, RDF.type, DCAT.Catalog))
        g.add((c, DCTERMS.title, Literal(str(dataset.get("title") or ""))))
        g.add((c, DCAT.dataset, d))
        g.add((c, DCAT.record, record))
        if dataset.get("publisher"):
            g.add((c, DCTERMS.publisher, URIRef(str(dataset["publisher"]))))
    return g


def turtle(graph: Graph) -> str:
    """``graph`` as Turtle."""
    return graph.serialize(format="turtle")
