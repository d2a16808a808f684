"""Write eval/channels.jsonl: channel names as pirate panels write them, with the true id.

    .venv/bin/python eval/make_channels.py [--registry ../shared/data/iptv-org] [--seed 7]

Two parts, see eval/README.md:

* ``generated``: registry channels from about fifty countries, decorated by the rules below,
  plus invented names that no registry lists (checked against every name and alt name).
  The decoration rules were written apart from ``castwatch/sim/naming.py`` and from the
  normaliser, and deliberately go further than either (separators, cases, scripts, typos,
  joined words, word cuts, tags and junk that neither knows), so that the evaluation measures
  names the matcher was not written for.
* ``handwritten``: lines already in the file with ``"source": "handwritten"`` are kept as
  they are (edit them in the file); the script only checks that their ids exist.

A generated name is kept only if its truth is decidable from what the line carries: when
several channels share the name, the line must carry a country that only one of them has.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
import zlib
from collections import defaultdict
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from castwatch.catalog.registry import ChannelRecord  # noqa: E402
from castwatch.identify.registries.iptv_org import load_iptv_org  # noqa: E402

OUT = ROOT / "eval" / "channels.jsonl"


def words(text: str) -> list[str]:
    """The whitespace-separated words of ``text`` (tables read better as one string)."""
    return text.split()


ARAB = words("SA AE QA EG MA DZ TN LB IQ KW JO SY OM BH YE LY PS SD")
LATAM = words("MX AR CO CL PE VE EC BO UY PY CR GT HN SV NI PA DO CU PR")
EXYU = words("RS HR BA SI MK ME")
#: Known-channel lines to generate per country (Arab countries share one budget).
BUDGET = {
    "FR": 190, "UK": 150, "US": 120, "ES": 80, "DE": 90, "IT": 80, "PT": 50, "TR": 80,
    "RU": 60, "UA": 20, "NL": 40, "BE": 30, "PL": 35, "GR": 25, "RO": 25, "BR": 55, "MX": 35,
    "AR": 25, "CO": 12, "CL": 12, "CA": 35, "IN": 50, "PK": 15, "ARAB": 170, "IR": 25,
    "IL": 8, "SE": 15, "NO": 12, "DK": 12, "FI": 12, "RS": 15, "HR": 12, "BA": 8, "AL": 12,
    "CH": 15, "AT": 12, "HU": 12, "CZ": 12, "BG": 12, "AZ": 8, "KR": 8, "JP": 8, "CN": 8,
    "PH": 12, "ID": 12, "NG": 8, "ZA": 12, "AU": 15,
}  # fmt: skip
#: How panels tag each country: (codes, full names). The generator's own table.
TAGS: dict[str, tuple[list[str], list[str]]] = {
    "FR": (["FR", "FR", "FRA", "VF"], ["FRANCE", "FRENCH"]),
    "UK": (["UK", "UK", "GB", "EN"], ["UNITED KINGDOM", "ENGLISH", "UK/IRELAND"]),
    "US": (["US", "USA", "EN"], ["USA", "AMERICA"]),
    "ES": (["ES", "ESP"], ["SPAIN", "ESPAÑA"]),
    "DE": (["DE", "GER", "DEU"], ["GERMANY", "DEUTSCHLAND"]),
    "IT": (["IT", "ITA"], ["ITALY", "ITALIA"]),
    "PT": (["PT", "POR"], ["PORTUGAL"]),
    "TR": (["TR", "TUR"], ["TURKEY", "TÜRKIYE"]),
    "RU": (["RU", "RUS"], ["RUSSIA"]),
    "NL": (["NL", "NED"], ["NETHERLANDS", "HOLLAND"]),
    "BR": (["BR", "BRA"], ["BRASIL", "BRAZIL"]),
    "MX": (["MX", "LAT", "LATINO"], ["MEXICO", "LATINO"]),
    "AR": (["ARG", "LAT"], ["ARGENTINA"]),
    "CA": (["CA", "CAN"], ["CANADA"]),
    "IN": (["IN", "IND"], ["INDIA"]),
    "ARAB": (["AR", "AR", "ARAB", "ARB", "KSA"], ["ARABIC", "ARAB"]),
    "EXYU": (["EXYU", "EX-YU", "YU"], ["BALKAN", "EX YU"]),
}
#: What a tag says about countries (None: only a language, it decides nothing between twins).
TAG_COUNTRIES: dict[str, list[str] | None] = {
    "EN": None, "VF": None, "ENGLISH": None, "FRENCH": None, "LAT": LATAM, "LATINO": LATAM,
    "AR": [*ARAB, "AR"], "ARAB": ARAB, "ARB": ARAB, "ARABIC": ARAB, "KSA": ["SA"],
    "EXYU": EXYU, "EX-YU": EXYU, "YU": EXYU, "BALKAN": EXYU, "EX YU": EXYU,
    "UK/IRELAND": ["UK", "IE"],
}  # fmt: skip
# Ways to write a tag before a name; deliberately wider than any normaliser's list.
PREFIXES = [
    "{t}| ",
    "{t} | ",
    "|{t}| ",
    "{t}: ",
    "{t}:",
    "[{t}] ",
    "({t}) ",
    "{t} - ",
    "{t}-",
    "┃{t}┃ ",
    "{t} ➤ ",
    "{t}▎",
    "{t} ● ",
    "{t} ✦ ",
    "«{t}» ",
    "{t}/",
    "{t} » ",
    "{t}_",
    "#{t} ",
    "{t} ~ ",
    "【{t}】",
    "⟦{t}⟧ ",
    "{t} :: ",
    "{t} •| ",
    "|{t}|: ",
    "{t} ",
    "{t} ⭐ ",
    "▶ {t} ◀ ",
    "{t}►",
    "={t}= ",
    "<{t}> ",
    "{t} 》",
]
SUFFIX_TAGS = [" ({t})", " [{t}]", " {t}", " - {t}", " |{t}|"]
QUALITIES = [
    "HD", "HD", "FHD", "FHD", "SD", "4K", "UHD", "HEVC", "H265", "H.265", "1080P", "720p",
    "60fps", "ᴴᴰ", "ᶠᴴᴰ", "ᵁᴴᴰ", "ʜᴅ", "🅷🅳", "Ⓗⓓ", "FULL HD", "Ultra HD", "4K HDR", "HQ",
    "LQ", "[HD]", "(FHD)", "ᴴᴱᵛᶜ", "HD 50FPS", "x265", "FHD H264",
]  # fmt: skip
EXTRAS = [
    "BACKUP", "(BACKUP)", "B", "VIP", "RAW", "ᴿᴬᵂ", "MULTI", "MULTI-AUDIO", "[MULTI SUB]",
    "ALT", "S2", "(S1)", "LINK 2", "*", "⚽", "★", "🔴", "[LIVE]", "(VIP)", "ᵛᴵᴾ", "BKP",
]  # fmt: skip
JUNK = ["★", "✦", "◉", "⚽", "▶️", "🔥", "✪", "♛", "•", "~", "==", "**", "⚡", "🎬", "🏆"]
WORD_CUTS = {
    "sports": ["SPORT", "SPRTS", "SPTS"], "channel": ["CH", "CHNL"], "television": ["TV"],
    "international": ["INTL", "INT"], "entertainment": ["ENT", "ENTMT"], "movies": ["MOVIE"],
    "cinema": ["CINE", "CINE"], "documentary": ["DOC", "DOCU"], "news": ["NEWS"],
    "national geographic": ["NAT GEO", "NATGEO"], "sky sports": ["SS", "SKY SP"],
    "canal+": ["C+", "CANAL PLUS", "CANALPLUS"], "+": [" PLUS", "+"], "&": [" AND ", " N "],
    "premier league": ["PL"], "family": ["FAM"], "discovery": ["DISC"],
}  # fmt: skip
_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"}
_BOLD = {c: chr(0x1D400 + ord(c) - 65) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_SMALL = dict(zip("ABCDEFGHIJKLMNOPRSTUVWYZ", "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ", strict=True))
_SKIP_CATEGORIES = {"legislative", "shop", "xxx", "education", "religious", "weather"}
_CALL_SIGN = re.compile(r"^[KW][A-Z0-9]{2,5}(-|\s|$)")


def simple_key(text: str) -> str:
    """An independent, plain normalisation: accents and punctuation off, lower case."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text.casefold() if c.isalnum())


