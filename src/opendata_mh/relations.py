"""The relations of a read package as variables and linear rows: what the consistency check
(:mod:`opendata_mh.validate`) and the disclosure audit (:mod:`opendata_mh.audit`) both read.

:func:`package_relations` turns a :class:`~opendata_mh.report.PackageData` (the
``datapackage.json`` descriptor and the CSV rows) into a :class:`PackageRelations`:

* **variables** (:class:`Variable`): every cell of every table resource (one CSV row, id
  ``resource/key=value/...`` with the keys in the resource's primary-key order), every figure of
  the prose that a relation uses or that is masked (``text:<figure_id>``, from
  ``text_figures``) and every latent quantity a relation names (``@name/...``); each with its
  published interval: an exact or zero cell is its ``value``; any other cell is
  ``[value_lower, value_upper]`` (``<5`` is [1, 4], ``x`` [1, inf), a rounded figure its
  rounding interval, an unresolved cell the hull of its candidates); a figure of the prose is
  ``[value_lower, value_upper]``, else its ``value``, else [0, inf); a latent quantity is
  [0, inf);
* **relations** (:class:`PackageRelation`): every usable entry of ``relations`` with its linear
  rows (:mod:`opendata_mh.sdc.relations`, the one place where what a relation type means is
  written; a ``share``/``change`` relation's percentage is its figure's ``value``, a constant);
  the entries that cannot be used are :class:`RelationProblem` (malformed, or naming a cell or
  figure the package does not have);
* **known discrepancies** (:class:`KnownDiscrepancy`): each entry of ``knownDiscrepancies``
  with the relations it covers (:meth:`PackageRelations.members`, the one definition: a
  relation is covered when the entry lists its id, a reference as the relation writes it, or a
  reference to one of its variables in any key order).

Both consumers read the same rows: the consistency check narrows intervals with
:func:`opendata_mh.sdc.relations.propagate` and tests them with
:func:`~opendata_mh.sdc.relations.holds`; the audit solves linear programs over them
(:func:`opendata_mh.sdc.audit`). Pure Python: importing this module loads neither numpy nor
HiGHS.

Example::

    from opendata_mh.relations import package_relations
    from opendata_mh.sdc.relations import propagate
    from opendata_mh.validate import read_package

    pr = package_relations(read_package("datapackage"))
    rows = pr.rows(exclude=pr.known_members())
    narrowed, conflicts = propagate(rows, pr.intervals())
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from opendata_mh.csvfile import key_fields
from opendata_mh.model import CellRef, is_masked, parse_ref
from opendata_mh.report import PackageData
from opendata_mh.sdc import relations as engine
from opendata_mh.sdc import rules
from opendata_mh.sdc.relations import RELATION_TYPES, SHARE_TYPES, Interval, LinearRelation
from opendata_mh.superseded import SUPERSEDED

INF = math.inf
TEXT_FIGURES = "text_figures"

"""The resource of the figures quoted in the prose (keyed by ``figure_id``)."""

VariableKind = Literal["cell", "text", "latent"]


@dataclass(frozen=True)
class Variable:
    """One figure of the package as an unknown with its published interval.

    Attributes:
        id: canonical reference (``resource/k=v/...`` in primary-key order, ``text:<id>``,
            ``@name/...``).
        kind: ``cell`` (a table cell), ``text`` (a figure of the prose), ``latent``.
        lower, upper: the published interval (``upper`` may be ``inf``).
        resource, row: where it is published (``row`` the 1-based CSV data row); ``None`` for
            a latent quantity.
        printed, cell_type: as in the CSV (a figure of the prose: ``masked`` when printed
            ``<n``, else ``text``; a latent quantity: empty).
    """

    id: str
    kind: VariableKind
    lower: float
    upper: float
    resource: str | None = None
    row: int | None = None
    printed: str = ""
    cell_type: str = ""

    @property
    def interval(self) -> Interval:
        return (self.lower, self.upper)

    @property
    def masked(self) -> bool:
        """A ``<n`` cell or figure: the audit's protected targets."""
        return self.cell_type == "masked"


