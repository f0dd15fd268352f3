"""Build a new year from microdata: records -> tables -> protected edition -> package.

:func:`build` reads record-level input (CSV or Parquet, one file per record type of
:data:`opendata_mh.aggregation.RECORD_TYPES`), validates every record, counts every table that
has an ``[aggregation]`` section (:mod:`opendata_mh.aggregation`) for the built years, protects
the counts and writes them as an *edition* (``metadata/editions/<id>/``: ``edition.toml`` plus one
CSV of printed values per table), then regenerates the package from the metadata.

Steps and guarantees:

0. **Refuse an existing edition**: ``metadata/editions/<id>/`` must not exist
   (:class:`EditionExistsError`; build a new edition with another id, or remove it first).
1. **Read and validate** (pandas, vectorised). A bad record raises :class:`RecordError` naming
   the file, the line (header = line 1) and the field; nothing is written. Besides columns,
   years and codes: a record id column ``<type>_id`` (``victim_id``) must be unique and not
   empty, and a ``nationality`` must be a code of ``metadata/nationality_regions.csv`` whose
   region is the record's ``region`` (:data:`NATIONALITY_FILE`).
2. **Count** (numpy): each dimension field is factorised once, a record's joint index is counted
   with one ``bincount`` per table, and the distinct values are mapped to table codes with a
   membership matrix (multi-label fields ``a|b`` count once per code, ``all`` once per record).
3. **Protect.** Rounding tables (IND): round half up to the base. Threshold tables: counts
   1..n-1 are primary (``<5``); secondary suppression with :func:`opendata_mh.sdc.suppress`
   over every built cell of every threshold table and the relations of ``relations.toml``
   expanded for the new cells (latent totals enter as unknowns, conservatively known exactly
   when 0 and to be >= 1 otherwise). Suppressed cells that are not ``<5`` print
   :data:`~opendata_mh.model.SECONDARY_SYMBOL` (``x``): "not published; at least 1 (zeros are
   always shown)", a-priori interval [1, unknown] (``secondary_lower=1``). Because ``x`` does
   not imply >= n, a primary cell may be printed ``x`` instead of ``<5`` (*upgraded*,
   ``upgradable=primary``) when its ``<5`` would narrow another primary (a small total whose
   parts are all small); its own protection is then that the attacker cannot tell it is below
   n. Zeros are published, with one exception: **group protection** (:class:`SmallGroup`,
   :func:`group_plan`). A total of 1..n-1 whose breakdown is 0 everywhere but one category
   tells that every member shares that category (``audit.group-disclosure``); each table's
   ``sdc.group_protection`` says what the build does: ``breakdown`` (the victim tables) prints
   the whole breakdown ``x``, zeros included (``masked_zeros``: every ``x`` of such a table
   reads [0, inf), and each masked zero must keep an upper end >= 1, by secondary suppression
   that may mask zeros of linked ``breakdown`` tables too, ``zero_candidates``); ``total``
   prints the total and its one category ``x`` with an upgraded primary's protection; ``off``
   leaves it to the audit (the check below then refuses the build). What a printed ``x`` was
   (secondary suppression, upgraded primary or masked zero) is written nowhere: the edition
   CSV, the package (``cell_type = secondary``, CONF_STATUS ``D``) and the edition manifest
   show the same ``x`` for all; only the build's
   result (``audit.upgraded``, the operator's terminal) counts the upgrades.

   **Editions protected together** (``revision_model``): the new edition re-counts years the
   published package already printed, and a reader holds both. The suppression is chosen
   jointly with the published package (:func:`opendata_mh.sdc.protect_revision`): its cells
   and relations enter fixed, as the attacker reads them (:func:`opendata_mh.audit.
   published_problem`: a historic masked cell already given away enters as its audit
   interval), every revised cell is linked to its published version by the attacker's model
   of revisions, and secondary suppression is added in the new edition only (what was
   published never changes). ``monotone`` (default): late registrations only add, ``old <=
   new`` per cell; ``either``: a revision moves a cell by at most ``revision_bound`` either
   way; ``none``: the editions are taken as independent (protection alone). A revised cell
   whose published figure the new count contradicts (it went down under ``monotone``) is left
   out of the model, as a reader would (``contradicted``). The summary reports the cost of the
   joint protection beside protecting the new edition alone (``audit.revisions``: ``joint``,
   ``alone``: cells printed ``x`` and their total value, for the operator's terminal only).
4. **Audit and refuse**: the suppression's final audit must show every ``<5`` cell at its
   a-priori interval [1, n-1] and every upgraded cell with an upper end >= n; if no such
   pattern exists the build raises :class:`BuildError`. Every printed value is re-checked (no
   count 1..n-1, rounding tables multiples of the base); the merged metadata is loaded and the
   generated package gets the same full check as ``opendata-mh check`` (:data:`FULL_CHECKS`:
   schema, disclosure rules, relations, metadata, the Parquet twins and the disclosure audit of
   the whole merged package, historic cells included) in a temporary directory. Any error or
   warning raises :class:`BuildError` naming the findings, and nothing is written. This is how
   a historic masked cell is kept safe from the new edition: the audit accepts a historic cell's
   finding only while it gives away no more than its acknowledgement (an interval containing
   the acknowledged one, :mod:`opendata_mh.audit`); a *new* disclosure of a historic cell
   (nothing acknowledged, or narrower than acknowledged) refuses the build.
5. **Write atomically**: the edition directory is written to a temporary sibling and renamed
   into place; then the package is regenerated (itself atomic). If that fails the previous
   edition directory is restored.

Raw counts never reach the disk: the structural pass that expands the relations uses an
edition of zeros in a temporary copy of the metadata.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from opendata_mh import sdc
from opendata_mh.aggregation import ALL, MULTI_SEP, RECORD_TYPES, YEAR_FIELD, Aggregation
from opendata_mh.audit import audit_check, published_problem
from opendata_mh.errors import OpendataMhError
from opendata_mh.generate import GenerateResult, build_files, generate, write_atomic
from opendata_mh.lock import metadata_lock
from opendata_mh.model import (
    ACK_KEY_ENV,
    EDITION_MANIFEST,
    EDITIONS_DIR,
    GROUP_PROTECTIONS,
    ID_RE,
    PERIOD,
    SECONDARY_SYMBOL,
    CellRef,
    Metadata,
    PackageMeta,
    TableSpec,
    ack_key,
    is_masked,
    load_metadata,
)
from opendata_mh.parquet import parquet_check
from opendata_mh.report import Issue
from opendata_mh.sdc.rules import round_half_up
from opendata_mh.totals import load_specs as load_totals
from opendata_mh.validate import check as check_package
from opendata_mh.validate import read_package

Key = tuple[tuple[str, str], ...]

REVISION_MODELS = ("monotone", "either", "none")
"""The attacker's model of revisions between editions (``build(revision_model=...)``)."""

OLD_PREFIX = "published:"
"""Prefix of the published package's cells in the joint protection (distinct from the new)."""

FULL_CHECKS = (parquet_check, audit_check)
"""The extra checks of ``opendata-mh check`` (without ``--no-audit``): the built package must
pass exactly what ``check`` runs on it afterwards."""

