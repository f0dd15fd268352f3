"""Command-line interface ``opendata-mh`` (the only click import).

Each command parses options, calls one library function, hands the result to its renderer
(:mod:`opendata_mh.render`, or :mod:`opendata_mh.views` for ``tables`` and ``show``) and picks
the exit code: 0 ok (info-level findings such as known discrepancies allowed), 1 findings, 2
usage error (click), 3 could not run (unreadable package, bad descriptor, invalid metadata, I/O
error).

stdout carries the result only (human text, or with ``--json`` one envelope:
``ok``, ``command``, ``summary``, ``issues``, ``error``); logs go to stderr.

What the commands share is defined once (tests/cli/test_cli_shared.py): the ``--json`` flag
(:func:`_json_option`), the PACKAGE_DIR argument (:data:`_PACKAGE_DIR`), and the turning of an
exception into the error line or envelope and the exit code (:func:`_call`, which hands over
to :func:`_fail`, exit 3, or :func:`_usage_error`, exit 2); a command adds only its own cases
(``build``'s interruption and bad record, ``release``'s refusal, ``publish``'s Ctrl-C).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console

from opendata_mh import __version__
from opendata_mh.errors import (
    GenerateError,
    MetadataError,
    OpendataMhError,
    OutputError,
    PackageError,
    PortalError,
    UsageError,
)
from opendata_mh.render import (
    render_audit,
    render_build,
    render_diff,
    render_generate,
    render_plan,
    render_refused,
    render_report,
    render_text_report,
)
from opendata_mh.report import Issue

# the library modules are imported inside the commands that use them: each command loads only
# the libraries it needs (tests/unit/test_architecture.py pins what --help and check import)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
Handler = tuple[tuple[type[BaseException], ...], Callable[[Any], NoReturn]]
"""(exception types, what to do with one) for :func:`_call`."""


def _json_option(help_text: str = "Print one JSON envelope on stdout.") -> Callable[[F], F]:
    """The ``--json`` flag of every command (``as_json``)."""
    return click.option("--json", "as_json", is_flag=True, help=help_text)


def _dir_option(
    name: str, dest: str, default: str | None, help_text: str | None = None
) -> Callable[[F], F]:
    """A directory option (``--metadata``, ``--out``): its default shown, or required when it
    has none."""
    kind = click.Path(file_okay=False, path_type=Path)
    if default is None:
        return click.option(name, dest, required=True, type=kind, help=help_text)
    return click.option(name, dest, default=default, show_default=True, type=kind, help=help_text)


_PACKAGE_DIR = click.argument(
    "package_dir", default="datapackage", required=False, type=click.Path(path_type=Path)
)
"""The optional PACKAGE_DIR argument (default: datapackage) of the commands that read a package."""


def _stdout() -> Console:
    return Console(soft_wrap=True, highlight=False, emoji=False)


def _stderr() -> Console:
    return Console(stderr=True, soft_wrap=True, highlight=False, emoji=False)


def envelope(
    command: str,
    *,
    ok: bool,
    summary: dict[str, Any] | None = None,
    issues: Sequence[Issue] = (),
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The one JSON shape of every command."""
    return {
        "ok": ok,
        "command": command,
        "summary": summary or {},
        "issues": [i.to_dict() for i in issues],
        "error": error,
    }


def _emit_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _stderr_line(line: str) -> None:
    """One progress line on stderr, literally (no markup)."""
    _stderr().print(line, markup=False)


def _interrupted(message: str) -> OpendataMhError:
    err = OpendataMhError(message)
    err.code = "interrupted"  # type: ignore[attr-defined]
    return err


def _internal(exc: Exception) -> OpendataMhError:
    err = OpendataMhError(f"internal error: {type(exc).__name__}: {exc} (please report this)")
    err.code = "internal-error"  # type: ignore[attr-defined]
    return err


def _print_error(head: str, message: str) -> None:
    """``error<head>: message`` on stderr; the message may quote data, so it is never read as
    markup or emoji codes."""
    from rich.text import Text

    _stderr().print(Text.assemble(("error", "bold red"), f"{head}: {message}"))


def _fail(command: str, exc: OpendataMhError, as_json: bool) -> NoReturn:
    """Render an exception (exit 3)."""
    issues: list[Issue] = []
    code = getattr(exc, "code", None) or {
        MetadataError: "metadata.invalid",
        PackageError: "package.unreadable",
        GenerateError: "package.write-failed",
    }.get(type(exc), "error")
    if isinstance(exc, MetadataError):
        issues = [
            Issue(
                "metadata.invalid",
                "error",
                p.message,
                p.table,
                p.row,
                p.field if not p.panel else f"{p.panel}:{p.field or ''}".rstrip(":"),
            )
            for p in exc.problems
        ]
    if as_json:
        err: dict[str, Any] = {"code": code, "type": type(exc).__name__, "message": str(exc)}
        if isinstance(exc, MetadataError):
            err["problems"] = [
                {
                    "file": p.file,
                    "table": p.table,
                    "panel": p.panel,
                    "row": p.row,
                    "field": p.field,
                    "message": p.message,
                }
                for p in exc.problems
            ]
        if isinstance(exc, PortalError):
            err.update(action=exc.action, field=exc.field, server_message=exc.server_message)
        _emit_json(envelope(command, ok=False, issues=issues, error=err))
    else:  # the message may quote data: never read it as markup or emoji codes
        _print_error(f" ({code})", str(exc))
    sys.exit(EXIT_ERROR)


