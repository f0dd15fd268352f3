"""Import rules: lower layers never import higher ones; click only in cli, frictionless only in
validate, HiGHS only in sdc; the sdc subpackage is pure (nothing from the rest of the package) and
its pure-Python parts (the printed-value rules, the relation semantics) are read by every layer;
validate never imports the audit or HiGHS (the audit is plugged in through ``extra_checks``);
nothing imports cli."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "opendata_mh"
LAYERS = ["errors", "report", "model", "relations", "generate", "validate", "audit", "cli"]
HOMES = {
    "click": "cli",
    "frictionless": "validate",
    "highspy": "sdc",
    "ckanapi": "publish",
    "pyarrow": "parquet",
    "matplotlib": "charts",
    "jinja2": "codebook",
    "pyphen": "codebook",
    "docx": "text.reading",
    "pdfplumber": "text.reading",
    "pdfminer": "text.reading",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _module(path: Path) -> str:
    return path.relative_to(SRC).with_suffix("").as_posix().replace("/", ".")


MODULES = sorted(p for p in SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=_module)
def test_third_party_homes(path: Path) -> None:
    mod = _module(path)
    for name in _imports(path):
        top = name.split(".")[0]
        if top in HOMES:
            home = HOMES[top]
            assert mod == home or mod.startswith(home + "."), f"{mod} imports {top}"


def _layer_files(name: str) -> list[Path]:
    """The module ``name.py`` or every module of the subpackage ``name/``."""
    path = SRC / f"{name}.py"
    return [path] if path.exists() else sorted((SRC / name).rglob("*.py"))


@pytest.mark.parametrize("name", LAYERS)
def test_layers(name: str) -> None:
    mine = LAYERS.index(name)
    files = _layer_files(name)
    assert files, f"no module or subpackage {name}"
    for path in files:
        for imp in _imports(path):
            if imp.startswith("opendata_mh."):
                target = imp.split(".")[1]
                if target in LAYERS:
                    assert LAYERS.index(target) <= mine, (
                        f"{_module(path)} imports higher layer {target}"
                    )


MODEL_ORDER = [
    "constants",
    "printed",
    "_collect",
    "package",
    "codelists",
    "tables",
    "refs",
    "figures",
    "relations",
    "findings",
    "editions",
    "load",
]
"""The modules of ``opendata_mh.model``, lowest first: each imports only lower ones (at run
time; a higher one only for annotations, under ``TYPE_CHECKING``)."""


def _runtime_imports(path: Path) -> set[str]:
    """Absolute imports of ``path`` outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(x) for stmt in node.body for x in ast.walk(stmt)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
    return names


def test_model_modules_are_the_listed_ones() -> None:
    found = {p.stem for p in (SRC / "model").glob("*.py")} - {"__init__"}
    assert found == set(MODEL_ORDER)


@pytest.mark.parametrize("name", MODEL_ORDER)
def test_model_modules_import_downwards(name: str) -> None:
    mine = MODEL_ORDER.index(name)
    for imp in _runtime_imports(SRC / "model" / f"{name}.py"):
        if imp.startswith("opendata_mh.model."):
            target = imp.split(".")[2]
            assert MODEL_ORDER.index(target) < mine, f"model.{name} imports model.{target}"
        elif imp.startswith("opendata_mh."):
            assert imp.split(".")[1] in ("errors", "aggregation", "sdc"), (
                f"model.{name} imports {imp}"
            )
            assert imp in (
                "opendata_mh.sdc",
                "opendata_mh.sdc.rules",
                "opendata_mh.sdc.relations",
            ) or not (imp.startswith("opendata_mh.sdc")), (
                f"model.{name} imports {imp} (only the pure rules and relations of sdc)"
            )


@pytest.mark.parametrize("path", MODULES, ids=_module)
def test_nothing_imports_cli(path: Path) -> None:
    if _module(path) in ("cli", "__main__"):
        return
    assert not any(
        i == "opendata_mh.cli" or i.startswith("opendata_mh.cli.") for i in _imports(path)
    )


