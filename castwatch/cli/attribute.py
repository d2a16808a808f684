"""Attribution commands: ``attribute``, ``graph show|export``, ``operators``.

Attribution's alerts are listed by ``castwatch alerts`` (cli/alerts.py) with the others.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from castwatch.cli import options as opt
from castwatch.cli.app import app, command_group
from castwatch.cli.output import console, print_json
from castwatch.config import Settings

graph_app = command_group(
    "graph", "The attribution graph: show a node, export for Gephi or CTI tools."
)


def _pivots(pivots: list[dict[str, Any]], limit: int = 4) -> str:
    shown = ", ".join(f"{p['kind']} {p['key']} ({p['weight']:.2f})" for p in pivots[:limit])
    return shown + (f" +{len(pivots) - limit}" if len(pivots) > limit else "")


@app.command("attribute")
def attribute(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="A stored service's name, or a URL.")],
    resolver: Annotated[
        str | None, typer.Option("--resolver", help="DNS server HOST:PORT (else configured).")
    ] = None,
    ip2asn: Annotated[
        Path | None, typer.Option("--ip2asn", help="ip2asn TSV (.tsv or .tsv.gz).")
    ] = None,
    extra_url: Annotated[
        list[str] | None,
        typer.Option("--extra-url", help="Another page of the service (repeatable)."),
    ] = None,
    json: opt.Json = False,
) -> None:
    """Collect a service's infrastructure, link it to its operator, raise relapse alerts."""
    from castwatch.attribute.collect import attribute_service
    from castwatch.attribute.settings import load_attribute_settings

    settings: Settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.resolve()
    attribute_settings = load_attribute_settings(settings.home).with_overrides(resolver, ip2asn)
    with opt.open_store(ctx) as store:
        summary = attribute_service(store, service, attribute_settings, extra_url or [])
    if json:
        print_json(summary.as_dict())
        return
    stored = summary.stored
    console.print(
        f"[bold]{summary.service}[/]: {stored.observations:,} new facts "
        f"({stored.seen:,} seen again), {stored.nodes:,} new nodes, {stored.edges:,} new edges",
        highlight=False,
    )
    for error in summary.errors[:10]:
        console.print(f"  [yellow]could not collect[/] {escape(str(error))}", highlight=False)
    operator = summary.operator
    if operator is not None:
        others = [s for s in operator.services if s != summary.service]
        console.print(
            f"operator {operator.id}: {len(operator.services)} services, "
            f"{len(operator.domains)} domains; with {', '.join(others) or 'no other service'}",
            highlight=False,
        )
        for link in operator.links:
            if summary.service in (link["a"], link["b"]):
                other = link["b"] if link["a"] == summary.service else link["a"]
                console.print(
                    f"  {other}: {link['score']:.2f} via {_pivots(link['pivots'])}",
                    highlight=False,
                )
    _print_alerts(summary.alerts)


def _print_alerts(alerts: list[Any]) -> None:
    for alert in alerts:
        colour = "red" if alert.kind == "relapse" else "yellow"
        console.print(f"[bold {colour}]{alert.kind}[/] {escape(alert.message)}", highlight=False)


@app.command("operators")
def operators(ctx: typer.Context, json: opt.Json = False) -> None:
    """Each operator with its services, domains and the pivots that join them."""
    from castwatch.attribute.store import list_operators

    with opt.open_store(ctx) as store:
        found = list_operators(store)
    if json:
        print_json([operator.as_dict() for operator in found])
        return
    if not found:
        console.print("no operators yet: run `castwatch attribute SERVICE` first")
        return
    for operator in found:
        console.print(
            f"[bold]operator {operator.id}[/]: {', '.join(operator.services)}  "
            f"({len(operator.domains)} domains)",
            highlight=False,
        )
        for link in operator.links:
            console.print(
                f"  {link['a']} ↔ {link['b']}  {link['score']:.2f}  {_pivots(link['pivots'])}",
                highlight=False,
            )


@graph_app.command("show")
def graph_show(
    ctx: typer.Context,
    node: Annotated[
        str | None, typer.Argument(help="A node: example.tv, 1.2.3.4, kind:key. None: counts.")
    ] = None,
    json: opt.Json = False,
) -> None:
    """A node's neighbours with relation, collector and times; without NODE, the counts."""
    from castwatch.attribute.views import graph_counts, node_views

    with opt.open_store(ctx) as store:
        if node is None:
            counts = graph_counts(store)
            if json:
                print_json(counts)
                return
            for kind, count in counts["nodes"].items():
                console.print(f"{kind:<14}{count:>8,}", highlight=False)
            console.print(f"{'edges':<14}{counts['edges']:>8,}", highlight=False)
            console.print(f"{'operators':<14}{counts['operators']:>8,}", highlight=False)
            return
        views = node_views(store, node)
    if json:
        print_json(views)
        return
    for view in views:
        operator = f"  operator {view['operator']}" if view["operator"] is not None else ""
        console.print(f"[bold]{view['kind']} {view['key']}[/]{operator}", highlight=False)
        table = Table("direction", "relation", "node", "collector", "first seen", "last seen")
        for edge in view["edges"]:
            table.add_row(
                edge["direction"], edge["relation"], f"{edge['kind']} {edge['key']}",
                edge["collector"], edge["first_seen"][:16], edge["last_seen"][:16],
            )  # fmt: skip
        console.print(table)


@graph_app.command("export")
def graph_export(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="stix, misp, gexf, graphml or png.")
    ] = "gexf",
    operator: Annotated[
        int | None, typer.Option("--operator", help="Only this operator's part.")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Write the graph (or one operator) as STIX 2.1, MISP, GEXF, GraphML or PNG."""
    from castwatch.attribute.exports import export, exporters

    known = exporters()
    suffix = known[fmt].suffix if fmt in known else f".{fmt}"
    default = f"castwatch-{'operator-' + str(operator) if operator else 'graph'}-{fmt}{suffix}"
    with opt.open_store(ctx) as store:
        path = export(store, fmt, output or Path(default), operator)
    console.print(f"wrote {path}", highlight=False)
