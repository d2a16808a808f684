"""The contract every Source honours, as a test battery each source's tests inherit.

Like ThreatExchange's ``SignalTypeAutoTest``: a new source gets every check here by
subclassing :class:`SourceContract`, naming the source and the simulator URL it reads::

    from tests.sources.contract import SourceContract

    class TestMySource(SourceContract):
        source_name = "mine"      # the registry name
        url_key = "xtream_url"    # which simulator URL the default ``target`` reads

By default ``options`` and ``secrets`` come from conftest (``sim_options``, ``sim_secrets``)
and ``expected_counts`` is the whole simulated catalog; override any of them, or ``target``,
as class-scoped fixtures::

        @pytest.fixture(scope="class")
        @classmethod
        def expected_counts(cls) -> dict[str, int]: ...

Class-scoped fixtures are classmethods (pytest 9 deprecates instance-method ones).

``unreachable_target`` defaults to ``target`` aimed at a closed port; override it for targets
that are not URLs.
"""

from __future__ import annotations

import dataclasses
import socket
from typing import ClassVar
from urllib.parse import urlsplit, urlunsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.catalog import Inventory
from castwatch.catalog.credentials import MAC, PASSWORD, USERNAME, restore_credentials
from castwatch.errors import FetchError
from castwatch.net.policy import FetchOptions
from castwatch.sim import SimConfig, SimServer
from castwatch.sources.base import Source, all_sources, get_source

ProgressLog = list[tuple[str, int, int | None]]
_PLACEHOLDERS = (USERNAME, PASSWORD, MAC)

# Heads a probe may meet: random bytes, and bytes that start like the formats it looks for.
_HEADS = st.one_of(
    st.binary(max_size=2048),
    st.builds(lambda tail: b"#EXTM3U\n#EXTINF:" + tail, st.binary(max_size=512)),
    st.builds(lambda tail: b'{"user_info": ' + tail, st.binary(max_size=512)),
    st.builds(lambda tail: b'{"js": ' + tail, st.binary(max_size=512)),
    st.text(max_size=512).map(lambda text: text.encode()),
)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class SourceContract:
    """Checks that hold for every source: counts, keys, secrecy, probing, failure naming.

    The defaults read the session's simulated panel: ``target`` is its URL named by
    ``url_key``, ``options`` and ``secrets`` come from conftest, ``expected_counts`` is the
    whole catalog. Override any of them as class-scoped fixtures.
    """

    #: The registry name of the source under test.
    source_name: ClassVar[str]
    #: Which of the simulator's URLs the default ``target`` reads.
    url_key: ClassVar[str]
    #: The model's kind of service it reads (``m3u``, ``xtream``, ``stalker``); None: the
    #: source's own name (the built-ins). A plugin reading a known format names it.
    service_kind: ClassVar[str | None] = None

    @pytest.fixture(scope="class")
    @classmethod
    def target(cls, sim: SimServer) -> str:
        return str(sim.urls[cls.url_key])

    @pytest.fixture(scope="class")
    @classmethod
    def options(cls, sim_options: FetchOptions) -> FetchOptions:
        return sim_options

    @pytest.fixture(scope="class")
    @classmethod
    def expected_counts(cls, sim_config: SimConfig) -> dict[str, int]:
        return {
            "live": sim_config.live,
            "film": sim_config.films,
            "series": sim_config.series,
            "episode": sim_config.episodes,
        }

    @pytest.fixture(scope="class")
    @classmethod
    def secrets(cls, sim_secrets: list[str]) -> list[str]:
        return sim_secrets

    @pytest.fixture(scope="class")
    @classmethod
    def source(cls) -> type[Source]:
        return get_source(cls.source_name)

    @pytest.fixture(scope="class")
    @classmethod
    def fetched(
        cls, source: type[Source], target: str, options: FetchOptions
    ) -> tuple[Inventory, ProgressLog]:
        log: ProgressLog = []
        inventory = source().fetch(
            target, options, lambda stage, done, total: log.append((stage, done, total))
        )
        return inventory, log

    @pytest.fixture(scope="class")
    @classmethod
    def inventory(cls, fetched: tuple[Inventory, ProgressLog]) -> Inventory:
        return fetched[0]

    @pytest.fixture(scope="class")
    @classmethod
    def unreachable_target(cls, target: str) -> str:
        parts = urlsplit(target)
        netloc = f"{parts.hostname}:{closed_port()}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    def test_registered_under_its_name(self, source: type[Source]) -> None:
        assert all_sources()[self.source_name] is source
        assert source.name == self.source_name

    def test_fetch_reads_every_entry(
        self, inventory: Inventory, expected_counts: dict[str, int]
    ) -> None:
        assert inventory.counts() == expected_counts
        assert inventory.kind.value == (self.service_kind or self.source_name)

    def test_keys_are_unique(self, inventory: Inventory) -> None:
        keys = [entry.key for entry in inventory.entries]
        assert len(set(keys)) == len(keys)
        assert all(entry.key.startswith(f"{entry.kind.value}:") for entry in inventory.entries)

    def test_no_secret_in_urls_or_server_info(
        self, inventory: Inventory, secrets: list[str]
    ) -> None:
        shown = [inventory.source_url, *inventory.base_urls, repr(inventory.server_info)]
        shown += [entry.url for entry in inventory.entries if entry.url]
        shown += inventory.warnings
        for secret in secrets:
            leaks = [text for text in shown if secret.lower() in text.lower()]
            assert not leaks, f"{secret!r} leaks into {leaks[:3]}"

    def test_credential_indexes_point_at_the_credentials(self, inventory: Inventory) -> None:
        for entry in inventory.entries:
            if entry.url and any(p in entry.url for p in _PLACEHOLDERS):
                assert entry.credential is not None, entry.key
            if entry.credential is None:
                continue
            assert 0 <= entry.credential < len(inventory.credentials), entry.key
            assert entry.url is not None
            restored = restore_credentials(entry.url, inventory.credentials[entry.credential])
            assert not any(p in restored for p in _PLACEHOLDERS), entry.key

    def test_progress_is_reported_and_consistent(
        self, fetched: tuple[Inventory, ProgressLog]
    ) -> None:
        log = fetched[1]
        assert log, "fetch reports progress"
        for stage, done, total in log:
            assert stage and done >= 0
            assert total is None or done <= total, (stage, done, total)

    def test_unreachable_server_is_a_fetch_error_naming_it(
        self,
        source: type[Source],
        unreachable_target: str,
        options: FetchOptions,
        secrets: list[str],
    ) -> None:
        quick = dataclasses.replace(options, timeout=2.0, retries=0, backoff=0.01)
        with pytest.raises(FetchError) as caught:
            source().fetch(unreachable_target, quick)
        message = str(caught.value)
        assert urlsplit(unreachable_target).netloc in message
        assert not any(secret.lower() in message.lower() for secret in secrets)

    def test_probe_never_raises(self, source: type[Source]) -> None:
        # The property is defined per call: Hypothesis refuses one @given method run on
        # instances of several subclasses (its differing_executors check).
        @settings(max_examples=150, deadline=None)
        @given(
            target=st.one_of(st.text(max_size=200), st.just("http://127.0.0.1/player_api.php")),
            head=_HEADS,
            content_type=st.one_of(st.none(), st.text(max_size=60)),
        )
        def probe_answers_a_bool(target: str, head: bytes, content_type: str | None) -> None:
            assert isinstance(source.probe(target, head, content_type), bool)

        probe_answers_a_bool()