NATIONALITY_FILE = "nationality_regions.csv"
"""``metadata/nationality_regions.csv``: ``nationality,region`` -- every nationality code a
record may carry (ISO 3166-1 alpha-2, lower case; ``zz`` unknown, ``xx`` stateless) and its
region code (the ``region`` code list). Used when a record type has both fields."""


class BuildError(OpendataMhError):
    """The build could not finish; nothing was written."""

    code = "build.failed"


class BuildUsageError(BuildError):
    """A bad option (CLI exit 2): ``option`` names it (``--edition``, ``--date``, ...); nothing
    was read or written."""

    code = "build.bad-option"

    def __init__(self, message: str, option: str | None = None) -> None:
        self.option = option
        super().__init__(message)


class EditionExistsError(BuildUsageError):
    """The edition directory exists already (a usage error: choose another ``edition`` id or
    remove the directory); nothing was written."""

    code = "build.edition-exists"

    def __init__(self, message: str) -> None:
        super().__init__(message, "--edition")


class EmptyInputError(BuildError):
    """An input has no records of the built year for a record type that the year needs (a
    failed export); refused unless the maintainer allows it (``allow_empty``)."""

    code = "build.empty-input"


class BuildInterruptedError(BuildError):
    """Ctrl-C (SIGINT). ``written`` says truthfully whether the edition and the package were
    written completely (the interrupt came during the write, which is finished first) or not
    at all."""

    code = "build.interrupted"

    def __init__(self, message: str, written: bool) -> None:
        self.written = written
        super().__init__(message)


class RecordError(BuildError):
    """A bad input record: ``file``, ``line`` (the header is line 1) and ``field``."""

    code = "build.bad-record"

    def __init__(self, file: str, line: int, field: str, message: str) -> None:
        self.file, self.line, self.field = file, line, field
        super().__init__(f"{file}, line {line}, field {field!r}: {message}; nothing was written")


# --------------------------------------------------------------------------------------------
# Reading and validating records
# --------------------------------------------------------------------------------------------


@dataclass
class Records:
    """The records of one type: ``frame`` (string columns, ``year`` as int64), ``file`` and the
    CSV line of each row (``line0 + row index``)."""

    type: str
    file: str
    frame: pd.DataFrame
    line0: int = 2


def _parse_input(spec: str | Path) -> list[tuple[str, Path]]:
    s = str(spec)
    if "=" in s and s.split("=", 1)[0] in RECORD_TYPES:
        rtype, path = s.split("=", 1)
        return [(rtype, Path(path))]
    p = Path(s)
    if p.is_dir():
        out = []
        for f in sorted(p.iterdir()):
            stem = f.name.split(".")[0]
            if stem in RECORD_TYPES and f.suffix in (".csv", ".parquet"):
                out.append((stem, f))
        if not out:
            raise BuildError(f"{p}: no <record type>.csv/.parquet files {list(RECORD_TYPES)}")
        return out
    stem = p.name.split(".")[0]
    if stem not in RECORD_TYPES:
        raise BuildError(
            f"{p}: cannot tell the record type; name the file <type>.csv/.parquet or pass "
            f"TYPE=PATH with TYPE one of {list(RECORD_TYPES)}"
        )
    return [(stem, p)]


def read_records(inputs: Iterable[str | Path]) -> dict[str, Records]:
    """Read every input (``TYPE=PATH``, a file named ``<type>.csv|.parquet``, or a directory of
    such files) into string columns. Raises :class:`BuildError` if unreadable."""
    out: dict[str, Records] = {}
    for spec in inputs:
        for rtype, path in _parse_input(spec):
            if rtype in out:
                raise BuildError(f"two inputs for record type {rtype!r}: {out[rtype].file}, {path}")
            try:
                if path.suffix == ".parquet":
                    df = pd.read_parquet(path)
                    df = df.astype({c: "string" for c in df.columns if c != YEAR_FIELD})
                    df = df.fillna("")
                else:
                    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
            except (OSError, ValueError) as exc:
                raise BuildError(f"cannot read {path}: {exc}") from exc
            out[rtype] = Records(rtype, str(path), df)
    return out


def _field_rules(meta: Metadata) -> dict[str, dict[str, tuple[bool, set[str] | None]]]:
    """record type -> field -> (multi, allowed values or None = any code)."""
    rules: dict[str, dict[str, tuple[bool, set[str] | None]]] = {}
    for t in meta.tables:
        a = t.aggregation
        if a is None:
            continue
        r = rules.setdefault(a.record, {})
        for d in a.dimensions:
            allowed: set[str] | None = None if d.top else set(d.record_values)
            multi, prev = r.get(d.field, (d.multi, set()))
            if prev is None or allowed is None:
                r[d.field] = (multi or d.multi, None)
            else:
                r[d.field] = (multi or d.multi, prev | allowed)
        for fld, vals in a.filter:
            multi, prev = r.get(fld, (False, set()))
            r[fld] = (multi, None if prev is None else prev | set(vals))
    return rules


def _read_nationalities(root: Path | None) -> dict[str, str] | None:
    """``nationality -> region`` from :data:`NATIONALITY_FILE`, or None when absent."""
    if root is None or not (root / NATIONALITY_FILE).is_file():
        return None
    path = root / NATIONALITY_FILE
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except (OSError, ValueError) as exc:
        raise BuildError(f"cannot read {path}: {exc}") from exc
    if list(df.columns) != ["nationality", "region"] or df["nationality"].duplicated().any():
        raise BuildError(f"{path}: want the header 'nationality,region' and one row per code")
    return dict(zip(df["nationality"], df["region"], strict=True))


def _check_ids(rec: Records) -> None:
    """``<type>_id`` (when the file has it) must be non-empty and unique: a record counted
    twice would raise every count it is in."""
    col = f"{rec.type}_id"
    if col not in rec.frame.columns:
        return
    ids = rec.frame[col]
    empty = (ids == "").to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise RecordError(rec.file, rec.line0 + i, col, "empty record id")
    dup = ids.duplicated(keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((ids == ids.iloc[i]).to_numpy())[0])
        raise RecordError(
            rec.file,
            rec.line0 + i,
            col,
            f"duplicate record id (the same as on line {rec.line0 + first}); every record "
            "must be counted once",
        )


def _check_nationality(rec: Records, regions: Mapping[str, str] | None) -> None:
    """``nationality`` must be a code of :data:`NATIONALITY_FILE` and, when the record has a
    ``region``, that code's region."""
    df = rec.frame
    if "nationality" not in df.columns:
        return
    if regions is None:
        raise BuildError(
            f"{rec.file} has nationalities but the metadata has no {NATIONALITY_FILE} to check "
            "them against"
        )
    nat = df["nationality"]
    known = nat.isin(list(regions)).to_numpy() | (nat == "").to_numpy()
    if not known.all():
        i = int(np.flatnonzero(~known)[0])
        raise RecordError(
            rec.file,
            rec.line0 + i,
            "nationality",
            f"{nat.iloc[i]!r} is not a nationality code of metadata/{NATIONALITY_FILE} "
            "(ISO 3166-1 alpha-2, lower case; zz unknown, xx stateless)",
        )
    if "region" not in df.columns:
        return
    want = nat.map(regions).fillna("")
    bad = ((want != df["region"]) & (nat != "")).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise RecordError(
            rec.file,
            rec.line0 + i,
            "region",
            f"{df['region'].iloc[i]!r} is not the region of nationality {nat.iloc[i]!r} "
            f"({want.iloc[i]!r} in metadata/{NATIONALITY_FILE})",
        )


