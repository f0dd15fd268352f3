"""`check` on broken files (issue 9): every broken file is named once, with its row and field
where there is one, and without cascades; data text is printed literally (no markup, no emoji).
The package is never changed by `check` (tree digest before and after)."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from opendata_mh.cli import main
from opendata_mh.csvfile import inspect_csv
from opendata_mh.generate import generate

from .conftest import ROOT, tree_digest

FIXTURE = ROOT / "tests" / "fixtures" / "metadata"
HEADER = (
    "year_from,year_to,form,form_label,form_label_en,value,value_lower,value_upper,cell_type,"
    "edition"
)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixture") / "datapackage"
    generate(FIXTURE, out)
    # these tests break files on purpose to see the content findings; without the declared
    # bytes and hash (optional in Data Package v2) frictionless reads the broken file instead of
    # refusing the package for a checksum mismatch (tests/unit/test_validate.py has that case)
    desc = out / "datapackage.json"
    d = json.loads(desc.read_text(encoding="utf-8"))
    for r in d["resources"]:
        r.pop("bytes", None)
        r.pop("hash", None)
    desc.write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def _csv(pkg: Path, name: str = "small") -> Path:
    return pkg / "data" / f"{name}.csv"


def _lines(pkg: Path, name: str = "small") -> list[str]:
    return _csv(pkg, name).read_text(encoding="utf-8").split("\n")


def _set_lines(pkg: Path, lines: list[str], name: str = "small") -> None:
    _csv(pkg, name).write_text("\n".join(lines), encoding="utf-8")


def _edit_cell(pkg: Path, row: int, field: str, value: str, name: str = "small") -> None:
    lines = _lines(pkg, name)
    head = lines[0].split(",")
    cells = lines[row].split(",")
    cells[head.index(field)] = value
    lines[row] = ",".join(cells)
    _set_lines(pkg, lines, name)


def _check(pkg: Path, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    r = CliRunner().invoke(main, ["check", str(pkg), "--json", *extra])
    return r.exit_code, json.loads(r.stdout) if r.stdout.strip() else {"raw": r.output}


def _bad(env: dict, resource: str | None = None) -> list[tuple]:  # type: ignore[type-arg]
    return [
        (i["code"], i["resource"], i["row"], i["field"])
        for i in env["issues"]
        if i["severity"] != "info" and (resource is None or i["resource"] == resource)
    ]


def _zero_bytes(pkg: Path) -> None:
    _csv(pkg).write_bytes(b"")


def _header_only(pkg: Path) -> None:
    _set_lines(pkg, [HEADER, ""])


def _semicolons(pkg: Path) -> None:
    _set_lines(pkg, [line.replace(",", ";") for line in _lines(pkg)])


def _tabs(pkg: Path) -> None:
    _set_lines(pkg, [line.replace(",", "\t") for line in _lines(pkg)])


def _cp1252(pkg: Path) -> None:
    raw = _csv(pkg).read_bytes().replace(b"Vorm B,", "Vorm B – één,".encode("cp1252"), 1)
    _csv(pkg).write_bytes(raw)


def _utf16(pkg: Path) -> None:
    _csv(pkg).write_bytes(_csv(pkg).read_text(encoding="utf-8").encode("utf-16"))


def _unclosed_quote(pkg: Path) -> None:
    """'"Vorm B' in data row 3: the cell runs to the end of the file (3 rows swallowed)."""
    _edit_cell(pkg, 3, "form_label", '"Vorm B')


def _quote_closed_later(pkg: Path) -> None:
    """Unclosed in data row 3, closed by the quote opening a cell of data row 5: the swallowed
    'record' has as many cells as the header (frictionless reads it as a row, shifted)."""
    _edit_cell(pkg, 3, "form_label", '"Vorm B')
    _edit_cell(pkg, 5, "form_label", '"Totaal"')


def _quote_over_the_field_limit(pkg: Path) -> None:
    """Unclosed in data row 3 of a file with 3,000 more rows: the swallowed cell exceeds the
    csv module's field size limit (128 KiB), which raises instead of returning the record."""
    row = "2021,2021,2021,b,Vorm B,Form B,0,0,0,0,zero,A,F,edition-2023"
    _set_lines(pkg, [*[x for x in _lines(pkg) if x], *[row] * 3000, ""])
    _edit_cell(pkg, 3, "form_label", '"Vorm B')