@dataclass(frozen=True)
class PackageRelation:
    """A usable relation of the descriptor with its linear rows.

    Attributes:
        id, type, description_en: as in ``relations``.
        total, parts: variable ids (``total`` None for ``identity``, ``share``, ``change``);
            for ``identity`` the cells are ``parts``; for ``share``/``change`` ``parts`` are the
            counts of the numerator then the denominator, each once.
        rows: the linear rows (:mod:`opendata_mh.sdc.relations`; ``source`` is ``id``).
        written: the references as the descriptor writes them (figure first for a share).
        figure, percent, decimals, numerator, denominator: a ``share``/``change`` relation's
            printed percentage (the figure's reference and value) and its two sums.
    """

    id: str
    type: str
    description_en: str
    total: str | None
    parts: tuple[str, ...]
    rows: tuple[LinearRelation, ...]
    written: tuple[str, ...] = ()
    figure: str | None = None
    percent: float | None = None
    decimals: int = 0
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()

    @property
    def variables(self) -> tuple[str, ...]:
        """Total first, then the parts (the cells of an identity; the counts of a share)."""
        return ((self.total,) if self.total else ()) + self.parts


@dataclass(frozen=True)
class RelationProblem:
    """An entry of ``relations`` that cannot be used: ``kind`` ``invalid`` (malformed) or
    ``unresolved`` (names a cell or figure the package does not have)."""

    kind: Literal["invalid", "unresolved"]
    relation: str | None
    message: str


@dataclass(frozen=True)
class KnownDiscrepancy:
    """An entry of ``knownDiscrepancies``: the references it lists and the relations it
    covers (ids, in descriptor order; see :meth:`PackageRelations.members`)."""

    id: str
    description_en: str
    listed: tuple[str, ...]
    members: tuple[str, ...]


@dataclass
class PackageRelations:
    """The variables, relations and known discrepancies of a package (see the module doc).

    ``variables`` is in package order: the cells of each table resource in CSV order, the
    masked figures of the prose, then the other figures and latent quantities in the order the
    relations first name them. :meth:`variable_id` adds a figure of the prose or a latent
    quantity on first use.
    """

    pkg: PackageData
    variables: dict[str, Variable] = field(default_factory=dict)
    relations: list[PackageRelation] = field(default_factory=list)
    problems: list[RelationProblem] = field(default_factory=list)
    discrepancies: list[KnownDiscrepancy] = field(default_factory=list)
    key_fields: dict[str, list[str]] = field(default_factory=dict)
    index: dict[str, dict[tuple[str, ...], int]] = field(default_factory=dict)

    # -- references -------------------------------------------------------------------------

    def variable_id(self, ref: CellRef) -> str | None:
        """The variable id of a reference (adding a figure of the prose or a latent quantity
        on first use), or None when the package has no such cell or figure."""
        if ref.kind == "latent":
            rid = str(ref)
            if rid not in self.variables:
                self.variables[rid] = Variable(rid, "latent", 0.0, INF)
            return rid
        if ref.kind == "text":
            rid = str(ref)
            if rid in self.variables:
                return rid
            row_i = self.index.get(TEXT_FIGURES, {}).get((ref.name,))
            if row_i is None:
                return None
            self.variables[rid] = _text_variable(rid, row_i, self.pkg.rows[TEXT_FIGURES][row_i - 1])
            return rid
        kf = self.key_fields.get(ref.name)
        kd = dict(ref.key)
        if kf is None or set(kd) != set(kf):
            return None
        rid = ref.name + "".join(f"/{k}={kd[k]}" for k in kf)
        return rid if rid in self.variables else None

    def resolve(self, s: str) -> str | None:
        """:meth:`variable_id` of a reference string; None when it does not parse."""
        try:
            return self.variable_id(parse_ref(s))
        except ValueError:
            return None

    # -- rows -------------------------------------------------------------------------------

    def members(self, discrepancy: KnownDiscrepancy) -> list[PackageRelation]:
        """The relations a known discrepancy covers."""
        ids = set(discrepancy.members)
        return [r for r in self.relations if r.id in ids]

    def known_members(self) -> set[str]:
        """Ids of every relation some known discrepancy covers."""
        return {m for k in self.discrepancies for m in k.members}

    def rows(self, exclude: Iterable[str] = ()) -> list[LinearRelation]:
        """The rows of every relation but those in ``exclude`` (ids)."""
        out = set(exclude)
        return [row for r in self.relations if r.id not in out for row in r.rows]

    def intervals(self) -> dict[str, Interval]:
        """Every variable's published interval."""
        return {v.id: v.interval for v in self.variables.values()}


def _num(s: str | None) -> float | None:
    if s is None or s.strip() == "":
        return None
    try:
        return float(s)
    except ValueError:
        return None