def validate_records(
    meta: Metadata,
    records: Mapping[str, Records],
    year: int,
    nationality_regions: Mapping[str, str] | None = None,
    *,
    allow_empty: Collection[str] = (),
) -> None:
    """Check columns, years and values of every record type the tables need, unique record
    ids (``<type>_id``) and nationalities (a code of ``nationality_regions``, consistent with
    the record's region); raise :class:`RecordError` at the first bad record (file, line,
    field). A record type the tables need with no record of ``year`` (a header-only or
    failed export) raises :class:`EmptyInputError` unless it is in ``allow_empty``."""
    rules = _field_rules(meta)
    years: dict[str, set[int]] = {}
    for t in meta.tables:
        if t.aggregation is not None:
            years.setdefault(t.aggregation.record, set()).update(t.aggregation.years(year))
    for rtype in rules:
        if rtype not in records:
            raise BuildError(
                f"no input for record type {rtype!r} (needed by "
                f"{[t.id for t in meta.tables if t.aggregation and t.aggregation.record == rtype]})"
            )
    for rtype, rec in records.items():
        if rtype not in rules:
            continue
        df = rec.frame
        for col in (YEAR_FIELD, *rules[rtype]):
            if col not in df.columns:
                raise RecordError(rec.file, 1, col, "column missing from the header")
        yr = pd.to_numeric(df[YEAR_FIELD], errors="coerce")
        bad = yr.isna() | ~yr.isin(sorted(years[rtype]))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise RecordError(
                rec.file,
                rec.line0 + i,
                YEAR_FIELD,
                f"{df[YEAR_FIELD].iloc[i]!r} is not one of the built years {sorted(years[rtype])}",
            )
        df[YEAR_FIELD] = yr.astype("int64")
        if not (df[YEAR_FIELD] == year).any() and rtype not in allow_empty:
            raise EmptyInputError(
                f"{rec.file}: no {rtype!r} record of {year} ({len(df)} record(s) in all); an "
                "empty export would publish a year of zeros. If the year really has none, "
                f"say so with --allow-empty {rtype}; nothing was written"
            )
        for fld, (multi, allowed) in rules[rtype].items():
            codes, uniques = pd.factorize(df[fld], sort=False)
            for u_i, u in enumerate(uniques):
                parts = list(str(u).split(MULTI_SEP)) if multi else [str(u)]
                if u == "":
                    continue  # emptiness is checked per table (filter) below
                for x in parts:
                    ok = bool(ID_RE.match(x)) and (allowed is None or x in allowed)
                    if not ok:
                        i = int(np.flatnonzero(codes == u_i)[0])
                        what = f"one of {sorted(allowed)}" if allowed else "a code [a-z0-9_]+"
                        sep = f" (several separated by {MULTI_SEP!r})" if multi else ""
                        raise RecordError(rec.file, rec.line0 + i, fld, f"{x!r} is not {what}{sep}")
        _check_ids(rec)
        _check_nationality(rec, nationality_regions)
    for t in meta.tables:
        a = t.aggregation
        if a is None:
            continue
        rec = records[a.record]
        mask = _filter_mask(rec.frame, a)
        for d in a.dimensions:
            empty = mask & (rec.frame[d.field].to_numpy() == "")
            if empty.any():
                i = int(np.flatnonzero(empty)[0])
                raise RecordError(
                    rec.file, rec.line0 + i, d.field, f"empty, but table {t.id!r} counts it"
                )


def _filter_mask(df: pd.DataFrame, a: Aggregation) -> np.ndarray:
    mask = np.ones(len(df), dtype=bool)
    multi = {d.field: d.multi for d in a.dimensions}
    for fld, vals in a.filter:
        codes, uniques = pd.factorize(df[fld], sort=False)
        want = set(vals)
        hit = np.array(
            [
                bool(want & set(str(u).split(MULTI_SEP) if multi.get(fld, True) else [str(u)]))
                for u in uniques
            ],
            dtype=bool,
        )
        mask &= hit[codes] if len(uniques) else np.zeros(len(df), dtype=bool)
    return mask


# --------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------


def count_table(table: TableSpec, rec: Records, year: int) -> dict[Key, int]:
    """Every cell of ``table`` for the years its aggregation builds: key -> true count.

    Shapes: records R; per dimension i, U_i distinct values and K_i table codes (+1 ``all``);
    the joint count tensor is (years, U_1, ..., U_d), mapped to (years, K_1, ..., K_d).
    """
    a = table.aggregation
    assert a is not None
    df = rec.frame
    years = a.years(year)
    mask = _filter_mask(df, a) & df[YEAR_FIELD].isin(years).to_numpy()
    yidx = (df[YEAR_FIELD].to_numpy()[mask] - years[0]).astype(np.int64)
    idx = yidx
    shape = [len(years)]
    mats: list[np.ndarray] = []
    codes_of: list[list[str]] = []
    for d in a.dimensions:
        codes, uniques = pd.factorize(df[d.field].to_numpy()[mask], sort=True)
        u = [str(x) for x in uniques]
        idx = idx * max(len(u), 1) + codes
        shape.append(max(len(u), 1))
        tcodes = u if d.top is not None else list(d.codes)
        m = np.zeros((max(len(u), 1), len(tcodes) + 1), dtype=np.int64)
        for ui, val in enumerate(u):
            have = set(val.split(MULTI_SEP)) if d.multi else {val}
            for ci, c in enumerate(tcodes):
                if have & set(d.values_of(c)):
                    m[ui, ci] = 1
            m[ui, -1] = 1  # all: every record once
        mats.append(m)
        codes_of.append([*tcodes, ALL])
    flat = (
        np.bincount(idx, minlength=int(np.prod(shape)))
        if len(idx)
        else np.zeros(int(np.prod(shape)), dtype=np.int64)
    )
    tensor = flat.reshape(shape).astype(np.int64)
    for axis, m in enumerate(mats, 1):
        tensor = np.moveaxis(np.tensordot(tensor, m, axes=([axis], [0])), -1, axis)
    # top-n dimensions: the n most frequent codes of the last year (ties by code)
    keep: list[list[str]] = []
    for i, d in enumerate(a.dimensions):
        codes = codes_of[i][:-1]
        if d.top is not None:
            margin = tensor[-1]
            for j in range(len(a.dimensions)):
                if j != i:
                    margin = np.take(margin, [-1], axis=j)
            tot = margin.reshape(-1)[: len(codes)]
            order = sorted(range(len(codes)), key=lambda k: (-int(tot[k]), codes[k]))
            codes = [codes[k] for k in order[: d.top]]
        keep.append(codes)
    out: dict[Key, int] = {}
    for p in a.panels:
        periods: list[tuple[str, np.ndarray]]
        if p.period == "window":
            periods = [(a.window_period(year), tensor.sum(axis=0))]
        else:
            periods = [(str(y), tensor[k]) for k, y in enumerate(years)]
        axes = []
        for i, d in enumerate(a.dimensions):
            if d.dim in p.fixed:
                axes.append([ALL])
            else:
                axes.append(list(keep[i]) + ([ALL] if d.all else []))
        for period, grid in periods:
            for combo in _product(axes):
                pos = tuple(codes_of[i].index(c) for i, c in enumerate(combo))
                key = ((PERIOD, period), *zip(a_dims(a), combo, strict=True))
                out.setdefault(key, int(grid[pos]) if pos else int(grid))
    return out


