"""Word lists and name shapes that make the simulated catalog read like a real pirate panel.

Invented titles are assembled from small word lists, never copied from a real catalog; real
titles come from the works registry castwatch bundles (Wikidata, CC0), decorated here the way
pirate catalogues decorate them (the rules are this module's own). Broadcaster brands appear
because pirate panels restream them under those names and an investigation tool must
recognise them; no content goes with them. Repeated entries in a list are weights.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from random import Random
from typing import NamedTuple, TypeVar

_T = TypeVar("_T")


class Draw(Random):
    """A ``Random`` with ``pick`` and ``below``, which cost one ``random()`` call each.

    The stock ``choice`` redraws bits to stay exactly uniform; the bias of
    ``int(random() * n)`` is far below anything a synthetic catalog could show, and it is
    four times faster, which keeps a 200,000-item catalog well under a second.
    """

    def pick(self, seq: Sequence[_T]) -> _T:
        """One item of ``seq`` (like ``choice``)."""
        return seq[int(self.random() * len(seq))]

    def below(self, n: int) -> int:
        """An int in ``range(n)``."""
        return int(self.random() * n)


class Brand(NamedTuple):
    """A broadcaster as a panel lists it: display name, EPG id, country code, group."""

    name: str
    epg_id: str
    country: str
    group: str

    @property
    def channel_id(self) -> str:
        """The channel this brand truly is: its iptv-org id where the registry has it.

        Panels label feeds with ids from whatever EPG guide they use (``BeInSports1.fr``);
        the simulator's ground truth of what a feed carries is the registry's channel.
        """
        return REGISTRY_IDS.get(self.epg_id, self.epg_id)


def _numbered(name: str, epg: str, country: str, group: str, numbers: range) -> list[Brand]:
    suffix = country.lower()
    return [Brand(f"{name} {n}", f"{epg}{n}.{suffix}", country, group) for n in numbers]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The tables below are data; one item per line would triple the module for nothing.
# fmt: off

#: EPG ids of the brands below that differ from the iptv-org id of the same channel (checked
#: by hand against the bundled registry: names, countries, owners). Brands not listed either
#: use the registry id already or have no registry channel (then the EPG id stands in).
REGISTRY_IDS: dict[str, str] = {
    **{f"BeInSports{n}.fr": f"beINSports{n}.qa" for n in range(1, 9)},
    **{f"BeInSportsMax{n}.fr": f"beINSportsMax{n}.qa" for n in range(1, 11)},
    **{f"MBC{n}.ar": f"MBC{n}.ae" for n in range(2, 6)},
    # iptv-org files DAZN 1-4 Spain as the Spain feeds of the DAZN n channels.
    **{f"DAZN{n}.es": f"DAZN{n}.uk" for n in range(1, 5)},
    "MovistarLaLiga.es": "LaLigaTVporMovistarPlusPlus.es",
    "Arte.fr": "arte.fr",
    "SkySportsPL.uk": "SkySportsPremierLeague.uk",
    "AlJazeeraEnglish.qa": "AlJazeera.qa",
    "AlArabiya.ae": "Alarabiya.ae",
}

#: Brands that panels restream in several qualities; the first entries fill small catalogs.
BRANDS: tuple[Brand, ...] = (
    Brand("CANAL+", "CanalPlus.fr", "FR", "GENERAL"),
    Brand("CANAL+ SPORT", "CanalPlusSport.fr", "FR", "SPORTS"),
    Brand("CANAL+ FOOT", "CanalPlusFoot.fr", "FR", "SPORTS"),
    Brand("CANAL+ CINEMA", "CanalPlusCinema.fr", "FR", "CINEMA"),
    Brand("beIN SPORTS 1", "BeInSports1.fr", "FR", "SPORTS"),
    Brand("RMC SPORT 1", "RMCSport1.fr", "FR", "SPORTS"),
    Brand("TF1", "TF1.fr", "FR", "GENERAL"),
    Brand("M6", "M6.fr", "FR", "GENERAL"),
    Brand("France 2", "France2.fr", "FR", "GENERAL"),
    Brand("بي ان سبورت 1", "beINSports1.qa", "AR", "BEIN"),
    Brand("BBC One", "BBCOne.uk", "UK", "ENTERTAINMENT"),
    Brand("Sky Sports Main Event", "SkySportsMainEvent.uk", "UK", "SPORTS"),
    Brand("DAZN 1", "DAZN1.es", "ES", "SPORTS"),
    Brand("MBC 1", "MBC1.ae", "AR", "MBC"),
    Brand("الجزيرة", "AlJazeera.qa", "AR", "NEWS"),
    Brand("OSN Movies", "OSNMovies.ae", "AR", "OSN"),
    *_numbered("beIN SPORTS", "BeInSports", "FR", "SPORTS", range(2, 11)),
    *_numbered("beIN SPORTS MAX", "BeInSportsMax", "FR", "SPORTS", range(1, 11)),
    *[Brand(f"بي ان سبورت {n}", f"beINSports{n}.qa", "AR", "BEIN") for n in range(2, 10)],
    *_numbered("RMC SPORT", "RMCSport", "FR", "SPORTS", range(2, 5)),
    *_numbered("DAZN", "DAZN", "ES", "SPORTS", range(2, 5)),
    *_numbered("MBC", "MBC", "AR", "MBC", range(2, 6)),
    Brand("France 3", "France3.fr", "FR", "GENERAL"),
    Brand("France 5", "France5.fr", "FR", "GENERAL"),
    Brand("Arte", "Arte.fr", "FR", "GENERAL"),
    Brand("BFM TV", "BFMTV.fr", "FR", "NEWS"),
    Brand("L'Equipe", "LEquipe.fr", "FR", "SPORTS"),
    Brand("Eurosport 1", "Eurosport1.fr", "FR", "SPORTS"),
    Brand("Eurosport 2", "Eurosport2.fr", "FR", "SPORTS"),
    Brand("OCS Max", "OCSMax.fr", "FR", "CINEMA"),
    Brand("Ciné+ Frisson", "CinePlusFrisson.fr", "FR", "CINEMA"),
    Brand("Gulli", "Gulli.fr", "FR", "KIDS"),
    Brand("BBC Two", "BBCTwo.uk", "UK", "ENTERTAINMENT"),
    Brand("ITV 1", "ITV1.uk", "UK", "ENTERTAINMENT"),
    Brand("Channel 4", "Channel4.uk", "UK", "ENTERTAINMENT"),
    Brand("Sky Sports Premier League", "SkySportsPL.uk", "UK", "SPORTS"),
    Brand("Sky Sports F1", "SkySportsF1.uk", "UK", "SPORTS"),
    Brand("Sky Sports Football", "SkySportsFootball.uk", "UK", "SPORTS"),
    Brand("Sky Cinema Premiere", "SkyCinemaPremiere.uk", "UK", "CINEMA"),
    Brand("TNT Sports 1", "TNTSports1.uk", "UK", "SPORTS"),
    Brand("Sky News", "SkyNews.uk", "UK", "NEWS"),
    Brand("MBC Drama", "MBCDrama.ae", "AR", "MBC"),
    Brand("MBC Action", "MBCAction.ae", "AR", "MBC"),
    Brand("Al Jazeera", "AlJazeeraEnglish.qa", "AR", "NEWS"),
    Brand("العربية", "AlArabiya.ae", "AR", "NEWS"),
    Brand("OSN Series", "OSNSeries.ae", "AR", "OSN"),
    Brand("Rotana Cinema", "RotanaCinema.sa", "AR", "GENERAL"),
    Brand("أبوظبي الرياضية 1", "AbuDhabiSports1.ae", "AR", "SPORTS"),
    Brand("SSC 1", "SSC1.sa", "AR", "SPORTS"),
    Brand("Movistar LaLiga", "MovistarLaLiga.es", "ES", "SPORTS"),
    Brand("Sky Sport Bundesliga 1", "SkySportBundesliga1.de", "DE", "SPORTS"),
    Brand("DAZN 1 DE", "DAZN1.de", "DE", "SPORTS"),
    Brand("Sky Sport Uno", "SkySportUno.it", "IT", "SPORTS"),
    Brand("Sport TV 1", "SportTV1.pt", "PT", "SPORTS"),
    Brand("ESPN", "ESPN.us", "US", "SPORTS"),
    Brand("HBO", "HBO.us", "US", "CINEMA"),
)

#: The ways panels write a country tag in front of a channel name.
COUNTRY_FORMATS: tuple[str, ...] = (
    "{c}|", "{c}|", "{c}|", "|{c}|", "{c}:", "[{c}]", "{c} -", "┃{c}┃", "{c} ➤", "{c} |",
)
QUALITIES: tuple[str, ...] = (
    "HD", "HD", "FHD", "FHD", "SD", "4K", "HEVC", "ᴴᴰ", "ᶠᴴᴰ", "ᵁᴴᴰ", "ᴿᴬᵂ", "UHD", "H265", "",
)
UHD_QUALITIES = frozenset({"4K", "UHD", "ᵁᴴᴰ"})
#: Tags that mark a backup feed or a premium copy of the same channel.
EXTRAS: tuple[str, ...] = ("BACKUP", "+1", "VIP", "50FPS", "ᴮᴬᶜᴷᵁᴾ", "(BACKUP)", "MULTI-AUDIO")
DECORATIONS: tuple[str, ...] = ("★", "✦", "◉", "⚽", "✪", "♛")

LIVE_GROUPS: tuple[str, ...] = _words("GENERAL SPORTS NEWS KIDS CINEMA MUSIC DOCUMENTARY")
#: Countries of filler channels, weighted like a French-speaking panel's audience.
FILLER_COUNTRIES: tuple[str, ...] = (
    "FR", "FR", "FR", "FR", "AR", "AR", "AR", "UK", "UK", "ES", "DE", "IT", "PT", "TR", "NL",
    "BE", "CA", "US", "MA", "DZ", "TN",
)
FRENCH_COUNTRIES = frozenset({"FR", "BE", "CA", "MA", "DZ", "TN"})
ARABIC_COUNTRIES = frozenset({"AR"})
FR_CHANNEL_WORDS: tuple[str, ...] = _words(
    "Azur Horizon Soleil Lumière Étoile Rivage Montagne Océan Vallée Prairie Alpes Provence "
    "Bretagne Savane Comète Boréal Mistral Cristal"
)
EN_CHANNEL_WORDS: tuple[str, ...] = _words(
    "Crimson Harbor Summit Maple Falcon Silver Northern Coastal Granite Velvet Pioneer Atlas "
    "Beacon Meridian Orbit Sterling Tundra Zenith"
)
AR_CHANNEL_WORDS: tuple[str, ...] = _words(
    "النور الأمل السلام الفجر البحر الصحراء القمر النجوم الشروق الواحة الريان الخليج المغرب "
    "الأطلس النيل الحياة"
)
FILLER_KINDS: dict[str, tuple[str, ...]] = {
    "GENERAL": ("TV", "TV", "Télé", "Channel"),
    "SPORTS": ("Sport", "Sports", "Arena", "Racing"),
    "NEWS": ("News", "Info", "24", "Live"),
    "KIDS": ("Kids", "Junior", "Toons"),
    "CINEMA": ("Cinema", "Movies", "Ciné"),
    "MUSIC": ("Music", "Hits", "FM"),
    "DOCUMENTARY": ("Docs", "Planet", "Discovery"),
}

EN_ADJECTIVES: tuple[str, ...] = _words(
    "Silent Glass Broken Hidden Last Crimson Frozen Golden Hollow Burning Distant Endless Fallen "
    "Iron Lonely Midnight Paper Quiet Restless Savage Shattered Silver Sleeping Stolen Wild Winter "
    "Wicked Northern Lost Secret Bitter Electric Velvet Forgotten Dark Bright"
)
EN_NOUNS: tuple[str, ...] = _words(
    "Harbor Kingdom River Empire Garden Shadow Promise Storm Mirror Frontier Witness Signal "
    "Orchard Crown Tide Echo Canyon Station Lantern Island Hunter Pilgrim Horizon Summer Ghost "
    "Border Covenant Harvest Citadel Voyage Letter Bridge Circle Descent Refuge Legacy"
)
EN_PLACES: tuple[str, ...] = (
    "the North", "Ash", "Stone", "the Valley", "Salt", "the Coast", "Dust", "the Deep", "Glass",
    "the Moon", "Embers", "the Marsh", "Thorns", "the East",
)
#: French nouns as (singular, plural).
FR_MASCULINE: tuple[tuple[str, str], ...] = (
    ("Voyage", "Voyages"), ("Secret", "Secrets"), ("Silence", "Silences"), ("Rivage", "Rivages"),
    ("Hiver", "Hivers"), ("Destin", "Destins"), ("Royaume", "Royaumes"), ("Chemin", "Chemins"),
    ("Miroir", "Miroirs"), ("Serment", "Serments"), ("Orage", "Orages"), ("Jardin", "Jardins"),
)
FR_FEMININE: tuple[tuple[str, str], ...] = (
    ("Nuit", "Nuits"), ("Rivière", "Rivières"), ("Promesse", "Promesses"), ("Ombre", "Ombres"),
    ("Frontière", "Frontières"), ("Maison", "Maisons"), ("Lumière", "Lumières"),
    ("Tempête", "Tempêtes"), ("Mémoire", "Mémoires"), ("Saison", "Saisons"), ("Vague", "Vagues"),
)
#: French adjectives as (masculine, feminine).
FR_ADJECTIVES: tuple[tuple[str, str], ...] = (
    ("Dernier", "Dernière"), ("Grand", "Grande"), ("Petit", "Petite"), ("Noir", "Noire"),
    ("Perdu", "Perdue"), ("Sauvage", "Sauvage"), ("Oublié", "Oubliée"), ("Premier", "Première"),
    ("Secret", "Secrète"), ("Long", "Longue"), ("Blanc", "Blanche"), ("Brûlé", "Brûlée"),
)
FR_PLACES: tuple[str, ...] = (
    "du Nord", "du Sud", "du Lac", "du Désert", "de Minuit", "de la Côte", "des Montagnes",
    "de Marseille", "du Port", "de l'Aube", "des Îles", "de Paris",
)
AR_TITLE_WORDS: tuple[str, ...] = _words(
    "ليالي أسرار طريق حكاية بيت رحلة ظلال أحلام زمن قلوب"
)
AR_TITLE_COMPLEMENTS: tuple[str, ...] = _words(
    "القاهرة الصحراء البحر المدينة الحب الماضي الشتاء الجبل العائلة"
)

#: How a panel writes a film entry: {t} title, {y} year.
FILM_FORMATS: tuple[str, ...] = (
    "{t} ({y}) [MULTI] 1080p", "VOD| {t} ({y}) 4K HDR", "FR - {t} ({y}) VOSTFR", "{t} ({y})",
    "{t} ({y})", "{t} [{y}] FHD MULTI", "|FR| {t} {y}", "{t} ({y}) TRUEFRENCH", "4K-{t} ({y})",
    "{t} ({y}) 720p", "EN| {t} ({y})", "{t} - {y}",
)
SERIES_FORMATS: tuple[str, ...] = (
    "{t} ({y}) [MULTI]", "FR - {t} ({y})", "{t} ({y}) VOSTFR", "{t} ({y})", "{t} [NETFLIX] ({y})",
    "|EN| {t}", "{t} ({y}) 4K",
)
#: Edition tags that end up, quotes and all, in film titles.
EDITIONS: tuple[str, ...] = ('"Extended Cut"', '"Cut"', '"Director\'s Cut"', '"Remastered"')
CONTAINERS: tuple[str, ...] = ("mkv", "mkv", "mp4", "mp4", "mp4", "avi")
VOD_CATEGORIES: tuple[str, ...] = (
    "VOD | ACTION", "VOD | COMEDY", "VOD | DRAMA", "VOD | HORROR", "VOD | SCI-FI", "VOD | FAMILLE",
    "VOD | FR", "VOD | MULTI", "VOD | 4K", "VOD | ARABIC", "VOD | NETFLIX", "VOD | NOUVEAUTÉS",
    "VOD | KIDS", "VOD | DOCUMENTAIRES", "VOD | CLASSICS", "★ VOD | BOX OFFICE ★",
)
SERIES_CATEGORIES: tuple[str, ...] = (
    "SERIES | NETFLIX", "SERIES | HBO", "SERIES | AMAZON PRIME", "SERIES | DISNEY+", "SERIES | FR",
    "SERIES | ARABIC", "SERIES | ANIME", "SERIES | TURQUES", "SERIES | KIDS", "SERIES | DOCS",
)
GENRES: tuple[str, ...] = ("Drama", "Action", "Comedy", "Thriller", "Crime", "Sci-Fi", "Romance")
PEOPLE: tuple[str, ...] = (
    "Ada Marlow", "Jules Ferrand", "Nadia Sabri", "Tom Hollis", "Léa Vasseur", "Omar Khalil",
    "Iris Delmas", "Victor Raske", "Sana Idrissi", "Hugo Lenoir",
)
# fmt: on

_FRENCH_VOWELS = frozenset("AEIOUYÉÈÊÎÔH")
_ASCII_FOLD = str.maketrans("àâäéèêëîïôöûüçÉÈÊÎÔ", "aaaeeeeiioouucEEEIO")


def french_article(word: str, feminine: bool) -> str:
    """``Le``, ``La`` or the elided ``L'`` in front of ``word``."""
    if word[0] in _FRENCH_VOWELS:
        return f"L'{word}"
    return f"{'La' if feminine else 'Le'} {word}"