def _cell_variable(rid: str, name: str, i: int, row: Mapping[str, str]) -> Variable:
    ctype = row.get("cell_type", "")
    v = _num(row.get("value"))
    if ctype in ("exact", "zero") and v is not None:
        lo, up = v, v
    else:
        lo0, up0 = _num(row.get("value_lower")), _num(row.get("value_upper"))
        lo, up = (0.0 if lo0 is None else lo0), (INF if up0 is None else up0)
    return Variable(rid, "cell", lo, up, name, i, row.get("value_printed", ""), ctype)


def _text_variable(rid: str, i: int, row: Mapping[str, str]) -> Variable:
    lo, up = _num(row.get("value_lower")), _num(row.get("value_upper"))
    if lo is None:
        v = _num(row.get("value"))
        lo, up = (v, v) if v is not None else (0.0, INF)
    printed = row.get("printed", "")
    ctype = "masked" if is_masked(printed) else "text"
    return Variable(rid, "text", lo, INF if up is None else up, TEXT_FIGURES, i, printed, ctype)


_READ: dict[int, tuple[weakref.ref[PackageData], PackageRelations]] = {}
"""What :func:`package_relations` read, per package object (a run reads the package once)."""


def package_relations(pkg: PackageData) -> PackageRelations:
    """Read the variables, relations and known discrepancies of a package (module doc).

    The result is kept for the lifetime of ``pkg``: the consistency check and the audit of one
    ``check`` run share it (treat it as read-only; :meth:`PackageRelations.variable_id` only
    adds variables that the package has)."""
    hit = _READ.get(id(pkg))
    if hit is not None and hit[0]() is pkg:
        return hit[1]
    pr = _read(pkg)
    _READ[id(pkg)] = (weakref.ref(pkg), pr)
    weakref.finalize(pkg, _READ.pop, id(pkg), None)
    return pr


def _read(pkg: PackageData) -> PackageRelations:
    pr = PackageRelations(pkg)
    for res in pkg.descriptor.get("resources", []):
        name = res["name"]
        kf = key_fields(res)
        pr.key_fields[name] = kf
        data = pkg.rows.get(name, [])
        pr.index[name] = {tuple(r.get(k, "") for k in kf): i for i, r in enumerate(data, 1)}
        if name == TEXT_FIGURES:  # masked figures of the prose (<5) are audit targets too
            for row in data:
                fid = row.get("figure_id", "")
                if fid and is_masked(row.get("printed", "")):
                    pr.variable_id(CellRef("text", fid, ()))
            continue
        fields = (res.get("schema") or {}).get("fields") or []
        if (
            res.get("isFormatOf")
            or name == SUPERSEDED
            or not any(isinstance(f, dict) and f.get("name") == "cell_type" for f in fields)
        ):
            # no counts (a code list), another layout of other resources' cells, or earlier
            # printings (opendata_mh.audit reads them with the editions' relations)
            continue
        for i, row in enumerate(data, 1):
            rid = name + "".join(f"/{k}={row.get(k, '')}" for k in kf)
            pr.variables[rid] = _cell_variable(rid, name, i, row)
    raw = pkg.descriptor.get("relations") or []
    for j, r in enumerate(raw if isinstance(raw, list) else [], 1):
        rel = _relation(pr, j, r)
        if isinstance(rel, RelationProblem):
            pr.problems.append(rel)
        else:
            pr.relations.append(rel)
    for k in pkg.descriptor.get("knownDiscrepancies") or []:
        if isinstance(k, dict):
            pr.discrepancies.append(_discrepancy(pr, k))
    return pr