def a_dims(a: Aggregation) -> list[str]:
    return [d.dim for d in a.dimensions]


def _product(axes: Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for ax in axes:
        out = [(*o, c) for o in out for c in ax]
    return out


# --------------------------------------------------------------------------------------------
# Protection
# --------------------------------------------------------------------------------------------


def _ref(table: str, key: Key) -> str:
    return str(CellRef("cell", table, key))


def _latent_values(
    meta: Metadata, values: dict[str, int], relations: Sequence[Any]
) -> dict[str, int]:
    """True values of the latent totals: from additive/identity relations whose other cells
    are known (to a fixpoint), else the least value every relation allows (conservative: a
    latent is an unknown for the attacker, who is given at most the knowledge that it is >= 1,
    or its value when it is 0).
    """
    known = dict(values)
    latents = {str(ref) for r in relations for ref in r.refs if ref.kind == "latent"}
    changed = True
    while changed:
        changed = False
        for r in relations:
            refs = [str(x) for x in r.refs]
            unknown = [x for x in refs if x not in known]
            if len(unknown) != 1 or unknown[0] not in latents:
                continue
            u = unknown[0]
            if r.type == "identity":
                known[u] = next(known[x] for x in refs if x in known)
            elif r.type == "additive":
                tot = str(r.total)
                parts = [str(p) for p in r.parts]
                if u == tot:
                    known[u] = sum(known[p] for p in parts)
                else:
                    known[u] = known[tot] - sum(known[p] for p in parts if p != u)
            else:
                continue
            changed = True
    for lat in sorted(latents - set(known)):
        lo = 0
        for r in relations:
            if r.total is not None and str(r.total) == lat:
                pv = [known.get(str(p), 0) for p in r.parts]
                if r.type == "subset":
                    lo = max(lo, sum(pv))
                elif pv:
                    lo = max(lo, max(pv))
        known[lat] = lo
    return {k: v for k, v in known.items() if k in latents}


@dataclass(frozen=True)
class SmallGroup:
    """A small group whose breakdown would put every member in one category (group, or
    attribute, disclosure): ``total`` is 1..n-1, ``category`` the one non-zero part of the
    exhaustive relation ``relation``, ``zeros`` its other parts; ``protection`` how the build
    protects it (:data:`~opendata_mh.model.GROUP_PROTECTIONS`)."""

    total: str
    category: str
    zeros: tuple[str, ...]
    relation: str
    protection: str


def _table_of(ref: str) -> str:
    return ref.split("/", 1)[0]


def group_protection(total: str, parts: Sequence[str], setting: Mapping[str, str]) -> str:
    """How a small group is protected, from the ``sdc.group_protection`` of its tables
    (``setting``: table id -> protection): ``breakdown`` when every part's table says so (the
    zeros become ``x``, which only such a table reads as [0, inf)); else ``total`` unless
    every table involved says ``off``."""
    tabs = {_table_of(p) for p in parts}
    if all(setting.get(t) == "breakdown" for t in tabs):
        return "breakdown"
    if all(setting.get(t) == "off" for t in tabs | {_table_of(total)}):
        return "off"
    return "total"


def _small_groups(
    rels: Sequence[Any],
    values: Mapping[str, int],
    printed: set[str],
    n: int,
    setting: Mapping[str, str] | None = None,
) -> list[SmallGroup]:
    """Every small group whose breakdown would put every member in one category: an
    exhaustive relation (additive, multilabel) whose total is 1..n-1 and whose parts are all 0
    but one (group, or attribute, disclosure; a breakdown over periods only is not one), with
    its protection (:func:`group_protection`; ``setting`` None: ``total`` everywhere). ONS and
    Eurostat guidance in the README ("Disclosure audit")."""
    out: list[SmallGroup] = []
    for r in rels:
        if r.type not in ("additive", "multilabel") or r.total is None:
            continue
        total, parts = str(r.total), [str(p) for p in r.parts]
        if total not in printed or not all(p in printed for p in parts) or len(parts) < 2:
            continue
        if not 1 <= values[total] < n:
            continue
        rest = [p for p in parts if values[p] != 0]
        if len(rest) != 1:
            continue
        tk = dict(r.total.key)
        differ = {k for p in r.parts for k, v in dict(p.key).items() if tk.get(k) != v}
        if differ <= {PERIOD}:
            continue
        mode = "total" if setting is None else group_protection(total, parts, setting)
        zeros = tuple(p for p in parts if p != rest[0])
        out.append(SmallGroup(total, rest[0], zeros, r.id, mode))
    return out


def group_plan(groups: Iterable[SmallGroup]) -> tuple[list[str], list[str], list[str]]:
    """What the build does for ``groups``: (forced upgrades: the total and the category of a
    ``total`` group, printed ``x`` with the protection of an upgraded primary; masked zeros:
    the zeros of a ``breakdown`` group, printed ``x``, a-priori [0, inf), protected so that no
    reader can prove them 0; shown ``x``: the category of a ``breakdown`` group, a primary
    printed ``x``, protected as a ``<n`` -- the stronger knowledge, so safe for the weaker).
    ``off`` groups: nothing (the audit reports them)."""
    forced: set[str] = set()
    zeros: set[str] = set()
    shown: set[str] = set()
    for g in groups:
        if g.protection == "total":
            forced |= {g.total, g.category}
        elif g.protection == "breakdown":
            zeros |= set(g.zeros)
            shown.add(g.category)
    return sorted(forced), sorted(zeros), sorted(shown - forced)


def _sdc_relations(rels: Sequence[Any]) -> list[sdc.LinearRelation]:
    out: list[sdc.LinearRelation] = []
    for r in rels:
        out += sdc.relation(
            r.type,
            r.id,
            total=str(r.total) if r.total is not None else None,
            parts=[str(p) for p in r.parts],
            cells=[str(c) for c in r.cells],
        )
    return out


@dataclass(frozen=True)
class TableBuild:
    """What the build publishes for one table: ``primary`` = cells printed ``<n``,
    ``secondary`` = cells printed ``x`` (secondary suppressions and upgraded primaries alike,
    as a reader of the package sees them), ``rounded`` = rounded figures."""

    id: str
    cells: int
    adds: tuple[str, ...]
    revises: tuple[str, ...]
    primary: int
    secondary: int
    rounded: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "cells": self.cells,
            "adds": list(self.adds),
            "revises": list(self.revises),
            "primary": self.primary,
            "secondary": self.secondary,
            "rounded": self.rounded,
        }


