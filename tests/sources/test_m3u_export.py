"""A playlist through ingest and export: the service's order, safe CSV, secrets kept out.

End to end with the real CLI and database: ``castwatch export`` writes entries in the order
the playlist lists them (``--sort key`` for key order), neutralises cells a spreadsheet
would run, and no output shows a secret from any place a URL can carry one, unless
``--show-credentials`` asks.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.catalog.spreadsheet import FORMULA_STARTS
from castwatch.catalog.summary import summarize
from castwatch.errors import FetchError, MediaError, SourceError
from castwatch.sources.m3u import PlaylistBuilder
from tests.conftest import CliRunner


def playlist(entries: list[tuple[str, str]]) -> str:
    return "#EXTM3U\n" + "".join(f"#EXTINF:-1,{name}\n{url}\n" for name, url in entries)


def ingest(cli: CliRunner, tmp_path: Path, text: str, file: str = "list.m3u") -> None:
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    result = cli("ingest", str(path), "--name", "pl", "--json")
    assert result.code == 0, result.stderr


def exported(cli: CliRunner, *args: str) -> list[Any]:
    result = cli("export", "pl", "--format", "jsonl", *args)
    assert result.code == 0, result.stderr
    return [orjson.loads(line) for line in result.stdout.splitlines()]


LISTED = [
    ("Zulu", "http://h.example.net/live/u/p/30.ts"),
    ("Alpha", "http://h.example.net/live/u/p/1.ts"),
    ("Film", "http://h.example.net/movie/u/p/7.mkv"),
    ("Mike", "https://cdn.example.net/mike/index.m3u8"),
    ("Bravo", "http://h.example.net/live/u/p/2.ts"),
]


def test_export_keeps_the_listing_order_of_each_snapshot(cli: CliRunner, tmp_path: Path) -> None:
    ingest(cli, tmp_path, playlist(LISTED))
    assert [r["name"] for r in exported(cli)] == ["Zulu", "Alpha", "Film", "Mike", "Bravo"]
    by_key = [r["key"] for r in exported(cli, "--sort", "key")]
    assert by_key == sorted(by_key, key=lambda key: (key.split(":")[0], key))
    # The next read lists a new channel first and moves one: unchanged versions are shared
    # between the snapshots, and each snapshot keeps its own order.
    moved = [("New", "http://h.example.net/live/u/p/99.ts"), *LISTED[3:], *LISTED[:3]]
    ingest(cli, tmp_path, playlist(moved), "list2.m3u")
    assert [r["name"] for r in exported(cli)] == ["New", "Mike", "Bravo", "Zulu", "Alpha", "Film"]
    first = exported(cli, "--snapshot", "1")
    assert [r["name"] for r in first] == ["Zulu", "Alpha", "Film", "Mike", "Bravo"]
    assert cli("export", "pl", "--sort", "name").code == 2


HOSTILE = ["=cmd|' /C calc'!A0", "+SUM(1,1)", "@SUM(1)", "-2+3"]


def test_csv_export_cells_cannot_run(cli: CliRunner, tmp_path: Path) -> None:
    entries = [(name, f"http://h.example.net/live/u/p/{i}.ts") for i, name in enumerate(HOSTILE)]
    text = playlist(entries).replace("#EXTINF:-1,", '#EXTINF:-1 group-title="=1+1",')
    ingest(cli, tmp_path, text)
    table = cli("export", "pl", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert [row["name"] for row in rows] == ["'" + name for name in HOSTILE]
    assert all(not cell.startswith(FORMULA_STARTS) for row in rows for cell in row.values())
    # JSON is no spreadsheet: names stay exactly as listed there.
    assert [r["name"] for r in exported(cli)] == HOSTILE


# Secrets in every place a URL carries them ---------------------------------------------------

_SECRET = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=10, max_size=16)


def secret_urls(secret: str) -> list[str]:
    """One URL per supported place, each with ``secret`` in it."""
    return [
        f"http://h.example.net:8080/live/user1/{secret}/11.ts",
        f"http://h.example.net:8080/user1/{secret}/12",
        f"http://h.example.net/get.php?username=user1&password={secret}&type=m3u",
        f"http://h.example.net/portal.php?mac=00:1A:79:{secret[:2]}:{secret[2:4]}:{secret[4:6]}"
        f"&sn={secret}&token={secret}",
        f"rtmp://user1:{secret}@h.example.net/app/stream",
        f"https://cdn.example.net/ch/index.m3u8?token={secret}",
        f"https://cdn.example.net/ch/a.m3u8?lang=en&key={secret}",
        f"https://cdn.example.net/ch/b.m3u8?auth={secret}&sig={secret}",
        f"https://cdn.example.net/ch/c.m3u8?signature={secret}",
        f"https://cdn.example.net/ch/d.m3u8?pwd={secret}&pass={secret}",
        f"https://cdn.example.net/ch/e.m3u8?sid={secret}&hash={secret}",
        f"https://s3.example.net/v.mp4?X-Amz-Signature={secret}&hdnts=exp=1~hmac={secret}",
    ]


@settings(max_examples=40, deadline=None)
@given(secret=_SECRET)
def test_no_parsed_output_or_error_shows_a_secret(secret: str) -> None:
    urls = secret_urls(secret)
    text = playlist([(f"C{i}", url) for i, url in enumerate(urls)])
    builder = PlaylistBuilder("/list.m3u")
    builder.feed(text.encode())
    inventory = builder.finish()
    assert len(inventory.entries) == len(urls)
    assert secret not in repr(inventory.entries)
    assert secret not in orjson.dumps(summarize(inventory), default=str).decode()
    for url in urls:
        for error in (
            SourceError("cannot read", url),
            FetchError(f"could not reach {url}: refused"),
            MediaError(f"no video in {url}", url),
        ):
            assert secret not in str(error)


def test_no_command_output_shows_a_secret(cli: CliRunner, tmp_path: Path) -> None:
    secret = "S3CRETVALUE42"
    urls = secret_urls(secret)
    ingest(cli, tmp_path, playlist([(f"C{i}", url) for i, url in enumerate(urls)]))
    outputs = [
        cli("export", "pl", "--format", "jsonl"),
        cli("export", "pl", "--format", "csv"),
        cli("show", "pl", "--json"),
        cli("show", "pl"),
        cli("services", "--json"),
    ]
    for result in outputs:
        assert result.code == 0, result.stderr
        assert secret not in result.stdout and secret not in result.stderr
    # Asked for, they come back exactly as listed.
    revealed = exported(cli, "--show-credentials")
    assert [r["url"] for r in revealed] == urls
    accounts: Any = cli("show", "pl", "--json", "--show-credentials").json()
    assert any(secret in orjson.dumps(a).decode() for a in accounts["accounts"])
