"""Property tests: the canonical form and chain hash, the blocking-list CSV, the config reader."""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.catalog.evidence import GENESIS, EvidenceFacts, seal
from castwatch.catalog.notices import BlockTarget, NoticeFacts, Party, Recipient
from castwatch.catalog.spreadsheet import safe_cell
from castwatch.enforce.notices.builtin import BLOCKLIST_COLUMNS, blocklist_csv
from castwatch.enforce.settings import CONFIG_FILE, load_enforce_settings
from castwatch.errors import ConfigError

texts = st.text(max_size=40)
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
facts_strategy = st.builds(
    EvidenceFacts,
    case_id=st.integers(1, 2**31),
    sha256=st.text("0123456789abcdef", min_size=64, max_size=64),
    stored_name=texts, kind=texts, media_type=texts, size=st.integers(0, 2**62),
    description=texts, source=texts, captured_at=moments, host=texts, tool_version=texts,
)  # fmt: skip


@given(facts_strategy, st.integers(1, 2**31), moments, st.sampled_from(["description", "source",
       "host", "kind", "stored_name"]), texts)  # fmt: skip
def test_any_change_to_any_field_changes_the_hash(
    facts: EvidenceFacts, seq: int, recorded: datetime, field: str, other: str
) -> None:
    entry = seal(facts, seq, GENESIS, recorded)
    assert entry.expected_hash() == entry.entry_hash
    changed = replace(entry, **{field: other})
    assert (changed.expected_hash() == entry.entry_hash) == (getattr(entry, field) == other)
    assert replace(entry, seq=seq + 1).expected_hash() != entry.entry_hash


@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=5), texts)
def test_blocklist_csv_round_trips_hostile_values(names: list[str], pattern: str) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    targets = [
        BlockTarget(name, "fqdn", (name, "svc;x"), (80,), (pattern,), 1, now, now, ("1:ab",))
        for name in names
    ]
    facts = NoticeFacts(1, 'case,"1"', "blocklist", Party(), Recipient("-", "authority"), now,
                        block_targets=targets)  # fmt: skip
    rows = list(csv.reader(io.StringIO(blocklist_csv(facts), newline="")))
    assert tuple(rows[0]) == BLOCKLIST_COLUMNS
    # A name that would start a formula comes back with its neutralising quote.
    assert [r[0] for r in rows[1:]] == [safe_cell(name) for name in names]
    assert all(r[-1] == 'case,"1"' for r in rows[1:])


@settings(max_examples=60)
@given(st.text(max_size=200))
def test_config_reader_fails_only_with_config_errors(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    home = tmp_path_factory.mktemp("home")
    (home / CONFIG_FILE).write_text(text, encoding="utf-8")
    with contextlib.suppress(ConfigError):
        load_enforce_settings(home)