@dataclass(frozen=True)
class BuildResult:
    year: int
    edition: str
    version: str
    edition_dir: Path
    tables: tuple[TableBuild, ...]
    records: Mapping[str, int]
    written: bool
    package: GenerateResult | None
    seconds: Mapping[str, float] = field(default_factory=dict)
    audit: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    """For the maintainer: acknowledgements that name relations the new edition left out (the
    check reports them as ``audit.acknowledged-relation-lapsed``, info; update their
    ``relations`` in ``metadata/acknowledged_findings.toml`` when convenient)."""
    operator_values: Mapping[str, int] = field(default_factory=dict, repr=False)
    """Total true value of the secondary ``x`` cells, ``alone`` and ``joint`` (module
    docstring, step 3): empty unless it cannot reveal a cell (:func:`operator_cost`); never in
    :meth:`to_dict`, shown by ``render_build`` on an interactive terminal only."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "edition": self.edition,
            "version": self.version,
            "edition_dir": str(self.edition_dir),
            "written": self.written,
            "records": dict(self.records),
            "tables": [t.to_dict() for t in self.tables],
            "audit": dict(self.audit),
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "package": self.package.to_dict() if self.package else None,
            "warnings": list(self.warnings),
        }


def _edition_files(
    meta: Metadata,
    printed: Mapping[str, dict[Key, str]],
    *,
    edition: str,
    version: str,
    year: int,
    date: str,
    reference_dates: Mapping[str, str],
) -> tuple[dict[str, bytes], list[TableBuild]]:
    """The files of the edition directory (manifest + CSV per table) and a summary."""
    files: dict[str, bytes] = {}
    summary: list[TableBuild] = []
    manifest: dict[str, Any] = {
        "id": edition,
        "version": version,
        "date": dt.date.fromisoformat(date),
        "description": f"Jaar {year} toegevoegd uit microdata (opendata-mh build).",
        "description_en": f"Year {year} added from microdata (opendata-mh build); protected: "
        f"counts 1-4 as <5, other suppressed counts as {SECONDARY_SYMBOL} (at least 1; 0 or "
        "more in a table whose group protection is 'breakdown'), IND "
        "rounded to tens.",
        "years": [str(year)],
    }
    if reference_dates:
        manifest["sources"] = [
            {"id": sid, "reference_date": dt.date.fromisoformat(ref)}
            for sid, ref in sorted(reference_dates.items())
        ]
    tables: list[dict[str, Any]] = []
    for t in meta.tables:
        if t.id not in printed:
            continue
        cells = printed[t.id]
        existing = {c.key for c in t.cells}
        adds = sorted({k[0][1] for k in cells if k not in existing}, key=_pkey)
        revises = sorted({k[0][1] for k in cells if k in existing} - set(adds), key=_pkey)
        buf = StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([PERIOD, *t.dimensions, "value_printed"])
        for key, p in cells.items():
            w.writerow([v for _, v in key] + [p])
        files[f"{t.id}.csv"] = buf.getvalue().encode("utf-8")
        tables.append({"id": t.id, "file": f"{t.id}.csv", "adds": adds, "revises": revises})
        vals = list(cells.values())
        summary.append(
            TableBuild(
                t.id,
                len(cells),
                tuple(adds),
                tuple(revises),
                sum(is_masked(v) for v in vals),
                sum(v == SECONDARY_SYMBOL for v in vals),
                len(vals) if t.sdc.rule == "rounding" else 0,
            )
        )
    if tables:
        manifest["tables"] = tables
    # through the TOML writer, never string formatting: no option can inject a key
    files[EDITION_MANIFEST] = tomli_w.dumps(manifest).encode("utf-8")
    return files, summary


def _pkey(p: str) -> tuple[str, str]:
    return (p.split("-")[-1], p)


def _copy_metadata(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".*"))


def _metadata_with_edition(root: Path, dst: Path, eid: str, files: Mapping[str, bytes]) -> None:
    """A copy of the metadata ``root`` at ``dst`` with edition ``eid``'s ``files`` in place (an
    edition of that id replaced): what the build loads before it writes anything."""
    _copy_metadata(root, dst)
    edir = dst / EDITIONS_DIR / eid
    if edir.exists():
        shutil.rmtree(edir)
    edir.mkdir(parents=True)
    for rel, data in files.items():
        (edir / rel).write_bytes(data)


def _write_dir_atomic(files: Mapping[str, bytes], out: Path) -> Path | None:
    """Write ``files`` into ``out`` via a temporary sibling + rename; returns the path of the
    previous directory (kept aside, for a rollback) or ``None``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for rel, data in files.items():
            (tmp / rel).write_bytes(data)
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
            out.rename(old)
        tmp.rename(out)
        return old
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


EDITION_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
"""An edition id is a plain name: no path separator, no ``..``, at most 64 characters."""

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_edition_id(eid: str) -> str:
    """``eid`` if it is a plain name (:data:`EDITION_ID_RE`), else :class:`BuildUsageError`."""
    if not EDITION_ID_RE.fullmatch(eid) or ".." in eid:
        raise BuildUsageError(
            f"edition id {eid!r} is not a plain name (letters, digits, '_', '-', '.'; no path "
            "separator, no '..'): the edition is always metadata/editions/<id>/; nothing was "
            "read or written",
            "--edition",
        )
    return eid


def parse_date(value: str, option: str) -> dt.date:
    """``value`` as a calendar date ``YYYY-MM-DD``, else :class:`BuildUsageError` naming
    ``option``."""
    try:
        if not DATE_RE.fullmatch(value):
            raise ValueError("not YYYY-MM-DD")
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise BuildUsageError(
            f"{option}: {value!r} is not a date YYYY-MM-DD ({exc}); nothing was read or written",
            option,
        ) from None


def latest_year(meta: Metadata) -> int | None:
    """The latest year any table of the metadata has a cell for."""
    ends = [int(c.key[0][1].split("-")[-1]) for t in meta.tables for c in t.cells]
    return max(ends) if ends else None


def _check_year(meta: Metadata, year: int, today: dt.date, force: bool) -> None:
    if force:
        return
    if year > today.year:
        raise BuildUsageError(
            f"--year {year} is in the future (today is {today.isoformat()}); pass --force if "
            "this is really meant; nothing was written",
            "--year",
        )
    last = latest_year(meta)
    if last is not None and year > last + 1:
        raise BuildUsageError(
            f"--year {year} leaves a gap after the latest year of the package ({last}): the "
            f"years {last + 1}-{year - 1} would be missing; build them first or pass --force; "
            "nothing was written",
            "--year",
        )


@contextmanager
def _sigint_deferred() -> Iterator[list[int]]:
    """Within the block, Ctrl-C (SIGINT) is recorded instead of raised (main thread only), so
    that the write of the edition and the package (or its rollback) is never cut in half."""
    got: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield got
        return
    prev = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, lambda signum, frame: got.append(signum))
    try:
        yield got
    finally:
        signal.signal(signal.SIGINT, prev)


def revision_settings(
    package: PackageMeta, model: str | None, bound: int | None
) -> tuple[str, int]:
    """The attacker's model of revisions a build protects under: the one given, else the one the
    package states (``package.toml`` ``[revisions]``), which ``check`` audits the built package
    under; the bound under ``either`` likewise (10 when neither says)."""
    return (
        model if model is not None else package.revision_model,
        bound if bound is not None else (package.revision_bound or 10),
    )