def _call(
    command: str,
    as_json: bool,
    fn: Callable[[], T],
    *,
    first: Sequence[Handler] = (),
    usage: tuple[type[OpendataMhError], ...] = (),
    os_error: Callable[[OSError], OpendataMhError] | None = None,
) -> T:
    """``fn()``, the library call of ``command``; an exception becomes the command's error
    output and exit code, the same for every command: an exception of a ``first`` handler goes
    to it; one of ``usage`` is a usage error (exit 2, :func:`_usage_error`); any other
    :class:`OpendataMhError` exit 3 (:func:`_fail`); an :class:`OSError` the error
    ``os_error`` makes of it (writing the output), else an internal error; anything else an
    internal error (exit 3, never "findings")."""
    special = tuple(t for types, _ in first for t in types)
    try:
        return fn()
    except special as exc:
        next(handle for types, handle in first if isinstance(exc, types))(exc)
    except usage as exc:
        _usage_error(command, exc, as_json)
    except OpendataMhError as exc:
        _fail(command, exc, as_json)
    except Exception as exc:  # an internal error is "could not run" (3), never "findings" (1)
        if os_error is not None and isinstance(exc, OSError):
            _fail(command, os_error(exc), as_json)
        _fail(command, _internal(exc), as_json)


def _not_a_directory(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """An output FILE option (given as text): a value that ends in a path separator names a
    directory, which ``Path`` would silently turn into a file of the directory's name."""
    if value is None:
        return None
    if value.endswith(("/", os.sep)):
        raise click.BadParameter(f"{value!r} names a directory; give a file name", ctx, param)
    return Path(value)


@click.group(
    context_settings=CONTEXT,
    epilog=("\b\nExample:\n  opendata-mh generate && opendata-mh check datapackage"),
)
@click.version_option(__version__, "-V", "--version", prog_name="opendata-mh")
def main() -> None:
    """opendata-mh: the Jaarcijfers Mensenhandel 2023 as a validated Frictionless data package."""


@main.command(
    context_settings=CONTEXT,
    epilog=("\b\nExample:\n  opendata-mh generate --metadata metadata --out datapackage --check"),
)
@_dir_option(
    "--metadata",
    "metadata_dir",
    "metadata",
    "Directory with the hand-edited metadata (package.toml, tables/, ...).",
)
@_dir_option(
    "--out",
    "out_dir",
    "datapackage",
    "Directory of the generated package (replaced as a whole).",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 if the package in --out would change.",
)
@_json_option()
def generate(metadata_dir: Path, out_dir: Path, check_only: bool, as_json: bool) -> None:
    """Generate the data package (datapackage.json + tidy CSVs) from the metadata.

    The output is deterministic and written atomically: on any error the previous package is
    left intact. With --check nothing is written and the command fails (exit 1) when the
    committed package is out of date.

    \b
    Exit codes: 0 ok, 1 package out of date (--check), 2 usage error,
                3 invalid metadata or write error.
    """
    from opendata_mh.generate import generate as generate_package

    result = _call(
        "generate", as_json, lambda: generate_package(metadata_dir, out_dir, check=check_only)
    )
    findings = check_only and result.changed
    issues = (
        [
            Issue(
                "package.out-of-date",
                "error",
                f"{c.path} would be {c.status}; run 'opendata-mh generate'",
                None,
                None,
                c.path,
            )
            for c in result.changes
        ]
        if check_only
        else []
    )
    if as_json:
        _emit_json(envelope("generate", ok=not findings, summary=result.to_dict(), issues=issues))
    else:
        render_generate(result, _stdout(), check_only)
    sys.exit(EXIT_FINDINGS if findings else EXIT_OK)


@main.command(
    context_settings=CONTEXT, epilog=("\b\nExample:\n  opendata-mh check datapackage --json")
)
@_PACKAGE_DIR
@_json_option()
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--no-audit", is_flag=True, help="Skip the disclosure audit (see 'audit').")
@click.option(
    "--verbose", "-v", is_flag=True, help="List every info note (acknowledged findings, ...)."
)
def check(package_dir: Path, as_json: bool, quiet: bool, no_audit: bool, verbose: bool) -> None:
    """Validate a data package: schema (frictionless), disclosure rules, consistency, metadata,
    the Parquet copies cell by cell against their CSVs, and the disclosure audit.

    PACKAGE_DIR is the package directory or its datapackage.json (default: datapackage).
    Every finding names the resource, the CSV data row (1-based) and the field. Known
    discrepancies of the printed report and acknowledged disclosure findings are shown as known
    (info) and do not fail the check; a new disclosure does.

    \b
    Exit codes: 0 clean, 1 findings, 2 usage error,
                3 could not run (unreadable package, bad descriptor).
    """
    from opendata_mh.audit import audit_check
    from opendata_mh.parquet import parquet_check
    from opendata_mh.validate import check as check_package

    extra = (parquet_check,) if no_audit else (parquet_check, audit_check)
    report = _call("check", as_json, lambda: check_package(package_dir, extra_checks=extra))
    if as_json:
        _emit_json(envelope("check", ok=report.ok, summary=report.summary, issues=report.issues))
    else:
        render_report(report, _stdout(), quiet=quiet, verbose=verbose)
    sys.exit(EXIT_OK if report.ok else EXIT_FINDINGS)


@main.command(
    context_settings=CONTEXT,
    epilog=("\b\nExample:\n  opendata-mh audit datapackage --all"),
)
@_PACKAGE_DIR
@_json_option()
@click.option("--mip", is_flag=True, help="Integer attacker (HiGHS MIP) instead of the LP.")
@click.option(
    "--all", "all_cells", is_flag=True, help="List every audited cell, not only the findings."
)
@click.option(
    "--rekey",
    is_flag=True,
    help="Recompute the keyed fingerprints of acknowledged_findings.toml (OPENDATA_MH_ACK_KEY).",
)
@_dir_option(
    "--metadata",
    "metadata_dir",
    "metadata",
    "With --rekey: the metadata whose acknowledged_findings.toml is rewritten.",
)
def audit(
    package_dir: Path,
    as_json: bool,
    mip: bool,
    all_cells: bool,
    rekey: bool,
    metadata_dir: Path,
) -> None:
    """Disclosure audit: what an attacker derives about each masked cell from everything the
    package publishes (tables, prose, relations).

    For every masked cell ('<5' = 1..4) the feasibility interval over all relations, whether it
    is disclosed exactly or narrowed, and which relations pin it. Acknowledged historic findings
    (acknowledgedFindings, matched by fingerprint) are shown as such; for a new finding the
    fingerprint to acknowledge it with is printed. Relations of known discrepancies are left out.
    This is the maintainer's tool: it shows the intervals; 'check' does not for acknowledged ones.
    Fingerprints are keyed (HMAC-SHA256, key in OPENDATA_MH_ACK_KEY, never committed); without
    the key acknowledgements are matched by cell and code. --rekey matches them to the current
    findings by cell and code and rewrites their fingerprints under the key (then 'generate');
    one that moved with an earlier edition's printing (a re-printed cell) is matched to what
    that edition alone gives away.

    \b
    Exit codes: 0 no new finding, 1 new finding / stale acknowledgement /
                infeasible / acknowledgements --rekey could not match,
                2 usage error, 3 could not run.
    """
    from opendata_mh.audit import PackageAudit, audit_path

    if rekey:
        from opendata_mh.acknowledge import rekey as rekey_findings

        res = _call("audit", as_json, lambda: rekey_findings(package_dir, metadata_dir))
        if as_json:
            _emit_json(envelope("audit", ok=not res.missing, summary=res.to_dict()))
        else:
            _stderr_line(
                f"{res.file}: {res.rekeyed} fingerprint(s) rewritten, {res.unchanged} unchanged"
                + (f" ({res.earlier} of an earlier edition's printing)" if res.earlier else "")
                + (f"; no matching finding for {', '.join(res.missing)}" if res.missing else "")
                + "; run 'opendata-mh generate'"
            )
        sys.exit(EXIT_FINDINGS if res.missing else EXIT_OK)

    err = _stderr()

    def run_audit() -> PackageAudit:
        if err.is_terminal and not as_json:
            with err.status("auditing") as status:
                return audit_path(package_dir, mip=mip, progress=status.update)
        return audit_path(package_dir, mip=mip)

    result = _call("audit", as_json, run_audit)
    if as_json:
        _emit_json(
            envelope("audit", ok=result.ok, summary=result.to_dict(all_cells), issues=result.issues)
        )
    else:
        render_audit(result, _stdout(), all_cells=all_cells)
    sys.exit(EXIT_OK if result.ok else EXIT_FINDINGS)


def _view_console() -> tuple[Console, int]:
    """A console for ``tables`` / ``show`` and the width to lay out for: the terminal's, else
    ``COLUMNS``, else 80 (piped output is never unlimited). Call :func:`_view_flush` after."""
    import io
    import os

    from opendata_mh.views import output_width

    probe = _stdout()
    width = output_width(probe.is_terminal, probe.width, os.environ.get("COLUMNS"))
    # labels and codes are data: never read as rich markup or emoji codes (':x:', '[bold]')
    plain: dict[str, Any] = {"highlight": False, "markup": False, "emoji": False}
    if probe.is_terminal:
        return Console(width=width, **plain), width
    return Console(width=width, file=io.StringIO(), color_system=None, **plain), width


def _view_flush(console: Console) -> None:
    """Piped output: the captured text without the trailing blanks rich pads lines with."""
    import io

    if isinstance(console.file, io.StringIO):
        text = console.file.getvalue()
        click.echo("\n".join(line.rstrip() for line in text.splitlines()))


_LANG = click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Labels and titles in Dutch (as printed in the report) or English.",
)


