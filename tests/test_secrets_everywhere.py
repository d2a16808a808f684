"""No output of any command shows a secret: accounts, tokens, signatures, MACs (issue 12, 5).

A property test builds a playlist whose stream URLs carry generated secrets in every place
castwatch splits them (``user:pass@``, ``/live/U/P/ID.ts``, ``/U/P/ID``,
``?username=&password=``, ``?mac=``, ``?token=``, ``&key=``, ``&sig=``, ``?play_token=``,
Stalker's ``/load/USER/TOKEN/``), pointing at a closed port on 127.0.0.1, then runs the
commands an analyst would: ingest, show, services, export (JSONL and CSV), verify of the
service (every probe is refused: its error names the URL, the rows are stored), a case
with evidence whose description and note hold the same URLs and ``password=`` / ``token:`` /
``Bearer`` shapes, notices (text and JSON), the HTML dossier and the STIX and MISP exports.
None of what they print, write or store (the database and every file under the data
directory) may contain a secret value. A Stalker portal is covered by ingesting the
simulator's in its ``mixed`` shapes and verifying its real streams.
"""

from __future__ import annotations

import socket
import string
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from castwatch.catalog.registry import Identification, WorkKind, WorkRecord
from castwatch.catalog.tables import EntryRow, SnapshotRow
from castwatch.config import Settings
from castwatch.sim import SimConfig, SimServer
from castwatch.sim.stalker_shapes import device_token
from castwatch.storage import reference
from castwatch.storage.db import Store
from tests.conftest import CliRunner
from tests.enforce.notice_fixtures import HOLDER, write_settings

# A `Z` and a `q` never occur in hex digests, base64 of our own bytes rarely: a hit is a leak.
secret = st.text(alphabet=string.ascii_letters + string.digits, min_size=6, max_size=14).map(
    lambda body: f"Zq{body}q"
)
mac_bytes = st.lists(st.integers(0, 255), min_size=3, max_size=3)


@dataclass(frozen=True)
class Secrets:
    """One generated account and its tokens; ``values`` are what must never be shown."""

    username: str
    password: str
    token: str
    key: str
    sig: str
    play_token: str
    note: str
    bearer: str
    load_token: str
    mac: str

    @property
    def values(self) -> list[str]:
        found = [self.username, self.password, self.token, self.key, self.sig]
        found += [self.play_token, self.note, self.bearer, self.load_token]
        return [*found, self.mac, self.mac.lower(), self.mac.replace(":", "%3A")]


secrets_strategy = st.builds(
    lambda u, p, t, k, s, pt, n, b, lt, m: Secrets(
        u, p, t, k, s, pt, n, b, lt, "00:1A:79:" + ":".join(f"{x:02X}" for x in m)
    ),
    secret, secret, secret, secret, secret, secret, secret, secret, secret, mac_bytes,
)  # fmt: skip


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on: every probe there is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def stream_urls(found: Secrets, port: int) -> list[str]:
    """One stream URL per place a secret can sit in."""
    base = f"http://127.0.0.1:{port}"
    return [
        f"http://{found.username}:{found.password}@127.0.0.1:{port}/a.ts",
        f"{base}/live/{found.username}/{found.password}/101.ts",
        f"{base}/{found.username}/{found.password}/102",
        f"{base}/play?username={found.username}&password={found.password}&id=3",
        f"{base}/stream?mac={found.mac}&id=4",
        f"{base}/s.m3u8?token={found.token}&id=5",
        f"{base}/ch/6.ts?id=6&key={found.key}",
        f"{base}/ch/7.m3u8?exp=1&sig={found.sig}",
        f"{base}/ch/8.ts?play_token={found.play_token}",
        f"{base}/load/{found.username}/{found.load_token}/9.mpegts",
    ]


def playlist(urls: list[str]) -> str:
    lines = ["#EXTM3U"]
    for number, url in enumerate(urls, 1):
        lines += [f'#EXTINF:-1 tvg-id="chan{number}.test",Channel {number}', url]
    return "\n".join(lines) + "\n"


def identify_as_works(home: Path) -> None:
    """Every entry identified as a work of HOLDER, so notices list every URL."""
    work = WorkRecord("tt0000001", "Film One", WorkKind.FILM, 2020, holder=HOLDER)
    with Store.open(Settings.resolve(home=home)) as store:
        reference.import_works(store, [work], "test")
        with store.session() as session:
            latest = session.scalar(select(func.max(SnapshotRow.id)))
            entry_ids = list(session.scalars(select(EntryRow.id)))
        assert latest is not None
        found = [(entry_id, Identification("work", work.id, 0.9)) for entry_id in entry_ids]
        reference.save_identifications(store, latest, found, "test")


