"""(Re)compute the keyed fingerprints of ``metadata/acknowledged_findings.toml``
(``opendata-mh audit --rekey``).

The maintainer sets ``OPENDATA_MH_ACK_KEY`` (a new key, or the current one) and runs the audit of
the package; each acknowledgement is matched to its current finding by cell and code, and its
``fingerprint`` line is replaced by the HMAC-SHA256 of that finding's interval under the key
(:func:`opendata_mh.model.finding_fingerprint`). An acknowledgement of a cell that a later
edition re-printed moved with the earlier printing (``acknowledgedFindings`` with ``edition``):
it is matched to what that edition alone gives away about its own printing
(:func:`opendata_mh.audit.earlier_finding`), never to the current printing, and re-keyed from
that. Only the ``fingerprint`` lines change (comments,
order and reasons stay); the value is written through the TOML writer. An acknowledgement with
no current finding is left as it is and reported. Then ``opendata-mh generate`` puts the new
fingerprints into the descriptor. The key itself is never written anywhere.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from opendata_mh.audit import audit_path, earlier_finding
from opendata_mh.errors import OpendataMhError
from opendata_mh.model import ACK_KEY_ENV, ack_key, finding_fingerprint

ACK_FILE = "acknowledged_findings.toml"
_FP_LINE = re.compile(r'^fingerprint\s*=\s*"[^"\n]*"[ \t]*$', re.M)


@dataclass(frozen=True)
class RekeyResult:
    file: Path
    rekeyed: int
    unchanged: int
    missing: tuple[str, ...] = field(default=())
    """``cell (code)`` of acknowledgements without a current finding (left as they were);
    ``cell (code, edition E)`` for one of edition E's printing without a finding of E."""
    earlier: int = 0
    """Of ``rekeyed`` + ``unchanged``: acknowledgements of an earlier edition's printing."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "rekeyed": self.rekeyed,
            "unchanged": self.unchanged,
            "earlier_edition": self.earlier,
            "missing": list(self.missing),
        }


def _parts(cell: str) -> tuple[str, frozenset[str]]:
    name, _, key = cell.partition("/")
    return name, frozenset(key.split("/")) if key else frozenset()


def rekey(package_dir: str | Path, metadata_dir: str | Path) -> RekeyResult:
    """Recompute every fingerprint of ``metadata_dir/acknowledged_findings.toml`` under the key
    in :data:`~opendata_mh.model.ACK_KEY_ENV` from the audit of ``package_dir`` (generated from
    the same metadata). Raises :class:`~opendata_mh.errors.OpendataMhError` without a key."""
    key = ack_key()
    if key is None:
        raise OpendataMhError(f"--rekey needs the key in {ACK_KEY_ENV}; nothing was written")
    result = audit_path(package_dir, verify_fingerprints=False)
    found: dict[tuple[str, frozenset[str], str], str] = {}
    for c in result.cells:
        lo, up = c.interval
        if c.acknowledged is not None and c.finding_code and lo is not None and up is not None:
            fp = finding_fingerprint(c.cell, c.finding_code, (lo, up), key)
            found[(*_parts(c.acknowledged.cell), c.acknowledged.code)] = fp
    for g in result.groups:
        if g.acknowledged is not None:
            fp = finding_fingerprint(g.total, g.code, g.interval, key)
            found[(*_parts(g.acknowledged.cell), g.acknowledged.code)] = fp
    # moved with an earlier edition's printing: that edition's own finding, never the current
    # printing's
    edition_of: dict[tuple[str, frozenset[str]], str] = {}
    earlier_found: dict[tuple[str, frozenset[str], str], str] = {}
    for a in result.earlier_acknowledgements:
        edition_of[_parts(a.cell)] = a.edition
        hit = earlier_finding(a, result.editions)
        if hit is not None:
            earlier_found[(*_parts(a.cell), hit[0])] = finding_fingerprint(
                a.cell, hit[0], hit[1], key
            )
    path = Path(metadata_dir) / ACK_FILE
    try:
        text = path.read_text(encoding="utf-8")
        entries = tomllib.loads(text).get("findings") or []
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise OpendataMhError(f"cannot read {path}: {exc}; nothing was written") from exc
    blocks = re.split(r"(?m)^(?=\[\[findings\]\]\s*$)", text)
    head, body = blocks[0], blocks[1:]
    if len(body) != len(entries):
        raise OpendataMhError(f"{path}: cannot pair the [[findings]] blocks; nothing was written")
    rekeyed = unchanged = earlier = 0
    missing: list[str] = []
    out = [head]
    for block, entry in zip(body, entries, strict=True):
        cell, code = str(entry.get("cell", "")), str(entry.get("code", ""))
        where = _parts(cell)
        ed = edition_of.get(where)
        new_fp = (found if ed is None else earlier_found).get((*where, code))
        if new_fp is None or not _FP_LINE.search(block):
            ed = f", edition {ed}" if ed is not None else ""
            missing.append(f"{cell} ({code}{ed})")
            out.append(block)
            continue
        line = tomli_w.dumps({"fingerprint": new_fp}).strip()
        new = _FP_LINE.sub(lambda _m, line=line: line, block, count=1)
        rekeyed += new != block
        unchanged += new == block
        earlier += ed is not None
        out.append(new)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("".join(out), encoding="utf-8")
    tmp.replace(path)
    return RekeyResult(path, rekeyed, unchanged, tuple(missing), earlier)


__all__ = ["ACK_FILE", "RekeyResult", "rekey"]