def _usage_error(command: str, exc: OpendataMhError, as_json: bool) -> NoReturn:
    """Render an unknown table or year (exit 2, a usage error)."""
    if as_json:
        option = getattr(exc, "option", None)  # a build.BuildUsageError names its option
        code = getattr(exc, "code", None) if option else None
        err = {"code": code or "usage", "type": type(exc).__name__, "message": str(exc)}
        if option:
            err["option"] = option
        _emit_json(envelope(command, ok=False, error=err))
    else:
        code = exc.code if isinstance(exc, UsageError) else None
        _print_error(f" ({code})" if code else "", str(exc))
    sys.exit(EXIT_USAGE)


@main.command(
    context_settings=CONTEXT, epilog=("\b\nExample:\n  opendata-mh tables datapackage --json")
)
@_PACKAGE_DIR
@_LANG
@_json_option()
def tables(package_dir: Path, lang: str, as_json: bool) -> None:
    """List the tables of a package: number, name, rows, marked cells, findings; then years and
    title (Dutch, or English with --lang en), wrapped to the terminal, or to COLUMNS (else 80
    columns) when piped.

    Masked = printed <5; x = secondary suppression (not published, at least 1; 0 or
    more in a table that protects a small group by its whole breakdown);
    rounded/range = IND figures rounded to tens or printed as a range;
    unresolved = not readable from the report's text; findings = acknowledged findings of the
    disclosure audit (acknowledgedFindings).

    \b
    Exit codes: 0 ok, 2 usage error, 3 could not run (unreadable package).
    """
    from opendata_mh.views import list_tables, render_tables

    result = _call("tables", as_json, lambda: list_tables(package_dir))
    if as_json:
        summary = {"tables": [t.to_dict() for t in result]}
        _emit_json(envelope("tables", ok=True, summary=summary))
        sys.exit(EXIT_OK)
    console, width = _view_console()
    render_tables(result, console, width, lang)
    _view_flush(console)
    sys.exit(EXIT_OK)


