"""The iptv-org reader: the shared copy, hand-written edge cases, mutations, and downloads."""

from __future__ import annotations

import gzip
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from castwatch.errors import CastwatchError, HttpStatusError, RegistryError
from castwatch.identify.registries.iptv_org import (
    TABLES,
    IptvOrgData,
    download_iptv_org,
    load_iptv_org,
)

_SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "iptv-org"
HAVE_SHARED = (_SHARED / "channels.csv").is_file()


def _unpacked_bundle() -> Path:
    """The bundled copy as plain CSV files (the tests that serve or diff plain tables)."""
    from castwatch.identify.registries.iptv_org import BUNDLED

    target = Path(tempfile.gettempdir()) / "castwatch-test-iptv-org"
    target.mkdir(exist_ok=True)
    for packed in sorted(BUNDLED.glob("*.csv.gz")):
        plain = target / packed.name.removesuffix(".gz")
        if not plain.is_file():
            scratch = plain.with_name(f".{plain.name}.{os.getpid()}")
            scratch.write_bytes(gzip.decompress(packed.read_bytes()))
            os.replace(scratch, plain)
    return target


#: The full iptv-org tables as plain CSV: the workspace's shared copy when there is one,
#: else the copy bundled with castwatch, unpacked (the two are the same; a test checks it).
SHARED_IPTV_ORG = _SHARED if HAVE_SHARED else _unpacked_bundle()
needs_shared = pytest.mark.skipif(
    not (SHARED_IPTV_ORG / "channels.csv").is_file(),
    reason=f"no plain iptv-org tables at {SHARED_IPTV_ORG}",
)

CHANNELS = '''id,name,alt_names,network,owners,country,categories,is_nsfw,launched,closed,replaced_by,website
CanalPlus.fr,Canal+,Canal Plus;  C+ ,,Vivendi,FR,general;movies,FALSE,1984-11-04,,,https://canalplus.com
beINSports1.qa,beIN Sports 1,,beIN,beIN Media Group,QA,sports,FALSE,,,,
Adult.us,"Adult, ""Late""",,,,US,xxx,TRUE,,2020-01-01,Other.us@SD,
'''  # noqa: E501
FEEDS = """channel,id,name,alt_names,is_main,broadcast_area,timezones,languages,format
CanalPlus.fr,SD,SD,,FALSE,c/FR,Europe/Paris,fra,576i
CanalPlus.fr,HD,HD,Canal+ HD,TRUE,c/FR;c/MC,Europe/Paris,fra,1080i
beINSports1.qa,MENA,MENA,,TRUE,r/MENA,Asia/Qatar,ara;eng,
"""
BLOCKLIST = """channel,reason,ref
Adult.us,nsfw,https://example.org/1
Adult.us,dmca,https://example.org/2
"""
COUNTRIES = """name,code,languages,flag
France,FR,fra,x
Qatar,qa,ara,x
"""
LANGUAGES = "code,name\nfra,French\nara,Arabic\n"
CATEGORIES = "id,name,description\nsports,Sports,Sport\n"
REGIONS = "code,name,countries\nMENA,Middle East and North Africa,AE;QA;SA\n"
SMALL = {
    "channels.csv": CHANNELS,
    "feeds.csv": FEEDS,
    "blocklist.csv": BLOCKLIST,
    "countries.csv": COUNTRIES,
    "languages.csv": LANGUAGES,
    "categories.csv": CATEGORIES,
    "regions.csv": REGIONS,
}


def write_tables(directory: Path, **replace: str | None) -> Path:
    """The small tables above in ``directory``; ``name_csv=None`` leaves a table out."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, default in SMALL.items():
        text = replace.get(name.replace(".", "_"), default)
        if text is not None:
            (directory / name).write_text(text, encoding="utf-8")
    return directory


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving ``directory``; yields its base URL."""

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@needs_shared
def test_the_shared_copy_loads_completely() -> None:
    data = load_iptv_org(SHARED_IPTV_ORG)
    counts = data.counts()
    assert counts["channels"] == 41105
    assert counts["feeds"] == 45082
    assert counts["blocked"] > 1000
    assert counts["countries"] > 200
    assert data.warnings == []
    by_id = {channel.id: channel for channel in data.channels}
    canal = by_id["CanalPlusSport.fr"]
    assert canal.name == "Canal+ Sport"
    assert canal.country == "FR"
    assert [(feed.feed_id, feed.is_main) for feed in canal.feeds] == [("SD", True)]
    assert canal.feeds[0].broadcast_area == ("c/FR",)
    assert canal.feeds[0].languages == ("fra",)
    assert by_id["5StarMax.us"].blocked == "dmca"
    assert by_id["beINSports1.qa"].owners == ("beIN Media Group",)
    assert data.countries["FR"].name == "France"
    assert "QA" in data.regions["MENA"].countries
    assert data.languages["fra"] == "French"
    assert [channel.id for channel in data.channels] == sorted(by_id)


