"""Property tests of the tracking rules: domain parsing, legal-offer matching, verdicts, figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from castwatch.catalog.tracking import (
    DOWN_STATES,
    UP_STATES,
    CheckState,
    ProbeResult,
    TakedownSample,
    TargetKind,
    Transition,
    classify,
    normalize_domain,
    on_legal_offer,
    summarize_takedowns,
    takedown_of,
    transition,
)

_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_HOSTS = st.lists(_LABEL, min_size=2, max_size=4).map(".".join)
_PATHS = st.lists(st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True), max_size=3).map(
    lambda parts: "/" + "/".join(parts)
)
_URLS = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{f':{port}' if port else ''}{path}",
    st.sampled_from(["http", "https"]),
    _HOSTS,
    st.one_of(st.none(), st.integers(1, 65535)),
    _PATHS,
)
_STATES = st.sampled_from(list(CheckState))
_START = datetime(2026, 1, 1, tzinfo=UTC)


@given(st.text(max_size=80))
def test_normalize_domain_accepts_or_explains_anything(text: str) -> None:
    try:
        host, url = normalize_domain(text)
    except ValueError as exc:
        assert str(exc)
        return
    assert url.startswith(("http://", "https://")) and host == host.rstrip(".")
    assert normalize_domain(url) == (host, url)  # a normalized URL is a fixed point


@given(_HOSTS, st.one_of(st.none(), st.integers(1, 65535)))
def test_normalize_domain_of_a_name_or_host_port(host: str, port: int | None) -> None:
    given_text = f"{host.upper()}.{f':{port}' if port else ''}"
    name, url = normalize_domain(given_text)
    assert name == host and url == f"http://{host}{f':{port}' if port else ''}/"


@given(_URLS, _PATHS)
def test_anything_under_the_legal_offer_page_is_on_it(legal: str, extra: str) -> None:
    assert on_legal_offer(legal, legal)
    assert on_legal_offer(legal.rstrip("/") + extra, legal)
    assert not on_legal_offer(legal.replace("://", "://other-"), legal)
    assert not on_legal_offer(None, legal) and not on_legal_offer(legal, None)


_PROBES = st.builds(
    ProbeResult,
    url=_URLS,
    addresses=st.tuples(),
    http_status=st.one_of(st.none(), st.integers(100, 599)),
    final_url=st.one_of(st.none(), _URLS, st.text(max_size=20)),
    redirects=st.lists(st.tuples(st.integers(300, 399), _URLS), max_size=3).map(tuple),
    failure=st.sampled_from([None, "nxdomain", "refused", "timeout", "other"]),
)


@given(st.sampled_from(list(TargetKind)), _PROBES, st.one_of(st.none(), _URLS))
def test_classify_gives_a_verdict_for_any_answer(
    kind: TargetKind, probe: ProbeResult, legal: str | None
) -> None:
    state = classify(kind, probe, legal)
    assert state is not CheckState.PENDING
    if probe.failure in ("nxdomain", "refused"):
        assert state is CheckState.GONE
    if state is CheckState.SEIZED:
        assert legal is not None
    if probe.failure is None and probe.http_status == 410 and kind is TargetKind.URL:
        assert state in (CheckState.GONE, CheckState.SEIZED)


@given(st.sampled_from(list(TargetKind)), _STATES, _STATES)
def test_only_conclusive_moves_are_news(kind: TargetKind, settled: CheckState,
                                        now: CheckState) -> None:  # fmt: skip
    news = transition(kind, settled, now)
    if now in (CheckState.ERROR, CheckState.PENDING) or now is settled:
        assert news is None
    if news is Transition.RELAPSED:
        assert settled in DOWN_STATES and now in UP_STATES and kind is not TargetKind.SEIZED


_CHECKS = st.lists(st.tuples(st.integers(-50, 200), _STATES), max_size=30)


@given(_CHECKS)
def test_takedown_is_the_first_down_check_at_or_after_sending(
    raw: list[tuple[int, CheckState]],
) -> None:
    checks = [(_START + timedelta(hours=h), state) for h, state in sorted(raw, key=lambda c: c[0])]
    down_at, relapses = takedown_of(_START, checks)
    downs = [at for at, state in checks if state in DOWN_STATES and at >= _START]
    assert down_at == (downs[0] if downs else None)
    assert 0 <= relapses <= sum(1 for _, state in checks if state in UP_STATES)
    if down_at is None:
        assert relapses == 0


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a@x", "b@y", "c@z"]),
            st.sampled_from(["host", "cdn", "registrar"]),
            st.one_of(st.none(), st.integers(0, 10_000)),
        ),
        max_size=25,
    )
)
def test_figures_add_up(raw: list[tuple[str, str, int | None]]) -> None:
    samples = [
        TakedownSample(i, recipient, role, _START,
                       None if minutes is None else _START + timedelta(minutes=minutes))
        for i, (recipient, role, minutes) in enumerate(raw)
    ]  # fmt: skip
    by_recipient, by_intermediary = summarize_takedowns(samples)
    for figures in (by_recipient, by_intermediary):
        assert sum(f.targets for f in figures) == len(samples)
        assert sum(f.down for f in figures) == sum(1 for m in raw if m[2] is not None)
        for f in figures:
            if f.down:
                assert f.min_s is not None and f.max_s is not None and f.median_s is not None
                assert f.min_s <= f.median_s <= f.max_s
            else:
                assert f.median_s is None