@main.command(
    context_settings=CONTEXT,
    epilog="\b\nExample:\n  opendata-mh show 8 --year 2020\n  opendata-mh show 1 --lang en | less",
)
@click.argument("table")
@_PACKAGE_DIR
@click.option("--year", "-y", default=None, help="Only this period (2023, or 2019-2023).")
@_LANG
@_json_option()
def show(table: str, package_dir: Path, year: str | None, lang: str, as_json: bool) -> None:
    """Print TABLE (name or report number) laid out as the report prints it.

    One grid per panel (rows x columns as printed; years and panels a later edition added
    follow the printed ones), headed by the dimensions' titles, labels in Dutch as printed or
    English (--lang en). Fits the terminal, or COLUMNS (else 80 columns) when piped: labels
    wrap, never cut; more columns than fit are printed in chunks that repeat the row labels.
    Masked (<5), secondary (x), rounded (≈, IND), range and unresolved (?) cells are styled
    and explained in a legend.

    \b
    Exit codes: 0 ok, 2 unknown table or year,
                3 could not run (unreadable package).
    """
    from opendata_mh.views import UnknownTableError, render_table_view, table_view

    view = _call(
        "show",
        as_json,
        lambda: table_view(table, package_dir, year=year, lang=lang),
        usage=(UnknownTableError,),
    )
    if as_json:
        _emit_json(envelope("show", ok=True, summary=view.to_dict()))
    else:
        console, width = _view_console()
        render_table_view(view, console, width)
        _view_flush(console)
    sys.exit(EXIT_OK)


@main.command(
    context_settings=CONTEXT,
    epilog=("\b\nExample:\n  opendata-mh docs datapackage --out docs/codebook"),
)
@_PACKAGE_DIR
@_dir_option(
    "--out",
    "out_dir",
    "codebook",
    "Directory for codebook.md, codebook.html and charts/.",
)
@_json_option()
def docs(package_dir: Path, out_dir: Path, as_json: bool) -> None:
    """Write the codebook of a package: Markdown, one self-contained HTML page, charts.

    A sticky table of contents, an index from questions to tables and a coverage matrix; per
    table the figures as printed (<5, x, ranges) beside a chart of each time series (PNG and SVG,
    with alt text; masked, x and unresolved cells drawn as their symbol under the chart, never as
    zero), titles and descriptions (Dutch and English), source, dimensions with codes and labels,
    notes, known discrepancies, the audit's acknowledged findings and loading snippets for
    pandas, R and DuckDB.

    \b
    Exit codes: 0 ok, 2 usage error,
                3 could not run (unreadable package, write error).
    """
    from opendata_mh.codebook import write_codebook  # matplotlib: only for this command

    result = _call(
        "docs",
        as_json,
        lambda: write_codebook(package_dir, out_dir),
        os_error=lambda exc: OutputError(f"cannot write the codebook to {out_dir}: {exc}"),
    )
    if as_json:
        _emit_json(envelope("docs", ok=True, summary=result.to_dict()))
    else:
        _stdout().print(
            f"[green]codebook written[/] to {result.out}: codebook.md, codebook.html, "
            f"{result.charts} charts (PNG + SVG) for {result.tables} tables"
        )
    sys.exit(EXIT_OK)


