"""The entry point: :func:`load_metadata` reads every metadata file in order (package, code lists,
tables, text figures, relations, latent quantities, discrepancies, acknowledged findings,
editions), collects every problem and returns one :class:`Metadata` or raises one
:class:`~opendata_mh.errors.MetadataError` listing them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from opendata_mh.errors import MetadataError, MetadataProblem
from opendata_mh.model._collect import _Collector, _read_toml
from opendata_mh.model.codelists import CodeList, _load_codelists
from opendata_mh.model.constants import NON_COUNT_UNITS
from opendata_mh.model.editions import Edition, EditionState, _apply_editions, _one_edition
from opendata_mh.model.figures import TextFigure, _load_text_figures
from opendata_mh.model.findings import AcknowledgedFinding, _load_acknowledged_findings
from opendata_mh.model.package import PackageMeta, _load_package
from opendata_mh.model.refs import CellRef, _BrokenReferenceError, _Resolver
from opendata_mh.model.relations import (
    Discrepancy,
    LatentQuantity,
    Relation,
    _load_discrepancies,
    _load_relations,
)
from opendata_mh.model.tables import TableSpec, _load_table


@dataclass(frozen=True)
class Metadata:
    package: PackageMeta
    codelists: tuple[CodeList, ...]
    tables: tuple[TableSpec, ...]
    relations: tuple[Relation, ...]
    latent: tuple[LatentQuantity, ...]
    text_figures: tuple[TextFigure, ...]
    discrepancies: tuple[Discrepancy, ...]
    acknowledged_findings: tuple[AcknowledgedFinding, ...] = ()
    editions: tuple[Edition, ...] = ()
    earlier: tuple[Metadata, ...] = ()
    """The package as each earlier edition published it (the base edition first), when
    later editions were merged (:func:`load_metadata`); empty otherwise."""

    def table(self, tid: str) -> TableSpec:
        return next(t for t in self.tables if t.id == tid)

    def codelist(self, cid: str) -> CodeList:
        return next(c for c in self.codelists if c.id == cid)

    def states(self) -> tuple[EditionState, ...]:
        """Every edition's package (:attr:`earlier`, then this one) as an
        :class:`~opendata_mh.model.editions.EditionState`."""
        return tuple(
            EditionState(m.package.edition or "", m.tables, m.relations)
            for m in (*self.earlier, self)
        )


def load_metadata(root: str | Path, *, upto: str | None = None) -> Metadata:
    """Load and validate ``metadata/``; raise :class:`MetadataError` with every problem found.

    With later editions (``metadata/editions/``), :attr:`Metadata.earlier` holds the package
    as each earlier edition published it (the base edition, then every edition but the
    last), each loaded with ``upto`` = its id: what the superseded printings and their
    relations are read from."""
    root = Path(root)
    col = _Collector()
    if not root.is_dir():
        raise MetadataError([MetadataProblem(str(root), "metadata directory not found")])
    pkg = _load_package(_read_toml(root / "package.toml", "package.toml", col), col)
    codelists = _load_codelists(_read_toml(root / "codelists.toml", "codelists.toml", col), col)
    cls = {c.id: c for c in codelists}
    tables: list[TableSpec] = []
    seen_ids: dict[str, str] = {}
    table_files = sorted((root / "tables").glob("*.toml")) if (root / "tables").is_dir() else []
    if not table_files:
        col.add("tables/", "no table files tables/*.toml")
    for path in table_files:
        rel = f"tables/{path.name}"
        data = _read_toml(path, rel, col)
        if not data:
            continue
        t = _load_table(data, rel, pkg, cls, col)
        tid = data.get("id") if isinstance(data.get("id"), str) else None
        if tid:
            if tid in seen_ids:
                col.add(
                    rel, f"table id {tid!r} is also used by {seen_ids[tid]}", table=tid, field="id"
                )
            seen_ids.setdefault(tid, rel)
        if t is not None and t.id == tid:
            tables.append(t)
    if "text_figures" in seen_ids:
        col.add(seen_ids["text_figures"], "table id 'text_figures' is reserved", field="id")
    tables.sort(key=lambda t: (t.number, t.id))
    base_edition = pkg.edition or ""
    pkg, tables, editions = _apply_editions(root, pkg, tables, cls, col, upto)
    tmap = {t.id: t for t in tables}

    raw_figs = _load_text_figures(
        _read_toml(root / "text_figures.toml", "text_figures.toml", col, required=False),
        pkg,
        col,
        {c.id: set(c.code_ids) for c in cls.values()},
    )
    figs_noref = {fig.id: fig for fig, _, _ in raw_figs}
    resolver = _Resolver(tmap, figs_noref)
    figures: list[TextFigure] = []
    text_relations: list[Relation] = []
    for fig, refers, i in raw_figs:
        ref: CellRef | None = None
        if refers:
            try:
                ref = resolver.resolve(refers, allow_pattern=False)[0]
                if ref.kind == "text":
                    raise ValueError(f"refers_to {refers!r} must be a cell or latent quantity")
            except _BrokenReferenceError:
                ref = None
            except ValueError as exc:
                col.add(
                    "text_figures.toml", f"refers_to: {exc}", table=fig.id, row=i, field="refers_to"
                )
                ref = None
        fig = TextFigure(**{**fig.__dict__, "refers_to": ref})
        figures.append(fig)
        if ref is not None and fig.unit not in NON_COUNT_UNITS:
            if fig.bounds is None:
                col.add(
                    "text_figures.toml",
                    "a figure with refers_to needs a numeric value",
                    table=fig.id,
                    row=i,
                    field="value",
                )
                continue
            text_relations.append(
                Relation(
                    id=f"text.{fig.id}",
                    type="identity",
                    total=None,
                    parts=(),
                    cells=(CellRef("text", fig.id), ref),
                    description=f"De tekst noemt {fig.printed} ({fig.id}) voor {ref}.",
                    description_en=f"The text states {fig.printed} for {ref} (figure {fig.id}).",
                    origin="text_figures.toml",
                )
            )
    resolver = _Resolver(tmap, {f.id: f for f in figures})
    relations, latent_meta = _load_relations(
        _read_toml(root / "relations.toml", "relations.toml", col, required=False), resolver, col
    )
    relations += text_relations
    lapsed_rel: set[str] = set()  # relation ids a later edition left out (see _one_edition)
    if editions:
        cell_eds = {CellRef("cell", t.id, c.key): c.edition for t in tables for c in t.cells}
        lapsed_rel = {r.id for r in relations}
        relations = [r for r in relations if _one_edition(r, cell_eds, base_edition)]
        latent_eds: dict[CellRef, set[str]] = {}
        for r in relations:
            eds = {cell_eds.get(ref, base_edition) for ref in r.refs if ref.kind == "cell"}
            for ref in r.refs:
                if ref.kind == "latent":
                    latent_eds.setdefault(ref, set()).update(eds)
        relations = [r for r in relations if _one_edition(r, cell_eds, base_edition, latent_eds)]
        lapsed_rel -= {r.id for r in relations}
    seen_rel: set[str] = set()
    for r in relations:
        if r.id in seen_rel:
            col.add(r.origin, f"relation id {r.id!r} is not unique after expansion", table=r.id)
        seen_rel.add(r.id)
    latent_uses: dict[CellRef, list[str]] = {}
    for r in relations:
        for ref in r.refs:
            if ref.kind == "latent":
                latent_uses.setdefault(ref, []).append(r.id)
    for fig in figures:
        if fig.refers_to is not None and fig.refers_to.kind == "latent":
            latent_uses.setdefault(fig.refers_to, [])
    for name in latent_meta:
        if not any(ref.name == name for ref in latent_uses):
            col.add("relations.toml", f"[latent.{name}] is not used by any relation", table=name)
    latent = tuple(
        LatentQuantity(
            ref=ref,
            relations=tuple(ids),
            title=latent_meta.get(ref.name, {}).get("title"),
            description=latent_meta.get(ref.name, {}).get("description"),
            description_en=latent_meta.get(ref.name, {}).get("description_en"),
            unit=latent_meta.get(ref.name, {}).get("unit"),
        )
        for ref, ids in sorted(latent_uses.items(), key=lambda kv: str(kv[0]))
    )
    discrepancies = _load_discrepancies(
        _read_toml(root / "discrepancies.toml", "discrepancies.toml", col, required=False),
        # a relation a later edition left out may stay listed (it then covers nothing)
        seen_rel | lapsed_rel,
        resolver,
        col,
    )
    raw_ack = _read_toml(
        root / "acknowledged_findings.toml", "acknowledged_findings.toml", col, required=False
    )
    if editions and isinstance(raw_ack.get("findings"), list):
        # an acknowledgement of a figure that a later edition revised lapses (it was about the
        # earlier publication of that figure). One that cites a relation an edition left out
        # stays: its cell, code and fingerprint decide (the relations are informational; the
        # audit reports a relation id the package no longer has, as audit.acknowledged-relation-
        # lapsed)
        revised = {
            str(CellRef("cell", t.id, c.key))
            for t in tables
            for c in t.cells
            if c.edition != base_edition
        }
        raw_ack = {
            **raw_ack,
            "findings": [
                f
                for f in raw_ack["findings"]
                if not isinstance(f, dict) or f.get("cell") not in revised
            ],
        }
    acknowledged = _load_acknowledged_findings(
        raw_ack,
        seen_rel | lapsed_rel,
        resolver,
        tmap,
        col,
        {t.id: t for t in figures},
    )
    if col.problems:
        raise MetadataError(col.problems)
    earlier: tuple[Metadata, ...] = ()
    if editions and upto is None:
        earlier = tuple(
            load_metadata(root, upto=eid) for eid in [base_edition, *(e.id for e in editions[:-1])]
        )
    return Metadata(
        package=pkg,
        codelists=codelists,
        tables=tuple(tables),
        relations=tuple(relations),
        latent=latent,
        text_figures=tuple(figures),
        discrepancies=tuple(discrepancies),
        acknowledged_findings=tuple(acknowledged),
        editions=editions,
        earlier=earlier,
    )
