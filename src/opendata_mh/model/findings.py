"""``acknowledged_findings.toml``: findings of the disclosure audit that a maintainer accepted
(:class:`AcknowledgedFinding`), identified by a *keyed* fingerprint of the interval as found
(:func:`finding_fingerprint`) so that the interval itself is never published.

The fingerprint is an HMAC-SHA256 under a secret key (:data:`ACK_KEY_ENV`,
``OPENDATA_MH_ACK_KEY``: kept in the maintainer's environment and the CI secret store, never
committed). An unkeyed hash would not do: a masked cell's interval space is tiny (``<5`` has 10
sub-intervals), so anyone could hash every candidate and read the interval back from the
published descriptor. Without the key nothing can be verified (and nothing recovered): the
audit then matches acknowledgements by cell and code and says so (info). With the key the
loader checks that each fingerprint is that of the cell and code with some interval within its
bounds, so a wrong key fails loudly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from opendata_mh.model._collect import _check_keys, _Collector
from opendata_mh.model.constants import AUDIT_FINDING_CODES
from opendata_mh.model.figures import TextFigure
from opendata_mh.model.printed import is_masked
from opendata_mh.model.refs import CellRef, _BrokenReferenceError, _Resolver
from opendata_mh.model.tables import TableSpec

FINGERPRINT_PREFIX = "hmac-sha256:"
FINGERPRINT_RE = re.compile(r"^hmac-sha256:[0-9a-f]{64}$")
"""The form of a finding fingerprint (:func:`finding_fingerprint`)."""

ACK_KEY_ENV = "OPENDATA_MH_ACK_KEY"
"""The environment variable holding the key of the fingerprints (at least 16 characters)."""

MIN_KEY_LENGTH = 16


class AckKeyError(ValueError):
    """The key in :data:`ACK_KEY_ENV` is too short to be a key."""


def ack_key(environ: Mapping[str, str] | None = None) -> bytes | None:
    """The fingerprint key from :data:`ACK_KEY_ENV`, or None when it is not set (or empty)."""
    raw = (os.environ if environ is None else environ).get(ACK_KEY_ENV, "")
    if not raw:
        return None
    if len(raw) < MIN_KEY_LENGTH:
        raise AckKeyError(
            f"{ACK_KEY_ENV} is set but shorter than {MIN_KEY_LENGTH} characters: not a key "
            "(generate one, e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return raw.encode()


def finding_fingerprint(
    cell: str, code: str, interval: tuple[int, int], key: bytes | None = None
) -> str:
    """The fingerprint of an audit finding: ``"hmac-sha256:"`` + the hex HMAC-SHA256 under
    ``key`` (default: :func:`ack_key`) of ``f"{cell}|{code}|{lower}|{upper}"`` (UTF-8); ``""``
    when there is no key (an unknown fingerprint, equal to none).

    Args:
        cell: the canonical cell reference as the audit prints it (key fields in the table's
            primary-key order), e.g. ``om_cases_by_form/period=2019/form=unknown``.
        code: an audit finding code (:data:`AUDIT_FINDING_CODES`).
        interval: the audit interval ``(lower, upper)`` as found (counts).

    Returns:
        ``"hmac-sha256:"`` and 64 lowercase hex digits (:data:`FINGERPRINT_RE`), or ``""``.

    A fingerprint lets the audit recognise the *same* finding (same cell, code and interval)
    in ``acknowledged_findings.toml`` and ``acknowledgedFindings`` without publishing the
    interval. Keyed, it cannot be brute-forced over the few candidate intervals of a masked cell
    (module docstring). A changed interval gives a different fingerprint, so the acknowledgement
    no longer matches.
    """
    k = key if key is not None else ack_key()
    if k is None:
        return ""
    lo, hi = interval
    msg = f"{cell}|{code}|{lo}|{hi}".encode()
    return FINGERPRINT_PREFIX + hmac.new(k, msg, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AcknowledgedFinding:
    """A finding of the disclosure audit that a maintainer accepted
    (``acknowledged_findings.toml``): the masked ``cell``, the audit ``code``, the
    ``fingerprint`` of the finding as found (:func:`finding_fingerprint`; the interval itself is
    never stored), the relations that pin it, why it is accepted, by whom and when (ISO date)."""

    cell: CellRef
    code: str
    fingerprint: str
    relations: tuple[str, ...]
    reason: str
    by: str
    date: str


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _load_acknowledged_findings(
    data: dict[str, Any],
    relation_ids: set[str],
    resolver: _Resolver,
    tables: Mapping[str, TableSpec],
    col: _Collector,
    texts: Mapping[str, TextFigure] | None = None,
) -> list[AcknowledgedFinding]:
    """``acknowledged_findings.toml``: every entry names a masked cell of a table (or a masked
    text figure, ``text:<figure_id>`` printed ``<5``), a code of
    :data:`AUDIT_FINDING_CODES`, the finding's ``fingerprint`` (``sha256:`` + 64 hex, as
    ``opendata-mh audit`` prints it; it must be the fingerprint of this cell and code with some
    interval within the cell's bounds), the pinning relations (ids of ``relations.toml``, also
    those a later edition left out: they are informational), a reason, who and
    an ISO date; one entry per cell and code. The former key ``interval`` is refused: the values
    of masked cells are not written into the metadata. Whether an entry still matches a finding
    is decided by the audit, not here."""
    f = "acknowledged_findings.toml"
    _check_keys(data, {"findings"}, f, col)
    try:
        key = ack_key()
    except AckKeyError as exc:
        col.add(f, str(exc))
        key = None
    out = []
    seen: set[tuple[str, str]] = set()
    for i, r in enumerate(data.get("findings") or [], 1):
        if not isinstance(r, dict):
            col.add(f, "[[findings]] entries must be tables", row=i)
            continue
        cell_s = col.str_(r, "cell", f, row=i)
        loc: dict[str, Any] = {"table": cell_s or None, "row": i}
        keys = {"cell", "code", "fingerprint", "relations", "reason", "by", "date"}
        _check_keys(r, keys | {"interval"}, f, col, **loc)
        if "interval" in r:
            col.add(
                f,
                "unknown key 'interval': the values of a masked cell are not written down; "
                "use 'fingerprint' instead, as printed by 'opendata-mh audit' for the finding",
                field="interval",
                **loc,
            )
        code = col.str_(r, "code", f, **loc)
        if code and code not in AUDIT_FINDING_CODES:
            col.add(f, f"'code' must be one of {list(AUDIT_FINDING_CODES)}", field="code", **loc)
        ref: CellRef | None = None
        bounds: tuple[int, int | None] | None = None
        if cell_s:
            try:
                ref = resolver.resolve(cell_s, allow_pattern=False)[0]
                if ref.kind == "text":
                    fig = (texts or {}).get(ref.name)
                    tb = fig.bounds if fig is not None else None
                    if fig is None or tb is None or not is_masked(fig.printed):
                        raise ValueError(
                            "a text figure has findings only when it is masked (printed <n)"
                        )
                    bounds = (int(tb[0]), int(tb[1]))
                elif ref.kind != "cell":
                    raise ValueError("an acknowledgement names a table cell or a text figure")
                else:
                    cell = next(c for c in tables[ref.name].cells if c.key == ref.key)
                    if cell.parsed.cell_type != "masked":
                        raise ValueError(
                            f"the cell is {cell.parsed.cell_type}, only masked cells have findings"
                        )
                    bounds = (cell.parsed.lower, cell.parsed.upper)
            except _BrokenReferenceError:
                ref = None
            except ValueError as exc:
                col.add(f, f"cell: {exc}", field="cell", **loc)
                ref = None
        fp = r.get("fingerprint")
        fingerprint = ""
        if not isinstance(fp, str) or not FINGERPRINT_RE.match(fp):
            col.add(
                f,
                "'fingerprint' must be 'hmac-sha256:' and 64 lowercase hex digits, as printed by "
                f"'opendata-mh audit' for the finding (keyed with {ACK_KEY_ENV}; an unkeyed "
                "'sha256:' fingerprint gives the interval away: 'opendata-mh audit --rekey')",
                field="fingerprint",
                **loc,
            )
        else:
            fingerprint = fp
            hi = bounds[1] if bounds is not None else None
            if (
                key is not None
                and ref is not None
                and bounds is not None
                and hi is not None
                and hi - bounds[0] <= 100
                and code in AUDIT_FINDING_CODES
                and not any(
                    finding_fingerprint(str(ref), code, (lo, up), key) == fp
                    for lo in range(bounds[0], hi + 1)
                    for up in range(lo, hi + 1)
                )
            ):
                col.add(
                    f,
                    f"'fingerprint' is not that of a {code} of this cell within its bounds "
                    f"under the key in {ACK_KEY_ENV} (the wrong key?); copy it from "
                    "'opendata-mh audit' (the cell and the code must match too)",
                    field="fingerprint",
                    **loc,
                )
        rels = col.str_list(r, "relations", f, required=True, **loc)
        if not rels:
            col.add(
                f,
                "'relations' must name the relation(s) that pin the cell",
                field="relations",
                **loc,
            )
        for rel in rels:
            if rel not in relation_ids:
                col.add(f, f"{rel!r} is not a relation id", field="relations", **loc)
        date = r.get("date")
        date_s = date.isoformat() if isinstance(date, dt.date) else date
        if not isinstance(date_s, str) or not _DATE_RE.match(date_s):
            col.add(f, "'date' must be a date YYYY-MM-DD", field="date", **loc)
            date_s = ""
        reason = col.str_(r, "reason", f, **loc)
        by = col.str_(r, "by", f, **loc)
        if ref is not None:
            if (str(ref), code) in seen:
                col.add(f, f"{ref} is acknowledged twice for {code}", field="cell", **loc)
            seen.add((str(ref), code))
            out.append(AcknowledgedFinding(ref, code, fingerprint, rels, reason, by, date_s))
    return out
