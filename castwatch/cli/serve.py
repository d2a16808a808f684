"""``castwatch serve``: the coalition server's API on uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from castwatch.cli.app import app
from castwatch.cli.output import note_line


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Processes.")] = 1,
) -> None:
    """Serve the API (OpenAPI at /openapi.json, interactive docs at /docs)."""
    import uvicorn

    from castwatch.config import Settings
    from castwatch.storage.db import Store

    settings: Settings = ctx.obj
    # The worker processes read the same data directory and database from the environment.
    os.environ["CASTWATCH_HOME"] = str(settings.home)
    os.environ["CASTWATCH_DB"] = settings.db_url
    Store.open(settings).close()  # migrate once, before the workers start
    note_line(f"castwatch API on http://{host}:{port}/ (docs at /docs); Ctrl-C stops it")
    uvicorn.run(
        "castwatch.server.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
    )
