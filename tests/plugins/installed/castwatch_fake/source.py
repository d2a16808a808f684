"""A source read only when asked by name: M3U playlists, through castwatch's M3U reader."""

from __future__ import annotations

from castwatch.catalog import Inventory
from castwatch.net.policy import FetchOptions
from castwatch.sources.base import Progress, Source, no_progress, register_source
from castwatch.sources.m3u import M3USource


@register_source
class MirroredPlaylist(Source):
    """A playlist mirror: never auto-detected (the built-in M3U source claims those)."""

    name = "fake-m3u"

    @classmethod
    def probe(cls, target: str, head: bytes, content_type: str | None) -> bool:
        return False

    def fetch(
        self, target: str, options: FetchOptions, progress: Progress = no_progress
    ) -> Inventory:
        return M3USource().fetch(target, options, progress)