# (mutation, the one finding expected, its row, its field, words of its message)
BROKEN: dict[str, tuple[Callable[[Path], None], str, int | None, str | None, tuple[str, ...]]] = {
    "zero-bytes": (_zero_bytes, "format.empty-file", None, None, ("data/small.csv", "0 bytes")),
    "header-only": (_header_only, "format.no-rows", None, None, ("data/small.csv", "no data rows")),
    "semicolons": (_semicolons, "format.csv-separator", None, None, ("';'", "not ','")),
    "tabs": (_tabs, "format.csv-separator", None, None, ("'\\t'", "not ','")),
    "cp1252": (_cp1252, "format.csv-dialect", 3, "form_label", ("not UTF-8", "Windows-1252")),
    "utf16": (_utf16, "format.csv-dialect", None, None, ("not UTF-8", "UTF-16")),
    "unclosed-quote": (
        _unclosed_quote,
        "format.csv-row",
        3,
        "form_label",
        ("data/small.csv", "data row 3 (line 4), field form_label", "unclosed quote"),
    ),
    "quote-closed-later": (
        _quote_closed_later,
        "format.csv-row",
        3,
        "form_label",
        ("data/small.csv", "data row 3 (line 4), field form_label", "unclosed quote"),
    ),
    "quote-over-the-field-limit": (
        _quote_over_the_field_limit,
        "format.csv-row",
        3,
        "form_label",
        ("data row 3 (line 4), field form_label", "unclosed quote"),
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_file_is_named_once(pristine: Path, tmp_path: Path, case: str) -> None:
    pkg = tmp_path / "datapackage"
    shutil.copytree(pristine, pkg)
    mutate, code, row, field, words = BROKEN[case]
    mutate(pkg)
    before = tree_digest(pkg)
    exit_code, env = _check(pkg)
    assert exit_code == 1, env
    assert _bad(env) == [(code, "small", row, field)], env["issues"]
    (issue,) = [i for i in env["issues"] if i["code"] == code]
    for w in words:
        assert w in issue["message"], issue["message"]
    assert tree_digest(pkg) == before


def test_an_unclosed_quote_beyond_the_csv_field_limit_is_named(pristine: Path) -> None:
    """With csv's default field size limit (frictionless raises it when imported, so it
    depends on what ran before) the swallowed cell raises csv.Error: still the one finding."""
    text = _csv(pristine).read_text(encoding="utf-8").replace("Vorm B", '"Vorm B', 1)
    text += "2021,2021,b,Vorm B,Form B,0,0,0,zero,edition-2023\n" * 3000
    fields = HEADER.split(",")
    old = csv.field_size_limit(131072)
    try:
        found, issues = inspect_csv("small", "data/small.csv", text.encode(), fields)
    finally:
        csv.field_size_limit(old)
    assert found is None
    assert [(i.code, i.resource, i.row, i.field) for i in issues] == [
        ("format.csv-row", "small", 3, "form_label")
    ]
    assert "data row 3 (line 4), field form_label" in issues[0].message
    assert "runs over the rest of the file" in issues[0].message


def test_an_unavailable_table_may_be_header_only(pristine: Path, tmp_path: Path) -> None:
    """Table 22 has no rows on purpose (available = false): not a broken file."""
    pkg = tmp_path / "datapackage"
    shutil.copytree(pristine, pkg)
    assert _csv(pkg, "absent").read_text(encoding="utf-8").count("\n") == 1
    exit_code, env = _check(pkg)
    assert exit_code == 0 and _bad(env) == [], env["issues"]


LOOKALIKES = [
    # (where, text, field, row, words)
    ("header", "fоrm", "fоrm", None, "U+043E CYRILLIC SMALL LETTER O"),
    ("header", "form\u200b", "form\u200b", None, "U+200B ZERO WIDTH SPACE"),
    ("header", "value\u00a0", "value\u00a0", None, "U+00A0 NO-BREAK SPACE"),
    ("code", "b\u200b", "form", 3, "U+200B ZERO WIDTH SPACE"),
    ("code", "аll", "form", 5, "U+0430 CYRILLIC SMALL LETTER A"),
]


@pytest.mark.parametrize(("where", "text", "field", "row", "words"), LOOKALIKES)
def test_lookalike_or_invisible_characters_are_pointed_out(
    pristine: Path, tmp_path: Path, where: str, text: str, field: str, row: int | None, words: str
) -> None:
    pkg = tmp_path / "datapackage"
    shutil.copytree(pristine, pkg)
    if where == "header":
        lines = _lines(pkg)
        head = lines[0].split(",")
        head[head.index(text.strip("\u200b\u00a0").replace("о", "o"))] = text
        lines[0] = ",".join(head)
        _set_lines(pkg, lines)
    else:
        _edit_cell(pkg, row or 0, field, text)
    before = tree_digest(pkg)
    exit_code, env = _check(pkg)
    assert exit_code == 1
    hits = [i for i in env["issues"] if i["code"] == "format.lookalike-character"]
    assert [(i["resource"], i["row"], i["field"]) for i in hits] == [("small", row, field)]
    assert words in hits[0]["message"]
    assert tree_digest(pkg) == before


def test_a_truncated_error_list_says_how_many_more(pristine: Path, tmp_path: Path) -> None:
    pkg = tmp_path / "datapackage"
    shutil.copytree(pristine, pkg)
    lines = [x for x in _lines(pkg) if x]
    extra = [
        f"20{10 + i % 10},20{10 + i % 10},b,Vorm B,Form B,many,0,0,zero,edition-2023"
        for i in range(1500)
    ]
    _set_lines(pkg, [*lines, *extra, ""])
    exit_code, env = _check(pkg, "--no-audit")
    assert exit_code == 1
    listed = [
        i for i in env["issues"] if i["resource"] == "small" and i["code"].startswith("schema.")
    ]
    (more,) = [i for i in env["issues"] if i["code"] == "format.more-errors"]
    assert (more["resource"], more["row"], more["field"]) == ("small", None, None)
    assert len(listed) == 1000
    # 1,500 values 'many' (type errors) and 1,490 repeated keys (10 periods x form b)
    assert more["message"] == (
        "the first 1,000 schema errors of this file are listed, and 1,990 more"
    )


def test_a_masked_symbol_in_value_fails_even_if_missing_values_admit_it(
    pristine: Path, tmp_path: Path
) -> None:
    """'<5' in `value`, declared as a missing value (so frictionless reads it as empty) and with
    the Parquet twins gone: still a finding, at the row and field."""
    pkg = tmp_path / "datapackage"
    shutil.copytree(pristine, pkg)
    _edit_cell(pkg, 2, "value", "<5")
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"] = [r for r in desc["resources"] if r.get("format") != "parquet"]
    for r in desc["resources"]:
        if r["name"] == "small":
            r["schema"]["missingValues"] = ["", "<5"]
    (pkg / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    shutil.rmtree(pkg / "parquet")
    before = tree_digest(pkg)
    exit_code, env = _check(pkg)
    assert exit_code == 1, env
    assert ("sdc.small-count", "small", 2, "value") in _bad(env), env["issues"]
    assert tree_digest(pkg) == before


@pytest.mark.parametrize(
    "text", [":x:", ":thumbs_up:", "[bold red]loud[/]", "[link=http://x]y[/link]"]
)
def test_data_text_is_never_markup_or_emoji(pristine: Path, tmp_path: Path, text: str) -> None:
    pkg = tmp_path / "datapackage"
    shutil.copytree(pristine, pkg)
    _edit_cell(pkg, 1, "form", text)  # not a code of the enum: a finding quotes it
    r = CliRunner().invoke(main, ["check", str(pkg), "--no-audit"])
    assert r.exit_code == 1
    assert text in r.stdout, r.stdout
    assert "❌" not in r.stdout and "👍" not in r.stdout


# --- already handled before issue 9 (kept so that they stay handled) -------------------------


def _bom(pkg: Path) -> None:
    _csv(pkg).write_bytes(b"\xef\xbb\xbf" + _csv(pkg).read_bytes())


def _crlf(pkg: Path) -> None:
    _csv(pkg).write_bytes(_csv(pkg).read_bytes().replace(b"\n", b"\r\n"))


def _unmasked_3(pkg: Path) -> None:
    lines = _lines(pkg)
    lines[2] = "2023,a,A (gedrukt),Form A,3,3,3,3,exact,A,F,2023"
    _set_lines(pkg, lines)


def _negative(pkg: Path) -> None:
    _edit_cell(pkg, 1, "value", "-10")


def _duplicate_key(pkg: Path) -> None:
    lines = _lines(pkg)
    lines[3] = lines[1]
    _set_lines(pkg, lines)


def _missing_column(pkg: Path) -> None:
    rows = [x.split(",") for x in _lines(pkg) if x]
    _set_lines(pkg, [",".join(r[:3] + r[4:]) for r in rows] + [""])


def _extra_column(pkg: Path) -> None:
    rows = [x.split(",") for x in _lines(pkg) if x]
    _set_lines(pkg, [",".join([*r, "extra" if i == 0 else "1"]) for i, r in enumerate(rows)] + [""])


def _unknown_code(pkg: Path) -> None:
    _edit_cell(pkg, 4, "form", "zz")


def _text_in_integer(pkg: Path) -> None:
    _edit_cell(pkg, 6, "value_lower", "zeventien")


def _short_row(pkg: Path) -> None:
    lines = _lines(pkg)
    lines[5] = ",".join(lines[5].split(",")[:-1])
    _set_lines(pkg, lines)


PASSING: dict[str, tuple[Callable[[Path], None], str, int | None, str | None]] = {
    "bom": (_bom, "format.csv-dialect", None, None),
    "crlf": (_crlf, "format.csv-dialect", None, None),
    "unmasked-3": (_unmasked_3, "sdc.small-count", 2, "value"),
    "negative": (_negative, "schema.constraint-error", 1, "value"),
    "duplicate-key": (_duplicate_key, "schema.primary-key", 3, None),
    "missing-column": (_missing_column, "schema.header-error", None, "form_label_en"),
    "extra-column": (_extra_column, "schema.header-error", None, "extra"),
    "unknown-code": (_unknown_code, "schema.constraint-error", 4, "form"),
    "text-in-integer": (_text_in_integer, "schema.type-error", 6, "value_lower"),
    "short-row": (_short_row, "schema.missing-cell", 5, "edition"),
}


@pytest.mark.parametrize("case", list(PASSING))
def test_bad_cell_or_dialect_is_named(pristine: Path, tmp_path: Path, case: str) -> None:
    pkg = tmp_path / "datapackage"
    shutil.copytree(pristine, pkg)
    mutate, code, row, field = PASSING[case]
    mutate(pkg)
    before = tree_digest(pkg)
    exit_code, env = _check(pkg, "--no-audit")
    assert exit_code == 1, env
    assert (code, "small", row, field) in _bad(env), env["issues"]
    assert tree_digest(pkg) == before


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"{not json", "package.unreadable"), (b"[]", "package.invalid-descriptor")],
)
def test_unreadable_descriptor(pristine: Path, tmp_path: Path, content: bytes, code: str) -> None:
    pkg = tmp_path / "datapackage"
    shutil.copytree(pristine, pkg)
    (pkg / "datapackage.json").write_bytes(content)
    before = tree_digest(pkg)
    exit_code, env = _check(pkg)
    assert exit_code == 3
    assert env["error"]["code"] == code
    assert "datapackage.json" in env["error"]["message"]
    assert tree_digest(pkg) == before


