"""show / tables / docs / diff on a package whose table CSV is broken: one clear error naming the
resource (file), row and field, exit 3, nothing written; diff compares ``value`` too; Dutch
dimension titles keep their closing parenthesis (issue 9 follow-up, fresh-user test)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from opendata_mh.cli import main
from opendata_mh.diff import diff_packages
from opendata_mh.views import dimension_title, table_view

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "datapackage"
CSV = "data/victims_by_form.csv"


def _empty(b: bytes) -> bytes:
    return b""


def _quote(b: bytes) -> bytes:
    lines = b.decode().split("\n")
    lines[3] = lines[3].replace(",", ',"', 1)
    return "\n".join(lines).encode()


def _header(b: bytes) -> bytes:
    return b.replace(b"cell_type", b"cell_tpye", 1)


def _cp1252(b: bytes) -> bytes:
    return b + b"\x92"


def _semicolons(b: bytes) -> bytes:
    return b.replace(b",", b";")


BREAKS: dict[str, tuple[Callable[[bytes], bytes], str, str | None, str | None]] = {
    # name: (break, code, row, field)
    "empty": (_empty, "format.empty-file", None, None),
    "quote": (_quote, "format.csv-row", "data row 3", "field year_to"),
    "header": (_header, "format.csv-header", None, "'cell_type'"),
    "cp1252": (_cp1252, "format.csv-dialect", "data row 31", "field year_from"),
    "semicolons": (_semicolons, "format.csv-separator", None, None),
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name, (fn, *_rest) in BREAKS.items():
        d = tmp_path_factory.mktemp(name) / "pkg"
        shutil.copytree(PKG, d)
        (d / CSV).write_bytes(fn((d / CSV).read_bytes()))
        out[name] = d
    return out


def _expect(res: object, name: str, as_json: bool) -> None:
    _fn, code, row, fld = BREAKS[name]
    assert res.exit_code == 3, res.output  # type: ignore[attr-defined]
    if as_json:
        env = json.loads(res.stdout)  # type: ignore[attr-defined]
        assert env["ok"] is False
        assert env["error"]["code"] == code
        message = env["error"]["message"]
    else:
        message = res.stderr  # type: ignore[attr-defined]
        assert "Traceback" not in res.output  # type: ignore[attr-defined]
    assert "victims_by_form" in message
    for part in (row, fld):
        if part:
            assert part in message, message


@pytest.mark.parametrize("name", list(BREAKS))
@pytest.mark.parametrize("as_json", [False, True])
def test_show_broken_table_file(broken: dict[str, Path], name: str, as_json: bool) -> None:
    args = ["show", "1", str(broken[name]), *(["--json"] if as_json else [])]
    _expect(CliRunner().invoke(main, args), name, as_json)


@pytest.mark.parametrize("name", ["empty", "quote", "header"])
def test_tables_broken_table_file(broken: dict[str, Path], name: str) -> None:
    _expect(CliRunner().invoke(main, ["tables", str(broken[name]), "--json"]), name, True)


@pytest.mark.parametrize("name", ["empty", "cp1252"])
def test_docs_broken_table_file_writes_nothing(
    broken: dict[str, Path], name: str, tmp_path: Path
) -> None:
    out = tmp_path / "codebook"
    res = CliRunner().invoke(main, ["docs", str(broken[name]), "--out", str(out)])
    _expect(res, name, False)
    assert not out.exists()


@pytest.mark.parametrize("name", list(BREAKS))
@pytest.mark.parametrize("as_json", [False, True])
def test_diff_broken_table_file(broken: dict[str, Path], name: str, as_json: bool) -> None:
    args = ["diff", str(PKG), str(broken[name]), *(["--json"] if as_json else [])]
    _expect(CliRunner().invoke(main, args), name, as_json)


def test_diff_compares_value_and_names_the_field(tmp_path: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(PKG, new)
    lines = (new / CSV).read_text(encoding="utf-8").split("\n")
    cells = lines[1].split(",")
    assert (cells[2], cells[5], cells[6]) == ("sexual_domestic", "181", "181")
    cells[5] = "180"  # value only; bounds unchanged
    lines[1] = ",".join(cells)
    (new / CSV).write_text("\n".join(lines), encoding="utf-8")
    result = diff_packages(PKG, new)
    assert result.summary()["revised"] == 1
    (change,) = next(t for t in result.tables if t.resource == "victims_by_form").revised
    # the printed value follows from value and cell_type (derived on reading): both changed
    assert change.fields == ("value", "value_printed")
    assert (change.old["value"], change.new["value"]) == ("181", "180")  # type: ignore[index]
    res = CliRunner().invoke(main, ["diff", str(PKG), str(new)])
    assert res.exit_code == 0, res.output
    assert "1 revised" in res.output and "value 181 -> 180" in res.output


def test_dutch_dimension_titles_keep_parentheses() -> None:
    d = json.loads((PKG / "datapackage.json").read_text(encoding="utf-8"))
    res = {r["name"]: r for r in d["resources"]}
    assert (
        dimension_title(res["ind_reflection_period"], "reflection_period")
        == "Bedenktijd (uitstel van vertrek)"
    )
    assert (
        dimension_title(res["tried_suspects_by_age"], "age_group_suspect")
        == "Leeftijdsgroep (pleegleeftijd)"
    )
    assert dimension_title(res["tried_suspects_by_age"], "form") == "Vorm van uitbuiting"
    view = table_view("21", PKG)
    assert "Leeftijdsgroep (pleegleeftijd)" in json.dumps(view.to_dict(), ensure_ascii=False)
