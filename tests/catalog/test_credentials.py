"""Credentials are split out of every URL shape pirate services use, and put back exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from castwatch.catalog.credentials import (
    Credentials,
    is_account_segment,
    redact_url,
    restore_credentials,
    split_credentials,
)
from castwatch.catalog.endpoints import path_pattern, summarize_endpoints
from castwatch.catalog.model import Entry, EntryKind


@pytest.mark.parametrize(
    ("url", "redacted", "credentials"),
    [
        (
            "http://h:8080/live/bob/s3cr3t/123.ts",
            "http://h:8080/live/{username}/{password}/123.ts",
            Credentials("bob", "s3cr3t"),
        ),
        (
            "http://h:8080/movie/bob/s3cr3t/9.mkv",
            "http://h:8080/movie/{username}/{password}/9.mkv",
            Credentials("bob", "s3cr3t"),
        ),
        (
            "http://h/get.php?username=bob&password=x%26y&type=m3u_plus",
            "http://h/get.php?username={username}&password={password}&type=m3u_plus",
            Credentials("bob", "x&y"),
        ),
        (
            "http://h:80/bob/pw/1234",
            "http://h:80/{username}/{password}/1234",
            Credentials("bob", "pw"),
        ),
        ("http://a:b@h/x.m3u8", "http://{username}:{password}@h/x.m3u8", Credentials("a", "b")),
        (
            "http://h/portal.php?mac=00:1A:79:00:00:01",
            "http://h/portal.php?mac={mac}",
            Credentials(mac="00:1A:79:00:00:01"),
        ),
        ("udp://@239.0.0.1:1234", "udp://@239.0.0.1:1234", None),
        ("http://cdn.example/channel/index.m3u8", "http://cdn.example/channel/index.m3u8", None),
        ("htp:/broken url", "htp:/broken url", None),
    ],
)
def test_split_and_restore(url: str, redacted: str, credentials: Credentials | None) -> None:
    got_url, got_credentials = split_credentials(url)
    assert (got_url, got_credentials) == (redacted, credentials)
    assert restore_credentials(got_url, got_credentials) == url
    assert redact_url(url) == redacted


safe_token = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF, exclude_characters="/?#@:%{}"),
    min_size=1,
    max_size=20,
)


@given(
    user=safe_token.filter(is_account_segment),
    password=safe_token.filter(is_account_segment),
    stream=st.integers(0, 10**9),
)
def test_xtream_paths_round_trip(user: str, password: str, stream: int) -> None:
    url = f"http://panel.test:8080/live/{user}/{password}/{stream}.ts"
    redacted, credentials = split_credentials(url)
    assert credentials == Credentials(user, password)
    assert redacted == f"http://panel.test:8080/live/{{username}}/{{password}}/{stream}.ts"
    assert restore_credentials(redacted, credentials) == url


@given(st.text(max_size=300))
def test_split_never_raises_and_round_trips(url: str) -> None:
    redacted, credentials = split_credentials(url)
    if credentials is None:
        assert redacted == url
    elif "{" not in url:
        assert restore_credentials(redacted, credentials) == url


def test_redacted_label_hides_secrets() -> None:
    label = Credentials("alice", "hunter2", "00:1A:79:AA:BB:CC").redacted()
    assert "hunter2" not in label and "alice" not in label and "AA:BB:CC" not in label


def test_endpoints_collapse_stream_urls() -> None:
    entries = [
        Entry(
            EntryKind.LIVE,
            f"live:{i}",
            "x",
            url=f"http://H.example:8080/live/{{username}}/{{password}}/{i}.ts",
        )
        for i in range(100)
    ] + [Entry(EntryKind.FILM, "film:1", "y", url="udp://@239.0.0.1:1234")]
    endpoints = summarize_endpoints(entries)
    assert [(e.scheme, e.host, e.port, e.path_pattern, e.entries) for e in endpoints] == [
        ("http", "h.example", 8080, "/live/{username}/{password}/{id}.ts", 100),
        ("udp", "239.0.0.1", 1234, "/", 1),
    ]
    assert path_pattern("/hls/abcdef0123456789abcd/index.m3u8") == "/hls/{id}/index.m3u8"
