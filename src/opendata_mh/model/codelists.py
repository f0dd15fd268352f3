"""``codelists.toml``: the code lists of the dimensions (code, Dutch and English label) as
:class:`CodeList`, and their loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opendata_mh.model._collect import _check_keys, _Collector
from opendata_mh.model.constants import ID_RE, PERIOD


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    label_en: str


@dataclass(frozen=True)
class CodeList:
    id: str
    title: str
    title_en: str
    codes: tuple[Code, ...]

    def get(self, code: str) -> Code | None:
        return next((c for c in self.codes if c.code == code), None)

    @property
    def code_ids(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.codes)


def _load_codelists(data: dict[str, Any], col: _Collector) -> tuple[CodeList, ...]:
    f = "codelists.toml"
    out = []
    for cid, cl in data.items():
        if cid == PERIOD:
            col.add(f, "'period' is built in and must not have a code list", table=cid)
            continue
        if not ID_RE.match(cid):
            col.add(f, f"dimension id {cid!r} must match [a-z0-9_]+", table=cid)
        if not isinstance(cl, dict):
            col.add(f, f"[{cid}] must be a table", table=cid)
            continue
        _check_keys(
            cl, {"title", "title_en", "description", "description_en", "codes"}, f, col, table=cid
        )
        codes = []
        seen: set[str] = set()
        raw = cl.get("codes")
        if not isinstance(raw, list) or not raw:
            col.add(f, "'codes' must be a non-empty list", table=cid, field="codes")
            raw = []
        for i, c in enumerate(raw, 1):
            if not isinstance(c, dict):
                col.add(f, "a code must be {code, label, label_en}", table=cid, row=i)
                continue
            code = col.str_(c, "code", f, table=cid, row=i)
            if code and not ID_RE.match(code):
                col.add(f, f"code {code!r} must match [a-z0-9_]+", table=cid, row=i, field="code")
            if code in seen:
                col.add(f, f"duplicate code {code!r}", table=cid, row=i, field="code")
            seen.add(code)
            codes.append(
                Code(
                    code,
                    col.str_(c, "label", f, table=cid, row=i),
                    col.str_(c, "label_en", f, table=cid, row=i),
                )
            )
        out.append(
            CodeList(
                cid,
                col.str_(cl, "title", f, table=cid),
                col.str_(cl, "title_en", f, table=cid),
                tuple(codes),
            )
        )
    return tuple(out)