def epg_slug(text: str) -> str:
    """An ASCII ``tvg-id`` stem from a channel name: panels strip spaces and accents."""
    return text.translate(_ASCII_FOLD).replace(" ", "").replace("'", "")


def _english_titles() -> tuple[str, ...]:
    titles = [f"The {a} {n}" for a in EN_ADJECTIVES for n in EN_NOUNS]
    titles += [f"{a} {n}" for a in EN_ADJECTIVES for n in EN_NOUNS]
    titles += [f"{n} of {p}" for n in EN_NOUNS for p in EN_PLACES]
    titles += [f"The {n} of {p}" for n in EN_NOUNS for p in EN_PLACES]
    return tuple(titles)


def _french_titles() -> tuple[str, ...]:
    titles = [f"{french_article(a, False)} {n}" for a, _ in FR_ADJECTIVES for n, _ in FR_MASCULINE]
    titles += [f"{french_article(a, True)} {n}" for _, a in FR_ADJECTIVES for n, _ in FR_FEMININE]
    plurals = [p for _, p in FR_MASCULINE + FR_FEMININE]
    titles += [f"Les {n} {p}" for n in plurals for p in FR_PLACES]
    titles += [f"{french_article(n, True)} {p}" for n, _ in FR_FEMININE for p in FR_PLACES]
    titles += [f"{french_article(n, False)} {p}" for n, _ in FR_MASCULINE for p in FR_PLACES]
    return tuple(titles)


