"""No false accounts, no missed ones: panel URL shapes split exactly, public CDN shapes never.

Both directions are properties: every URL built in a shape panels use is split into the
account and restored byte for byte; every URL built in a shape public CDNs use (Akamai,
Globecast, Wowza, plain HLS/DASH) comes back unchanged with no account.
"""

from __future__ import annotations

from urllib.parse import quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from castwatch.catalog.credentials import (
    MAC,
    PASSWORD,
    STRUCTURAL_WORDS,
    USERNAME,
    Credentials,
    is_secret_name,
    redact_url,
    restore_credentials,
    split_credentials,
)

# Account parts as panels hand them out: letters, digits and the punctuation seen in real
# passwords, never a CDN directory word.
account = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF, exclude_characters="/?#@:%{}&="),
    min_size=1,
    max_size=16,
).filter(lambda text: text.lower() not in STRUCTURAL_WORDS)
host = st.sampled_from(["panel.test", "panel.test:8080", "10.0.0.7:25461", "[::1]:80"])
stream_id = st.integers(0, 10**9).map(str)
extension = st.sampled_from(["", ".ts", ".m3u8", ".mkv", ".mp4"])
token = st.text(
    alphabet="abcdefABCDEF0123456789-_.~%", min_size=1, max_size=40
)  # raw query text, as the URL spells it
secret_name = st.sampled_from(
    ["token", "key", "auth", "sig", "signature", "sid", "hash", "hdnts", "X-Amz-Signature",
     "wmsAuthSign", "access_token", "api_key", "Token"]
)  # fmt: skip


def panel_urls() -> st.SearchStrategy[tuple[str, Credentials]]:
    """A URL in one of the shapes panels use, with the account it carries."""
    segment = st.sampled_from(["live", "movie", "series"])
    prefixed = st.builds(
        lambda s, h, u, p, i, e: (f"http://{h}/{s}/{u}/{p}/{i}{e}", Credentials(u, p)),
        segment, host, account, account, stream_id, extension,
    )  # fmt: skip
    short = st.builds(
        lambda sc, h, u, p, i, e: (f"{sc}://{h}/{u}/{p}/{i}{e}", Credentials(u, p)),
        st.sampled_from(["http", "https"]), host, account, account, stream_id, extension,
    )  # fmt: skip
    query = st.builds(
        lambda h, u, p: (
            f"http://{h}/get.php?username={quote_plus(u, safe=':')}"
            f"&password={quote_plus(p, safe=':')}&type=m3u_plus",
            Credentials(u, p),
        ),
        host, account, account,
    )  # fmt: skip
    mac = st.builds(
        lambda h, m: (f"http://{h}/portal.php?type=stb&mac={m}", Credentials(mac=m)),
        host,
        st.lists(st.sampled_from("0123456789ABCDEF"), min_size=12, max_size=12).map(
            lambda d: ":".join("".join(d[i : i + 2]) for i in range(0, 12, 2))
        ),
    )
    userinfo = st.builds(
        lambda h, u, p: (f"rtmp://{u}:{p}@{h}/app/stream", Credentials(u, p)),
        host,
        # `[` and `]` in an authority read as an IPv6 literal: no panel hands those out.
        account.filter(lambda t: not set(t) & set(":[]")),
        account.filter(lambda t: not set(t) & set("[]")),
    )
    secret = st.builds(
        lambda h, n, v: (
            f"https://{h}/live/ch1/index.m3u8?{n}={v}&x=1",
            Credentials(secrets=((n, v),)),
        ),
        host, secret_name, token,
    )  # fmt: skip
    segment_url = st.builds(
        lambda h, u, p, i, n: (f"http://{h}/hls/{u}/{p}/{i}/{n}.ts", Credentials(u, p)),
        host, account, account, stream_id, stream_id,
    )  # fmt: skip
    return st.one_of(prefixed, short, query, mac, userinfo, secret, segment_url)


@given(panel_urls())
def test_every_panel_shape_is_split_and_restored_exactly(case: tuple[str, Credentials]) -> None:
    url, expected = case
    shown, found = split_credentials(url)
    assert found == expected
    assert restore_credentials(shown, found) == url
    for part, placeholder in (
        (expected.username, USERNAME),
        (expected.password, PASSWORD),
        (expected.mac, MAC),
    ):
        assert (part is None) == (placeholder not in shown)
    for name, value in expected.secrets:
        assert f"{name}={{{name}}}" in shown and f"{name}={value}&" not in shown


