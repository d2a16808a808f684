"""Options shared by the commands that read a service (ingest, inspect)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated

import typer

from castwatch.catalog import Credentials
from castwatch.config import Settings
from castwatch.net.policy import FetchOptions, private_networks_allowed

if TYPE_CHECKING:
    # Opening a store loads SQLAlchemy and Alembic: only the commands that open one pay.
    from castwatch.storage.db import Store

Kind = Annotated[
    str, typer.Option("--kind", help="auto, m3u, xtream or stalker.", show_default=True)
]
Username = Annotated[str | None, typer.Option("--username", "-u", help="Xtream username.")]
Password = Annotated[str | None, typer.Option("--password", "-p", help="Xtream password.")]
Mac = Annotated[str | None, typer.Option("--mac", help="Stalker MAC, 00:1A:79:XX:XX:XX.")]
NoEpisodes = Annotated[
    bool, typer.Option("--no-episodes", help="Skip per-series episode lists (faster).")
]
Timeout = Annotated[float, typer.Option("--timeout", help="Seconds to wait for the server.")]
Deadline = Annotated[
    float,
    typer.Option("--deadline", help="Seconds one whole answer may take (stops slow-drip servers)."),
]
AllowPrivateNetworks = Annotated[
    bool,
    typer.Option(
        "--allow-private-networks",
        help="Let URLs from data (entries, redirects, segments) reach loopback and private "
        "addresses on any host; also CASTWATCH_ALLOW_PRIVATE_NETWORKS=1.",
    ),
]
MaxBytes = Annotated[int, typer.Option("--max-bytes", help="Cap on one response body.")]
Concurrency = Annotated[int, typer.Option("--concurrency", help="Requests in flight at once.")]
MaxRps = Annotated[
    float, typer.Option("--max-rps", help="Request-rate ceiling per second (0: none).")
]
Retries = Annotated[int, typer.Option("--retries", help="Retries on 5xx and timeouts.")]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]

_DEFAULTS = FetchOptions()
DEFAULT_TIMEOUT = _DEFAULTS.timeout
DEFAULT_DEADLINE = _DEFAULTS.deadline
DEFAULT_MAX_BYTES = _DEFAULTS.max_bytes
DEFAULT_CONCURRENCY = _DEFAULTS.concurrency
DEFAULT_MAX_RPS = _DEFAULTS.max_rps
DEFAULT_RETRIES = _DEFAULTS.retries


def fetch_options(
    username: str | None,
    password: str | None,
    mac: str | None,
    no_episodes: bool,
    timeout: float,
    max_bytes: int,
    concurrency: int,
    max_rps: float,
    retries: int,
    *,
    deadline: float = DEFAULT_DEADLINE,
    allow_private_networks: bool = False,
) -> FetchOptions:
    """Validate the shared options and build FetchOptions."""
    if (username is None) != (password is None):
        raise typer.BadParameter("give both --username and --password, or neither")
    if timeout <= 0 or max_bytes <= 0 or concurrency <= 0 or max_rps < 0 or retries < 0:
        raise typer.BadParameter(
            "--timeout, --max-bytes and --concurrency must be positive; "
            "--max-rps and --retries not negative"
        )
    if deadline <= 0:
        raise typer.BadParameter("--deadline must be positive")
    credentials = Credentials(username, password, mac) if (username or mac) else None
    return FetchOptions(
        credentials=credentials,
        timeout=timeout,
        max_bytes=max_bytes,
        concurrency=concurrency,
        max_rps=max_rps,
        retries=retries,
        episodes=not no_episodes,
        deadline=deadline,
        allow_private_networks=allow_private_networks or private_networks_allowed(),
    )


def open_store(ctx: typer.Context) -> Store:
    """The store of the data directory chosen by --home / --db."""
    from castwatch.storage.db import Store

    settings: Settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.resolve()
    return Store.open(dataclasses.replace(settings, work=command_words(ctx) or settings.work))


def command_words(ctx: typer.Context) -> str:
    """``case add`` for ``castwatch case add ...``: the command's names, never its arguments."""
    names: list[str] = []
    current: typer.Context | None = ctx
    while current is not None and current.parent is not None:
        names.append(current.info_name or "")
        current = current.parent  # type: ignore[assignment]
    return " ".join(reversed([name for name in names if name]))