def _relation(pr: PackageRelations, j: int, r: Any) -> PackageRelation | RelationProblem:
    rid = r.get("id") if isinstance(r, dict) else None
    if not isinstance(r, dict) or not isinstance(rid, str) or r.get("type") not in RELATION_TYPES:
        return RelationProblem(
            "invalid",
            rid if isinstance(rid, str) else None,
            f"relations[{j}] needs an 'id' and a known 'type'",
        )
    rtype = str(r["type"])
    desc = str(r.get("description_en", ""))
    if rtype in SHARE_TYPES:
        return _share(pr, r, rid, desc)
    try:
        if rtype == "identity":
            written = [str(s) for s in r.get("cells") or []]
            refs = [parse_ref(s) for s in written]
            if len(refs) < 2:
                raise ValueError("an identity needs at least two cells")
        else:
            written = [str(r.get("total") or ""), *(str(s) for s in r.get("parts") or [])]
            refs = [parse_ref(s) for s in written]
            if len(refs) < 2:
                raise ValueError("no parts")
    except (ValueError, TypeError) as exc:
        return RelationProblem("invalid", rid, f"relation {rid}: {exc}")
    ids = [pr.variable_id(x) for x in refs]
    missing = [s for s, x in zip(written, ids, strict=True) if x is None]
    if missing:
        return RelationProblem(
            "unresolved",
            rid,
            f"relation {rid}: no such cell/figure in the package: {', '.join(missing)}",
        )
    vids = [x for x in ids if x is not None]
    if rtype == "identity":
        rows = engine.identity(rid, vids) if len(set(vids)) > 1 else []
        return PackageRelation(rid, rtype, desc, None, tuple(vids), tuple(rows), tuple(written))
    try:
        rows = engine.relation(rtype, rid, total=vids[0], parts=vids[1:])
    except rules.SDCError as exc:
        return RelationProblem("invalid", rid, f"relation {rid}: {exc}")
    return PackageRelation(rid, rtype, desc, vids[0], tuple(vids[1:]), tuple(rows), tuple(written))


def _share(
    pr: PackageRelations, r: Mapping[str, Any], rid: str, desc: str
) -> PackageRelation | RelationProblem:
    """A ``share``/``change`` relation; its percentage is the ``value`` of the figure's row in
    ``text_figures`` (a constant, not a variable)."""
    try:
        fig = parse_ref(str(r.get("figure") or ""))
        num_s = [str(s) for s in r.get("numerator") or []]
        den_s = [str(s) for s in r.get("denominator") or []]
        num, den = [parse_ref(s) for s in num_s], [parse_ref(s) for s in den_s]
        decimals = r.get("decimals", 0)
        if fig.kind != "text":
            raise ValueError("'figure' must be a text figure 'text:<id>'")
        if not num or not den:
            raise ValueError("'numerator' and 'denominator' must not be empty")
        if type(decimals) is not int or decimals < 0:
            raise ValueError("'decimals' must be a non-negative integer")
    except (ValueError, TypeError) as exc:
        return RelationProblem("invalid", rid, f"relation {rid}: {exc}")
    missing = [
        s for s, x in zip([*num_s, *den_s], [*num, *den], strict=True) if pr.variable_id(x) is None
    ]
    row_i = pr.index.get(TEXT_FIGURES, {}).get((fig.name,))
    if row_i is None:
        missing.insert(0, str(fig))
    if missing:
        return RelationProblem(
            "unresolved",
            rid,
            f"relation {rid}: no such cell/figure in the package: {', '.join(missing)}",
        )
    assert row_i is not None
    percent = _num(pr.pkg.rows[TEXT_FIGURES][row_i - 1].get("value"))
    if percent is None:
        return RelationProblem("invalid", rid, f"relation {rid}: {fig} has no numeric value")
    nids = tuple(str(pr.variable_id(x)) for x in num)
    dids = tuple(str(pr.variable_id(x)) for x in den)
    rows = engine.share(rid, str(r["type"]), percent, decimals, nids, dids)
    return PackageRelation(
        rid,
        str(r["type"]),
        desc,
        None,
        tuple(dict.fromkeys([*nids, *dids])),
        tuple(rows),
        (str(fig), *num_s, *den_s),
        str(fig),
        percent,
        decimals,
        nids,
        dids,
    )


def _discrepancy(pr: PackageRelations, k: Mapping[str, Any]) -> KnownDiscrepancy:
    listed = tuple(str(x) for x in k.get("relations") or [])
    listed_set = set(listed)
    canonical = {pr.resolve(x) for x in listed} - {None}
    members = tuple(
        r.id
        for r in pr.relations
        if r.id in listed_set
        or any(s in listed_set for s in r.written)
        or any(x in canonical for x in r.variables)
    )
    return KnownDiscrepancy(str(k.get("id")), str(k.get("description_en", "")), listed, members)


def variables_of(relations: Sequence[PackageRelation]) -> list[str]:
    """The variable ids the relations use, in order of first use."""
    return list(dict.fromkeys(x for r in relations for x in r.variables))


__all__ = [
    "KnownDiscrepancy",
    "PackageRelation",
    "PackageRelations",
    "RelationProblem",
    "Variable",
    "key_fields",
    "package_relations",
    "variables_of",
]