def build(
    metadata_dir: str | Path,
    inputs: Sequence[str | Path],
    *,
    year: int,
    edition: str | None = None,
    out_dir: str | Path = "datapackage",
    dry_run: bool = False,
    date: str | None = None,
    reference_dates: Mapping[str, str] | None = None,
    check: bool = True,
    allow_empty: Collection[str] = (),
    force: bool = False,
    lock_timeout: float = 0.0,
    progress: Callable[[str], None] | None = None,
    revision_model: str | None = None,
    revision_bound: int | None = None,
) -> BuildResult:
    """Build ``year`` from ``inputs`` into an edition of ``metadata_dir`` and regenerate
    ``out_dir`` (module docstring). ``dry_run`` does everything but the writing.

    Args:
        metadata_dir: the metadata (``metadata/``); the edition goes to ``editions/<edition>/``.
        inputs: ``TYPE=PATH``, ``<type>.csv|.parquet`` files or directories of them.
        year: the new year (``aggregation.window`` tables also revise the years before it).
        edition: edition id (default ``str(year)``), a plain name (:data:`EDITION_ID_RE`); the
            package version becomes ``<edition>.1.0``.
        date: the edition date (``YYYY-MM-DD``; default today).
        reference_dates: source id -> reference date of the data (e.g. ``phoenix``).
        check: run ``validate.check`` on the generated package before writing (default).
        allow_empty: record types that may have no record of ``year`` (otherwise refused).
        force: accept a future year or date and a gap after the package's latest year.
        lock_timeout: seconds to wait for another build or generate on the same metadata.
        progress: called with a short line at each stage (``reading``, ``protecting``, ...).
        revision_model: the attacker's model of revisions (:data:`REVISION_MODELS`; module
            docstring; default: the package's ``[revisions] model``, :func:`revision_settings`):
            ``monotone``, ``either`` (within ``revision_bound``) or
            ``none`` (the new edition protected alone).
        revision_bound: the most a revision moves a cell under ``either`` (a count >= 0).

    Raises:
        BuildUsageError: a bad option (edition id, date, future year, gap), checked before any
        input is read. RecordError: a bad record (file, line, field). EmptyInputError: no
        records of the year for a needed record type. LockedError: another build holds the
        metadata. BuildInterruptedError: Ctrl-C (``written`` says whether the edition is complete).
        BuildError: anything else that stops the build. Nothing is written then.
    """
    eid = check_edition_id(edition if edition is not None else str(year))
    today = dt.date.today()
    day = parse_date(date, "--date") if date is not None else today
    refs: dict[str, str] = {}
    for sid, ref in (reference_dates or {}).items():
        if not ID_RE.fullmatch(sid):
            raise BuildUsageError(
                f"--reference-date: {sid!r} is not a source id; nothing was read or written",
                "--reference-date",
            )
        refs[sid] = parse_date(ref, "--reference-date").isoformat()
        if not force and dt.date.fromisoformat(refs[sid]) > today:
            raise BuildUsageError(
                f"--reference-date {sid}={ref} is in the future (today is {today.isoformat()}); "
                "pass --force if this is really meant; nothing was written",
                "--reference-date",
            )
    if not force and day > today:
        raise BuildUsageError(
            f"--date {date} is in the future (today is {today.isoformat()}); pass --force if "
            "this is really meant; nothing was written",
            "--date",
        )
    bad_types = sorted(set(allow_empty) - set(RECORD_TYPES))
    if bad_types:
        raise BuildUsageError(
            f"--allow-empty: {bad_types} not a record type {list(RECORD_TYPES)}", "--allow-empty"
        )
    if revision_model is not None and revision_model not in REVISION_MODELS:
        raise BuildUsageError(
            f"--revision-model: {revision_model!r} is not one of {list(REVISION_MODELS)}; "
            "nothing was read or written",
            "--revision-model",
        )
    if revision_bound is not None and revision_bound < 0:
        raise BuildUsageError(
            f"--revision-bound: {revision_bound} is negative; nothing was read or written",
            "--revision-bound",
        )
    say = progress or (lambda _line: None)
    try:
        with metadata_lock(metadata_dir, timeout=lock_timeout, what="build"):
            return _build(
                Path(metadata_dir),
                inputs,
                year=year,
                eid=eid,
                out_dir=out_dir,
                dry_run=dry_run,
                date=day.isoformat(),
                reference_dates=refs,
                check=check,
                allow_empty=allow_empty,
                force=force,
                today=today,
                say=say,
                revision_model=revision_model,
                revision_bound=revision_bound,
            )
    except KeyboardInterrupt:
        raise BuildInterruptedError("interrupted; nothing was written", written=False) from None