def test_bad_toml_in_the_metadata(tmp_path: Path) -> None:
    meta = tmp_path / "metadata"
    shutil.copytree(FIXTURE, meta)
    (meta / "relations.toml").write_text('[[relations]]\nid = "x\n', encoding="utf-8")
    before = tree_digest(tmp_path)
    args = ["generate", "--metadata", str(meta), "--out", str(tmp_path / "pkg"), "--json"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 3
    env = json.loads(r.stdout)
    assert env["error"]["code"] == "metadata.invalid"
    assert any(p["file"] == "relations.toml" for p in env["error"]["problems"])
    assert tree_digest(tmp_path) == before


@pytest.mark.parametrize("label", ["[bold]cell_type", "cell_type[/]", ":x:value"])
def test_a_header_label_is_printed_literally(pristine: Path, tmp_path: Path, label: str) -> None:
    pkg = tmp_path / "datapackage"
    shutil.copytree(pristine, pkg)
    lines = _lines(pkg)
    lines[0] = (
        lines[0].replace("cell_type", label)
        if "cell_type" in label
        else (lines[0].replace(",value,", f",{label},"))
    )
    _set_lines(pkg, lines)
    before = tree_digest(pkg)
    r = CliRunner().invoke(main, ["check", str(pkg), "--no-audit"])
    assert r.exit_code == 1, r.output
    assert f"field {label}" in r.stdout or f'label "{label}"' in r.stdout, r.stdout
    assert "❌" not in r.stdout
    assert tree_digest(pkg) == before


@pytest.mark.parametrize(
    ("command", "label"),
    [
        ("show", "Vorm :x: B"),
        ("show", "Vorm [bold]B[/]"),
        ("show", "Vorm [red]B"),
        ("tables", "Klein :x: [bold]B[/]"),
    ],
)
def test_views_print_data_labels_literally(
    pristine: Path, tmp_path: Path, command: str, label: str
) -> None:
    pkg = tmp_path / "datapackage"
    shutil.copytree(pristine, pkg)
    _edit_cell(pkg, 3, "form_label", label)
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    if command == "tables":  # the table's title is shown by 'tables'
        for r in desc["resources"]:
            if r["name"] == "small":
                r["title"] = label
        (pkg / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    before = tree_digest(pkg)
    args = ["show", "small", str(pkg)] if command == "show" else ["tables", str(pkg)]
    r = CliRunner().invoke(main, args, env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    assert label in r.stdout, r.stdout
    assert "❌" not in r.stdout
    assert tree_digest(pkg) == before