def pirate_country(channel: ChannelRecord) -> str:
    country = channel.country or ""
    if country in ARAB:
        return "ARAB"
    if country in EXYU:
        return "EXYU"
    return country


def tag_for(country: str, rng: random.Random) -> tuple[str, list[str] | None]:
    codes, names = TAGS.get(country, ([country, country], []))
    tag = rng.choice(names) if names and rng.random() < 0.15 else rng.choice(codes)
    if tag in TAG_COUNTRIES:
        return tag, TAG_COUNTRIES[tag]
    return tag, [country] if country not in ("ARAB", "EXYU") else None


def restyle(text: str, rng: random.Random) -> str:
    """Case and letter style: mostly capitals, sometimes Unicode letter styles."""
    roll = rng.random()
    if roll < 0.58:
        return text.upper()
    if roll < 0.78:
        return text
    if roll < 0.86:
        return text.title()
    if roll < 0.90:
        return text.lower()
    table = rng.choice([_SMALL, _BOLD, _FULLWIDTH])
    return "".join(table.get(c, c) for c in text.upper())


def mangle(name: str, rng: random.Random) -> str:
    """Word cuts, joins, typos, dropped generic words: what hurried panel editors do."""
    lowered = name.lower()
    for word, cuts in WORD_CUTS.items():
        if word in lowered and rng.random() < 0.25:
            start = lowered.index(word)
            name = name[:start] + rng.choice(cuts) + name[start + len(word) :]
            lowered = name.lower()
    words = name.split()
    roll = rng.random()
    if roll < 0.06 and len(words) > 1:
        return "".join(words)
    if roll < 0.11 and len(words) > 2:
        at = rng.randrange(len(words) - 1)
        words[at : at + 2] = [words[at] + words[at + 1]]
    elif roll < 0.19:
        long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long_words:
            i = rng.choice(long_words)
            w = words[i]
            p = rng.randrange(1, len(w) - 1)
            words[i] = rng.choice([w[:p] + w[p + 1 :], w[:p] + w[p] + w[p:],
                                   w[: p - 1] + w[p] + w[p - 1] + w[p + 1 :]])  # fmt: skip
    elif roll < 0.23 and len(words) > 2 and words[-1].lower() in ("tv", "channel"):
        words.pop()
    return " ".join(words)


