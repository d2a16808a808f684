"""The transformation suite: each pirate transformation alone at a few strengths, and mixed.

Shared by the tests and bench/fingerprint.py so both measure the same thing.
"""

from __future__ import annotations

from castwatch.sim.restream import CLEAN, Restream

VIDEO_TRANSFORMS: dict[str, Restream] = {
    "clean": CLEAN,
    "letterbox-12": Restream(letterbox=0.12),
    "letterbox-25": Restream(letterbox=0.25),
    "pillarbox-25": Restream(pillarbox=0.25),
    "logo-5": Restream(logo=0.05),
    "logo-15-top-right": Restream(logo=0.15),
    "logo-15-bottom-left": Restream(logo=0.15, logo_corner="bottom-left"),
    "crop-5": Restream(crop=0.05),
    "crop-10-left": Restream(crop=0.1, crop_bias=-1.0),
    "crop-10-right": Restream(crop=0.1, crop_bias=1.0),
    "colour-50": Restream(colour=0.5),
    "colour-100": Restream(colour=1.0),
    "scale-50-low-bitrate": Restream(scale=0.5, video_bitrate=80_000),
    "scale-150": Restream(scale=1.5),
    "fps-25": Restream(fps=25.0),
    "fps-7.5": Restream(fps=7.5),
    "mixed-a": Restream(
        scale=0.75,
        letterbox=0.2,
        logo=0.1,
        crop=0.06,
        crop_bias=0.5,
        colour=0.5,
        fps=12.5,
        video_bitrate=200_000,
        audio_rate=44100,
    ),
    "mixed-b": Restream(
        pillarbox=0.2,
        logo=0.15,
        logo_corner="bottom-right",
        crop=0.1,
        crop_bias=-0.6,
        colour=0.7,
        fps=8.0,
        audio_rate=22050,
    ),
}

AUDIO_TRANSFORMS: dict[str, Restream] = {
    "clean": CLEAN,
    "resample-22050": Restream(audio_rate=22050),
    "resample-44100": Restream(audio_rate=44100),
    "resample-48000": Restream(audio_rate=48000),
    "mixed-a": VIDEO_TRANSFORMS["mixed-a"],
    "mixed-b": VIDEO_TRANSFORMS["mixed-b"],
}
