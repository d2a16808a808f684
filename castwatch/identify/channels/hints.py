"""Where a channel is from, read from the words a panel puts around its name.

Pirate panels tag a channel with a country or language code (``FR|``, ``|AR|``, ``UK:``), a
flag emoji, or a group title (``FRANCE FHD``, ``AR | BEIN``). These codes are not ISO 3166
alone: ``UK`` and ``EN`` are everywhere, ``AR`` means Arabic far more often than Argentina,
``LAT`` is Latin America, ``EXYU`` the former Yugoslavia. This module turns such a word into a
:class:`Hint`. The matcher uses hints only to choose among channels that already match by
name, so a hint may be broad (``AR`` gives the Arab world, Argentina and Arabic).

To teach it a new code, add it to :data:`_ALIASES` (or a full name to :data:`_NAMES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Hint:
    """Countries (iptv-org codes, ``UK`` for Britain), region codes and ISO 639-3 languages."""

    countries: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.countries or self.regions or self.languages)

    def __or__(self, other: Hint) -> Hint:
        return Hint(
            self.countries | other.countries,
            self.regions | other.regions,
            self.languages | other.languages,
        )


NO_HINT = Hint()


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# ISO 3166-1 alpha-2 as iptv-org writes it (UK, not GB). Left out on purpose, because panels
# use these letters for something else: SD (standard definition), TV (television), FM (radio),
# BT (BT Sport), SS (Sky Sports), MC (a common brand prefix).
_ISO2 = frozenset(
    _words(
        "af ax al dz as ad ao ai aq ag ar am aw au at az bs bh bd bb by be bz bj bm bo bq ba bw "
        "bv br io vg bn bg bf bi kh cm ca cv ky cf td cl cn cx cc co km ck cr hr cu cw cy cz cd "
        "dk dj dm do tl ec eg sv gq er ee et fk fo fj fi fr gf pf tf ga gm ge de gh gi gr gl gd "
        "gp gu gt gg gn gw gy ht hm hn hk hu is in id ir iq ie im il it ci jm jp je jo kz ke ki "
        "xk kw kg la lv lb ls lr ly li lt lu mo mg mw my mv ml mt mh mq mr mu yt mx md mn me ms "
        "ma mz mm na nr np nl nc nz ni ne ng nu nf kp mk mp no om pk pw ps pa pg py pe ph pn pl "
        "pt pr qa cg ro ru rw re bl sh kn lc mf pm vc ws sm sa sn rs sc sl sg sx sk si sb so za "
        "gs kr es lk sr sj sz se ch sy st tw tj tz th tg tk to tt tn tr tm tc um vi ug ua ae uk "
        "us uy uz vu va ve vn wf eh ye zm zw"
    )
)

_ARAB = frozenset({"ARAB", "MENA", "MIDEAST", "MAGHREB", "GCC"})
_LATAM = frozenset({"LATAM", "HISPAM", "LAC"})
_EXYU = frozenset({"RS", "HR", "BA", "SI", "MK", "ME", "XK"})


def _h(countries: str = "", regions: frozenset[str] = frozenset(), languages: str = "") -> Hint:
    return Hint(frozenset(countries.split()), regions, frozenset(languages.split()))


# Codes that are not a plain ISO country, or whose language the matcher should know even
# without the country table. A panel's two-letter code is often a language (EN, AR).
_ALIASES: dict[str, Hint] = {
    "uk": _h("UK", languages="eng"),
    "gb": _h("UK", languages="eng"),
    "eng": _h("UK US", languages="eng"),
    "en": _h(languages="eng"),
    "us": _h("US", languages="eng"),
    "usa": _h("US", languages="eng"),
    # Arabic far more often than Argentina on these panels; keep both, the name decides.
    "ar": _h("AR SA AE QA EG", _ARAB, "ara"),
    "ara": _h("SA AE QA EG", _ARAB, "ara"),
    "arb": _h("SA AE QA EG", _ARAB, "ara"),
    "arab": _h("SA AE QA EG", _ARAB, "ara"),
    "mena": _h("SA AE QA EG", _ARAB, "ara"),
    "ksa": _h("SA", _ARAB, "ara"),
    "uae": _h("AE", _ARAB, "ara"),
    "lat": _h("MX AR CO CL PE", _LATAM, "spa"),
    "la": _h("MX AR CO CL PE LA", _LATAM, "spa"),
    "latam": _h("MX AR CO CL PE", _LATAM, "spa"),
    "latino": _h("MX AR CO CL PE", _LATAM, "spa"),
    # Two-word areas, joined (decorations.take_ends): "Latin America" is no US suffix.
    "latinamerica": Hint(regions=_LATAM, languages=frozenset({"spa"})),
    "latinoamerica": Hint(regions=_LATAM, languages=frozenset({"spa"})),
    "southamerica": Hint(regions=frozenset({"SOUTHAM"})),
    "northamerica": Hint(frozenset({"US", "CA"}), frozenset({"NORAM"})),
    "exyu": Hint(_EXYU, frozenset({"BALKAN"}), frozenset({"srp", "hrv", "bos"})),
    "yu": Hint(_EXYU, frozenset({"BALKAN"}), frozenset({"srp", "hrv", "bos"})),
    "balkan": Hint(_EXYU, frozenset({"BALKAN"}), frozenset({"srp", "hrv", "bos"})),
    "fra": _h("FR", languages="fra"),
    "vf": _h(languages="fra"),
    "qc": _h("CA", languages="fra"),
    "ger": _h("DE", languages="deu"),
    "deu": _h("DE", languages="deu"),
    "dach": _h("DE AT CH", languages="deu"),
    "esp": _h("ES", languages="spa"),
    "ita": _h("IT", languages="ita"),
    "por": _h("PT", languages="por"),
    "prt": _h("PT", languages="por"),
    "bra": _h("BR", languages="por"),
    "tur": _h("TR", languages="tur"),
    "rus": _h("RU", languages="rus"),
    "ukr": _h("UA", languages="ukr"),
    "pol": _h("PL", languages="pol"),
    "nld": _h("NL", languages="nld"),
    "ned": _h("NL", languages="nld"),
    "bel": _h("BE"),
    "sui": _h("CH"),
    "swe": _h("SE", languages="swe"),
    "nor": _h("NO", languages="nor"),
    "den": _h("DK", languages="dan"),
    "dnk": _h("DK", languages="dan"),
    "fin": _h("FI", languages="fin"),
    "gre": _h("GR", languages="ell"),
    "rom": _h("RO", languages="ron"),
    "alb": _h("AL XK", languages="sqi"),
    "ind": _h("IN", languages="hin"),
    "pak": _h("PK", languages="urd"),
    "afg": _h("AF", languages="pus prd"),
    "irn": _h("IR", languages="fas"),
    "ku": _h("IQ", languages="kur"),
    "kur": _h("IQ", languages="kur"),
    "kurd": _h("IQ", languages="kur"),
    "isr": _h("IL", languages="heb"),
    "can": _h("CA"),
    "mex": _h("MX", languages="spa"),
    "arg": _h("AR", languages="spa"),
    "aus": _h("AU", languages="eng"),
    "phi": _h("PH"),
    "afr": Hint(regions=frozenset({"AFR", "SSA", "WAF"})),
    "asia": Hint(regions=frozenset({"ASIA", "APAC"})),
    "eu": Hint(regions=frozenset({"EUR", "EU"})),
    "nordic": Hint(frozenset({"SE", "NO", "DK", "FI"}), frozenset({"NORD"})),
    "carib": Hint(regions=frozenset({"CARIB"})),
}

# Full names of countries and languages, as panels write them in group titles.
_NAMES: dict[str, Hint] = {
    "france": _h("FR", languages="fra"),
    "french": _h(languages="fra"),
    "francais": _h(languages="fra"),
    "francaise": _h(languages="fra"),
    "arabic": _h("SA AE QA EG", _ARAB, "ara"),
    "arabe": _h("SA AE QA EG", _ARAB, "ara"),
    "english": _h(languages="eng"),
    "anglais": _h(languages="eng"),
    "britain": _h("UK", languages="eng"),
    "england": _h("UK", languages="eng"),
    "spain": _h("ES", languages="spa"),
    "espana": _h("ES", languages="spa"),
    "spanish": _h(languages="spa"),
    "espanol": _h(languages="spa"),
    "castellano": _h("ES", languages="spa"),
    "germany": _h("DE", languages="deu"),
    "deutschland": _h("DE", languages="deu"),
    "german": _h(languages="deu"),
    "deutsch": _h(languages="deu"),
    "allemand": _h(languages="deu"),
    "italy": _h("IT", languages="ita"),
    "italia": _h("IT", languages="ita"),
    "italian": _h(languages="ita"),
    "italiano": _h(languages="ita"),
    "portugal": _h("PT", languages="por"),
    "portuguese": _h(languages="por"),
    "brasil": _h("BR", languages="por"),
    "brazil": _h("BR", languages="por"),
    "turkey": _h("TR", languages="tur"),
    "turkiye": _h("TR", languages="tur"),
    "turkish": _h(languages="tur"),
    "turk": _h("TR", languages="tur"),
    "turkce": _h(languages="tur"),
    "russia": _h("RU", languages="rus"),
    "russian": _h(languages="rus"),
    "netherlands": _h("NL", languages="nld"),
    "holland": _h("NL", languages="nld"),
    "dutch": _h(languages="nld"),
    "belgium": _h("BE"),
    "belgique": _h("BE"),
    "suisse": _h("CH"),
    "swiss": _h("CH"),
    "poland": _h("PL", languages="pol"),
    "polska": _h("PL", languages="pol"),
    "polish": _h(languages="pol"),
    "greece": _h("GR", languages="ell"),
    "greek": _h(languages="ell"),
    "romania": _h("RO", languages="ron"),
    "albania": _h("AL XK", languages="sqi"),
    "india": _h("IN"),
    "hindi": _h("IN", languages="hin"),
    "pakistan": _h("PK", languages="urd"),
    "urdu": _h("PK", languages="urd"),
    "iran": _h("IR", languages="fas"),
    "persian": _h("IR", languages="fas"),
    "farsi": _h("IR", languages="fas"),
    "kurdish": _h("IQ", languages="kur"),
    "kurdistan": _h("IQ", languages="kur"),
    "afghanistan": _h("AF", languages="pus prd"),
    "israel": _h("IL", languages="heb"),
    "canada": _h("CA"),
    "quebec": _h("CA", languages="fra"),
    "mexico": _h("MX", languages="spa"),
    "argentina": _h("AR", languages="spa"),
    "usa": _h("US", languages="eng"),
    "america": _h("US", languages="eng"),
    "australia": _h("AU", languages="eng"),
    "maroc": _h("MA", languages="ara"),
    "morocco": _h("MA", languages="ara"),
    "algerie": _h("DZ", languages="ara"),
    "algeria": _h("DZ", languages="ara"),
    "tunisie": _h("TN", languages="ara"),
    "tunisia": _h("TN", languages="ara"),
    "egypt": _h("EG", languages="ara"),
    "lebanon": _h("LB", languages="ara"),
    "liban": _h("LB", languages="ara"),
    "iraq": _h("IQ", languages="ara"),
    "syria": _h("SY", languages="ara"),
    "qatar": _h("QA", languages="ara"),
    "saudi": _h("SA", languages="ara"),
    "emirates": _h("AE", languages="ara"),
    "africa": Hint(regions=frozenset({"AFR", "SSA", "WAF"})),
    "afrique": Hint(regions=frozenset({"AFR", "SSA", "WAF"}), languages=frozenset({"fra"})),
    "latino": _h("MX AR CO CL PE", _LATAM, "spa"),
    # Two-word areas, joined (decorations.take_ends): "Latin America" is no US suffix.
    "latinamerica": Hint(regions=_LATAM, languages=frozenset({"spa"})),
    "latinoamerica": Hint(regions=_LATAM, languages=frozenset({"spa"})),
    "southamerica": Hint(regions=frozenset({"SOUTHAM"})),
    "northamerica": Hint(frozenset({"US", "CA"}), frozenset({"NORAM"})),
    "scandinavia": Hint(frozenset({"SE", "NO", "DK", "FI"}), frozenset({"NORD"})),
    "nordic": Hint(frozenset({"SE", "NO", "DK", "FI"}), frozenset({"NORD"})),
    "unitedkingdom": _h("UK", languages="eng"),
    "greatbritain": _h("UK", languages="eng"),
    "unitedstates": _h("US", languages="eng"),
    "ireland": _h("IE", languages="eng"),
    "scotland": _h("UK", languages="eng"),
    "austria": _h("AT", languages="deu"),
    "osterreich": _h("AT", languages="deu"),
    "switzerland": _h("CH"),
    "schweiz": _h("CH"),
    "czech": _h("CZ", languages="ces"),
    "hungary": _h("HU", languages="hun"),
    "bulgaria": _h("BG", languages="bul"),
    "croatia": _h("HR", languages="hrv"),
    "serbia": _h("RS", languages="srp"),
    "bosnia": _h("BA", languages="bos"),
    "slovenia": _h("SI", languages="slv"),
    "slovakia": _h("SK", languages="slk"),
    "macedonia": _h("MK", languages="mkd"),
    "kosovo": _h("XK", languages="sqi"),
    "belarus": _h("BY", languages="bel rus"),
    "lithuania": _h("LT", languages="lit"),
    "latvia": _h("LV", languages="lav"),
    "estonia": _h("EE", languages="est"),
    "armenia": _h("AM", languages="hye"),
    "azerbaijan": _h("AZ", languages="aze"),
    "georgia": _h("GE", languages="kat"),
    "japan": _h("JP", languages="jpn"),
    "korea": _h("KR", languages="kor"),
    "china": _h("CN", languages="zho"),
    "indonesia": _h("ID", languages="ind"),
    "malaysia": _h("MY", languages="msa"),
    "thailand": _h("TH", languages="tha"),
    "vietnam": _h("VN", languages="vie"),
    "nigeria": _h("NG", languages="eng"),
    "ghana": _h("GH", languages="eng"),
    "kenya": _h("KE", languages="swa eng"),
    "southafrica": _h("ZA", languages="eng"),
    "newzealand": _h("NZ", languages="eng"),
    "colombia": _h("CO", languages="spa"),
    "chile": _h("CL", languages="spa"),
    "peru": _h("PE", languages="spa"),
    "venezuela": _h("VE", languages="spa"),
    "ecuador": _h("EC", languages="spa"),
    "jordan": _h("JO", languages="ara"),
    "kuwait": _h("KW", languages="ara"),
    "oman": _h("OM", languages="ara"),
    "bahrain": _h("BH", languages="ara"),
    "yemen": _h("YE", languages="ara"),
    "libya": _h("LY", languages="ara"),
    "palestine": _h("PS", languages="ara"),
    "sudan": _h("SD", languages="ara"),
    "saudiarabia": _h("SA", languages="ara"),
    "sweden": _h("SE", languages="swe"),
    "norway": _h("NO", languages="nor"),
    "denmark": _h("DK", languages="dan"),
    "finland": _h("FI", languages="fin"),
    "ukraine": _h("UA", languages="ukr"),
    "philippines": _h("PH"),
    "pinoy": _h("PH"),
}

#: Words that say where a feed is sold, beside country names: ``CNN International``,
#: ``Discovery Channel Southeast Asia`` are their parent's feeds for a market.
GEO_WORDS = frozenset(
    _words(
        "international intl global world worldwide latin america americas latinoamerica "
        "latam asia pacific apac asean southeast europe european eu emea africa african "
        "middle east mena arabia north south west central caribbean balkan balkans adria "
        "adriatic cee nordic scandinavia benelux dach iberia baltic baltics india uk usa us"
    )
)

#: Codes trusted even with no separator after them (``FR TF1``, ``BEIN SPORTS 1 AR``):
#: the ones panels actually write that way, and that are rarely a word of a channel name.
BARE_CODES = frozenset(
    _words(
        "fr uk us usa de es pt tr ar nl pl ru br mx gr ca ch at se dk fi pk ae sa qa ma dz tn "
        "eg exyu lat latino ger esp ita vf"
    )
)
#: Two-letter codes that are ordinary words in group titles (``MOVIES IN ENGLISH``).
_WORDLIKE = frozenset(_words("in no it be is me my to as at by do am an so or he hi id"))
#: Codes that may stand bare in front of or behind a name when the name as written is
#: tried too (a kept variant): every code except ordinary words and Arabic/Spanish articles.
LOOSE_CODES = frozenset(
    {c for c in _ISO2 if c not in _WORDLIKE and c not in ("la", "al", "el", "le")}
    | {a for a in _ALIASES if len(a) >= 3}
    | BARE_CODES
)


@lru_cache(maxsize=4096)
def code_hint(word: str) -> Hint | None:
    """The hint of a folded prefix code or name (``fr``, ``ar``, ``exyu``, ``france``), if any."""
    word = word.replace("-", "").replace("_", "")
    if word in _ALIASES:
        return _ALIASES[word]
    if word in _NAMES:
        return _NAMES[word]
    if len(word) == 2 and word in _ISO2:
        return Hint(countries=frozenset({word.upper()}))
    return None


def word_hint(word: str) -> Hint | None:
    """A hint from a word inside a group title: full names, and codes that are not words."""
    if len(word) <= 2 and word in _WORDLIKE:
        return None
    return code_hint(word)


def is_country_name(word: str) -> bool:
    """Whether ``word`` is a full country or language name (``mexico``, ``arabic``)."""
    return word in _NAMES


def flag_country(flag: str) -> str:
    """The country code of a flag emoji (two regional-indicator symbols); ``GB`` becomes UK."""
    code = "".join(chr(ord(ch) - 0x1F1E6 + ord("A")) for ch in flag)
    return "UK" if code == "GB" else code