FLAGS = {"FR": "🇫🇷", "UK": "🇬🇧", "DE": "🇩🇪", "ES": "🇪🇸", "IT": "🇮🇹", "PT": "🇵🇹", "TR": "🇹🇷",
         "NL": "🇳🇱", "BR": "🇧🇷", "CA": "🇨🇦", "RU": "🇷🇺", "PL": "🇵🇱"}  # fmt: skip
GROUP_KINDS = ["SPORTS", "CINEMA", "NEWS", "GENERAL", "KIDS", "DIVERTISSEMENT", "TV", "DOCS"]
GROUP_SHAPES = ["{t} | {k}", "|{t}| {k}", "{t} {k}", "{k} {t}", "{t}", "{t} ➤ {k}", "{k} ({t})"]


def decorate(
    name: str, country: str, rng: random.Random
) -> tuple[str, str | None, list[str] | None]:
    """A panel-style name, the group title if the tag went there, and what the tag decides."""
    core = restyle(mangle(name, rng), rng)
    tag, decides = tag_for(country, rng)
    group = None
    where = rng.random()
    if where < 0.55:
        core = rng.choice(PREFIXES).format(t=tag) + core
    elif where < 0.62:
        core += rng.choice(SUFFIX_TAGS).format(t=tag)
    elif where < 0.66 and country in FLAGS:
        core = f"{FLAGS[country]} {core}"
        decides = [country]
    elif where < 0.88:
        shape = rng.choice(GROUP_SHAPES)
        group = shape.format(t=tag, k=rng.choice(GROUP_KINDS))
    else:
        decides = None
    if rng.random() < 0.6:
        core += " " + rng.choice(QUALITIES)
    if rng.random() < 0.15:
        core += " " + rng.choice(EXTRAS)
    if rng.random() < 0.07:
        junk = rng.choice(JUNK)
        core = f"{junk} {core} {junk}" if rng.random() < 0.5 else f"{junk}{core}"
    return core, group, decides


