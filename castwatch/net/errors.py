"""One mapping of httpx's errors into castwatch's tree, for every request of every stage.

httpx maps every httpcore error in one context manager (``map_httpcore_exceptions`` in its
``_transports/default.py``); this is the same idea one level up. Before it, the sources, the
attribution page fetcher and the watch re-checks each spelled the mapping out on their own,
and their messages drifted apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from castwatch.catalog.credentials import redact_url
from castwatch.errors import (
    BlockedByPolicy,
    FetchError,
    RedirectLoop,
    SourceTimeout,
    TruncatedResponse,
)
from castwatch.net.policy import Refused

__all__ = ["map_httpx_errors"]


@contextmanager
def map_httpx_errors(
    url: str, *, timeout: float, max_redirects: int, received: Callable[[], int] | None = None
) -> Iterator[None]:
    """Turn what httpx (or the network policy) raises inside the block into castwatch errors.

    ``url`` is named in the error, redacted. ``received``: the block reads a body, and this
    tells how many bytes had arrived when it failed ("stalled / closed after N bytes");
    ``None``: the block opens the exchange. Every error is raised ``from None``: httpx's
    chain would repeat the URL unredacted. The URL is redacted only when an error needs it:
    a parse per request costs more than the small API calls themselves.
    """
    try:
        yield
    except Refused as exc:
        raise BlockedByPolicy(str(exc), redact_url(url)) from None
    except httpx.TooManyRedirects:
        raise RedirectLoop(f"more than {max_redirects} redirects", redact_url(url)) from None
    except httpx.TimeoutException as exc:
        if received is None:
            raise SourceTimeout(
                f"no answer within {timeout:g} s ({type(exc).__name__})", redact_url(url)
            ) from None
        raise SourceTimeout(
            f"stalled after {received():,} bytes (no data for {timeout:g} s)", redact_url(url)
        ) from None
    except httpx.RemoteProtocolError as exc:
        said = "mid-answer" if received is None else f"after {received():,} bytes"
        raise TruncatedResponse(f"connection closed {said}: {exc}", redact_url(url)) from None
    except httpx.TransportError as exc:
        if received is None:
            reason = str(exc) or type(exc).__name__
            raise FetchError(f"could not reach the server: {reason}", redact_url(url)) from None
        raise FetchError(
            f"transfer failed after {received():,} bytes: {exc}", redact_url(url)
        ) from None