def stored_bytes(home: Path) -> Iterator[tuple[Path, bytes]]:
    """Every file castwatch keeps under ``home``: the database, its journal, the evidence."""
    for path in sorted(home.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes()


def leaks(texts: dict[str, str], values: list[str]) -> list[str]:
    return [
        f"{where}: {value}" for where, text in texts.items() for value in values if value in text
    ]


def assert_nothing_stored_in_clear(home: Path, values: list[str]) -> None:
    for path, data in stored_bytes(home):
        shown = [value for value in values if value.encode() in data]
        assert not shown, f"{path.relative_to(home)} holds {shown}"


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(found=secrets_strategy)
def test_no_command_shows_a_secret(cli: CliRunner, found: Secrets) -> None:
    port = closed_port()
    urls = stream_urls(found, port)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        home = folder / "home"
        source = folder / "panel.m3u"
        source.write_text(playlist(urls))
        evidence = folder / "screenshot.txt"
        evidence.write_text("a screenshot of the panel's channel list\n")
        write_settings(home)
        outputs: dict[str, str] = {}

        def run(label: str, *args: str) -> None:
            result = cli("--home", str(home), *args)
            assert result.code == 0, f"{label}: {result.stderr}"
            outputs[label] = result.stdout + result.stderr

        run("ingest", "ingest", str(source), "--name", "panel")
        run("ingest --json", "ingest", str(source), "--name", "panel", "--json")
        run("show", "show", "panel")
        run("show --json", "show", "panel", "--json")
        run("services", "services", "--json")
        run("export jsonl", "export", "panel")
        run("export csv", "export", "panel", "--format", "csv")
        probe = (
            "--seconds", "1", "--timeout", "2", "--deadline", "5", "--allow-private-networks",
            "--json",
        )  # fmt: skip
        # Three probes, each refused: their errors name the URL; the rows are stored.
        run("verify service", "verify", "panel", "--sample", "3", *probe)
        description = (
            f"panel page {urls[0]} and {urls[3]}; password={found.password} "
            f"token: {found.token} Authorization: Bearer {found.bearer}"
        )
        run("case open", "case", "open", "op-kestrel", "--service", "panel")
        run(
            "evidence add", "evidence", "add", "op-kestrel", str(evidence), "--description",
            description, "--source", urls[6],
        )  # fmt: skip
        run("case add", "case", "add", "op-kestrel", "--note", f"reseller sent sig={found.note}")
        run("case show", "case", "show", "op-kestrel")
        run("case show --json", "case", "show", "op-kestrel", "--json")
        identify_as_works(home)
        for kind in ("dmca", "blocklist"):
            run(f"notice {kind}", "notice", "draft", "op-kestrel", "--kind", kind)
            run(f"notice {kind} --json", "notice", "draft", "op-kestrel", "--kind", kind, "--json")
        dossier = folder / "dossier.html"
        run("dossier", "dossier", "op-kestrel", "--format", "html", "-o", str(dossier))
        outputs["dossier.html"] = dossier.read_text()
        for name in ("stix", "misp"):
            written = folder / f"graph.{name}.json"
            run(f"graph {name}", "graph", "export", "--format", name, "-o", str(written))
            outputs[f"graph {name}"] = written.read_text()
        # The commands did their work: URLs are shown (redacted), the failures are named.
        assert f"127.0.0.1:{port}/live/{{username}}/{{password}}/101.ts" in outputs["export jsonl"]
        assert '"errors":3' in outputs["verify service"]
        assert "password=***" in outputs["case show --json"]
        assert "stored redacted" in outputs["evidence add"]
        assert leaks(outputs, found.values) == []
        assert_nothing_stored_in_clear(home, found.values)


def test_stalker_load_links_and_their_streams_keep_the_account_hidden(
    cli: CliRunner, tmp_path: Path
) -> None:
    config = SimConfig(
        seed=5, live=4, films=2, series=1, episodes=2, shapes="mixed",
        username="ZqStalkerUserq", mac="00:1A:79:5A:71:0E",
    )  # fmt: skip
    values = [config.username, config.mac, config.mac.lower(), device_token(config.mac)]
    home = tmp_path / "home"
    outputs: dict[str, str] = {}
    with SimServer(config) as sim:

        def run(label: str, *args: str) -> None:
            result = cli("--home", str(home), *args)
            assert result.code == 0, f"{label}: {result.stderr}"
            outputs[label] = result.stdout + result.stderr

        stalker = sim.urls["stalker_url"]
        run("ingest", "ingest", stalker, "--mac", config.mac, "--name", "box", "--json")
        run("export", "export", "box")
        run("show", "show", "box", "--json")
        run("verify", "verify", "box", "--sample", "4", "--kind", "live", "--seconds", "1",
            "--json")  # fmt: skip
    # The /load/USER/TOKEN/ rows were read and verified, with the account as placeholders.
    assert "/load/{username}/{password}/" in outputs["export"]
    assert '"checked":4' in outputs["verify"].replace(" ", "")
    assert leaks(outputs, values) == []
    assert_nothing_stored_in_clear(home, values)


free_text_shape = st.sampled_from(
    [
        "password={}", "pwd = {}", "token: {}", '"sig": "{}"', "api_key='{}'", "X-Auth-Token={}",
        "Authorization: Basic {}", "authorization: Bearer {}", "bearer {}", "mac={}",
        "see http://h.test/live/agent/{}/7.ts now", "http://h.test/a.m3u8?hdnts={}&x=1",
        "https://u:{}@h.test/", "http://h.test/load/agent/{}/1.mpegts.",
    ]
)  # fmt: skip
prose = st.text(alphabet=string.ascii_letters + " .,;", max_size=30)


@given(free_text_shape, secret, prose, prose)
def test_free_text_keeps_no_secret_of_a_known_shape(
    shape: str, value: str, before: str, after: str
) -> None:
    from castwatch.catalog.credentials import redact_text

    text = f"{before} {shape.format(value)} {after}"
    redacted = redact_text(text)
    assert value not in redacted
    assert redact_text(redacted) == redacted
    # Prose around the secret is kept as typed.
    assert redacted.startswith(before) and redacted.endswith(after)