#: Every base title, built once: picking from a pool is one draw instead of four.
EN_TITLES = _english_titles()
FR_TITLES = _french_titles()
AR_TITLES = tuple(f"{w} {c}" for w in AR_TITLE_WORDS for c in AR_TITLE_COMPLEMENTS)
_SEQUELS = ("2", "3", "II", "Part Two")


def english_title(rng: Draw) -> str:
    """An English title such as ``The Silent Harbor``, now and then a sequel or subtitled."""
    title = rng.pick(EN_TITLES)
    tail = rng.random()
    if tail < 0.08:
        return f"{title} {rng.pick(_SEQUELS)}"
    if tail < 0.16:
        return f"{title}: {rng.pick(EN_ADJECTIVES)} {rng.pick(EN_NOUNS)}"
    return title


def work_title(rng: Draw) -> tuple[str, str]:
    """A title and its language code (``en``, ``fr`` or ``ar``), weighted like a French panel."""
    language = rng.random()
    if language < 0.55:
        return english_title(rng), "en"
    if language < 0.9:
        return rng.pick(FR_TITLES), "fr"
    return rng.pick(AR_TITLES), "ar"


def quirky_title(title: str, rng: Draw) -> str:
    """``The Cut`` written ``Cut, The "Remastered"``: a comma and quotes inside the title."""
    if title.startswith("The "):
        title = f"{title[4:]}, The"
    else:
        title = f"{title}, Vol. {rng.randint(1, 3)}"
    return f"{title} {rng.pick(EDITIONS)}"