def test_values_are_split_typed_and_emptied(tmp_path: Path) -> None:
    data = load_iptv_org(write_tables(tmp_path))
    by_id = {channel.id: channel for channel in data.channels}
    canal = by_id["CanalPlus.fr"]
    assert canal.alt_names == ("Canal Plus", "C+")
    assert canal.categories == ("general", "movies")
    assert canal.network is None
    assert canal.closed is None
    assert canal.is_nsfw is False
    # The main feed comes first, whatever the file's order.
    assert [feed.feed_id for feed in canal.feeds] == ["HD", "SD"]
    assert canal.feeds[0].broadcast_area == ("c/FR", "c/MC")
    assert canal.feeds[0].alt_names == ("Canal+ HD",)
    assert canal.feeds[1].is_main is False
    adult = by_id["Adult.us"]
    assert adult.name == 'Adult, "Late"'
    assert adult.is_nsfw is True
    assert adult.replaced_by == "Other.us@SD"
    # A takedown notice outranks an nsfw flag for the same channel.
    assert adult.blocked == "dmca"
    bein = by_id["beINSports1.qa"]
    assert bein.feeds[0].languages == ("ara", "eng")
    assert bein.feeds[0].format is None
    assert data.countries["QA"] == ("Qatar", ("ara",))
    assert data.regions["MENA"].countries == ("AE", "QA", "SA")
    assert data.categories == {"sports": "Sports"}
    assert len(data.digest) == 32


def test_the_digest_follows_the_content(tmp_path: Path) -> None:
    first = load_iptv_org(write_tables(tmp_path / "a")).digest
    same = load_iptv_org(write_tables(tmp_path / "b")).digest
    changed = load_iptv_org(write_tables(tmp_path / "c", languages_csv=LANGUAGES + "eng,E\n"))
    assert first == same != changed.digest


@pytest.mark.parametrize("table", ["channels.csv", "feeds.csv", "blocklist.csv", "countries.csv"])
def test_a_missing_required_table_is_named(tmp_path: Path, table: str) -> None:
    directory = write_tables(tmp_path, **{table.replace(".", "_"): None})
    with pytest.raises(RegistryError, match=rf"{table}: required iptv-org table is missing"):
        load_iptv_org(directory)


def test_missing_optional_tables_leave_lookups_empty(tmp_path: Path) -> None:
    data = load_iptv_org(write_tables(tmp_path, regions_csv=None, languages_csv=None))
    assert data.regions == {}
    assert data.languages == {}
    assert "regions.csv: table missing, left empty" in data.warnings


def test_a_missing_required_column_names_file_and_column(tmp_path: Path) -> None:
    directory = write_tables(tmp_path, feeds_csv=FEEDS.replace("channel,id,", "chan,id,", 1))
    with pytest.raises(RegistryError, match=r"feeds\.csv: required column 'channel' is missing"):
        load_iptv_org(directory)


def test_a_missing_optional_column_reads_as_empty(tmp_path: Path) -> None:
    channels = "id,name,country\nA.fr,A,FR\n"
    data = load_iptv_org(
        write_tables(tmp_path, channels_csv=channels, feeds_csv="channel,id,name\n")
    )
    assert data.channels[0].owners == ()
    assert data.channels[0].website is None
    assert "channels.csv: column 'owners' missing, left empty" in data.warnings


def test_bad_rows_are_skipped_with_their_line(tmp_path: Path) -> None:
    channels = CHANNELS + "Short.fr,Short\n" + "CanalPlus.fr,Again,,,,,,FALSE,,,,\n"
    channels += "Odd.fr,Odd,,,,,,maybe,,,,\n"
    feeds = FEEDS + "Nobody.xx,SD,SD,,TRUE,c/XX,UTC,eng,576i\n"
    data = load_iptv_org(write_tables(tmp_path, channels_csv=channels, feeds_csv=feeds))
    assert "channels.csv line 5: 2 fields, expected 12; skipped" in data.warnings
    assert "channels.csv line 6: duplicate id 'CanalPlus.fr'; skipped" in data.warnings
    assert any("line 7: is_nsfw 'maybe'" in warning for warning in data.warnings)
    assert "feeds.csv line 5: unknown channel 'Nobody.xx'; skipped" in data.warnings
    assert {channel.id for channel in data.channels} == {
        "CanalPlus.fr",
        "beINSports1.qa",
        "Adult.us",
        "Odd.fr",
    }


