"""``ingest`` prints each warning on one line whatever the width, terminal or not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Two kinds of damage, two warning lines, each longer than the 20 columns asked for.
PLAYLIST = (
    "#EXTM3U\n"
    '#EXTINF:-1 tvg-name="Chan A,Chan A",Chan A\nhttp://h.test/a.ts\n'
    "#EXTINF:-1,Orphan with no URL\n"
    "#EXTINF:-1,Chan B\nh.test/b.ts\n"
    "#EXTINF:-1,Chan C\nhttp://h.test/c.ts\n"
)


def test_ingest_warnings_stay_one_line_each_at_20_columns(tmp_path: Path) -> None:
    playlist = tmp_path / "damaged.m3u"
    playlist.write_text(PLAYLIST)
    env = {**os.environ, "COLUMNS": "20", "CASTWATCH_HOME": str(tmp_path / "home")}
    env.pop("CASTWATCH_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "castwatch", "ingest", str(playlist), "--name", "damaged"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("damaged: snapshot 1, 3 entries") and lines[0].endswith("changed")
    header = next(i for i, line in enumerate(lines) if line.endswith("warning(s):"))
    warnings = lines[header + 1 :]
    assert lines[header] == "2 warning(s):"
    assert warnings == [
        "  1 × #EXTINF without a URL (dropped), first at line 4",
        "  1 × URL without a scheme:// (kept as given), first at line 6",
    ]