def _build(
    root: Path,
    inputs: Sequence[str | Path],
    *,
    year: int,
    eid: str,
    out_dir: str | Path,
    dry_run: bool,
    date: str,
    reference_dates: Mapping[str, str],
    check: bool,
    allow_empty: Collection[str],
    force: bool,
    today: dt.date,
    say: Callable[[str], None],
    revision_model: str | None = None,
    revision_bound: int | None = None,
) -> BuildResult:
    t0 = time.perf_counter()
    secs: dict[str, float] = {}
    if (root / EDITIONS_DIR / eid).exists():
        raise EditionExistsError(
            f"edition {eid} already exists ({root / EDITIONS_DIR / eid}); use --edition ID for "
            "a new edition or remove it; nothing was written"
        )
    say(f"reading the metadata and the input for {year}")
    meta = load_metadata(root)
    revision_model, revision_bound = revision_settings(meta.package, revision_model, revision_bound)
    version = f"{eid}.1.0"
    unknown_src = sorted(set(reference_dates) - {s.id for s in meta.package.sources})
    if unknown_src:
        raise BuildUsageError(
            f"--reference-date: {unknown_src} not a source of metadata/package.toml "
            f"({[s.id for s in meta.package.sources]}); nothing was written",
            "--reference-date",
        )
    _check_year(meta, year, today, force)
    records = read_records(inputs)
    secs["read"] = time.perf_counter() - t0
    validate_records(meta, records, year, _read_nationalities(root), allow_empty=allow_empty)
    secs["validate"] = time.perf_counter() - t0 - secs["read"]
    t1 = time.perf_counter()
    counts: dict[str, dict[Key, int]] = {}
    for t in meta.tables:
        if t.aggregation is not None and t.available:
            counts[t.id] = count_table(t, records[t.aggregation.record], year)
    secs["count"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    # one edition description for both passes (same date even across midnight)
    edition_kw: dict[str, Any] = {
        "edition": eid,
        "version": version,
        "year": year,
        "date": date,
        "reference_dates": reference_dates,
    }
    # structural pass: relations expanded for the new cells (printed zeros, no counts on disk)
    with tempfile.TemporaryDirectory(prefix="opendata-mh-build-") as tmpd:
        mroot = Path(tmpd) / "metadata"
        zero = {tid: dict.fromkeys(c, "0") for tid, c in counts.items()}
        files, _ = _edition_files(meta, zero, **edition_kw)
        _metadata_with_edition(root, mroot, eid, files)
        smeta = load_metadata(mroot)
    built = {
        _ref(tid, k): v for tid, c in counts.items() for k, v in c.items()
    }  # true values, in memory only
    thr_tables = {t.id: t for t in meta.tables if t.sdc.rule == "threshold" and t.id in counts}
    thresholds = {t.sdc.threshold or 5 for t in thr_tables.values()}
    if len(thresholds) > 1:
        raise BuildError(f"tables with different thresholds {sorted(thresholds)} (unsupported)")
    n = thresholds.pop() if thresholds else 5
    thr_refs = {_ref(tid, k) for tid in thr_tables for k in counts[tid]}
    rels = []
    for r in smeta.relations:
        refs = [str(x) for x in r.refs]
        cells = [x for x in r.refs if x.kind == "cell"]
        if not cells or not all(str(c) in thr_refs for c in cells):
            continue
        if any(x.kind == "text" for x in r.refs):
            continue
        rels.append(r)
        del refs
    latents = _latent_values(smeta, built, rels)
    values = {k: built[k] for k in sorted(thr_refs)} | latents
    primary = [k for k in sorted(thr_refs) if 1 <= values[k] < n]  # printed cells only
    # latents are unknowns: >= 1 (the x convention) unless 0, which the attacker gets exactly
    init_sec = [k for k, v in latents.items() if v >= 1]
    lin = _sdc_relations(rels)
    setting = {tid: t.sdc.group_protection or "total" for tid, t in thr_tables.items()}
    groups = _small_groups(rels, values, thr_refs, n, setting)
    forced, masked_zeros, shown_x = group_plan(groups)
    # with a 'breakdown' group to protect, the zeros of the 'breakdown' tables may become x
    # too (they read [0, inf) there): a masked zero pinned by a zero of a linked table moves
    zero_cand = (
        [k for k in sorted(thr_refs) if values[k] == 0 and setting[_table_of(k)] == "breakdown"]
        if masked_zeros
        else []
    )
    protection = "apriori"
    say(f"protecting {year}: {len(thr_refs)} cells, {len(rels)} relations")
    try:
        res = sdc.suppress(
            values,
            lin,
            threshold=n,
            primary=primary,
            cost="value",
            candidates=sorted(thr_refs),
            initial_secondary=init_sec,
            secondary_lower=1,
            upgradable=primary,
            forced_upgrades=forced,
            masked_zeros=masked_zeros,
            zero_candidates=zero_cand,
        )
    except sdc.SDCError as exc:
        raise BuildError(f"secondary suppression failed: {exc}; nothing was written") from exc
    alone = _cost(res, thr_refs, shown_x)
    alone_sec = _secondaries(res, thr_refs)
    joint_sec: list[str] | None = None
    joint_info: dict[str, Any] = {"model": revision_model, "alone": alone}
    if revision_model != "none":
        joint = _protect_jointly(
            meta,
            values,
            lin,
            thr_refs,
            n=n,
            primary=primary,
            init_sec=init_sec,
            forced=forced,
            masked_zeros=masked_zeros,
            zero_candidates=zero_cand,
            model=revision_model,
            bound=revision_bound,
            say=say,
        )
        if joint is not None:
            jres, pairs, contradicted = joint
            res = jres
            joint_info |= {
                "revised_cells": pairs,
                "contradicted": contradicted,
                "joint": _cost(res, thr_refs, shown_x),
            }
            joint_sec = _secondaries(res, thr_refs)
            if revision_model == "either":
                joint_info["bound"] = revision_bound
    secs["protect"] = time.perf_counter() - t2
    unprotected = res.audit.unprotected()
    if unprotected:  # pragma: no cover - suppress() guarantees this
        raise BuildError(f"the audit finds unprotected cells {[u.cell_id for u in unprotected]}")
    # secondary suppressions, upgraded primaries, masked zeros and the categories of
    # 'breakdown' groups: the same x
    as_x = set(res.secondary) | set(res.upgraded) | set(shown_x)
    printed: dict[str, dict[Key, str]] = {}
    for tid, c in counts.items():
        t = meta.table(tid)
        out: dict[Key, str] = {}
        for k, v in c.items():
            ref = _ref(tid, k)
            if t.sdc.rule == "rounding":
                out[k] = str(round_half_up(v, t.sdc.base or 10))
            elif ref in as_x:  # secondary suppression or upgraded primary: the same x
                out[k] = SECONDARY_SYMBOL
            elif 1 <= v < n:
                out[k] = f"<{n}"
            else:
                out[k] = str(v)
        printed[tid] = out
    _refuse_unprotected(meta, printed, n)
    files, summary = _edition_files(meta, printed, **edition_kw)
    # the merged metadata must load and the package must pass the check
    say("checking the built package")
    t3 = time.perf_counter()
    warnings: tuple[str, ...] = ()
    with tempfile.TemporaryDirectory(prefix="opendata-mh-build-") as tmpd:
        mroot = Path(tmpd) / "metadata"
        _metadata_with_edition(root, mroot, eid, files)
        merged = load_metadata(mroot)
        if check:
            pkg_dir = Path(tmpd) / "datapackage"
            write_atomic(build_files(merged, load_totals(mroot), metadata_dir=mroot), pkg_dir)
            report = check_package(pkg_dir, extra_checks=FULL_CHECKS)
            if not report.ok:
                new_cells = {_ref(tid, k) for tid, c in printed.items() for k in c}
                raise BuildError(_check_failure(report.issues, new_cells))
            warnings = tuple(
                i.message for i in report.issues if i.code == "audit.acknowledged-relation-lapsed"
            )
            if merged.acknowledged_findings and ack_key() is None:
                warnings += (
                    f"{ACK_KEY_ENV} is not set: the historic acknowledgements were matched by "
                    "cell and code only, so a historic cell given away more narrowly than "
                    "acknowledged would not have been caught; build with the key",
                )
    secs["check"] = time.perf_counter() - t3
    audit_summary = {
        "primary": sum(c in thr_refs for c in res.primary),
        "secondary": sum(c in thr_refs for c in res.secondary),  # printed x, latents not
        "upgraded": sum(c in thr_refs for c in res.upgraded),
        "groups_protected": sum(g.protection != "off" for g in groups),
        "groups": {m: sum(g.protection == m for g in groups) for m in GROUP_PROTECTIONS},
        "masked_zeros": sum(c in thr_refs for c in masked_zeros),
        "group_categories": sum(c in thr_refs for c in shown_x),
        "unprotected": len(unprotected),
        "relations": len(rels),
        "latent": len(latents),
        "protection": protection,
        "revisions": joint_info,
    }
    written = False
    gen: GenerateResult | None = None
    target = root / EDITIONS_DIR / eid
    if not dry_run:
        say(f"writing {target} and {out_dir}")
        had_editions_dir = target.parent.exists()
        old = None  # the edition did not exist (refused above); kept for a rollback anyway
        with _sigint_deferred() as interrupted:
            try:
                old = _write_dir_atomic(files, target)
                gen = generate(root, out_dir)
            except BaseException:  # an error: take the edition out again (Ctrl-C waits)
                shutil.rmtree(target, ignore_errors=True)
                if old is not None:
                    old.rename(target)
                elif not had_editions_dir:
                    shutil.rmtree(target.parent, ignore_errors=True)
                raise
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        written = True
        if interrupted:
            raise BuildInterruptedError(
                f"interrupted while writing; the write was finished first: edition {eid} is "
                f"complete in {target} and the package {out_dir} is regenerated (check it with "
                "'opendata-mh check')",
                written=True,
            )
    secs["total"] = time.perf_counter() - t0
    return BuildResult(
        year=year,
        edition=eid,
        version=version,
        edition_dir=target,
        tables=tuple(summary),
        records={k: len(v.frame) for k, v in records.items()},
        written=written,
        package=gen,
        seconds=secs,
        audit=audit_summary,
        warnings=warnings,
        operator_values=operator_cost(values, alone=alone_sec, joint=joint_sec, n=n),
    )


def _cost(
    res: sdc.SuppressionResult, printed: Collection[str], shown: Collection[str] = ()
) -> dict[str, int]:
    """What a suppression costs in the new edition: cells printed ``x`` (secondary
    suppressions, upgraded primaries, masked zeros, ``shown`` primaries). No value:
    :func:`operator_cost`."""
    return {"cells": sum(c in printed for c in {*res.secondary, *res.upgraded, *shown})}


def _secondaries(res: sdc.SuppressionResult, printed: Collection[str]) -> list[str]:
    return [c for c in res.secondary if c in printed]


def operator_cost(
    values: Mapping[str, int],
    *,
    alone: Collection[str],
    joint: Collection[str] | None = None,
    n: int = 5,
) -> dict[str, int]:
    """The total true value of the secondary cells ``alone`` (and ``joint``), for an
    operator's terminal, or ``{}`` when it could reveal a cell: a total over fewer than ``n``
    cells (one cell's total is its count), or two totals whose patterns differ in 1..n-1 cells
    (their difference is the value of those cells)."""
    pats = {"alone": set(alone)} | ({"joint": set(joint)} if joint is not None else {})
    if any(len(p) < n for p in pats.values()):
        return {}
    if joint is not None and 0 < len(pats["alone"] ^ pats["joint"]) < n:
        return {}
    return {k: int(sum(values[c] for c in p)) for k, p in pats.items()}


def _protect_jointly(
    meta: Metadata,
    values: Mapping[str, int],
    lin: Sequence[sdc.LinearRelation],
    thr_refs: Collection[str],
    *,
    n: int,
    primary: Sequence[str],
    init_sec: Sequence[str],
    forced: Sequence[str],
    masked_zeros: Sequence[str] = (),
    zero_candidates: Sequence[str] = (),
    model: str,
    bound: int,
    say: Callable[[str], None],
) -> tuple[sdc.SuppressionResult, int, int] | None:
    """The new edition protected jointly with the published package (module docstring), or
    ``None`` when it revises no published cell. Returns the joint suppression, the number of
    revised cells and of those left out of the model (contradicted)."""
    with tempfile.TemporaryDirectory(prefix="opendata-mh-build-") as tmpd:
        pub = Path(tmpd) / "published"
        write_atomic(build_files(meta), pub)
        old_cells, old_rows = published_problem(read_package(pub), OLD_PREFIX)
    old_ids = {c.id for c in old_cells}
    pairs = [(OLD_PREFIX + c, c) for c in sorted(thr_refs) if OLD_PREFIX + c in old_ids]
    if not pairs:
        return None
    old_cells, old_rows = _component(old_cells, old_rows, {o for o, _ in pairs})
    lo, hi = (0, None) if model == "monotone" else (-bound, bound)
    say(f"protecting jointly with the published package: {len(pairs)} revised cells ({model})")
    try:
        rev = sdc.protect_revision(
            dict(values),
            lin,
            old_cells,
            old_rows,
            pairs,
            threshold=n,
            primary=primary,
            min_change=lo,
            max_change=hi,
            cost="value",
            candidates=sorted(thr_refs),
            initial_secondary=init_sec,
            forced_upgrades=forced,
            masked_zeros=masked_zeros,
            zero_candidates=zero_candidates,
            drop_contradicted=True,
        )
    except sdc.SDCError as exc:
        raise BuildError(
            f"joint protection with the published package failed: {exc}; nothing was written"
        ) from exc
    return rev.joint, len(pairs), len(rev.contradicted)


def _component(
    cells: Sequence[sdc.Cell], rows: Sequence[sdc.LinearRelation], seeds: set[str]
) -> tuple[list[sdc.Cell], list[sdc.LinearRelation]]:
    """The cells and rows connected to ``seeds`` through shared rows: the rest of the
    published package never meets the new edition (an exact reduction of the joint problem)."""
    of: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        for c in r.coeffs:
            of.setdefault(str(c), []).append(i)
    seen, todo, used = set(seeds), list(seeds), set()
    while todo:
        c = todo.pop()
        for i in of.get(c, ()):
            if i in used:
                continue
            used.add(i)
            for d in map(str, rows[i].coeffs):
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
    return [c for c in cells if c.id in seen], [r for i, r in enumerate(rows) if i in used]


def _check_failure(issues: Sequence[Issue], new_cells: set[str]) -> str:
    """Why the built package fails its check: the failing findings, audit findings of cells
    of earlier editions explained as what they are (the new edition gives a historic cell away)."""
    bad = [i for i in issues if i.severity in ("error", "warning")]
    audit_codes = ("audit.exact-disclosure", "audit.narrowed")
    historic = [
        i for i in bad if i.code in audit_codes and i.message.split(" ", 1)[0] not in new_cells
    ]
    lines = [f"the built package fails the check that 'opendata-mh check' runs ({len(bad)} "]
    lines[0] += "finding(s)); nothing was written"
    if historic:
        lines.append(
            f"{len(historic)} of them give away masked cells of earlier editions (historic "
            "publications) beyond what acknowledged_findings.toml accepts: the new edition "
            "would disclose them (through the relations named below). A historic publication "
            "cannot be changed and a new disclosure is not acknowledged after the fact: the new "
            "edition must not be published this way"
        )
    lines += [f"  - {i.code} ({i.location()}): {i.message}" for i in bad[:10]]
    if len(bad) > 10:
        lines.append(f"  ... and {len(bad) - 10} more ('opendata-mh check' on a --dry-run copy)")
    return "\n".join(lines)


def _refuse_unprotected(meta: Metadata, printed: Mapping[str, dict[Key, str]], n: int) -> None:
    """Last line of defence: no printed count 1..n-1, rounding tables multiples of the base."""
    for tid, cells in printed.items():
        t = meta.table(tid)
        for key, p in cells.items():
            if not p.isdigit():
                continue
            v = int(p)
            if t.sdc.rule == "threshold" and 1 <= v < n:
                raise BuildError(f"refusing to write {tid} {dict(key)}: unprotected small count")
            if t.sdc.rule == "rounding" and v % (t.sdc.base or 10):
                raise BuildError(f"refusing to write {tid} {dict(key)}: not rounded")


__all__ = [
    "FULL_CHECKS",
    "NATIONALITY_FILE",
    "BuildError",
    "BuildInterruptedError",
    "BuildResult",
    "BuildUsageError",
    "EditionExistsError",
    "EmptyInputError",
    "RecordError",
    "Records",
    "SmallGroup",
    "TableBuild",
    "build",
    "check_edition_id",
    "count_table",
    "group_plan",
    "group_protection",
    "latest_year",
    "operator_cost",
    "parse_date",
    "read_records",
    "round_half_up",
    "validate_records",
]
