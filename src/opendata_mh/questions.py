"""The index from questions to tables: ``metadata/questions.toml``, published as the package
property ``questions`` and shown by the codebook.

The index is hand-curated, not phrased from table titles: a title says what a table holds, not
which question it answers well, nor what it must not be used for (table 10 counts minors only;
summing the reporters of table 12 counts a victim once per reporter). Each entry of
``questions.toml`` (``[[questions]]``) has

* ``id``: a short name, unique;
* ``question`` (Dutch) and ``question_en``: the question as a researcher would ask it;
* ``resources``: the package resources that answer it (table names, ``totals``,
  ``text_figures``, ``observations``), most direct first;
* ``note`` (Dutch, optional) and ``note_en``: what those resources count and how to use them
  (the denominator, the years covered, what not to add up).

:func:`load` reads and checks the file (a missing file means no index);
:func:`descriptor_entries` checks every resource against the generated package and gives the
``questions`` property; :func:`problems` checks a package's ``questions`` property against its
resources (``opendata-mh check``: ``metadata.unknown-resource``). Errors name the file, the
entry (1-based) and its id.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opendata_mh.errors import MetadataError, MetadataProblem

QUESTIONS_FILE = "questions.toml"
PROPERTY = "questions"
_KEYS = ("id", "question", "question_en", "resources", "note", "note_en")
_REQUIRED = ("id", "question", "question_en", "resources", "note_en")


@dataclass(frozen=True)
class QuestionSpec:
    """One entry of ``questions.toml`` (``entry``: its 1-based position)."""

    id: str
    question: str
    question_en: str
    resources: tuple[str, ...]
    note: str
    note_en: str
    entry: int

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "question_en": self.question_en,
            "resources": list(self.resources),
        }
        if self.note:
            d["note"] = self.note
        d["note_en"] = self.note_en
        return d


def _problem(entry: int, qid: str | None, field: str | None, message: str) -> MetadataProblem:
    return MetadataProblem(QUESTIONS_FILE, message, table=qid or None, row=entry, field=field)


def load(metadata_dir: str | Path) -> tuple[QuestionSpec, ...]:
    """The entries of ``<metadata_dir>/questions.toml`` (``()`` when there is no such file).
    Raises :class:`MetadataError` listing every problem: not TOML, an unknown or missing key,
    a key of the wrong type, an empty text, a repeated id, an empty or repeated resource."""
    path = Path(metadata_dir) / QUESTIONS_FILE
    if not path.exists():
        return ()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MetadataError([MetadataProblem(QUESTIONS_FILE, f"not valid TOML: {exc}")]) from exc
    problems: list[MetadataProblem] = []
    unknown = sorted(set(data) - {PROPERTY})
    if unknown:
        problems.append(
            MetadataProblem(QUESTIONS_FILE, f"unknown top-level key(s): {', '.join(unknown)}")
        )
    raw = data.get(PROPERTY, [])
    if not isinstance(raw, list):
        raise MetadataError([MetadataProblem(QUESTIONS_FILE, "'questions' must be [[questions]]")])
    out: list[QuestionSpec] = []
    seen: dict[str, int] = {}
    for i, q in enumerate(raw, 1):
        if not isinstance(q, dict):
            problems.append(_problem(i, None, None, "an entry must be a table [[questions]]"))
            continue
        qid = q.get("id") if isinstance(q.get("id"), str) else None
        for k in sorted(set(q) - set(_KEYS)):
            problems.append(_problem(i, qid, k, f"unknown key '{k}'"))
        for k in _REQUIRED:
            if k not in q:
                problems.append(_problem(i, qid, k, f"missing required key '{k}'"))
        for k in ("id", "question", "question_en", "note", "note_en"):
            if k in q and (not isinstance(q[k], str) or not q[k].strip()):
                problems.append(_problem(i, qid, k, f"'{k}' must be a non-empty string"))
        res = q.get("resources", [])
        if not isinstance(res, list) or not all(isinstance(r, str) and r for r in res):
            problems.append(_problem(i, qid, "resources", "'resources' must be a list of names"))
            res = []
        elif "resources" in q and not res:
            problems.append(_problem(i, qid, "resources", "'resources' must not be empty"))
        for r in sorted({r for r in res if res.count(r) > 1}):
            problems.append(_problem(i, qid, "resources", f"resource '{r}' is listed twice"))
        if qid is not None:
            if qid in seen:
                problems.append(_problem(i, qid, "id", f"id '{qid}' is also entry {seen[qid]}"))
            seen.setdefault(qid, i)
        out.append(
            QuestionSpec(
                id=qid or "",
                question=str(q.get("question") or ""),
                question_en=str(q.get("question_en") or ""),
                resources=tuple(res),
                note=str(q.get("note") or ""),
                note_en=str(q.get("note_en") or ""),
                entry=i,
            )
        )
    if problems:
        raise MetadataError(problems)
    return tuple(out)


def _names(descriptor: Mapping[str, Any]) -> set[str]:
    return {
        r["name"]
        for r in descriptor.get("resources", [])
        if isinstance(r, dict) and isinstance(r.get("name"), str)
    }


def descriptor_entries(
    specs: Sequence[QuestionSpec], descriptor: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The ``questions`` property of the package built as ``descriptor``. Raises
    :class:`MetadataError` naming ``questions.toml``, the entry and the resource for every
    resource that is not in the package."""
    names = _names(descriptor)
    problems = [
        _problem(
            q.entry,
            q.id,
            "resources",
            f"resource '{r}' is not in the package (its resources: tables, totals, "
            "text_figures, observations, ...)",
        )
        for q in specs
        for r in q.resources
        if r not in names
    ]
    if problems:
        raise MetadataError(problems)
    return [q.to_dict() for q in specs]


def problems(descriptor: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(kind, message)`` for every problem of the package property ``questions``: kind
    ``unknown-resource`` for a resource the package does not have, ``missing`` for a malformed
    entry or a missing text. Each message names ``datapackage.json``, the entry (1-based) and
    its id."""
    raw = descriptor.get(PROPERTY)
    if raw is None:
        return []
    if not isinstance(raw, list):
        return [("missing", "datapackage.json: 'questions' must be a list of entries")]
    names = _names(descriptor)
    out = []
    for i, q in enumerate(raw, 1):
        where = f"datapackage.json, questions entry {i}"
        if not isinstance(q, dict) or not isinstance(q.get("resources"), list):
            out.append(("missing", f"{where}: an entry needs 'id', 'question_en', 'resources'"))
            continue
        qid = str(q.get("id", ""))
        for r in q["resources"]:
            if r not in names:
                out.append(
                    ("unknown-resource", f"{where} ({qid}): resource {r!r} is not in the package")
                )
        for k in ("question", "question_en", "note_en"):
            if not (isinstance(q.get(k), str) and q[k].strip()):
                out.append(("missing", f"{where} ({qid}): '{k}' is missing or empty"))
    return out


__all__ = ["QUESTIONS_FILE", "QuestionSpec", "descriptor_entries", "load", "problems"]
