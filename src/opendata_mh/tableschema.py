"""Table Schema (Data Package v2) pieces that every generated resource shares: the profile URL
and the one builder of a field descriptor (the tables, ``totals``, ``observations``,
``superseded`` and the code lists all write their fields with :func:`field`)."""

from __future__ import annotations

from typing import Any

TABLESCHEMA_V2 = "https://datapackage.org/profiles/2.0/tableschema.json"


def field(
    name: str, ftype: str, title: str, description: str, **constraints: Any
) -> dict[str, Any]:
    """A field descriptor ``{name, type, title, description[, constraints]}`` (in that key
    order, which the committed ``datapackage.json`` keeps)."""
    d: dict[str, Any] = {"name": name, "type": ftype, "title": title, "description": description}
    if constraints:
        d["constraints"] = constraints
    return d
