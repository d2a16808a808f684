"""attribute.toml, the environment and --resolver: where attribution asks and how it merges."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from castwatch.attribute.collectors.clients.dns import parse_server
from castwatch.attribute.settings import check_resolver, load_attribute_settings
from castwatch.errors import ConfigError


def test_file_then_environment_then_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "attribute.toml").write_text(
        '[attribute]\nresolver = "10.0.0.53:53"\nip2asn = "/data/ip2asn.tsv"\n'
        "timeout = 2\nthreshold = 0.7\n"
    )
    loaded = load_attribute_settings(tmp_path)
    assert loaded.collect.resolver == "10.0.0.53:53"
    assert loaded.collect.ip2asn == Path("/data/ip2asn.tsv")
    assert loaded.collect.timeout == 2 and loaded.weights.threshold == 0.7
    monkeypatch.setenv("CASTWATCH_RESOLVER", "127.0.0.1:5353")
    assert load_attribute_settings(tmp_path).collect.resolver == "127.0.0.1:5353"
    overridden = load_attribute_settings(tmp_path).with_overrides("192.0.2.1:53", Path("x.tsv"))
    assert overridden.collect.resolver == "192.0.2.1:53"
    assert overridden.collect.ip2asn == Path("x.tsv")


def test_no_file_means_defaults(tmp_path: Path) -> None:
    loaded = load_attribute_settings(tmp_path)
    assert loaded.collect.resolver is None and loaded.weights.threshold == 0.6


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[attribute]\nthreshold = 2\n", "threshold must be in"),
        ("[attribute]\ntimeout = -1\n", "must be positive"),
        ("[attribute]\nresolver = 'dns:99999'\n", "HOST:PORT"),
        ("attribute = 3\n", "must be a table"),
        ("[attribute\n", "not valid TOML"),
    ],
)
def test_bad_settings_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "attribute.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_attribute_settings(tmp_path)


@given(st.text(max_size=40))
def test_resolver_parser_accepts_or_explains(text: str) -> None:
    try:
        checked = check_resolver(text)
    except ConfigError as exc:
        assert "HOST:PORT" in str(exc)
    else:
        assert checked == text.strip() and checked
        # Whatever it accepts, the DNS collector accepts too.
        assert 0 < parse_server(checked)[1] < 65536
