"""Options shared by the commands that read a service (ingest, inspect)."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

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


@dataclasses.dataclass(frozen=True, slots=True)
class ReadOptions:
    """How ``ingest`` and ``inspect`` read a service: the account and the network limits.

    One set of options for both commands: :func:`with_read_options` puts every field on a
    command's command line, with the type, help and default declared here, and hands the
    command one ``ReadOptions``; :meth:`fetch` checks them and builds the net policy.
    """

    username: Username = None
    password: Password = None
    mac: Mac = None
    no_episodes: NoEpisodes = False
    timeout: Timeout = DEFAULT_TIMEOUT
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES
    concurrency: Concurrency = DEFAULT_CONCURRENCY
    max_rps: MaxRps = DEFAULT_MAX_RPS
    retries: Retries = DEFAULT_RETRIES
    deadline: Deadline = DEFAULT_DEADLINE
    allow_private_networks: AllowPrivateNetworks = False

    def fetch(self) -> FetchOptions:
        """Validate the options and build the FetchOptions a read runs under."""
        if (self.username is None) != (self.password is None):
            raise typer.BadParameter("give both --username and --password, or neither")
        if (
            self.timeout <= 0
            or self.max_bytes <= 0
            or self.concurrency <= 0
            or self.max_rps < 0
            or self.retries < 0
        ):
            raise typer.BadParameter(
                "--timeout, --max-bytes and --concurrency must be positive; "
                "--max-rps and --retries not negative"
            )
        if self.deadline <= 0:
            raise typer.BadParameter("--deadline must be positive")
        credentials = (
            Credentials(self.username, self.password, self.mac)
            if (self.username or self.mac)
            else None
        )
        return FetchOptions(
            credentials=credentials,
            timeout=self.timeout,
            max_bytes=self.max_bytes,
            concurrency=self.concurrency,
            max_rps=self.max_rps,
            retries=self.retries,
            episodes=not self.no_episodes,
            deadline=self.deadline,
            allow_private_networks=self.allow_private_networks or private_networks_allowed(),
        )


#: What ``read`` defaults to in a command's own signature (the options replace it there).
DEFAULT_READ = ReadOptions()

_Command = TypeVar("_Command", bound=Callable[..., None])


def with_read_options(command: _Command) -> _Command:
    """Give ``command`` every :class:`ReadOptions` option in place of its ``read`` parameter.

    Typer reads a command's options from its signature: the wrapper's signature has the
    fields of ``ReadOptions`` where the command declares ``read: ReadOptions``, and the
    wrapper gathers them back into one ``ReadOptions`` before it calls the command.
    """
    signature = inspect.signature(command)
    hints = typing.get_type_hints(command, include_extras=True)
    fields = typing.get_type_hints(ReadOptions, include_extras=True)
    defaults = {field.name: field.default for field in dataclasses.fields(ReadOptions)}
    names = list(defaults)
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.name != "read":
            parameters.append(parameter.replace(annotation=hints[parameter.name]))
            continue
        parameters.extend(
            inspect.Parameter(
                name,
                parameter.kind,
                annotation=fields[name],
                default=defaults[name],
            )
            for name in names
        )

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        read = ReadOptions(**{name: kwargs.pop(name) for name in names})
        command(*args, read=read, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": None}
    return typing.cast(_Command, wrapper)


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