class Registry:
    """The channels, and which channels answer to each plain key."""

    def __init__(self, channels: list[ChannelRecord]) -> None:
        self.channels = channels
        self.by_id = {c.id: c for c in channels}
        self.twins: dict[str, set[str]] = defaultdict(set)
        for channel in channels:
            for name in (channel.name, *channel.alt_names):
                self.twins[simple_key(name)].add(channel.id)

    def reach(self, channel_id: str) -> set[str]:
        """Countries a channel is in or broadcast to."""
        channel = self.by_id[channel_id]
        areas = {a.split("/")[1].split("-")[0] for f in channel.feeds for a in f.broadcast_area
                 if a.startswith(("c/", "s/"))}  # fmt: skip
        return areas | {channel.country or ""}

    def decidable(self, channel: ChannelRecord, name: str, decides: list[str] | None) -> bool:
        """Whether ``name`` plus the countries the line carries point at ``channel`` alone."""
        others = self.twins.get(simple_key(name), set()) - {channel.id}
        if not others:
            return True
        if not decides or channel.country not in decides:
            return False
        return not any(self.reach(other) & set(decides) for other in others)


def eligible(channel: ChannelRecord) -> bool:
    if channel.is_nsfw or channel.blocked == "nsfw" or _CALL_SIGN.match(channel.name):
        return False
    if set(channel.categories) & _SKIP_CATEGORIES or len(channel.name) > 40:
        return False
    return not channel.closed or zlib.crc32(channel.id.encode()) % 5 == 0  # a few closed ones


def known_lines(registry: Registry, rng: random.Random) -> list[dict[str, object]]:
    pools: dict[str, list[ChannelRecord]] = defaultdict(list)
    for channel in registry.channels:
        if channel.country and eligible(channel):
            pools[pirate_country(channel)].append(channel)
    lines: list[dict[str, object]] = []
    for country, budget in BUDGET.items():
        pool = sorted(pools.get(country, []), key=lambda c: c.id)
        # Channels with more feeds and alt names are the better known: panels carry those.
        weights = [1 + len(c.feeds) + 2 * len(c.alt_names) + 2 * bool(c.owners) for c in pool]
        made = 0
        for _ in range(budget * 4):
            if made >= budget or not pool:
                break
            channel = rng.choices(pool, weights)[0]
            names = [channel.name, *channel.alt_names]
            name = rng.choice(names) if rng.random() < 0.3 else channel.name
            tag_country = country if country in ("ARAB", "EXYU") else channel.country or ""
            text, group, decides = decorate(name, tag_country, rng)
            line: dict[str, object] = {"name": text, "truth": channel.id}
            if group:
                line["group"] = group
            if rng.random() < 0.1:
                line["country"] = channel.country
                decides = [*(decides or []), channel.country or ""]
            if decides and country in ("ARAB", "EXYU") and channel.country not in decides:
                decides = None
            if not registry.decidable(channel, name, decides):
                continue
            shifts = [f.feed_id for f in channel.feeds if re.fullmatch(r"Plus\d", f.feed_id)]
            if shifts and rng.random() < 0.5:
                feed = rng.choice(shifts)
                line["name"] = f"{text} +{feed[4:]}"
                line["feed"] = feed
            line["source"] = "generated"
            lines.append(line)
            made += 1
    return lines