def test_errors_imports_nothing_from_the_package() -> None:
    assert not any(i.startswith("opendata_mh") for i in _imports(SRC / "errors.py"))


@pytest.mark.parametrize("path", sorted((SRC / "sdc").rglob("*.py")), ids=_module)
def test_sdc_is_pure(path: Path) -> None:
    outside = [i for i in _imports(path) if i.startswith("opendata_mh")]
    assert not outside, f"{_module(path)} imports {outside}"


SOLVER = ("highspy", "numpy", "opendata_mh.sdc.audit", "opendata_mh.sdc._lp", "opendata_mh.audit")
"""What the consistency check must not load: the audit and its LP solver (the pure relation
semantics, :mod:`opendata_mh.sdc.relations`, and printed-value rules it reads)."""


def test_validate_does_not_import_the_audit() -> None:
    imports = _imports(SRC / "validate.py") | _imports(SRC / "relations.py")
    assert not any(i.startswith(SOLVER) for i in imports)
    code = (
        "import sys, opendata_mh.validate, opendata_mh.relations; "
        f"bad = [m for m in {SOLVER!r} if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


HEAVY = ("matplotlib", "pandas", "pyarrow", "highspy", "numpy", "frictionless", "jinja2")
HEAVY += ("rdflib", "ckanapi", "requests")
PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"


def _loaded_by(args: list[str]) -> tuple[int, set[str]]:
    """Run ``opendata-mh ARGS`` in a fresh interpreter; its exit code and the heavy
    third-party libraries it imported."""
    code = (
        "import json, sys\n"
        "from opendata_mh.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exc:\n"
        "    rc = exc.code or 0\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "sys.stderr.write('\\n' + json.dumps([rc, heavy]) + '\\n')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    rc, heavy = json.loads(run.stderr.strip().splitlines()[-1])
    return rc, set(heavy)


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--help"], set()),
        (["check", "--help"], set()),
        (["tables", str(PACKAGE)], set()),
        (["show", "1", str(PACKAGE)], set()),
        # frictionless for the CSVs, pyarrow for the Parquet twins, HiGHS (and numpy) for the
        # audit; never pandas (pq.read_table would import it through pyarrow.dataset) nor the
        # codebook's matplotlib/jinja2 nor the publishing libraries
        (["check", str(PACKAGE), "-q"], {"frictionless", "pyarrow", "numpy", "highspy"}),
        (["check", str(PACKAGE), "-q", "--no-audit"], {"frictionless", "pyarrow", "numpy"}),
    ],
    ids=lambda x: " ".join(x) if isinstance(x, list) else None,
)
def test_a_command_imports_only_what_it_uses(args: list[str], allowed: set[str]) -> None:
    rc, heavy = _loaded_by(args)
    assert rc == 0
    assert heavy <= allowed, f"opendata-mh {' '.join(args)} imports {sorted(heavy - allowed)}"


def test_render_only_prints() -> None:
    """The renderers take a result and a console; they import no library module at run time
    (the result types only for annotations), so cli stays options, calls and exit codes."""
    runtime = _runtime_imports(SRC / "render.py")
    assert all(i.startswith("rich") or i == "__future__" or i == "typing" for i in runtime), runtime


def test_sdc_names_load_on_first_use() -> None:
    """``opendata_mh.sdc`` imports its submodules on first use (``_HOMES``): every public name
    has a home and resolves, and reading the printed-value rules loads neither numpy nor HiGHS."""
    code = (
        "import sys\n"
        "from opendata_mh import sdc\n"
        "assert set(sdc.__all__) == set(sdc._HOMES), set(sdc.__all__) ^ set(sdc._HOMES)\n"
        "sdc.parse_printed('<5'); sdc.share_rows('share', 40, 0, ['n'], ['d'])\n"
        "assert not {'numpy', 'highspy'} & set(sys.modules), 'numpy/HiGHS loaded too early'\n"
        "assert all(getattr(sdc, n) is not None for n in sdc.__all__)\n"
        "assert callable(sdc.audit) and sdc.audit.__module__ == 'opendata_mh.sdc.audit'\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
