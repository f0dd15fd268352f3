"""``relations.toml``, ``latent.toml`` and ``discrepancies.toml``: relations between cells
(additive, multilabel, subset, overlap_subset, identity, and the ``share``/``change`` relations of
the prose's percentages), expanded to explicit references (:class:`Relation`); the latent
quantities they use; the known discrepancies of the report. :func:`share_rows` (from
:mod:`opendata_mh.sdc.relations`, where every relation type's meaning is written) gives the two
linear inequalities of a percentage.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from opendata_mh.model._collect import _check_keys, _Collector
from opendata_mh.model.constants import (
    NON_COUNT_UNITS,
    PLACEHOLDER_RE,
    RELATION_TYPES,
    SHARE_TYPES,
)
from opendata_mh.model.refs import (
    CellRef,
    _BrokenReferenceError,
    _for_each_values,
    _Resolver,
    _substitute,
)
from opendata_mh.sdc.relations import share_rows as share_rows


@dataclass(frozen=True)
class Relation:
    """An expanded relation: explicit cell references only (no patterns, no placeholders)."""

    id: str
    type: str
    total: CellRef | None
    parts: tuple[CellRef, ...]
    cells: tuple[CellRef, ...]
    description: str
    description_en: str
    origin: str = "relations.toml"
    figure: CellRef | None = None
    numerator: tuple[CellRef, ...] = ()
    denominator: tuple[CellRef, ...] = ()
    decimals: int = 0
    percent: float | None = None

    @property
    def refs(self) -> tuple[CellRef, ...]:
        if self.type == "identity":
            return self.cells
        if self.type in SHARE_TYPES:
            return ((self.figure,) if self.figure else ()) + self.numerator + self.denominator
        return ((self.total,) if self.total else ()) + self.parts


@dataclass(frozen=True)
class LatentQuantity:
    ref: CellRef
    relations: tuple[str, ...]
    title: str | None = None
    description: str | None = None
    description_en: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Discrepancy:
    id: str
    relations: tuple[str, ...]
    description: str
    description_en: str


def _load_relations(
    data: dict[str, Any], resolver: _Resolver, col: _Collector
) -> tuple[list[Relation], dict[str, dict[str, Any]]]:
    f = "relations.toml"
    _check_keys(data, {"relations", "latent"}, f, col)
    latent_meta: dict[str, dict[str, Any]] = {}
    raw_latent = data.get("latent") or {}
    if not isinstance(raw_latent, dict):
        col.add(f, "'latent' must be tables [latent.<name>]", field="latent")
        raw_latent = {}
    for name, meta in raw_latent.items():
        if not isinstance(meta, dict):
            col.add(f, f"[latent.{name}] must be a table", table=name)
            continue
        _check_keys(meta, {"title", "description", "description_en", "unit"}, f, col, table=name)
        latent_meta[name] = meta
    out: list[Relation] = []
    for i, r in enumerate(data.get("relations") or [], 1):
        if not isinstance(r, dict):
            col.add(f, "[[relations]] entries must be tables", row=i)
            continue
        rid = col.str_(r, "id", f, row=i)
        loc: dict[str, Any] = {"table": rid or None, "row": i}
        _check_keys(
            r,
            {
                "id",
                "type",
                "for_each",
                "total",
                "parts",
                "cells",
                "figure",
                "numerator",
                "denominator",
                "decimals",
                "description",
                "description_en",
            },
            f,
            col,
            **loc,
        )
        rtype = col.str_(r, "type", f, **loc)
        if rtype and rtype not in RELATION_TYPES:
            col.add(f, f"type {rtype!r} must be one of {list(RELATION_TYPES)}", field="type", **loc)
            continue
        desc = col.str_(r, "description", f, required=False, **loc)
        desc_en = col.str_(r, "description_en", f, **loc)
        total = r.get("total")
        parts = r.get("parts")
        cells = r.get("cells")
        share_keys = [k for k in ("figure", "numerator", "denominator", "decimals") if k in r]
        if rtype not in SHARE_TYPES and share_keys:
            col.add(f, f"a {rtype} relation has no {share_keys}", **loc)
            continue
        figure = r.get("figure")
        numer = r.get("numerator")
        denom = r.get("denominator")
        decimals = r.get("decimals", 0)
        if rtype in SHARE_TYPES:
            if total is not None or parts is not None or cells is not None:
                col.add(
                    f,
                    f"a {rtype} relation has 'figure', 'numerator' and 'denominator', not "
                    "'total'/'parts'/'cells'",
                    **loc,
                )
            bad_share = False
            if not isinstance(figure, str) or not figure.startswith("text:"):
                col.add(f, "'figure' must be a text figure reference 'text:<id>'", **loc)
                bad_share = True
            for key, v in (("numerator", numer), ("denominator", denom)):
                if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
                    col.add(f, f"'{key}' must be a non-empty list of references", field=key, **loc)
                    bad_share = True
            if type(decimals) is not int or not 0 <= decimals <= 3:
                col.add(f, "'decimals' must be an integer 0..3", field="decimals", **loc)
                bad_share = True
            if bad_share:
                continue
        elif rtype == "identity":
            if total is not None or parts is not None:
                col.add(f, "an identity relation has 'cells', not 'total'/'parts'", **loc)
            if (
                not isinstance(cells, list)
                or len(cells) < 2
                or not all(isinstance(c, str) for c in cells)
            ):
                col.add(
                    f, "'cells' must be a list of at least two references", field="cells", **loc
                )
                continue
        else:
            if cells is not None:
                col.add(f, f"a {rtype} relation has 'total' and 'parts', not 'cells'", **loc)
            if not isinstance(total, str):
                col.add(f, "'total' must be a reference string", field="total", **loc)
                continue
            if (
                not isinstance(parts, list)
                or not parts
                or not all(isinstance(p, str) for p in parts)
            ):
                col.add(f, "'parts' must be a non-empty list of references", field="parts", **loc)
                continue
        cells_l: list[str] = list(cells) if isinstance(cells, list) else []
        parts_l: list[str] = list(parts) if isinstance(parts, list) else []
        total_s: str = total if isinstance(total, str) else ""
        raw_fe = r.get("for_each") or {}
        fe: dict[str, list[str]] = {}
        if isinstance(raw_fe, dict):
            for n, v in raw_fe.items():
                vals = _for_each_values(v, resolver.periods)
                if vals is None:
                    break
                fe[n] = vals
        if not isinstance(raw_fe, dict) or len(fe) != len(raw_fe):
            col.add(
                f,
                "'for_each' must map names to non-empty lists of values, or to '*' (every year) "
                "or '*-*' (every multi-year period), optionally with ' except A, B'",
                field="for_each",
                **loc,
            )
            continue
        # with a wildcard, combinations whose references do not all resolve are skipped
        lenient = any(isinstance(v, str) for v in raw_fe.values())
        expanded = 0
        names = list(fe)
        for combo in itertools.product(*(fe[n] for n in names)):
            binding = {n: str(v) for n, v in zip(names, combo, strict=True)}

            def sub(text: str, b: dict[str, str] = binding) -> str:
                return _substitute(text, b)

            xid = sub(rid)
            xloc = {"table": xid, "row": i}
            strings = [xid, desc, desc_en]
            if rtype == "identity":
                strings += cells_l
            elif rtype in SHARE_TYPES:
                strings += [str(figure), *(numer or []), *(denom or [])]
            else:
                strings += [total_s, *parts_l]
            bad = sorted({m for s in strings for m in PLACEHOLDER_RE.findall(sub(s))})
            if bad:
                col.add(f, f"placeholder(s) {bad} not defined in for_each", **xloc)
                continue
            try:
                if rtype in SHARE_TYPES:
                    rel = _share_relation(
                        xid,
                        rtype,
                        sub(str(figure)),
                        [sub(x) for x in numer or []],
                        [sub(x) for x in denom or []],
                        int(decimals),
                        (sub(desc), sub(desc_en)),
                        resolver,
                    )
                else:
                    rel = _linear_relation(
                        xid,
                        rtype,
                        sub(total_s),
                        [sub(x) for x in parts_l],
                        [sub(x) for x in cells_l],
                        (sub(desc), sub(desc_en)),
                        resolver,
                    )
            except _BrokenReferenceError:
                continue
            except ValueError as exc:
                if not lenient:
                    col.add(f, str(exc), **xloc)
                continue
            expanded += 1
            if rtype not in SHARE_TYPES:
                allrefs = [*([rel.total] if rel.total else []), *rel.parts, *rel.cells]
                if len(set(allrefs)) != len(allrefs):
                    dup = sorted({str(x) for x in allrefs if allrefs.count(x) > 1})
                    col.add(f, f"the same reference appears twice: {dup}", **xloc)
                    continue
            out.append(rel)
        if lenient and not expanded and all(fe.values()):
            col.add(
                f, "the wildcard for_each matches no period where every reference resolves", **loc
            )
    return out, latent_meta


def _linear_relation(
    rid: str,
    rtype: str,
    total: str,
    parts: Sequence[str],
    cells: Sequence[str],
    descs: tuple[str, str],
    resolver: _Resolver,
) -> Relation:
    """One expanded ``identity`` (``cells``) or ``additive`` relation (``total`` and
    ``parts``, a part may be a pattern); raises ValueError (or :class:`_BrokenReferenceError`)
    when a reference does not resolve."""
    if rtype == "identity":
        xcells = [ref for c in cells for ref in resolver.resolve(c, allow_pattern=False)]
        return Relation(rid, rtype, None, (), tuple(xcells), *descs)
    xtotal = resolver.resolve(total, allow_pattern=False)[0]
    xparts = [ref for p in parts for ref in resolver.resolve(p, allow_pattern=True)]
    return Relation(rid, rtype, xtotal, tuple(xparts), (), *descs)


def _share_relation(
    rid: str,
    rtype: str,
    figure: str,
    numerator: Sequence[str],
    denominator: Sequence[str],
    decimals: int,
    descs: tuple[str, str],
    resolver: _Resolver,
) -> Relation:
    """One expanded ``share``/``change`` relation; raises ValueError (or
    :class:`_BrokenReferenceError`) when a reference does not resolve or the figure does not fit:
    a ``share`` needs a figure of unit ``percent``, a ``change`` one of unit ``percent_change``;
    its printed value must be a plain number with ``decimals`` decimals at most."""
    fig_ref = resolver.resolve(figure, allow_pattern=False)[0]
    if fig_ref.kind != "text":
        raise ValueError(f"figure {figure!r} must be a text figure 'text:<id>'")
    fig = resolver.figures[fig_ref.name]
    want = "percent" if rtype == "share" else "percent_change"
    if fig.unit != want:
        raise ValueError(f"figure {figure!r} has unit {fig.unit!r}; a {rtype} needs {want!r}")
    bounds = fig.bounds
    if fig.value is None or bounds is None or bounds[0] != bounds[1]:
        raise ValueError(f"figure {figure!r} is not one printed number")
    if abs(fig.value * 10**decimals - round(fig.value * 10**decimals)) > 1e-9:
        raise ValueError(f"figure {figure!r} ({fig.value}) has more than {decimals} decimals")
    num = [x for s in numerator for x in resolver.resolve(s, allow_pattern=True)]
    den = [x for s in denominator for x in resolver.resolve(s, allow_pattern=True)]
    for name, refs in (("numerator", num), ("denominator", den)):
        if any(x.kind == "text" and resolver.figures[x.name].unit in NON_COUNT_UNITS for x in refs):
            raise ValueError(f"the {name} holds counts (cells, latents, count figures of the text)")
        if len(set(refs)) != len(refs):
            dup = sorted({str(x) for x in refs if refs.count(x) > 1})
            raise ValueError(f"the same reference appears twice in the {name}: {dup}")
    return Relation(
        rid,
        rtype,
        None,
        (),
        (),
        descs[0],
        descs[1],
        figure=fig_ref,
        numerator=tuple(num),
        denominator=tuple(den),
        decimals=decimals,
        percent=float(fig.value),
    )


def _load_discrepancies(
    data: dict[str, Any], relation_ids: set[str], resolver: _Resolver, col: _Collector
) -> list[Discrepancy]:
    f = "discrepancies.toml"
    _check_keys(data, {"discrepancies"}, f, col)
    out = []
    seen: set[str] = set()
    for i, r in enumerate(data.get("discrepancies") or [], 1):
        if not isinstance(r, dict):
            col.add(f, "[[discrepancies]] entries must be tables", row=i)
            continue
        did = col.str_(r, "id", f, row=i)
        loc: dict[str, Any] = {"table": did or None, "row": i}
        _check_keys(r, {"id", "relations", "description", "description_en"}, f, col, **loc)
        if did in seen:
            col.add(f, f"duplicate discrepancy id {did!r}", field="id", **loc)
        seen.add(did)
        rels = col.str_list(r, "relations", f, required=True, **loc)
        if not rels:
            col.add(
                f,
                "'relations' must list at least one relation id or reference",
                field="relations",
                **loc,
            )
        canon = []
        for rel in rels:
            if rel in relation_ids:
                canon.append(rel)
                continue
            try:
                refs = resolver.resolve(rel, allow_pattern=False)
                canon.append(str(refs[0]))
            except _BrokenReferenceError:
                continue
            except ValueError as exc:
                col.add(
                    f,
                    f"{rel!r} is neither a relation id nor a valid reference ({exc})",
                    field="relations",
                    **loc,
                )
        out.append(
            Discrepancy(
                did,
                tuple(canon),
                col.str_(r, "description", f, **loc),
                col.str_(r, "description_en", f, **loc),
            )
        )
    return out