def cdn_urls() -> st.SearchStrategy[str]:
    """URLs in the shapes public CDNs and streaming servers use: they carry no account."""
    word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
    number = st.integers(0, 10**7).map(str)
    leaf = st.sampled_from(["playlist.m3u8", "index.m3u8", "master.m3u8", "chunklist.m3u8"])
    cdn = st.sampled_from(["cdn.example", "live.example.net:1935", "edge.example.org"])
    return st.one_of(
        st.builds(lambda h, n, w, f: f"https://{h}/hls/live/{n}/{w}/{f}", cdn, number, word, leaf),
        st.builds(lambda h, w, f: f"https://{h}/live/ramdisk/{w}/hls/{f}", cdn, word, leaf),
        st.builds(lambda h, w, f: f"https://{h}/live/_definst_/{w}/{f}", cdn, word, leaf),
        st.builds(lambda h, w: f"http://{h}/live/hls/{w}.m3u8", cdn, word),
        st.builds(lambda h, n: f"http://{h}/live/hls/{n}.m3u8", cdn, number),
        st.builds(lambda h, n: f"http://{h}/hls/live/{n}.ts", cdn, number),
        st.builds(lambda h, w, f: f"https://{h}/{w}/{f}", cdn, word, leaf),
        st.builds(lambda h, w, f: f"https://{h}/live/{w}/{f}", cdn, word, leaf),
        st.builds(lambda h, w: f"https://{h}/dash/{w}/manifest.mpd", cdn, word),
        # Three segments end like the short panel form only with a numeric id.
        st.builds(
            lambda h, a, b, w: f"https://{h}/{a}/{b}/{w}.m3u8",
            cdn,
            word,
            word,
            word.filter(lambda w: not w.isdigit()),
        ),
    )


@given(cdn_urls())
def test_public_cdn_shapes_never_carry_an_account(url: str) -> None:
    assert split_credentials(url) == (url, None)


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn-1.example.akamaized.net/hls/live/2003678/channel-uk/master.m3u8",
        "https://globecast.example/live/ramdisk/channel_a/hls1/index.m3u8",
        "https://wowza.example:1935/live/_definst_/ch5/playlist.m3u8",
        "http://cdn.example/live/hls/playlist.m3u8",
        "http://cdn.example/live/hls/index.m3u8",
        "http://cdn.example/live/hls/104.m3u8",
        "http://cdn.example/hls/live/104.ts",
        "http://cdn.example/live/stream/playlist.m3u8",
        "http://h:8080/live/bob/pw/playlist.m3u8",
    ],
)
def test_named_cdn_urls_keep_their_path(url: str) -> None:
    assert split_credentials(url) == (url, None)


@pytest.mark.parametrize(
    ("url", "shown", "secrets"),
    [
        (
            "https://cdn.example/x/index.m3u8?token=abc123&e=1",
            "https://cdn.example/x/index.m3u8?token={token}&e=1",
            (("token", "abc123"),),
        ),
        (
            "https://cdn.example/a.m3u8?sig=A&sig=B",
            "https://cdn.example/a.m3u8?sig={sig}&sig={sig#2}",
            (("sig", "A"), ("sig#2", "B")),
        ),
        (
            "https://s3.example/v.mp4?X-Amz-Credential=AK%2F1&X-Amz-Signature=ff00",
            "https://s3.example/v.mp4?X-Amz-Credential={X-Amz-Credential}"
            "&X-Amz-Signature={X-Amz-Signature}",
            (("X-Amz-Credential", "AK%2F1"), ("X-Amz-Signature", "ff00")),
        ),
        ("https://cdn.example/a.m3u8?key=", "https://cdn.example/a.m3u8?key=", ()),
    ],
)
def test_secret_parameters_are_split_raw(
    url: str, shown: str, secrets: tuple[tuple[str, str], ...]
) -> None:
    got, found = split_credentials(url)
    assert got == shown
    assert (found.secrets if found else ()) == secrets
    assert restore_credentials(got, found) == url
    if found:
        label = found.redacted()
        assert all(value not in label for _, value in secrets)


def test_secret_names_are_recognised_by_name_and_suffix() -> None:
    for name in ("token", "KEY", "auth", "sig", "signature", "pwd", "sid", "hash", "hdnea"):
        assert is_secret_name(name) or name in ("pwd",)
    for name in ("type", "output", "id", "e", "lang", "format"):
        assert not is_secret_name(name)
    assert is_secret_name("my_api_key") and is_secret_name("refreshToken")


def test_a_label_of_many_secrets_fits_its_column() -> None:
    many = Credentials(secrets=tuple((f"token{i}", "v") for i in range(50)))
    assert len(many.redacted()) <= 100


@given(st.text(max_size=200))
def test_redaction_is_idempotent(url: str) -> None:
    once = redact_url(url)
    assert redact_url(once) == once or "{" in url


def test_an_inventory_finds_each_account_once_however_it_was_built() -> None:
    from castwatch.catalog import Inventory, ServiceKind

    first, second = Credentials("a", "b"), Credentials(secrets=(("token", "t"),))
    inventory = Inventory(ServiceKind.M3U, "x", ["x"], credentials=[first, second])
    assert inventory.add_credentials(second) == 1
    assert inventory.add_credentials(Credentials("c", "d")) == 2
    assert inventory.add_credentials(first) == 0
    assert inventory.credentials == [first, second, Credentials("c", "d")]
