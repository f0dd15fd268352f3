"""The human-readable output of the commands (what ``opendata-mh`` prints without ``--json``).

One function per result: it takes the library's result object and a rich
:class:`~rich.console.Console` and prints; it decides nothing (exit codes, options and errors
stay in :mod:`opendata_mh.cli`). The terminal views of ``tables`` and ``show`` live in
:mod:`opendata_mh.views`. Imports only rich (and, for annotations, the result types).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from opendata_mh.audit import PackageAudit
    from opendata_mh.build import BuildResult
    from opendata_mh.diff import PackageDiff
    from opendata_mh.generate import GenerateResult
    from opendata_mh.publish import PublishResult
    from opendata_mh.report import Report


def render_generate(result: GenerateResult, console: Console, check_only: bool) -> None:
    """What ``generate`` did (or, with ``--check``, would change)."""
    if check_only:
        if result.changed:
            console.print(
                f"[red]{len(result.changes)} file(s) of {result.out} would change[/]; "
                "run 'opendata-mh generate':"
            )
            for c in result.changes:
                console.print(f"  {c.status:<8} {c.path}", markup=False)
        else:
            console.print(
                f"[green]{result.out} is up to date[/] ({len(result.files)} files, "
                f"{result.resources} resources, {result.rows} rows, "
                f"{result.relations} relations)"
            )
        return
    what = "written" if result.written else "unchanged"
    console.print(
        f"[green]{result.out} {what}[/]: {len(result.files)} files, "
        f"{result.resources} resources, {result.rows} rows, "
        f"{result.relations} relations"
        + (f" ({len(result.changes)} file(s) changed)" if result.written else "")
    )


def render_refused(result: PublishResult, console: Console) -> None:
    """Why ``publish`` refused: the findings, nothing written."""
    console.print(
        Text.assemble(
            ("refused", "bold red"), f": {len(result.issues)} finding(s); nothing was written:"
        )
    )
    for i in result.issues:
        console.print(f"  {i.code} ({i.location()}): {i.message}", markup=False)


def render_report(
    report: Report, console: Console, quiet: bool = False, verbose: bool = False
) -> None:
    """Human-readable report: findings, then a summary. The acknowledged (historic) disclosure
    findings and other info lines are counted; ``verbose`` lists them one by one."""
    s = report.summary
    problems = [i for i in report.issues if i.severity != "info"]
    if problems:
        console.print(f"[bold]{len(problems)} finding(s):[/]")
        for i in problems:
            colour = "red" if i.severity == "error" else "yellow"
            console.print(  # location and message quote data: never markup or emoji codes
                Text.assemble(
                    (i.severity, colour), " ", (i.code, "bold"), f" ({i.location()}): {i.message}"
                )
            )
    if quiet:
        return
    known = [i for i in report.issues if i.code == "consistency.known-discrepancy"]
    acknowledged = [i for i in report.issues if i.code == "audit.acknowledged"]
    other_info = [
        i for i in report.issues if i.severity == "info" and i not in known + acknowledged
    ]
    if known:
        console.print(
            f"[bold]Known discrepancies of the report[/] ({len(known)}, shown as "
            "known, not as failures):"
        )
        for i in known:
            console.print(f"  - {i.message}", markup=False)
    if acknowledged and verbose:
        console.print(
            f"[bold]Acknowledged disclosure findings[/] ({len(acknowledged)}, historic "
            "publication, shown as known; 'opendata-mh audit' lists them):"
        )
        for i in acknowledged:
            console.print(f"  - {i.message.split('; acknowledged on')[0]}", markup=False)
    elif acknowledged:
        console.print(
            f"[bold]Acknowledged disclosure findings[/]: {len(acknowledged)} (historic "
            "publication, shown as known; --verbose or 'opendata-mh audit' lists them)"
        )
    if verbose:
        for i in other_info:
            console.print(f"  info {i.code} ({i.location()}): {i.message}", markup=False)
    elif other_info:
        console.print(f"{len(other_info)} other info note(s); --verbose lists them")
    issues = s.get("issues", {})
    verdict = "[bold green]OK[/]" if report.ok else "[bold red]FAILED[/]"
    console.print(
        f"{verdict} {s.get('package', '')}: {s.get('resources', 0)} resources, "
        f"{s.get('rows', 0)} rows, {s.get('relations', 0)} relations checked "
        f"({s.get('relations_failed', 0)} violated); findings: {issues.get('error', 0)} error(s), "
        f"{issues.get('warning', 0)} warning(s), {issues.get('info', 0)} info "
        f"({len(s.get('known_discrepancies', []))} known discrepancies)"
    )


def render_audit(result: PackageAudit, console: Console, all_cells: bool = False) -> None:
    """Human-readable audit: a table of the findings (or every audited cell), then a summary."""
    from rich.table import Table

    shown = result.cells if all_cells else tuple(result.findings())
    if shown:
        table = Table(title="Disclosure audit", title_justify="left", show_lines=False)
        for col in ("cell", "printed", "interval", "status", "pinned by"):
            table.add_column(col, overflow="fold")
        colours = {"exact": "red", "narrowed": "yellow", "infeasible": "magenta"}
        for c in shown:
            status = c.status if c.target else f"{c.status} ({c.cell_type})"
            if c.finding_code and c.acknowledged:
                status += " (acknowledged)"
            colour = "dim" if c.acknowledged or not c.target else colours.get(c.status, "green")
            resource, _, key = c.cell.partition("/")
            table.add_row(
                f"{resource}\n  {key}",
                c.printed,
                c.interval_text(),
                f"[{colour}]{status}[/]",
                "\n".join(c.pinned_by),
            )
        if not console.is_terminal:  # a pipe or file: no narrow 80-column wrapping
            console = Console(
                file=console.file, width=max(console.width, 150), soft_wrap=True, highlight=False
            )
        console.print(table)
    new = result.new_findings()
    if new:  # what a maintainer copies to acknowledge a historic finding (no value in it)
        console.print(
            "To acknowledge a finding of the historic publication, add to "
            "metadata/acknowledged_findings.toml (fill in reason, by, date):"
        )
        for c in new:
            rels = ", ".join(f'"{r}"' for r in c.pinned_by)
            console.print(
                f'\n[[findings]]\ncell = "{c.cell}"\ncode = "{c.finding_code}"\n'
                f'fingerprint = "{c.fingerprint or "(set OPENDATA_MH_ACK_KEY, audit again)"}"'
                f"\nrelations = [{rels}]",
                markup=False,
                soft_wrap=True,
            )
    for i in result.issues:
        if i.code in ("audit.acknowledged", "audit.exact-disclosure", "audit.narrowed"):
            continue
        colour = {"error": "red", "warning": "yellow"}.get(i.severity, "blue")
        console.print(f"[{colour}]{i.severity}[/] [bold]{i.code}[/] ({i.location()}): ", end="")
        console.print(i.message, markup=False)
    s = result.summary()
    verdict = "[bold green]OK[/]" if result.ok else "[bold red]FAILED[/]"
    console.print(
        f"{verdict} {s['masked_cells']} masked cells audited: {s['exact_disclosures']} disclosed "
        f"exactly, {s['narrowed']} narrowed; {s['acknowledged']} acknowledged, "
        f"{s['new_findings']} new, {s['stale_acknowledgements']} stale acknowledgement(s), "
        f"{len(s['infeasible_sets'])} infeasible set(s); "
        f"{sum(len(v) for v in s['excluded_relations'].values())} relation(s) of known "
        "discrepancies left out"
    )


def render_build(result: BuildResult, console: Console) -> None:
    """Per table: cells, periods added and revised, primary / secondary suppressions."""
    what = "written" if result.written else "dry run, nothing written"
    console.print(
        f"[bold]Edition {result.edition}[/] (version {result.version}, year {result.year}; {what})"
    )
    for t in result.tables:
        console.print(
            f"  {t.id:<38} {t.cells:>4} cells  adds {','.join(t.adds) or '-':<14} "
            f"revises {','.join(t.revises) or '-':<20} <5: {t.primary:<3} x: {t.secondary:<3}",
            markup=False,
        )
    a = result.audit
    console.print(
        f"[green]audit: {a.get('unprotected', 0)} unprotected[/] of {a.get('primary', 0)} primary "
        f"cells ({a.get('upgraded', 0)} of them printed x, {a.get('secondary', 0)} secondary "
        f"suppressions, {a.get('relations', 0)} relations); records: "
        + ", ".join(f"{k} {v}" for k, v in result.records.items())
        + f"; {result.seconds.get('total', 0):.1f} s"
    )
    rev = a.get("revisions") or {}
    alone = rev.get("alone")
    # the total value behind x: an operator's terminal only, and only when it cannot reveal a
    # cell (BuildResult.operator_values); never when piped, logged or in --json
    val = result.operator_values if console.is_terminal else {}

    def cost(kind: str) -> str:
        c = rev[kind]
        return f"{c['cells']} x" + (f" (value {val[kind]})" if kind in val else "")

    if rev.get("joint") and alone:
        console.print(
            f"revisions ({rev.get('model')}): {rev.get('revised_cells', 0)} published cells "
            f"revised, {rev.get('contradicted', 0)} contradicting the model; protected jointly "
            f"with the published package: {cost('joint')}, alone {cost('alone')}",
            markup=False,
        )
    elif alone:
        console.print(
            f"revisions ({rev.get('model')}): protected alone: {cost('alone')}", markup=False
        )
    for w in result.warnings:
        console.print(f"[yellow]warning[/]: {w}")


def render_diff(result: PackageDiff, console: Console, limit: int = 20) -> None:
    """Per table: counts, then the first ``limit`` changed cells of each kind."""
    s = result.summary()
    console.print(
        f"[bold]{s['old']}[/] ({s['old_version']}) -> [bold]{s['new']}[/] ({s['new_version']}): "
        f"[green]{s['added']} added[/], [yellow]{s['revised']} revised[/], "
        f"[red]{s['removed']} removed[/]"
    )
    for t in result.tables:
        if not t.changed:
            continue
        console.print(
            f"[bold]{t.resource}[/]: {len(t.added)} added, {len(t.revised)} revised, "
            f"{len(t.removed)} removed"
        )
        for sign, kind in (("+", t.added), ("~", t.revised), ("-", t.removed)):
            for c in kind[:limit]:
                key = " ".join(f"{k}={v}" for k, v in c.key.items())
                old = c.old.get("value_printed", "") if c.old else ""
                new = c.new.get("value_printed", "") if c.new else ""
                arrow = f"{old} -> {new}" if c.old and c.new else (new or old)
                if c.old and c.new and c.fields:
                    arrow = "; ".join(
                        f"{f} {c.old.get(f, '')} -> {c.new.get(f, '')}" for f in c.fields
                    )
                console.print(f"  {sign} {key}: {arrow}", markup=False)
            if len(kind) > limit:
                console.print(f"  {sign} ... {len(kind) - limit} more", markup=False)


def render_plan(result: PublishResult, console: Console) -> None:
    """Human-readable publish result: the plan per dataset and resource, then what was done."""
    plan = result.plan
    if plan is None:
        return
    console.print(
        Text.assemble(
            ("Plan (dry run, nothing written)" if result.dry_run else "Plan", "bold"),
            f" for {plan.portal} organisation {plan.organization} (files: {plan.files}):",
        )
    )
    for c in plan.changes:
        extra = f" fields: {', '.join(c.fields)}" if c.fields and c.action != "create" else ""
        upload = " upload" if c.upload else ""
        reason = f" ({c.reason})" if c.reason else ""
        console.print(f"  {c.action:<9} {c.kind:<8} {c.key}{upload}{extra}{reason}", markup=False)
    if plan.one_switch:
        console.print("  in one call (package_revise): readers never see a mix of old and new")
    if plan.make_public:
        console.print("  then: read back every file, compare hashes, make the dataset public")
    a = result.applied
    checked = f"{result.downloads} file(s) downloaded to compare"
    if a is not None:
        if a.made_public:
            state = ", made public"
        elif plan.public:
            state = ", public"
        else:
            state = ""
        console.print(
            Text.assemble(
                ("published", "green"),
                f" {a.dataset_url or plan.dataset.key}: {len(a.steps)} write(s), "
                f"{a.uploads} upload(s), {a.verified} file(s) verified after writing, "
                f"{checked}{state}",
            )
        )
    else:
        console.print(
            f"{plan.writes} write(s), {plan.uploads} upload(s) would be made; {checked}",
            markup=False,
        )


def render_text_report(rep: Any, console: Console, all_figures: bool = False) -> None:
    """The narrative check for a terminal: a summary, then the figures to look at (all with
    ``--all``), one row each: line, figure, status, what it was checked against; the message
    wraps to the console's width (80 columns when piped)."""
    from rich.table import Table

    def say(text: str) -> None:
        console.print(Text(text, overflow="fold"), soft_wrap=False)

    s = rep.summary()
    say(
        f"{s['draft']}: {s['figures_total']} figures, {s['linked']} linked "
        f"(coverage {100 * s['coverage']:.0f}%)"
    )
    say("  " + ", ".join(f"{k} {v}" for k, v in sorted(s["by_status"].items())))
    shown = [c for c in rep.checks if all_figures or c.status not in ("consistent", "unlinked")]
    if shown:
        grid = Table.grid(padding=(0, 2, 0, 0))
        grid.add_column(no_wrap=True)
        # a narrow printed-form column: a long one ("(not repeated)") wraps within it
        grid.add_column(max_width=min(9, max(len(c.shown) for c in shown)), overflow="fold")
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for c in shown:
            grid.add_row(
                Text(f"line {c.figure.line:>4}"),
                Text(c.shown),
                Text(c.status),
                Text(c.message),
            )
        console.print(grid, soft_wrap=False)
    # findings that are no figure's status (text.no-links, text.narrows-unresolved, ...)
    figure_codes = {f"text.{c.status}" for c in rep.checks}
    for i in rep.issues:
        if i.code not in figure_codes:
            say(f"{i.severity} ({i.code}): {i.message}")
    if not all_figures:
        n = sum(1 for c in rep.checks if c.status == "unlinked")
        if n:
            say(f"({n} unlinked figures not shown; --all lists every figure)")


__all__ = [
    "render_audit",
    "render_build",
    "render_diff",
    "render_generate",
    "render_plan",
    "render_refused",
    "render_report",
    "render_text_report",
]