# --- real titles -------------------------------------------------------------------------
# The simulated panel carries real films and series: those of the works registry castwatch
# bundles (Wikidata, CC0), so that identification meets real titles, homonyms and all. The
# file is read as data; the simulator imports nothing of the stages.
BUNDLED_WORKS = Path(__file__).resolve().parents[1] / "identify" / "data" / "works" / "works.tsv.gz"
#: Works with a production company on record are mostly studio films, which pirate panels
#: carry far more than festival films: they are drawn this many times more often.
STUDIO_WEIGHT = 4


class RealWork(NamedTuple):
    """A bundled work as the simulator uses it: its registry id, title, year and language."""

    work_id: str
    title: str
    year: int
    language: str


@lru_cache(maxsize=1)
def real_works() -> tuple[tuple[RealWork, ...], tuple[RealWork, ...]]:
    """(films, series) of the bundled works that have a year, studio films repeated.

    Empty tuples when the file is missing (a trimmed install): the simulator then invents
    every title, as it did before.
    """
    films: list[RealWork] = []
    series: list[RealWork] = []
    try:
        with gzip.open(BUNDLED_WORKS, "rt", encoding="utf-8") as handle:
            lines = handle.read().splitlines()[1:]
    except OSError:
        return (), ()
    for line in lines:
        work_id, title, year, kind, _imdb, language, companies = line.split("\t")
        if len(year) != 4 or not year.isdigit():
            continue
        work = RealWork(work_id, title, int(year), language or "en")
        target = series if kind == "series" else films
        target.extend([work] * (STUDIO_WEIGHT if companies else 1))
    return tuple(films), tuple(series)


