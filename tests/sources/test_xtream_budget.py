"""Bad rows and hostile answers from a real panel on 127.0.0.1: read what can be read.

The panel here is a small ASGI app serving hand-written answers: malformed series answers
(a string, a number, invalid JSON, HTML, an error status), traversal ids, duplicate JSON
keys, and a login that contradicts itself. Under the error budget the read succeeds with
the losses counted; past it the read fails naming the list, and nothing is stored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import orjson
import pytest

from castwatch.catalog import Credentials, EntryKind
from castwatch.catalog.store_queries import find_service, snapshots_of
from castwatch.config import Settings
from castwatch.errors import ProtocolError, TooManyBadRows
from castwatch.net.policy import FetchOptions
from castwatch.sources.ingest import ingest
from castwatch.sources.xtream import XtreamSource
from castwatch.storage.db import Store
from tests.conftest import CliRunner

Serve = Callable[[Any], AbstractContextManager[str]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
LOGIN = b'{"user_info": {"auth": 1, "status": "Active"}, "server_info": {}}'
OPTIONS = FetchOptions(credentials=Credentials("agent", "s3cret-pw"), retries=1, backoff=0.01)


def _episode(series: int, number: int) -> dict[str, Any]:
    return {"id": series * 100 + number, "episode_num": number, "container_extension": "mp4"}


class Panel:
    """Serves ``series`` series of two episodes each, and any answer a test overrides.

    ``answers`` maps an action (``None`` for the login) to the body bytes; ``series_bodies``
    maps a series id to the body of its ``get_series_info``, or to ``(status, body)``.
    """

    def __init__(self, series: int = 200, live: list[Any] | None = None) -> None:
        self.answers: dict[str | None, bytes] = {
            None: LOGIN,
            "get_live_streams": orjson.dumps(
                live
                if live is not None
                else [{"stream_id": n, "name": f"L{n}"} for n in range(1, 201)]
            ),
            "get_series": orjson.dumps(
                [{"series_id": n, "name": f"S{n}", "category_id": 1} for n in range(1, series + 1)]
            ),
            "get_series_categories": b'[{"category_id": "1", "category_name": "SERIES"}]',
        }
        self.series_bodies: dict[str, bytes | tuple[int, bytes]] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope["type"] != "http":
            return
        query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        action = query.get("action")
        status, body = 200, self.answers.get(action, b"[]")
        if action == "get_series_info":
            series_id = query["series_id"]
            given = self.series_bodies.get(series_id)
            if isinstance(given, tuple):
                status, body = given
            elif given is not None:
                body = given
            else:
                sid = int(series_id)
                body = orjson.dumps({"episodes": {"1": [_episode(sid, 1), _episode(sid, 2)]}})
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


MALFORMED: dict[str, bytes | tuple[int, bytes]] = {
    "3": b'"maintenance"',
    "4": b"42",
    "5": b'{"episodes": {"1": [',
    "6": b"<html><body>Not found</body></html>",
}


def test_malformed_series_answers_within_the_budget_cost_only_those_series(
    serve: Serve,
) -> None:
    panel = Panel(series=400)  # 4 bad answers of 400 is exactly 1%: within the budget
    panel.series_bodies.update(MALFORMED)
    with serve(panel) as base:
        inventory = XtreamSource().fetch(base, OPTIONS)
    counts = inventory.counts()
    assert (counts["series"], counts["episode"]) == (400, 396 * 2)
    lines = [w for w in inventory.warnings if w.startswith("series answers")]
    assert any("1 row(s) skipped, get_series_info failed: get_series_info answered a JSON "
               "string" in w and '"series_id":"3"' in w for w in lines)  # fmt: skip
    assert any("answered a JSON number" in w for w in lines)
    assert sum(int(w.split(": ")[1].split(" ")[0]) for w in lines) == 4
    assert all("s3cret-pw" not in w and "agent" not in w for w in inventory.warnings)


def test_malformed_series_answers_past_the_budget_refuse_the_read(serve: Serve) -> None:
    panel = Panel(series=400)
    panel.series_bodies.update(MALFORMED)
    panel.series_bodies["7"] = (500, b"boom")
    with serve(panel) as base, pytest.raises(TooManyBadRows) as caught:
        XtreamSource().fetch(base, OPTIONS)
    message = str(caught.value)
    assert "5 of 400 rows of the series answers list could not be read" in message
    assert "error budget of 1.00%" in message and "--max-bad-rows" in message
    assert "s3cret-pw" not in message


def test_episodes_that_are_numbers_are_skipped_and_counted(serve: Serve) -> None:
    panel = Panel(series=2)
    panel.series_bodies["1"] = orjson.dumps(
        {"episodes": {"1": [_episode(1, 1), 7, _episode(1, 2)], "Extras": [_episode(1, 9)]}}
    )
    with serve(panel) as base:
        inventory = XtreamSource().fetch(base, dataclasses.replace(OPTIONS, max_bad_rows=0.5))
    episodes = [e for e in inventory.entries if e.kind is EntryKind.EPISODE]
    assert sorted(e.key for e in episodes) == [
        "episode:101", "episode:102", "episode:109", "episode:201", "episode:202"
    ]  # fmt: skip
    assert "episodes: 1 row(s) skipped, an episode is a JSON number, not an object; e.g. 7" in (
        inventory.warnings
    )
    assert any("season key is not a number" in w and "Extras" in w for w in inventory.warnings)


def test_a_traversal_stream_id_is_skipped_never_built_into_a_url(serve: Serve) -> None:
    rows: list[Any] = [{"stream_id": n, "name": f"L{n}"} for n in range(1, 200)]
    rows.append({"stream_id": "../../../etc/passwd", "name": "evil"})
    with serve(Panel(series=1, live=rows)) as base:
        inventory = XtreamSource().fetch(base, OPTIONS)
    assert inventory.counts()["live"] == 199
    assert not any(".." in (e.url or "") or ".." in e.key for e in inventory.entries)
    (line,) = [w for w in inventory.warnings if w.startswith("live streams")]
    assert "1 row(s) skipped, stream_id is not a number or a safe token" in line
    assert "../../../etc/passwd" in line  # the example shows what was refused


def test_traversal_ids_past_the_budget_refuse_the_read(serve: Serve) -> None:
    rows: list[Any] = [{"stream_id": n} for n in range(1, 98)]
    rows += [{"stream_id": f"../{n}"} for n in range(3)]
    with serve(Panel(series=1, live=rows)) as base, pytest.raises(TooManyBadRows) as caught:
        XtreamSource().fetch(base, OPTIONS)
    assert "3 of 100 rows of the live streams list" in str(caught.value)
    assert "action=get_live_streams" in str(caught.value)


def test_conflicting_duplicates_in_the_login_fail_it_clearly(serve: Serve) -> None:
    panel = Panel(series=1)
    panel.answers[None] = (
        b'{"user_info": {"auth": 1, "status": "Banned", "exp_date": null, "status": "Active"},'
        b' "server_info": {}}'
    )
    with serve(panel) as base, pytest.raises(ProtocolError) as caught:
        XtreamSource().fetch(base, OPTIONS)
    message = str(caught.value)
    assert "user_info.status more than once with different values ('Banned', 'Active')" in (message)
    assert "s3cret-pw" not in message


def test_harmless_duplicates_are_a_warning(serve: Serve) -> None:
    panel = Panel(series=1)
    panel.answers[None] = (
        b'{"user_info": {"auth": 1, "status": "Active", "auth": 1}, "server_info": {}}'
    )
    panel.answers["get_live_streams"] = b'[{"stream_id": 1, "name": "A", "name": "B"}]'
    with serve(panel) as base:
        inventory = XtreamSource().fetch(base, OPTIONS)
    (live,) = [e for e in inventory.entries if e.kind is EntryKind.LIVE]
    assert live.name == "B"  # what players show: the last value
    assert "panel: 1 × duplicate JSON keys in the login answer; e.g. 'user_info.auth'" in (
        inventory.warnings
    )
    assert any("duplicate JSON keys (the last value was kept)" in w and "get_live_streams" in w
               for w in inventory.warnings)  # fmt: skip


def test_skipped_rows_are_stored_with_the_snapshot(tmp_path: Path, serve: Serve) -> None:
    rows = [{"stream_id": n} for n in range(1, 200)] + [{"stream_id": "../x", "name": "evil"}]
    with (
        serve(Panel(series=1, live=rows)) as base,
        Store.open(Settings.resolve(home=tmp_path / "home")) as store,
    ):
        summary = ingest(store, base, "xtream", OPTIONS, name="panel")
        with store.session() as session:
            (snapshot,) = snapshots_of(session, find_service(session, "panel"))
            stored = list(snapshot.warnings)
    assert stored == summary.warnings
    (line,) = stored
    assert line.startswith("live streams: 1 row(s) skipped, stream_id is not a number")
    assert orjson.dumps({"stream_id": "../x", "name": "evil"}).decode() in line


# -- the command line ------------------------------------------------------------------------


def _ingest(cli: CliRunner, base: str, *extra: str) -> Any:
    return cli(
        "ingest", base, "--kind", "xtream", "--username", "agent", "--password", "s3cret-pw",
        "--name", "panel", "--retries", "1", *extra,
    )  # fmt: skip


def test_ingest_prints_the_counts_and_stores_under_the_budget(cli: CliRunner, serve: Serve) -> None:
    panel = Panel(series=400)
    panel.series_bodies.update(MALFORMED)
    with serve(panel) as base:
        result = _ingest(cli, base)
    assert result.code == 0, result.stderr
    assert "warning(s):" in result.stdout
    assert "series answers: 1 row(s) skipped, get_series_info failed: get_series_info " in (
        result.stdout.replace("\n", " ")
    )
    stored: Any = cli("services", "--json").json()
    assert stored[0]["counts"]["episode"] == 792


def test_ingest_past_the_budget_names_the_list_and_stores_nothing(
    cli: CliRunner, serve: Serve
) -> None:
    panel = Panel(series=10)
    panel.series_bodies["3"] = b'"maintenance"'
    with serve(panel) as base:
        refused = _ingest(cli, base)
        assert refused.code == 1
        assert refused.stderr.startswith("error:")
        assert "1 of 10 rows of the series answers list" in refused.stderr
        assert cli("services", "--json").json() == []
        allowed = _ingest(cli, base, "--max-bad-rows", "0.1", "--json")
    assert allowed.code == 0, allowed.stderr
    data: Any = allowed.json()
    assert data["counts"]["episode"] == 18 and data["warnings"] == 1
    assert "answered a JSON string" in data["warning_lines"][0]
    assert '"series_id":"3","name":"S3"' in data["warning_lines"][0]


def test_max_bad_rows_is_a_fraction(cli: CliRunner) -> None:
    result = cli("ingest", "http://127.0.0.1:9/", "--max-bad-rows", "5")
    assert result.code == 2
    assert "--max-bad-rows" in result.stderr