# Invented names: words that make plausible brands, checked against the registry below.
BRAND_WORDS = words("""Zenith Orbita Kestrel Velora Nuvola Brisa Quasar Halcyon Marlin Sirocco
Lumora Veltra Norvane Castellan Ardent Solenne Tessera Miraval Oriel Pyxis Corvina Belmare Vantor
Selvane Azurine Borealis Tamarisk Ombria Galena Riviera Sablon Estrela Caravel Dunmore Albacore
Meridia Petrel Kalima Zephyra Ostral Cobalto Larkspur Valmont Serrano Fenwick Tallis Quintara
Brightwater Ironvale Starlane Kobalt Amberly Drava Lysandre Mirabel Solvane""")
GENRES = """Sports|Sport|Cinema|Movies|Kids|News|News 24|Max|Action|Drama|Family|Docs|Music|Arena|
Plus|Premium|Extra|Series|Comedy|Live|Classic|Junior|Novelas|Racing|Golf|Fight|Football|Foot|
Cine|Infos|Deportes|Spor|Sinema|Kino|Filmes|Doku|Calcio""".replace("\n", "").split("|")
NATIVE_INVENTED = [
    "قناة السنابل", "الرمال الذهبية", "المدار الرياضية 3", "الفيروز دراما", "نجمة الخليج سينما",
    "قناة الضفاف", "الواحة للأطفال", "Северный Экран", "Кино Полёт 2", "Спорт Арена 5",
    "Ледяной Канал", "Yıldız Spor 3", "Kartal Sinema", "Deniz Yolu TV", "Cine Nube",
    "Deportes Ola 4", "Tela Brisa", "Sportwelt Nord 7", "Bergblick Kino", "Stella Calcio 6",
    "Cinema Lago", "Ekran Plus 4", "Κανάλι Ορίζοντας", "Αστέρι Σπορ 2",
]  # fmt: skip
SHOWS = """Friends|The Simpsons|Family Guy|Seinfeld|Tom & Jerry|Mr Bean|Dragon Ball Z|One Piece|
Breaking Bad|The Office|Two and a Half Men|Naruto|Pokemon|Malcolm|Kaamelott|Les Simpson|
El Chavo|Prison Break|How I Met Your Mother|Futurama""".replace("\n", "").split("|")
PIRATE_ONLY = [
    "24/7 {show}", "24/7: {show}", "{show} 24/7", "PPV {n}", "PPV EVENT {n}", "EVENT {n}",
    "LIVE EVENT {n:02d}", "LIGUE 1 MULTIPLEX {n}", "NBA LEAGUE PASS {n}", "NFL SUNDAY TICKET {n}",
    "NHL CENTER ICE {n}", "DAZN EVENT {n}", "MATCH {n}", "CAM {n}", "F1 ONBOARD {n}",
    "CHAMPIONS LEAGUE {n}", "VOD CINEMA {n}", "FILMS ACTION {n}", "UFC PPV {n}",
    "PREMIER LEAGUE {n}", "LALIGA EVENT {n}", "SERIE A {n}", "BUNDESLIGA {n} LIVE",
]  # fmt: skip
SEPARATORS = [
    "##### {w} #####",
    "===== {w} =====",
    "★★★ {w} ★★★",
    "|| {w} ||",
    "### {w} ###",
    "----- {w} -----",
    "▬▬ {w} ▬▬",
]
SEPARATOR_WORDS = [
    "FRANCE",
    "UK SPORTS",
    "ARABIC",
    "DEUTSCHLAND",
    "ESPAÑA",
    "ITALIA",
    "TURKEY",
    "LATINO",
    "EX-YU",
    "PORTUGAL",
    "NEWS",
    "KIDS",
    "4K UHD",
    "VIP CHANNELS",
]


