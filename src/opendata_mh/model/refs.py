"""Cell references: ``table/period=2023/form=labour`` (a table cell), ``@name/...`` (a latent
quantity: a total the report does not print) and ``text:<figure_id>`` (a figure of the prose), as
:class:`CellRef`; :func:`parse_ref` for explicit references, and the resolver that expands the
patterns of ``relations.toml`` (``*`` values, ``{placeholders}`` bound by ``for_each``) into
explicit references that all exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from opendata_mh.model.constants import ALL, ID_RE, PERIOD, PERIOD_RE, valid_period
from opendata_mh.model.tables import Cell, TableSpec

if TYPE_CHECKING:  # a higher module of the subpackage, for annotations only
    from opendata_mh.model.figures import TextFigure


@dataclass(frozen=True)
class CellRef:
    """A reference to a table cell, a latent quantity (``@``) or a text figure (``text:``)."""

    kind: Literal["cell", "latent", "text"]
    name: str
    key: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        if self.kind == "text":
            return f"text:{self.name}"
        prefix = "@" if self.kind == "latent" else ""
        return prefix + self.name + "".join(f"/{k}={v}" for k, v in self.key)


def _parse_ref_syntax(s: str) -> tuple[str, str, list[tuple[str, str]]]:
    """Split a reference into (kind, name, [(field, value)]); raises ValueError."""
    if s.startswith("text:"):
        fid = s[5:]
        if not fid:
            raise ValueError(f"reference {s!r}: empty text figure id")
        return "text", fid, []
    kind = "latent" if s.startswith("@") else "cell"
    body = s[1:] if kind == "latent" else s
    name, *pairs = body.split("/")
    if not ID_RE.match(name):
        raise ValueError(f"reference {s!r}: {name!r} is not a resource or latent name")
    out = []
    for p in pairs:
        if "=" not in p:
            raise ValueError(f"reference {s!r}: {p!r} must be field=value")
        k, v = p.split("=", 1)
        if not k or not v:
            raise ValueError(f"reference {s!r}: {p!r} must be field=value")
        out.append((k, v))
    if len({k for k, _ in out}) != len(out):
        raise ValueError(f"reference {s!r}: a field is given twice")
    return kind, name, out


def parse_ref(s: str) -> CellRef:
    """Parse an explicit reference string (no patterns) into a :class:`CellRef`; the key order of
    latent quantities is normalised (period first, then alphabetical). Raises ValueError."""
    kind, name, pairs = _parse_ref_syntax(s)
    if any(v == "*" for _, v in pairs):
        raise ValueError(f"reference {s!r}: '*' patterns are not explicit references")
    if kind == "latent":
        pairs.sort(key=lambda kv: (kv[0] != PERIOD, kv[0]))
    return CellRef(kind, name, tuple(pairs))  # type: ignore[arg-type]


class _BrokenReferenceError(ValueError):
    """The reference names a table that failed to load (already reported): stay quiet."""


class _Resolver:
    def __init__(
        self,
        tables: Mapping[str, TableSpec],
        figures: Mapping[str, TextFigure],
        broken: frozenset[str] = frozenset(),
    ) -> None:
        self.tables = tables
        self.figures = figures
        self.broken = broken
        self.cells: dict[str, dict[tuple[tuple[str, str], ...], Cell]] = {
            t.id: {c.key: c for c in t.cells} for t in tables.values()
        }
        self.periods: list[str] = sorted(
            {c.key[0][1] for t in tables.values() for c in t.cells},
            key=lambda p: (p.split("-")[-1], p),
        )

    def resolve(self, s: str, *, allow_pattern: bool) -> list[CellRef]:
        """Resolve a reference string to explicit references; raises ValueError."""
        kind, name, pairs = _parse_ref_syntax(s)
        if kind == "text":
            fig = self.figures.get(name)
            if fig is None and name in self.broken:
                raise _BrokenReferenceError(s)
            if fig is None:
                raise ValueError(f"reference {s!r}: no text figure with id {name!r}")
            if fig.bounds is None:
                raise ValueError(f"reference {s!r}: the text figure has no numeric value")
            return [CellRef("text", name)]
        if kind == "latent":
            if any(v == "*" for _, v in pairs):
                raise ValueError(f"reference {s!r}: '*' is not allowed in a latent quantity")
            pairs.sort(key=lambda kv: (kv[0] != PERIOD, kv[0]))
            return [CellRef("latent", name, tuple(pairs))]
        table = self.tables.get(name)
        if table is None and name in self.broken:
            raise _BrokenReferenceError(s)
        if table is None:
            raise ValueError(f"reference {s!r}: no table with id {name!r}")
        given = dict(pairs)
        if set(given) != set(table.key_fields):
            missing = [k for k in table.key_fields if k not in given]
            extra = [k for k in given if k not in table.key_fields]
            raise ValueError(
                f"reference {s!r}: must give every key field {list(table.key_fields)}"
                + (f"; missing {missing}" if missing else "")
                + (f"; unknown {extra}" if extra else "")
            )
        stars = [k for k, v in given.items() if v == "*" or v.startswith("in:")]
        if stars and not allow_pattern:
            raise ValueError(f"reference {s!r}: '*' patterns are only allowed in 'parts'")
        window = _window_of(s, given.get(PERIOD, ""))
        if not table.available:
            raise ValueError(f"reference {s!r}: table {name!r} is not available (no cells)")
        matches = []
        for key, _cell in self.cells[name].items():
            ok = True
            for k, v in key:
                want = given[k]
                if want == "*":
                    if v == ALL or (k == PERIOD and "-" in v):
                        ok = False
                        break
                elif window is not None and k == PERIOD:
                    if "-" in v or not window[0] <= int(v) <= window[1]:
                        ok = False
                        break
                elif want != v:
                    ok = False
                    break
            if ok:
                matches.append(CellRef("cell", name, key))
        if not matches:
            what = "matches no cell" if stars else "is not a cell of the table"
            raise ValueError(f"reference {s!r} {what}")
        return matches


def _window_of(ref: str, period: str) -> tuple[int, int] | None:
    """``period=in:2020-2024`` (a pattern: every single year of the window) -> (2020, 2024)."""
    if not period.startswith("in:"):
        return None
    m = PERIOD_RE.match(period[3:])
    if not m or not m.group(2) or not valid_period(period[3:]):
        raise ValueError(f"reference {ref!r}: 'in:' needs a period range like in:2020-2024")
    return int(m.group(1)), int(m.group(2))


def _for_each_values(value: Any, periods: Sequence[str]) -> list[str] | None:
    """Values of one ``for_each`` entry: a list, ``"*"`` (every single year of the package),
    ``"*-*"`` (every multi-year period), optionally followed by ``" except A, B"``.
    ``None`` if malformed."""
    if isinstance(value, list):
        if value and all(isinstance(x, str | int) for x in value):
            return [str(x) for x in value]
        return None
    if not isinstance(value, str):
        return None
    head, _, tail = value.partition(" except ")
    excluded = {x.strip() for x in tail.split(",") if x.strip()}
    if head.strip() == "*":
        return [p for p in periods if "-" not in p and p not in excluded]
    if head.strip() == "*-*":
        return [p for p in periods if "-" in p and p not in excluded]
    return None


def _substitute(s: str, binding: Mapping[str, str]) -> str:
    for k, v in binding.items():
        s = s.replace("{" + k + "}", v)
    return s
