"""Read a service, store nothing, say what it offers: the whole of ``castwatch inspect``."""

from __future__ import annotations

from typing import Any

from castwatch.catalog.progress import Progress, no_progress
from castwatch.net.policy import FetchOptions


def inspect_service(
    target: str,
    kind: str = "auto",
    options: FetchOptions | None = None,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    """Detect ``target``'s protocol (unless ``kind`` names it), read it and summarise it.

    The keys of :func:`castwatch.catalog.summary.summarize`: the ``castwatch inspect
    --json`` document. A playlist is counted as it streams, so memory does not grow with
    its length; the other protocols are read whole, then summarised.
    """
    from castwatch.catalog.summary import summarize
    from castwatch.sources.detect import detect_kind, read_service
    from castwatch.sources.summary_stream import summarize_playlist

    options = options or FetchOptions()
    if kind == "auto":
        progress("detect", 0, 1)
        kind = detect_kind(target, options)
        progress("detect", 1, 1)
    if kind == "m3u":
        return summarize_playlist(target, options, progress)
    return summarize(read_service(target, kind, options, progress))