#: How release groups name a file, dots for spaces: {t} dotted title, {y} year.
RELEASE_FORMATS: tuple[str, ...] = (
    "{t}.{y}.1080p.WEB-DL.x264-GRP", "{t}.{y}.MULTi.1080p.BluRay.x264", "{t}.{y}.FRENCH.720p.HDTV",
    "{t}.{y}.2160p.NF.WEB-DL.DDP5.1.HDR", "{t}.{y}.AMZN.WEBRip.x265", "{t}.{y}.TRUEFRENCH.BDRip",
)  # fmt: skip
#: Shapes a panel uses for real films beyond FILM_FORMATS, language tag in front.
REAL_FILM_FORMATS: tuple[str, ...] = (
    "{c}| {t} ({y}) MULTi 1080p", "{c} - {t} ({y})", "[{c}] {t} {y} FHD", "{t} ({y}) [{c}]",
    "{c}: {t} ({y}) HEVC",
)  # fmt: skip
_DOTTED_DROP = str.maketrans({c: None for c in ",:;!?'\"()[]"})
_LANGUAGE_TAGS = {"fr": "FR", "en": "EN", "es": "ES", "de": "DE", "it": "IT", "ar": "AR"}


def dotted(title: str) -> str:
    """``Alien from L.A.`` as a release group writes it: ``Alien.from.L.A``."""
    words = title.translate(_DOTTED_DROP).replace("&", "and").split()
    return ".".join(word.strip(".") for word in words if any(c.isalnum() for c in word))


def language_tag(language: str, rng: Draw) -> str:
    """The tag a panel puts in front: the film's language or, often, the panel's own (FR)."""
    if rng.random() < 0.5:
        return "FR"
    return _LANGUAGE_TAGS.get(language, "EN")