@main.command(
    context_settings=CONTEXT,
    epilog=(
        "\b\nExample:\n  python scripts/make_synthetic_microdata.py --year 2024\n"
        "  opendata-mh build --year 2024 --input data/raw/2024 \\\n"
        "      --reference-date phoenix=2025-04-25"
    ),
)
@click.option("--year", type=int, required=True, help="The new year.")
@click.option(
    "--input",
    "inputs",
    multiple=True,
    required=True,
    help="TYPE=PATH, a <type>.csv/.parquet file, or a directory of them (repeatable).",
)
@click.option("--edition", default=None, help="Edition id (default: the year).")
@_dir_option("--metadata", "metadata_dir", "metadata")
@_dir_option("--out", "out_dir", "datapackage")
@click.option("--date", default=None, help="Edition date YYYY-MM-DD (default: today).")
@click.option(
    "--reference-date",
    "refs",
    multiple=True,
    help="SOURCE=YYYY-MM-DD: reference date of a source's data (repeatable).",
)
@click.option(
    "--allow-empty",
    multiple=True,
    metavar="TYPE",
    help="Accept no records of the year for this record type (repeatable).",
)
@click.option(
    "--force", is_flag=True, help="Accept a future year or date, or a gap after the last year."
)
@click.option(
    "--wait",
    "lock_timeout",
    type=click.FloatRange(0),
    default=0.0,
    show_default=True,
    help="Seconds to wait for another build/generate on the same metadata.",
)
@click.option(
    "--revision-model",
    type=click.Choice(["monotone", "either", "none"]),
    default=None,
    help="Attacker's model of revised cells: only added (old <= new), either way within "
    "--revision-bound, or none (protect the new edition alone). Default: the model "
    "package.toml states ([revisions] model; monotone), which check audits the package under.",
)
@click.option(
    "--revision-bound",
    type=click.IntRange(0),
    default=None,
    help="With --revision-model either: the most a revision moves a cell (default: "
    "package.toml [revisions] bound, else 10).",
)
@click.option("--dry-run", is_flag=True, help="Build, protect and check; write nothing.")
@click.option("--quiet", "-q", is_flag=True, help="No stage lines on stderr.")
@_json_option()
def build(
    year: int,
    inputs: tuple[str, ...],
    edition: str | None,
    metadata_dir: Path,
    out_dir: Path,
    date: str | None,
    refs: tuple[str, ...],
    allow_empty: tuple[str, ...],
    force: bool,
    lock_timeout: float,
    revision_model: str | None,
    revision_bound: int | None,
    dry_run: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Build a new year from microdata into a protected edition and regenerate the package.

    Counts every table as its [aggregation] metadata says, masks counts 1-4 as <5, adds
    suppressions (x: not published, at least 1) until the audit finds no <5 cell narrowed,
    protects a small group all in one category as its table's sdc.group_protection says
    (breakdown: the whole breakdown x, zeros included; total: the total x),
    prints a <5 as x when its parts are all <5 too, rounds IND figures,
    checks the result, then writes metadata/editions/<edition>/ and the package atomically.
    Years the package already printed and the new edition re-counts are protected jointly
    with the published figures (--revision-model; a reader holds both editions): extra x in
    the new edition only; the summary shows the cost beside protecting alone.
    A bad record stops the build with its file, line and field; nothing is written.
    Refused before anything is read (exit 2): an edition id that is not a plain name or
    exists already, a date that is not YYYY-MM-DD, a future year or date, a gap after the
    package's latest year (the last three unless --force). A record type with no record of
    the year is refused (exit 3) unless --allow-empty TYPE. One build or generate at a time
    per metadata tree (--wait SECONDS). Stage lines go to stderr ('build: protecting ...').
    Ctrl-C: exit 3, and either nothing was written or the complete edition, as it says.

    \b
    Exit codes: 0 built, 2 usage error (bad option, edition exists),
                3 bad record / empty input / locked / could not build /
                interrupted.
    """
    from opendata_mh.build import BuildInterruptedError, BuildUsageError, RecordError
    from opendata_mh.build import build as build_edition

    ref_map: dict[str, str] = {}
    for r in refs:
        if "=" not in r:
            raise click.BadParameter(
                f"{r!r} must be SOURCE=YYYY-MM-DD", param_hint="--reference-date"
            )
        k, v = r.split("=", 1)
        ref_map[k] = v
    err_console = _stderr()

    def stage(line: str) -> None:  # a log line per stage (also the tests' readiness signal)
        if not quiet and not as_json:
            err_console.print(f"build: {line}", markup=False, emoji=False)
            err_console.file.flush()

    def interrupted(exc: BaseException) -> NoReturn:  # 3, not click's "Aborted!" (1)
        if isinstance(exc, BuildInterruptedError):
            _build_interrupted(str(exc), as_json)
        _build_interrupted("interrupted; nothing was written", as_json)

    def bad_record(exc: RecordError) -> NoReturn:
        if as_json:
            issue = Issue(exc.code, "error", str(exc), exc.file, exc.line, exc.field)
            err = {"code": exc.code, "type": type(exc).__name__, "message": str(exc)}
            _emit_json(envelope("build", ok=False, issues=[issue], error=err))
            sys.exit(EXIT_ERROR)
        _fail("build", exc, as_json)

    result = _call(
        "build",
        as_json,
        lambda: build_edition(
            metadata_dir,
            list(inputs),
            year=year,
            edition=edition,
            out_dir=out_dir,
            dry_run=dry_run,
            date=date,
            reference_dates=ref_map,
            allow_empty=allow_empty,
            force=force,
            lock_timeout=lock_timeout,
            progress=stage,
            revision_model=revision_model,
            revision_bound=revision_bound,
        ),
        first=[
            ((KeyboardInterrupt, BuildInterruptedError), interrupted),
            ((RecordError,), bad_record),
        ],
        usage=(BuildUsageError,),
    )
    try:
        if as_json:
            _emit_json(envelope("build", ok=True, summary=result.to_dict()))
        else:
            render_build(result, _stdout())
    except KeyboardInterrupt:
        what = "complete" if result.written else "not written (dry run)"
        msg = f"interrupted after the build; edition {result.edition} is {what}"
        _build_interrupted(msg, as_json)
    sys.exit(EXIT_OK)


def _build_interrupted(msg: str, as_json: bool) -> NoReturn:
    """Ctrl-C: exit 3 ("could not finish") with what is on disk, said truthfully."""
    if as_json:
        err = {"code": "build.interrupted", "type": "KeyboardInterrupt", "message": msg}
        _emit_json(envelope("build", ok=False, error=err))
    else:
        _print_error(" (build.interrupted)", msg)
    sys.exit(EXIT_ERROR)


@main.command(
    context_settings=CONTEXT,
    epilog="\b\nExample:\n  opendata-mh diff /tmp/datapackage-2023 datapackage --json",
)
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@_json_option()
def diff(old: Path, new: Path, as_json: bool) -> None:
    """Cells added, revised (printed value or bounds changed) and removed between two packages.

    \b
    Exit codes: 0 compared (with or without differences), 2 usage error,
                3 unreadable package.
    """
    from opendata_mh.diff import diff_packages

    result = _call("diff", as_json, lambda: diff_packages(old, new))
    if as_json:
        _emit_json(envelope("diff", ok=True, summary=result.to_dict()))
    else:
        render_diff(result, _stdout())
    sys.exit(EXIT_OK)


@main.command(
    context_settings=CONTEXT,
    epilog=(
        "\b\nLink mode reads the release URL from --base-url or $OPENDATA_MH_BASE_URL.\nExample:\n"
        "  opendata-mh publish --portal https://data.overheid.nl/data \\\n"
        "      --organization nrm --dry-run"
    ),
)
@_PACKAGE_DIR
@click.option(
    "--portal",
    required=True,
    help="CKAN base URL (https://data.overheid.nl/data); plain http only for 127.0.0.0/8, "
    "::1, localhost (the token never travels in clear text).",
)
@click.option("--organization", required=True, help="CKAN organisation (name or id) to publish in.")
@click.option(
    "--files",
    "files_mode",
    type=click.Choice(["link", "upload"]),
    default=None,
    help="link: distributions link to the hosted release (default for data.overheid.nl); "
    "upload: files go into the portal's file store (default for other portals).",
)
@click.option(
    "--base-url",
    default=None,
    envvar="OPENDATA_MH_BASE_URL",
    help="URL of the hosted release (the directory holding <version>/); needed for --files link.",
)
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
@click.option(
    "--delete-missing",
    is_flag=True,
    help="Delete portal resources whose file is no longer in the package.",
)
@click.option(
    "--token-env",
    default="OPENDATA_MH_CKAN_TOKEN",
    show_default=True,
    help="Name of the environment variable holding the API token (never a prompt or option).",
)
@_json_option()
def publish(
    package_dir: Path,
    portal: str,
    organization: str,
    files_mode: str | None,
    base_url: str | None,
    dry_run: bool,
    quiet: bool,
    delete_missing: bool,
    token_env: str,
    as_json: bool,
) -> None:
    """Publish the package to a CKAN portal (data.overheid.nl, DCAT-AP-DONL 1.1).

    Refuses (exit 1, nothing written) when `check` fails, a catalogue value is not in its
    DCAT-AP-DONL value list, or (--files link) a hosted file is missing or differs from the
    local file. Otherwise plans (create / update / unchanged / delete per dataset and resource)
    and applies. A new dataset is created private and made public only after every file was
    verified; an update of a public dataset is one call (package_revise). Publishing again
    writes nothing unless something changed; a stored copy that differs is uploaded again.
    The API token comes from the environment (--token-env) and is never printed.

    \b
    Exit codes: 0 published (or planned with --dry-run), 1 refused (findings),
                2 usage error (a bad --portal or --base-url, plain http to a
                remote --portal, no --base-url in link mode, a token with
                whitespace), 3 portal error, interrupted or unreadable package.
    """
    import os

    from opendata_mh.publish import publish as publish_package

    token = os.environ.get(token_env)
    progress = None if quiet or as_json else _stderr_line

    def interrupted(exc: KeyboardInterrupt) -> NoReturn:
        msg = "publish: interrupted; nothing unverified was made public; run it again"
        _fail("publish", _interrupted(msg), as_json)

    result = _call(
        "publish",
        as_json,
        lambda: publish_package(
            package_dir,
            portal,
            organization,
            token if token != "" else None,
            dry_run=dry_run,
            delete_missing=delete_missing,
            files=files_mode,  # type: ignore[arg-type]
            base_url=base_url,
            progress=progress,
            token_source=token_env,
        ),
        first=[((KeyboardInterrupt,), interrupted)],
        usage=(UsageError,),  # a bad --portal/--base-url/token, found before any request
    )
    if as_json:
        _emit_json(
            envelope("publish", ok=result.ok, summary=result.summary(), issues=result.issues)
        )
    elif result.refused:
        render_refused(result, _stdout())
    else:
        render_plan(result, _stdout())
    sys.exit(EXIT_FINDINGS if result.refused else EXIT_OK)


@main.command(
    context_settings=CONTEXT,
    epilog=(
        "\b\nExample:\n"
        "  opendata-mh release datapackage --out site \\\n"
        "      --base-url https://nrm.github.io/opendata-mh"
    ),
)
@_PACKAGE_DIR
@_dir_option(
    "--out",
    "out_dir",
    None,
    "The site directory (holds <version>/, latest/ and index.html).",
)
@click.option(
    "--base-url",
    required=True,
    envvar="OPENDATA_MH_BASE_URL",
    help="The URL the site directory is served at (for the catalogues' download URLs).",
)
@click.option(
    "--citation",
    default="CITATION.cff",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CITATION.cff to ship; generated from the package metadata when the file is absent.",
)
@_json_option()
def release(package_dir: Path, out_dir: Path, base_url: str, citation: Path, as_json: bool) -> None:
    """Write a static, versioned release site of the package (for any static host).

    Under <version>/: every file of the package, one zip of it, SHA256SUMS, the codebook as
    index.html, CITATION.cff and the catalogue in DCAT-AP-DONL 1.1 and DCAT-AP-NL 3.0 whose
    download URLs are <base-url>/<version>/<path>. latest/ points at the newest version. The
    same input gives the same bytes; a version already in --out is never changed (the same
    bytes again are fine; other bytes are refused, exit 1). Before anything is written the
    package goes through the same full check as `publish` (check, Parquet twins, disclosure
    audit, DCAT-AP-DONL); any finding refuses the release (exit 1, findings listed).
    --base-url must be an absolute https URL (plain http only for 127.0.0.0/8, ::1, localhost).

    \b
    Exit codes: 0 written (or already there), 1 refused: a finding of the check,
                or the version exists with other bytes, 2 usage error
                (a bad --base-url), 3 unreadable package or write error.
    """
    from opendata_mh.release import ReleaseError, write_release

    def refused(exc: ReleaseError) -> NoReturn:
        if exc.code not in ("release.version-changed", "release.check-failed"):
            _fail("release", exc, as_json)
        issues = list(exc.issues) or [
            Issue(exc.code, "error", str(exc), resource=f) for f in exc.files[:1]
        ]
        if as_json:
            _emit_json(envelope("release", ok=False, issues=issues))
        else:
            out = _stdout()
            out.print(f"refused ({exc.code}): {exc}", markup=False)
            for i in exc.issues:
                out.print(f"  {i.code} ({i.location()}): {i.message}", markup=False)
        sys.exit(EXIT_FINDINGS)

    result = _call(
        "release",
        as_json,
        lambda: write_release(package_dir, out_dir, base_url, citation=citation),
        first=[((ReleaseError,), refused)],
        usage=(UsageError,),  # a bad --base-url, found before any work
        os_error=lambda exc: OutputError(f"cannot write the release to {out_dir}: {exc}"),
    )
    if as_json:
        _emit_json(envelope("release", ok=True, summary=result.to_dict()))
    else:
        what = "already released, unchanged" if result.unchanged else "written"
        _stdout().print(
            f"release {result.version} {what}: {len(result.files)} files in "
            f"{out_dir / result.version} ({result.url}); latest is {result.latest}",
            markup=False,
        )
    sys.exit(EXIT_OK)


@main.command(
    "dcat",
    context_settings=CONTEXT,
    epilog="\b\nExample:\n  opendata-mh dcat datapackage --format ttl --out catalogue.ttl",
)
@_PACKAGE_DIR
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ttl", "jsonld"]),
    default="ttl",
    show_default=True,
    help="Turtle or JSON-LD.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout."
)
@_json_option("Print one JSON envelope (the RDF in summary.rdf).")
def dcat_command(package_dir: Path, fmt: str, out: Path | None, as_json: bool) -> None:
    """Write the package's catalogue record as DCAT-AP-NL 3.0 RDF (dataset + distributions).

    The same DCAT-shaped record that `publish` maps to DCAT-AP-DONL 1.1; the output conforms
    to the official DCAT-AP-NL 3.0 SHACL shapes (tested with pySHACL).

    \b
    Exit codes: 0 written, 2 usage error, 3 unreadable package.
    """
    from opendata_mh.rdf import dcat_rdf

    def write() -> str:
        text = dcat_rdf(package_dir, fmt)
        if out is not None:
            out.write_text(text, encoding="utf-8")
        return text

    text = _call(
        "dcat",
        as_json,
        write,
        os_error=lambda exc: OutputError(f"{out}: cannot write: {exc}"),
    )
    if as_json:
        summary = {"format": fmt, "out": str(out) if out else None}
        if out is None:
            summary["rdf"] = text
        _emit_json(envelope("dcat", ok=True, summary=summary))
    elif out is None:
        click.echo(text, nl=False)
    else:
        _stderr().print(f"wrote {out}", markup=False)
    sys.exit(EXIT_OK)


@main.command(
    "text",
    context_settings=CONTEXT,
    epilog=("\b\nExample:\n  opendata-mh text concept-2024.docx datapackage --html report.html"),
)
@click.argument("draft", type=click.Path(path_type=Path))
@_PACKAGE_DIR
@_json_option()
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False),
    default=None,
    callback=_not_a_directory,
    help="Write an HTML report: the draft's text with every figure marked by status.",
)
@click.option(
    "--write-figures",
    "figures_out",
    type=click.Path(dir_okay=False),
    default=None,
    callback=_not_a_directory,
    help="Write text_figures.toml entries for the consistent figures (and FILE.relations.toml); "
    "append them to metadata/text_figures.toml and metadata/relations.toml, then generate, check.",
)
@click.option("--force", is_flag=True, help="Let --write-figures replace existing files.")
@click.option("--all", "all_figures", is_flag=True, help="List every figure, not only findings.")
def text_command(
    draft: Path,
    package_dir: Path,
    as_json: bool,
    html_out: Path | None,
    figures_out: Path | None,
    force: bool,
    all_figures: bool,
) -> None:
    """Check a draft report's text against the tables: every figure found, linked, verified.

    Reads DRAFT (plain text or Markdown, DOCX, PDF), extracts every figure of the prose as an
    interval, links it to the cell, latent total or derived quantity (difference, change,
    share, sum, average) its words name, and verifies it with the package's rules: a
    contradiction, a percentage that holds only when truncated, a masked cell stated or given
    away (the disclosure audit with the draft's figures as relations), an unlinked figure.

    --write-figures FILE writes only the figures found consistent (ids draft_<stem>_l<line>_...,
    which cannot collide with the transcribed ones) and FILE.relations.toml. A new year's prose
    enters check by appending them:

    \b
      cat FILE >> metadata/text_figures.toml
      cat FILE.relations.toml >> metadata/relations.toml
      opendata-mh generate && opendata-mh check

    \b
    Exit codes: 0 no findings, 1 findings (contradiction, rounding, disclosure),
                2 usage error, 3 could not run (unreadable draft or package).
    """
    from opendata_mh.text.output import (
        TextReport,
        check_text,
        left_out,
        relations_path,
        render_html,
        write_figures,
    )
    from opendata_mh.validate import read_package

    if figures_out is not None and not force:
        for target in (Path(figures_out), relations_path(figures_out)):
            if target.exists():
                _usage_error(
                    "text",
                    UsageError(
                        f"{target} exists: --force to replace it",
                        code="output.exists",
                        option="--write-figures",
                    ),
                    as_json,
                )

    def run() -> tuple[TextReport, list[str]]:
        rep = check_text(draft, read_package(package_dir), str(package_dir))
        html_text = render_html(rep) if html_out is not None else None
        written: list[str] = []
        if html_out is not None and html_text is not None:
            html_out.write_text(html_text, encoding="utf-8")
            written.append(str(html_out))
        if figures_out is not None:
            written += [str(p) for p in write_figures(rep, figures_out)]
        return rep, written

    rep, written = _call(
        "text",
        as_json,
        run,
        os_error=lambda exc: OutputError(f"cannot write the output: {exc}"),
    )
    if as_json:
        summary = rep.summary()
        summary["written"] = written
        _emit_json(envelope("text", ok=rep.ok, summary=summary, issues=rep.issues))
    else:
        render_text_report(rep, _stdout(), all_figures)
        for w in written:
            _stderr().print(f"wrote {w}", markup=False)
        if figures_out is not None:
            for line in left_out(rep):
                _stderr().print(f"--write-figures: {line}", markup=False)
    sys.exit(EXIT_OK if rep.ok else EXIT_FINDINGS)


if __name__ == "__main__":  # pragma: no cover
    main()