class NewNames:
    """Invented names, each checked to be in no registry: no key and no near key."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.keys = list(registry.twins)

    def fresh(self, name: str) -> bool:
        key = simple_key(name)
        if not key or key in self.registry.twins:
            return False
        return process.extractOne(key, self.keys, scorer=fuzz.ratio, score_cutoff=90) is None


def renumbered(registry: Registry, rng: random.Random) -> list[str]:
    """Numbered families (``beIN Sports 1..8``) with numbers the registry does not have."""
    families: dict[str, set[int]] = defaultdict(set)
    for channel in registry.channels:
        match = re.fullmatch(r"(.+?) (\d{1,2})", channel.name)
        if match and eligible(channel):
            families[match.group(1)].add(int(match.group(2)))
    big = sorted(f for f, numbers in families.items() if len(numbers) >= 3)
    return [f"{f} {max(families[f]) + rng.randint(2, 8)}" for f in rng.sample(big, 90)]


def unknown_lines(registry: Registry, rng: random.Random) -> list[dict[str, object]]:
    checker = NewNames(registry)
    countries = [c for c in BUDGET if c in TAGS]
    wanted: list[tuple[str, str]] = []
    for _ in range(170):
        name = f"{rng.choice(BRAND_WORDS)} {rng.choice(GENRES)}"
        wanted.append(("invented", name if rng.random() < 0.6 else f"{name} {rng.randint(1, 9)}"))
    wanted += [("invented", name) for name in NATIVE_INVENTED]
    wanted += [("renumbered", name) for name in renumbered(registry, rng)]
    for _ in range(80):
        template = rng.choice(PIRATE_ONLY)
        wanted.append(
            ("pirate-only", template.format(show=rng.choice(SHOWS), n=rng.randint(1, 30)))
        )
    lines: list[dict[str, object]] = []
    seen: set[str] = set()
    for kind, name in wanted:
        if name in seen or not checker.fresh(name):
            continue
        seen.add(name)
        text, group, _ = decorate(name, rng.choice(countries), rng)
        line: dict[str, object] = {"name": text, "truth": None}
        if group:
            line["group"] = group
        lines.append({**line, "source": "generated", "kind": kind})
    for _ in range(24):
        word = rng.choice(SEPARATOR_WORDS)
        line = {"name": rng.choice(SEPARATORS).format(w=word), "truth": None}
        lines.append({**line, "source": "generated", "kind": "separator"})
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=ROOT.parent / "shared/data/iptv-org")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data = load_iptv_org(args.registry)
    registry = Registry(data.channels)
    rng = random.Random(args.seed)
    handwritten: list[dict[str, object]] = []
    if OUT.exists():
        for number, text in enumerate(OUT.read_text(encoding="utf-8").splitlines(), 1):
            line = json.loads(text)
            if line.get("source") != "handwritten":
                continue
            truth = line.get("truth")
            if truth is not None and truth not in registry.by_id:
                raise SystemExit(f"{OUT}:{number}: {truth!r} is not an iptv-org channel id")
            handwritten.append(line)
    generated = known_lines(registry, rng) + unknown_lines(registry, rng)
    with OUT.open("w", encoding="utf-8") as out:
        for line in handwritten + generated:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    unknown = sum(1 for line in generated if line["truth"] is None)
    print(
        f"{OUT}: {len(handwritten)} handwritten, {len(generated) - unknown} generated known, "
        f"{unknown} generated unknown"
    )


if __name__ == "__main__":
    main()