def test_text_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    directory = write_tables(tmp_path)
    (directory / "countries.csv").write_bytes(b"name,code\nFran\xe7e,FR\n")
    with pytest.raises(RegistryError, match=r"countries\.csv: not UTF-8"):
        load_iptv_org(directory)


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not a directory"):
        load_iptv_org(tmp_path / "nowhere")


def _check(data: IptvOrgData) -> None:
    ids = [channel.id for channel in data.channels]
    assert len(ids) == len(set(ids))
    for channel in data.channels:
        assert channel.id and channel.name
        assert all(isinstance(value, str) and value for value in channel.owners)
        assert channel.blocked in (None, "dmca", "nsfw") or isinstance(channel.blocked, str)
        for feed in channel.feeds:
            assert feed.channel_id == channel.id


_mutation = st.tuples(
    st.integers(min_value=0, max_value=len(CHANNELS) + len(FEEDS)),
    st.integers(min_value=0, max_value=8),
    st.text(alphabet=st.sampled_from(list(',;"\n\r\t\x00 TRUEFALSEab')), max_size=6),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(_mutation, min_size=1, max_size=6))
def test_mutated_tables_load_or_fail_cleanly(mutations: list[tuple[int, int, str]]) -> None:
    channels, feeds = CHANNELS, FEEDS
    for position, cut, insert in mutations:
        if position < len(channels):
            channels = channels[:position] + insert + channels[position + cut :]
        else:
            at = position - len(channels)
            feeds = feeds[:at] + insert + feeds[at + cut :]
    with tempfile.TemporaryDirectory() as scratch:
        directory = write_tables(Path(scratch), channels_csv=channels, feeds_csv=feeds)
        try:
            data = load_iptv_org(directory)
        except RegistryError as exc:
            assert "csv" in str(exc)
            return
        _check(data)


@needs_shared
def test_download_fetches_every_table_from_a_real_server(tmp_path: Path) -> None:
    dest = tmp_path / "cache" / "iptv-org"
    with serve_directory(SHARED_IPTV_ORG) as base_url:
        written = download_iptv_org(dest, base_url + "/")
    assert sorted(path.name for path in written) == sorted(TABLES)
    for name in TABLES:
        assert (dest / name).read_bytes() == (SHARED_IPTV_ORG / name).read_bytes()
    assert not list(dest.glob(".*partial"))
    assert load_iptv_org(dest).counts()["channels"] == 41105


def test_a_failed_download_leaves_the_previous_copy(tmp_path: Path) -> None:
    dest = write_tables(tmp_path / "cache")
    before = {path.name: path.read_bytes() for path in dest.iterdir()}
    served = write_tables(tmp_path / "served", regions_csv=None)
    with serve_directory(served) as base_url, pytest.raises(HttpStatusError, match="404"):
        download_iptv_org(dest, base_url)
    assert {path.name: path.read_bytes() for path in dest.iterdir()} == before


def test_a_download_of_something_else_is_refused(tmp_path: Path) -> None:
    dest = tmp_path / "cache"
    served = write_tables(tmp_path / "served", channels_csv="<html>not found</html>\n")
    with serve_directory(served) as base_url, pytest.raises(RegistryError, match=r"channels\.csv"):
        download_iptv_org(dest, base_url)
    assert not dest.exists() or not any(dest.iterdir())


def test_an_unreachable_server_is_a_castwatch_error(tmp_path: Path) -> None:
    with serve_directory(tmp_path) as base_url:
        pass  # the server is gone: its port refuses connections now
    with pytest.raises(CastwatchError):
        download_iptv_org(tmp_path / "cache", base_url, timeout=2.0)


def test_the_bundled_copy_loads_without_the_shared_folder() -> None:
    from castwatch.identify.registries.iptv_org import BUNDLED

    data = load_iptv_org(BUNDLED)
    assert data.counts()["channels"] == 41105
    assert any(c.id == "CanalPlusSport.fr" for c in data.channels)


@pytest.mark.skipif(not HAVE_SHARED, reason=f"the workspace copy is not at {_SHARED}")
def test_the_bundled_copy_is_the_shared_copy() -> None:
    from castwatch.identify.registries.iptv_org import BUNDLED

    assert load_iptv_org(BUNDLED).digest == load_iptv_org(SHARED_IPTV_ORG).digest


def test_a_corrupt_gzipped_table_is_named(tmp_path: Path) -> None:
    (tmp_path / "channels.csv.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    with pytest.raises(RegistryError, match=r"channels\.csv\.gz: not a readable gzip file"):
        load_iptv_org(tmp_path)
