#!/usr/bin/env python3
"""Realistic synthetic microdata for one year, consistent with the published 2019-2023 margins.

Writes one file per record type (``victim``, ``investigation``, ``suspect``, ``om_case``,
``court_case``, ``ind_reflection``, ``ind_permit``) as CSV and/or Parquet into ``--out``
(default ``data/raw/<year>/``, git-ignored: raw input is never committed). Nothing here is real:
every record is drawn, with a seed, from the 2023 figures of the committed package
(``datapackage/data/*.csv``): victims by form, by region/age/sex/reporter per form, sectors,
the top-10 nationalities; EMM investigations and suspects; IND figures; and the Phoenix tables
per year, for the five-year window of the court and prosecution tables. Masked cells (``<5``)
are drawn as 2; rounded figures as printed. Counts are perturbed by +-10% (``--perturb``).

The years before the new one are *revised* (a Phoenix extract re-counts them). How
(``--revisions``):

* ``add`` (default): the way late registrations revise a year -- records are only added.
  Every published cell of a revised year keeps at least its published count (a masked cell at
  least its upper bound, 4 for ``<5``: every table consistent with the published figures lies
  below), the records are made to match those counts per field, and a few late registrations
  (about 3 %, ``LATE_SHARE``) are added on top. So ``old <= new`` holds per cell: the data
  of the monotone revision model (``opendata-mh build``, the default ``--revision-model``).
* ``redraw``: each revised year is drawn again from its published distribution with the
  count perturbed +-10 %, so cells go up and down: data for ``--revision-model either``.

Example::

    python scripts/make_synthetic_microdata.py --year 2024 --seed 1
    python scripts/make_synthetic_microdata.py --year 2024 --revisions redraw
    python scripts/make_synthetic_microdata.py --year 2024 --rows 1000000 --format parquet

Multi-valued fields (forms, sectors, reporters) hold codes separated by ``|``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from opendata_mh.csvfile import with_long_columns

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "datapackage" / "data"
REF_YEAR = "2023"
REVISIONS = ("add", "redraw")
LATE_SHARE = 0.03
"""Late registrations added to a revised year (``--revisions add``), as a share of its count."""
TOP10 = ["nl", "ro", "ug", "ng", "es", "co", "br", "bg", "ve", "sl"]
# nationalities outside the top 10, by region (each kept small)
OTHER_NAT = {
    "europe": ["pl", "hu", "ua", "lt", "lv", "sk", "cz", "pt", "it", "gr", "md", "al"],
    "africa": ["er", "gh", "gn", "cm", "ci", "et", "so", "ma", "eg", "ke", "sd", "ly"],
    "asia": ["cn", "in", "vn", "th", "ph", "id", "pk", "af", "sy", "ir", "tr", "bd"],
    "latin_america": ["do", "pe", "ec", "mx", "ar", "sr", "cu", "py", "bo", "cl"],
    "other": ["us", "au", "ca"],
    "unknown": ["zz"],
}


def _rows(name: str) -> list[dict[str, str]]:
    """The rows of a table CSV of the package, with ``period`` and ``value_printed`` as the
    commands read them (derived from the year columns, ``cell_type`` and the bounds)."""
    with (PKG / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return [with_long_columns(r) for r in csv.DictReader(fh)]


def _val(r: Mapping[str, str]) -> float:
    """A published cell as a count: exact/rounded value, masked -> 2, range -> middle."""
    if r["value"]:
        return float(r["value"])
    lo, up = r["value_lower"], r["value_upper"]
    if r["cell_type"] == "masked":
        return 2.0
    return (float(lo) + float(up or lo)) / 2


def _upper(r: Mapping[str, str]) -> int:
    """The most a published cell can be: its value, else the upper end of its interval (4
    for ``<5``); an open interval (``x``) as :func:`_val`."""
    if r["value"]:
        return round(float(r["value"]))
    if r["value_upper"]:
        return int(float(r["value_upper"]))
    return round(_val(r))


def _published(name: str, dim: str, period: str, **fixed: str) -> dict[str, int] | None:
    """Per code of ``dim``: the most the published cell of ``period`` can be (:func:`_upper`);
    ``None`` when the package has no such period (a year never published)."""
    out: dict[str, int] = {}
    for r in _rows(name):
        if r["period"] != period or any(r[k] != v for k, v in fixed.items()) or r[dim] == "all":
            continue
        out[r[dim]] = out.get(r[dim], 0) + _upper(r)
    return out or None


def _late_field(
    rng: np.random.Generator, floor: Mapping[str, int], dist: Mapping[str, float], n: int
) -> np.ndarray:
    """``n`` labels, every code at least ``floor[code]`` times (the published counts), the rest
    drawn from ``dist``; shuffled."""
    base = [c for c, k in floor.items() for _ in range(k)]
    extra = list(_choice(rng, dist, n - len(base))) if n > len(base) else []
    out = np.array(base + extra, dtype=object)
    rng.shuffle(out)
    return out


def _revised_year(
    rng: np.random.Generator,
    fields: Mapping[str, tuple[dict[str, int], dict[str, float]]],
    n_floor: int,
    optional: Mapping[str, float] | None = None,
) -> dict[str, np.ndarray]:
    """Records of a revised year that only add to the published one: ``fields`` maps each
    field to (published counts as floors, distribution of the rest); ``optional`` maps a field
    that may be empty (a case not yet disposed) to the share of records that have it."""
    opt = dict(optional or {})
    n0 = max(
        [n_floor, *(sum(f.values()) for k, (f, _) in fields.items() if k not in opt)],
        default=n_floor,
    )
    for k in opt:  # an optional field's floors fit in the records too
        n0 = max(n0, sum(fields[k][0].values()))
    n = n0 + int(rng.binomial(n0, LATE_SHARE))
    out: dict[str, np.ndarray] = {}
    for k, (floor, dist) in fields.items():
        if k in opt:
            base = sum(floor.values())
            have = base + int(rng.binomial(n - base, opt[k])) if n > base else base
            labels = list(_late_field(rng, floor, dist, have)) + [""] * (n - have)
            arr = np.array(labels, dtype=object)
            rng.shuffle(arr)
            out[k] = arr
        else:
            out[k] = _late_field(rng, floor, dist, n)
    return out


def _dist(name: str, dim: str, period: str = REF_YEAR, **fixed: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for r in _rows(name):
        if r["period"] != period or any(r[k] != v for k, v in fixed.items()):
            continue
        if r[dim] == "all":
            continue
        out[r[dim]] = out.get(r[dim], 0.0) + _val(r)
    return out


def _choice(rng: np.random.Generator, dist: Mapping[str, float], n: int) -> np.ndarray:
    keys = list(dist)
    p = np.array([max(dist[k], 0.0) for k in keys], dtype=float)
    if p.sum() <= 0:
        p = np.ones(len(keys))
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _perturb(rng: np.random.Generator, x: float, rel: float) -> int:
    return max(0, round(x * (1 + rng.uniform(-rel, rel))))


def _add_second(
    rng: np.random.Generator, first: np.ndarray, options: Mapping[str, Sequence[str]], p: float
) -> np.ndarray:
    """Append a second label to a share ``p`` of the records (multi-label fields)."""
    out = first.astype(object).copy()
    hit = rng.random(len(first)) < p
    for code, extra in options.items():
        idx = np.flatnonzero(hit & (first == code))
        if len(idx) and extra:
            pick = np.array(extra, dtype=object)[rng.integers(0, len(extra), len(idx))]
            out[idx] = np.array([f"{a}|{b}" for a, b in zip(first[idx], pick, strict=True)])
    return out


def victims(rng: np.random.Generator, year: int, n: int) -> pd.DataFrame:
    forms = _dist("victims_by_form", "form")
    primary = _choice(rng, forms, n)
    form_group = {
        "sexual_domestic": "sexual",
        "sexual_international": "sexual",
        "labour": "labour",
        "criminal": "criminal",
        "organ_removal": "other_unknown",
        "unknown": "other_unknown",
    }
    age_form = {
        "sexual_domestic": "sexual_domestic",
        "sexual_international": "sexual_international",
        "labour": "labour",
        "criminal": "criminal",
        "organ_removal": "other_unknown",
        "unknown": "other_unknown",
    }
    region = np.empty(n, dtype=object)
    age = np.empty(n, dtype=object)
    sex = np.empty(n, dtype=object)
    reporter = np.empty(n, dtype=object)
    sex_unknown_share = 11 / 868
    for f in forms:
        idx = np.flatnonzero(primary == f)
        if not len(idx):
            continue
        reg = _dist("victims_by_region", "region", form=form_group[f])
        if form_group[f] == "sexual":
            reg.pop("unknown", None)  # table 3 has no unknown region for sexual exploitation
        region[idx] = _choice(rng, reg, len(idx))
        age[idx] = _choice(rng, _dist("victims_by_age", "age_group", form=age_form[f]), len(idx))
        sx = _dist("victims_by_sex", "sex", form=age_form[f])
        tot = sum(sx.values())
        sx["unknown"] = tot * sex_unknown_share
        sex[idx] = _choice(rng, sx, len(idx))
        reporter[idx] = _choice(
            rng, _dist("victims_by_reporter", "reporter", form=age_form[f]), len(idx)
        )
    forms_v = _add_second(
        rng,
        primary,
        {
            "sexual_domestic": ["sexual_international", "criminal"],
            "sexual_international": ["sexual_domestic"],
            "labour": ["criminal"],
            "criminal": ["labour", "sexual_domestic"],
        },
        0.06,
    )
    reporters = _add_second(
        rng,
        reporter,
        {"police": ["care_coordinators", "other"], "kmar": ["police"], "nla": ["fairwork"]},
        0.08,
    )
    # table 3 counts sexual exploitation by region without an unknown region
    sexual_any = np.array(["sexual_" in f for f in forms_v], dtype=bool)
    region[sexual_any & (region == "unknown")] = "europe"
    # nationality from the region: top-10 shares within their region, small others
    top = _dist("top10_nationalities", "nationality", form="all")
    nat = np.empty(n, dtype=object)
    regs = {
        "netherlands": ["nl"],
        "europe": ["ro", "es", "bg"],
        "africa": ["ug", "ng", "sl"],
        "latin_america": ["co", "br", "ve"],
        "asia": [],
        "other": [],
        "unknown": [],
    }
    reg_tot = _dist("victims_by_region", "region", form="all", period=REF_YEAR)
    for reg, codes in regs.items():
        idx = np.flatnonzero(region == reg)
        if not len(idx):
            continue
        d = {c: top[c] for c in codes}
        rest = max(reg_tot.get(reg, 1.0) - sum(d.values()), 1.0) if reg != "netherlands" else 0
        others = OTHER_NAT.get(reg, [])
        for o in others:
            d[o] = rest / len(others)
        nat[idx] = _choice(rng, d, len(idx))
    # sectors
    sec_s = _dist("sexual_exploitation_by_sector_region", "sector_sexual")
    sec_l = _dist("labour_exploitation_by_sector", "sector_labour")
    is_sexual = np.array(["sexual_" in f for f in forms_v], dtype=bool)
    is_labour = np.array(["labour" in f for f in forms_v], dtype=bool)
    s_s = np.full(n, "", dtype=object)
    s_s[is_sexual] = _choice(rng, sec_s, int(is_sexual.sum()))
    s_s = _add_second(
        rng,
        s_s,
        {
            c: [x for x in sec_s if x not in (c, "unknown_only", "not_yet_worked_only")]
            for c in sec_s
            if c not in ("unknown_only", "not_yet_worked_only")
        },
        0.1,
    )
    s_l = np.full(n, "", dtype=object)
    s_l[is_labour] = _choice(rng, sec_l, int(is_labour.sum()))
    s_l = _add_second(
        rng,
        s_l,
        {
            c: [x for x in sec_l if x not in (c, "unknown_not_yet_worked_only")]
            for c in sec_l
            if c != "unknown_not_yet_worked_only"
        },
        0.05,
    )
    return pd.DataFrame(
        {
            "victim_id": [f"V{year}-{i:07d}" for i in range(n)],
            "year": year,
            "forms": forms_v,
            "sectors_sexual": s_s,
            "sectors_labour": s_l,
            "region": region,
            "nationality": nat,
            "age_group": age,
            "sex": sex,
            "reporters": reporters,
        }
    )


def _per_year(
    rng: np.random.Generator, name: str, dim: str, years: Sequence[int], rel: float, **fixed: str
) -> list[tuple[int, dict[str, float]]]:
    out = []
    for y in years:
        period = str(min(y, int(REF_YEAR)) if y <= int(REF_YEAR) else int(REF_YEAR))
        d = _dist(name, dim, period=period, **fixed)
        out.append((y, {k: float(_perturb(rng, v, rel)) for k, v in d.items()}))
    return out


def simple(
    rng: np.random.Generator, name: str, dim: str, field: str, year: int, rel: float
) -> pd.DataFrame:
    d = _dist(name, dim)
    rows = []
    for code, v in d.items():
        rows += [code] * _perturb(rng, v, rel)
    return pd.DataFrame({"year": year, field: rows})


def investigations(rng: np.random.Generator, year: int, rel: float) -> pd.DataFrame:
    d = _dist("investigations_by_form", "form")
    n = _perturb(rng, 174, rel)
    first = _choice(rng, d, n)
    forms = _add_second(
        rng, first, {"sexual": ["labour", "criminal"], "labour": ["criminal"]}, 0.08
    )
    return pd.DataFrame(
        {"investigation_id": [f"I{year}-{i}" for i in range(n)], "year": year, "forms": forms}
    )


def _five_years(
    rng: np.random.Generator,
    year: int,
    revisions: str,
    added: Callable[[np.random.Generator, int], pd.DataFrame | None],
    drawn: Callable[[int, str], pd.DataFrame],
) -> pd.DataFrame:
    """The records of ``year`` and the four years before: a published year re-counted by
    ``added`` (late registrations only add) when ``revisions`` is ``add``, any other year by
    ``drawn(year, the published year whose distributions it follows)``."""
    frames = []
    for y in range(year - 4, year + 1):
        got = added(rng, y) if revisions == "add" and y < year else None
        frames.append(got if got is not None else drawn(y, str(min(y, int(REF_YEAR)))))
    return pd.concat(frames, ignore_index=True)


def om_cases(
    rng: np.random.Generator, year: int, rel: float, revisions: str = "add"
) -> pd.DataFrame:
    def drawn(y: int, src: str) -> pd.DataFrame:
        reg = float(next(r for r in _rows("om_cases_registered") if r["period"] == src)["value"])
        n = _perturb(rng, reg, rel)
        form = _choice(rng, _dist("om_cases_by_form", "form", period=src), n)
        disp = _dist("om_disposals", "disposal", period=src, form="all")
        disposed = min(n, round(sum(disp.values()) * n / max(reg, 1)))
        disposal = np.full(n, "", dtype=object)
        idx = rng.choice(n, size=disposed, replace=False)
        disposal[idx] = _choice(rng, disp, disposed)
        return pd.DataFrame({"year": y, "form": form, "disposal": disposal})

    return _five_years(rng, year, revisions, _om_added, drawn)


def _om_added(rng: np.random.Generator, y: int) -> pd.DataFrame | None:
    """A revised year of the prosecution tables that only adds to the published one."""
    p = str(y)
    reg = [r for r in _rows("om_cases_registered") if r["period"] == p]
    forms = _published("om_cases_by_form", "form", p)
    disp = _published("om_disposals", "disposal", p, form="all")
    if not reg or forms is None or disp is None:
        return None
    n_reg = _upper(reg[0])
    share = sum(disp.values()) / max(n_reg, 1)
    cols = _revised_year(
        rng,
        {
            "form": (forms, {k: float(v) for k, v in forms.items()}),
            "disposal": (disp, {k: float(v) for k, v in disp.items()}),
        },
        n_reg,
        optional={"disposal": min(share, 1.0)},
    )
    return pd.DataFrame({"year": y, **cols})


COURT_FIELDS = {
    "form": ("court_cases_by_form", "form"),
    "court_outcome": ("court_outcomes", "court_outcome"),
    "suspect_country_of_birth": ("tried_suspects_by_country_of_birth", "country_of_birth"),
    "suspect_age_group": ("tried_suspects_by_age", "age_group_suspect"),
}


def _court_added(rng: np.random.Generator, y: int) -> pd.DataFrame | None:
    """A revised year of the court tables that only adds to the published one."""
    p = str(y)
    fields: dict[str, tuple[dict[str, int], dict[str, float]]] = {}
    for fld, (table, dim) in COURT_FIELDS.items():
        fixed = {} if fld == "form" else {"form": "all"}
        got = _published(table, dim, p, **fixed)
        if got is None:
            return None
        fields[fld] = (got, {k: float(v) for k, v in got.items()})
    total = [r for r in _rows("court_cases_by_form") if r["period"] == p and r["form"] == "all"]
    n_all = _upper(total[0]) if total else 0
    return pd.DataFrame({"year": y, **_revised_year(rng, fields, n_all)})


def court_cases(
    rng: np.random.Generator, year: int, rel: float, revisions: str = "add"
) -> pd.DataFrame:
    def drawn(y: int, src: str) -> pd.DataFrame:
        forms = _dist("court_cases_by_form", "form", period=src)
        n = _perturb(rng, sum(forms.values()), rel)
        return pd.DataFrame(
            {
                "year": y,
                "form": _choice(rng, forms, n),
                "court_outcome": _choice(
                    rng, _dist("court_outcomes", "court_outcome", period=src, form="all"), n
                ),
                "suspect_country_of_birth": _choice(
                    rng,
                    _dist(
                        "tried_suspects_by_country_of_birth",
                        "country_of_birth",
                        period=src,
                        form="all",
                    ),
                    n,
                ),
                "suspect_age_group": _choice(
                    rng,
                    _dist("tried_suspects_by_age", "age_group_suspect", period=src, form="all"),
                    n,
                ),
            }
        )

    return _five_years(rng, year, revisions, _court_added, drawn)


def make(
    year: int,
    *,
    rows: int | None = None,
    seed: int = 1,
    perturb: float = 0.1,
    revisions: str = "add",
) -> dict[str, pd.DataFrame]:
    """All record types for ``year`` (``rows``: number of victim records, default ~868;
    ``revisions``: how the years before it are revised, one of :data:`REVISIONS`)."""
    if revisions not in REVISIONS:
        raise ValueError(f"revisions {revisions!r} is not one of {REVISIONS}")
    rng = np.random.default_rng(seed)
    n_victims = rows if rows is not None else _perturb(rng, 868, perturb)
    return {
        "victim": victims(rng, year, n_victims),
        "investigation": investigations(rng, year, perturb),
        "suspect": simple(rng, "suspects_by_sex", "sex", "sex", year, perturb),
        "om_case": om_cases(rng, year, perturb, revisions),
        "court_case": court_cases(rng, year, perturb, revisions),
        "ind_reflection": simple(
            rng, "ind_reflection_period", "reflection_period", "reflection_period", year, perturb
        ),
        "ind_permit": simple(
            rng, "ind_residence_permits", "permit_measure", "permit_measure", year, perturb
        ),
    }


def write(frames: Mapping[str, pd.DataFrame], out: Path, fmt: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in frames.items():
        if fmt in ("csv", "both"):
            p = out / f"{name}.csv"
            df.to_csv(p, index=False, lineterminator="\n")
            paths.append(p)
        if fmt in ("parquet", "both"):
            p = out / f"{name}.parquet"
            df.to_parquet(p, index=False)
            paths.append(p)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--year", type=int, required=True)
    ap.add_argument("--out", type=Path, default=None, help="default: data/raw/<year>")
    ap.add_argument("--rows", type=int, default=None, help="victim records (benchmarks)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--perturb", type=float, default=0.1)
    ap.add_argument("--format", choices=["csv", "parquet", "both"], default="csv")
    ap.add_argument(
        "--revisions",
        choices=REVISIONS,
        default="add",
        help="earlier years: records only added (default) or redrawn +-10%%",
    )
    a = ap.parse_args(argv)
    out = a.out or ROOT / "data" / "raw" / str(a.year)
    frames = make(a.year, rows=a.rows, seed=a.seed, perturb=a.perturb, revisions=a.revisions)
    for p in write(frames, out, a.format):
        print(p, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
