"""Writes the title-matching evaluation set: eval/works.csv and eval/titles.jsonl.

    .venv/bin/python eval/make_titles.py

The works catalogue mixes real films and series (titles and years are public facts; the
external ids are synthetic, 9,000,000 and up for tmdb and tt9... for imdb, so that no one
takes them for real ones) with seeded synthetic works built to collide: remakes under one
title, sequels, a film and a series of one name, titles one word apart, and French, Spanish,
Arabic and German works listed under an English title with the original beside it. Some works
are withheld from the catalogue: names of them must come back unmatched.

The pirate names are decorated by this script's own rules (prefix styles, tag words, year and
episode forms), chosen broader than, and different from, both the simulator's
(``castwatch/sim/naming.py``) and the parser's word lists. The hand-written hard cases follow
(:data:`HARD_CASES`). The seeded generator puts every item in the ``calib`` or the ``test``
split: the matcher's calibration is fitted on the first and reported on the second.
"""

# The tables of this script are data, one item a line: E501 does not apply to them.
# ruff: noqa: E501
from __future__ import annotations

import csv
import json
import random
import re
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20_240_917
SYNTHETIC_WORKS = 1400
SYNTHETIC_UNKNOWN = 160
GENERATED_TITLES = 820
HOLDERS = (
    "Northlight Pictures", "Meridian Studios", "Blue Cedar Films", "Atlas Rights Group",
    "Sablier Productions", "Casa Lumbre", "Nakhla Media", "Kestrel Television",
)  # fmt: skip

# kind|title|original title|year; a leading "-" withholds the work from the catalogue.
REAL_WORKS = """
f|Dune||1984
f|Dune: Part One||2021
f|Dune: Part Two||2024
s|Dune: Prophecy||2024
s|Frank Herbert's Dune||2000
f|Batman||1989
f|Batman Returns||1992
f|Batman Forever||1995
f|Batman & Robin||1997
f|Batman Begins||2005
f|The Dark Knight||2008
-f|The Dark Knight Rises||2012
f|The Batman||2022
f|Batman v Superman: Dawn of Justice||2016
f|Ocean's Eleven||1960
f|Ocean's Eleven||2001
f|Ocean's Twelve||2004
-f|Ocean's Thirteen||2007
f|Ocean's 8||2018
f|Scarface||1932
f|Scarface||1983
-f|King Kong||1933
f|King Kong||1976
f|King Kong||2005
f|A Star Is Born||1937
f|A Star Is Born||1954
f|A Star Is Born||1976
f|A Star Is Born||2018
f|Little Women||1994
f|Little Women||2019
f|The Lion King||1994
f|The Lion King||2019
f|Aladdin||1992
f|Aladdin||2019
f|Beauty and the Beast||1991
f|Beauty and the Beast||2017
f|Beauty and the Beast|La Belle et la Bête|1946
f|Beauty and the Beast|La Belle et la Bête|2014
f|Mulan||1998
f|Mulan||2020
f|West Side Story||1961
f|West Side Story||2021
f|Psycho||1960
-f|Psycho||1998
f|Total Recall||1990
f|Total Recall||2012
f|RoboCop||1987
f|RoboCop||2014
f|Point Break||1991
f|Point Break||2015
f|The Fly||1958
f|The Fly||1986
f|The Thing||1982
f|The Thing||2011
f|Halloween||1978
-f|Halloween||2007
f|Halloween||2018
f|Suspiria||1977
f|Suspiria||2018
f|It||2017
f|It Chapter Two||2019
s|It||1990
f|Joker||2019
f|Joker: Folie à Deux||2024
f|Gladiator||2000
-f|Gladiator II||2024
f|Alien||1979
f|Aliens||1986
f|Alien³||1992
f|Alien: Resurrection||1997
f|Prometheus||2012
-f|Alien: Covenant||2017
f|Alien: Romulus||2024
f|Heat||1995
f|Her||2013
f|Up||2009
f|Us||2019
f|Nope||2022
f|Cars||2006
f|Cars 2||2011
-f|Cars 3||2017
f|Coco||2017
f|Soul||2020
f|Elf||2003
f|Thor||2011
f|Toy Story||1995
f|Toy Story 2||1999
f|Toy Story 3||2010
-f|Toy Story 4||2019
f|Rocky||1976
f|Rocky II||1979
f|Rocky III||1982
f|Rocky IV||1985
-f|Rocky V||1990
f|Rocky Balboa||2006
f|Creed||2015
f|Creed II||2018
-f|Creed III||2023
f|The Godfather||1972
f|The Godfather Part II||1974
f|The Godfather Part III||1990
f|Star Wars: Episode IV - A New Hope|Star Wars|1977
f|Star Wars: Episode V - The Empire Strikes Back||1980
f|1917||2019
f|2012||2009
f|1984||1984
f|2001: A Space Odyssey||1968
f|Blade Runner||1982
f|Blade Runner 2049||2017
f|300||2006
f|21||2008
f|9||2009
f|Se7en||1995
f|8 Mile||2002
f|Apollo 13||1995
-f|Titanic||1953
f|Titanic||1997
f|Avatar||2009
f|Avatar: The Way of Water||2022
f|Oppenheimer||2023
f|Barbie||2023
f|La La Land||2016
f|Inception||2010
f|Interstellar||2014
f|Tenet||2020
f|The Matrix||1999
f|The Matrix Reloaded||2003
f|The Matrix Resurrections||2021
f|Top Gun||1986
f|Top Gun: Maverick||2022
f|Mission: Impossible||1996
f|Mission: Impossible II||2000
f|Mission: Impossible - Fallout||2018
f|Mission: Impossible - Dead Reckoning Part One||2023
s|Mission: Impossible||1966
f|The Fast and the Furious||2001
f|Fast & Furious||2009
f|Fast Five||2011
f|Furious 7||2015
f|Fast X||2023
f|Spider-Man||2002
f|Spider-Man 2||2004
-f|Spider-Man 3||2007
f|The Amazing Spider-Man||2012
f|Spider-Man: No Way Home||2021
f|Spider-Man: Across the Spider-Verse||2023
f|Harry Potter and the Sorcerer's Stone|Harry Potter and the Philosopher's Stone|2001
-f|Harry Potter and the Chamber of Secrets||2002
f|The Lord of the Rings: The Fellowship of the Ring||2001
f|The Lord of the Rings: The Two Towers||2002
f|Pride & Prejudice||2005
s|Pride and Prejudice||1995
f|Emma||1996
f|Emma.||2020
f|Sherlock Holmes||2009
s|Sherlock||2010
f|Dracula||1931
f|Bram Stoker's Dracula||1992
s|Dracula||2020
f|Frankenstein||1931
f|Les Misérables||1998
f|Les Misérables||2012
f|Les Misérables||2019
f|La Haine||1995
f|The Intouchables|Intouchables|2011
f|Amélie|Le Fabuleux Destin d'Amélie Poulain|2001
f|The Visitors|Les Visiteurs|1993
f|Welcome to the Sticks|Bienvenue chez les Ch'tis|2008
f|Asterix & Obelix: Mission Cleopatra|Astérix & Obélix: Mission Cléopâtre|2002
f|The Dinner Game|Le Dîner de cons|1998
f|Serial (Bad) Weddings|Qu'est-ce qu'on a fait au Bon Dieu?|2014
f|Taxi||1998
-f|Taxi||2004
f|Taxi 2||2000
f|Taxi Driver||1976
f|Portrait of a Lady on Fire|Portrait de la jeune fille en feu|2019
f|Anatomy of a Fall|Anatomie d'une chute|2023
f|Titane||2021
f|Blue Is the Warmest Colour|La vie d'Adèle: Chapitres 1 & 2|2013
s|Lupin||2021
s|The Bureau|Le Bureau des légendes|2015
s|Call My Agent!|Dix pour cent|2015
s|Spiral|Engrenages|2005
s|Marseille||2016
f|Pan's Labyrinth|El laberinto del fauno|2006
f|Y Tu Mamá También||2001
f|Roma||2018
s|Money Heist|La casa de papel|2017
s|Elite|Élite|2018
f|All About My Mother|Todo sobre mi madre|1999
f|Wild Tales|Relatos salvajes|2014
f|The Secret in Their Eyes|El secreto de sus ojos|2009
f|Secret in Their Eyes||2015
f|[Rec]||2007
f|Quarantine||2008
f|The Platform|El hoyo|2019
f|Perfect Strangers|Perfetti sconosciuti|2016
f|Perfect Strangers|Perfectos desconocidos|2017
f|Nothing to Hide|Le Jeu|2018
f|Perfect Strangers|أصحاب ولا أعز|2022
f|The Message|Al-Risalah|1976
f|Wadjda|وجدة|2012
f|Theeb|ذيب|2014
f|Capernaum|Capharnaüm|2018
f|Omar|عمر|2013
s|Omar|عمر|2012
f|The Yacoubian Building|عمارة يعقوبيان|2006
s|Paranormal|ما وراء الطبيعة|2020
s|Al Hayba|الهيبة|2017
s|Bab Al-Hara|باب الحارة|2006
s|The Choice|الاختيار|2020
s|Jinn|جن|2019
s|AlRawabi School for Girls|مدرسة الروابي للبنات|2021
f|Cairo Station|Bab el hadid|1958
f|The Night of Counting the Years|المومياء|1969
f|The Mummy||1932
f|The Mummy||1999
f|The Mummy||2017
f|Cairo 678|678|2010
f|Parasite|Gisaengchung|2019
s|Squid Game|Ojingeo geim|2021
f|Oldboy|Oldeuboi|2003
-f|Oldboy||2013
f|Train to Busan|Busanhaeng|2016
s|Dark||2017
f|Das Boot||1981
s|Das Boot||2018
f|The Lives of Others|Das Leben der Anderen|2006
f|Run Lola Run|Lola rennt|1998
f|All Quiet on the Western Front|Im Westen nichts Neues|2022
f|All Quiet on the Western Front||1930
f|Downfall|Der Untergang|2004
f|Good Bye Lenin!||2003
s|Babylon Berlin||2017
f|The Experiment|Das Experiment|2001
f|The Experiment||2010
f|Life Is Beautiful|La vita è bella|1997
f|Cinema Paradiso|Nuovo Cinema Paradiso|1988
f|Gomorrah|Gomorra|2008
s|Gomorrah|Gomorra - La serie|2014
f|Spirited Away|Sen to Chihiro no kamikakushi|2001
f|Seven Samurai|Shichinin no samurai|1954
f|The Magnificent Seven||1960
f|The Magnificent Seven||2016
f|Ring|Ringu|1998
-f|The Ring||2002
s|Breaking Bad||2008
s|Better Call Saul||2015
s|Game of Thrones||2011
s|House of the Dragon||2022
s|The Crown||2016
s|Stranger Things||2016
s|The Witcher||2019
s|The Last of Us||2023
s|Succession||2018
s|Chernobyl||2019
s|The Boys||2019
s|Peaky Blinders||2013
s|Narcos||2015
s|Narcos: Mexico||2018
s|Vikings||2013
s|Vikings: Valhalla||2022
s|Westworld||2016
f|Westworld||1973
s|Battlestar Galactica||1978
s|Battlestar Galactica||2004
-s|Doctor Who||1963
s|Doctor Who||2005
s|Twin Peaks||1990
s|The Office||2001
s|The Office||2005
s|House of Cards||1990
s|House of Cards||2013
s|Shōgun||1980
s|Shōgun||2024
f|Fargo||1996
s|Fargo||2014
s|The Mandalorian||2019
s|The Bear||2022
s|Friends||1994
s|The Sopranos||1999
s|The Wire||2002
s|Lost||2004
s|Dexter||2006
s|True Detective||2014
s|Mindhunter||2017
s|Ozark||2017
s|The Queen's Gambit||2020
s|Wednesday||2022
s|Severance||2022
s|The Handmaid's Tale||2017
s|Black Mirror||2011
s|Skins||2007
-s|Skins||2011
-s|Shameless||2004
s|Shameless||2011
s|Utopia||2013
-s|Utopia||2020
s|The Killing|Forbrydelsen|2007
s|The Killing||2011
s|The Bridge|Bron/Broen|2011
s|The Bridge||2013
s|Prison Break||2005
s|24||2001
s|Heroes||2006
s|Dallas||1978
-s|Dallas||2012
s|Roots||1977
s|Roots||2016
s|Cosmos||1980
s|Cosmos: A Spacetime Odyssey||2014
s|Fauda||2015
s|Arcane||2021
s|One Piece||1999
s|One Piece||2023
s|Avatar: The Last Airbender||2005
s|Avatar: The Last Airbender||2024
s|Cowboy Bebop||1998
s|Cowboy Bebop||2021
s|Death Note||2006
-f|Death Note||2017
s|Hunter x Hunter||1999
s|Hunter x Hunter||2011
s|Fullmetal Alchemist||2003
s|Fullmetal Alchemist: Brotherhood||2009
s|Naruto||2002
-s|Naruto: Shippûden||2007
s|The Walking Dead||2010
s|Sex Education||2019
s|Bridgerton||2020
s|Emily in Paris||2020
s|The Good Doctor||2017
s|Good Doctor||2013
f|Casablanca||1942
f|Metropolis||1927
f|Metropolis||2001
f|Nosferatu||1922
-f|Nosferatu||2024
f|Nosferatu the Vampyre|Nosferatu: Phantom der Nacht|1979
f|Solaris|Solyaris|1972
f|Solaris||2002
f|The Departed||2006
f|Infernal Affairs|Mou gaan dou|2002
f|Let the Right One In|Låt den rätte komma in|2008
-f|Let Me In||2010
f|The Girl with the Dragon Tattoo|Män som hatar kvinnor|2009
f|The Girl with the Dragon Tattoo||2011
f|Insomnia||1997
f|Insomnia||2002
f|Funny Games||1997
-f|Funny Games||2007
f|The Wicker Man||1973
f|The Wicker Man||2006
f|Carrie||1976
f|Carrie||2013
f|The Evil Dead||1981
f|Evil Dead||2013
f|Evil Dead II||1987
f|Evil Dead Rise||2023
f|The Texas Chain Saw Massacre||1974
f|The Texas Chainsaw Massacre||2003
f|A Nightmare on Elm Street||1984
-f|A Nightmare on Elm Street||2010
f|Friday the 13th||1980
f|Friday the 13th||2009
f|The Jungle Book||1967
f|The Jungle Book||2016
f|Cinderella||1950
f|Cinderella||2015
-f|Cinderella||2021
f|Dumbo||1941
f|Dumbo||2019
f|Pinocchio||1940
f|Pinocchio||2022
f|Guillermo del Toro's Pinocchio||2022
f|The Little Mermaid||1989
f|The Little Mermaid||2023
f|Wonka||2023
f|Charlie and the Chocolate Factory||2005
f|Willy Wonka & the Chocolate Factory||1971
f|Ghostbusters||1984
f|Ghostbusters||2016
f|Ghostbusters: Afterlife||2021
f|Jumanji||1995
f|Jumanji: Welcome to the Jungle||2017
f|Mad Max||1979
f|Mad Max: Fury Road||2015
f|Furiosa: A Mad Max Saga||2024
f|Tron||1982
f|Tron: Legacy||2010
f|WALL·E||2008
f|The Chorus|Les Choristes|2004
f|The Last Metro|Le Dernier Métro|1980
f|La Grande Vadrouille||1966
f|The Big Blue|Le Grand Bleu|1988
f|Léon: The Professional|Léon|1994
f|Lucy||2014
f|La Femme Nikita|Nikita|1990
s|Nikita||2010
s|La Femme Nikita||1997
f|Taken||2008
s|Taken||2017
f|The Fifth Element|Le Cinquième Élément|1997
f|A Prophet|Un prophète|2009
f|Athena||2022
f|Amores perros||2000
f|Volver||2006
f|The Sea Inside|Mar adentro|2004
s|Club de Cuervos||2015
s|La Reina del Sur||2011
"""


#: The real works a hand case names by id, as the generator numbers them.
def work_id(kind: str, title: str, year: int) -> str:
    """``f-the-batman-2022``: readable ids, so the hand cases can name their answers."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "x"
    return f"{kind}-{slug}-{year}"


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# fmt: off
#: English noun -> (French with article, Spanish with article).
NOUNS = {
    "Night": ("la Nuit", "la Noche"), "Sea": ("la Mer", "el Mar"), "House": ("la Maison", "la Casa"),
    "Garden": ("le Jardin", "el Jardín"), "Road": ("la Route", "el Camino"),
    "Heart": ("le Cœur", "el Corazón"), "Wolf": ("le Loup", "el Lobo"), "King": ("le Roi", "el Rey"),
    "Queen": ("la Reine", "la Reina"), "City": ("la Ville", "la Ciudad"),
    "Island": ("l'Île", "la Isla"), "Sun": ("le Soleil", "el Sol"), "Moon": ("la Lune", "la Luna"),
    "Star": ("l'Étoile", "la Estrella"), "Fire": ("le Feu", "el Fuego"),
    "Dream": ("le Rêve", "el Sueño"), "Castle": ("le Château", "el Castillo"),
    "Forest": ("la Forêt", "el Bosque"), "Mountain": ("la Montagne", "la Montaña"),
    "Bridge": ("le Pont", "el Puente"), "Storm": ("la Tempête", "la Tormenta"),
    "Thief": ("le Voleur", "el Ladrón"), "Soldier": ("le Soldat", "el Soldado"),
    "Prince": ("le Prince", "el Príncipe"), "Memory": ("la Mémoire", "la Memoria"),
    "Promise": ("la Promesse", "la Promesa"), "Angel": ("l'Ange", "el Ángel"),
    "Widow": ("la Veuve", "la Viuda"), "Stranger": ("l'Étranger", "el Extraño"),
    "Hunter": ("le Chasseur", "el Cazador"), "Silence": ("le Silence", "el Silencio"),
    "Wall": ("le Mur", "el Muro"), "Window": ("la Fenêtre", "la Ventana"),
    "Train": ("le Train", "el Tren"), "Village": ("le Village", "el Pueblo"),
    "Winter": ("l'Hiver", "el Invierno"), "Summer": ("l'Été", "el Verano"),
    "Mirror": ("le Miroir", "el Espejo"), "Blood": ("le Sang", "la Sangre"),
    "Shadow": ("l'Ombre", "la Sombra"), "Key": ("la Clé", "la Llave"),
    "Letter": ("la Lettre", "la Carta"), "Song": ("la Chanson", "la Canción"),
}
#: English adjective -> (French, Spanish), written after the noun in both.
ADJECTIVES = {
    "Red": ("Rouge", "Rojo"), "Black": ("Noir", "Negro"), "White": ("Blanc", "Blanco"),
    "Blue": ("Bleu", "Azul"), "Golden": ("Doré", "Dorado"), "Savage": ("Sauvage", "Salvaje"),
    "Magic": ("Magique", "Mágico"), "Eternal": ("Éternel", "Eterno"), "Sacred": ("Sacré", "Sagrado"),
    "Invisible": ("Invisible", "Invisible"), "Deep": ("Profond", "Profundo"),
    "Perfect": ("Parfait", "Perfecto"), "Last": ("Dernier", "Último"), "Lost": ("Perdu", "Perdido"),
    "Secret": ("Secret", "Secreto"), "Broken": ("Brisé", "Roto"), "Silent": ("Silencieux", "Callado"),
    "Burning": ("Brûlant", "Ardiente"), "Hidden": ("Caché", "Escondido"),
}
EN_NOUNS = tuple(NOUNS) + words(
    "Anchor Arrow Ballad Bay Bell Blade Bloom Bone Chase Code Coin Dawn Desert Diamond Eagle Edge "
    "Engine Falcon Feather Field Flame Flood Fortune Gate Giant Glory Heist Hill Hour Journey "
    "Judge Knight Lake Law Lion Machine Mask Oath Palace Passenger Path Prophet Rain Rose Saint "
    "Sky Son Spy Sword Temple Throne Tower Town Trail Truth Valley Warrior Wind World"
)
EN_ADJECTIVES = tuple(ADJECTIVES) + words(
    "Amber Ancient Blind Bold Brave Cold Cruel Crystal Deadly Divine Double Final Fierce Gentle "
    "Grand Grey Heavy Holy Infinite Lucky Mad Mighty Naked Pale Proud Rapid Rogue Royal Scarlet "
    "Sharp Sweet Tender Twisted Violent Wandering Young"
)
NAMES = ("Anna", "Marco", "Leila", "Tom", "Jules", "Sofia", "Karim", "Hugo", "Nina", "Lucas")
CITIES = ("Paris", "Tangier", "Lisbon", "Cairo", "Berlin", "Havana", "Naples", "Oran", "Seville")
AR_NOUNS = (
    ("ليلة", "Night"), ("بيت", "House"), ("طريق", "Road"), ("قلب", "Heart"), ("ذئب", "Wolf"),
    ("ملك", "King"), ("سر", "Secret"), ("وعد", "Promise"), ("حلم", "Dream"), ("ذاكرة", "Memory"),
    ("صمت", "Silence"), ("شتاء", "Winter"), ("حكاية", "Tale"), ("رحلة", "Journey"),
    ("أسرار", "Secrets"), ("ظلال", "Shadows"), ("أحلام", "Dreams"), ("زمن", "Time"),
)
AR_COMPLEMENTS = (
    ("القاهرة", "Cairo"), ("بيروت", "Beirut"), ("الصحراء", "the Desert"), ("النيل", "the Nile"),
    ("الحب", "Love"), ("الماضي", "the Past"), ("العائلة", "the Family"), ("الخوف", "Fear"),
    ("البحر", "the Sea"), ("المدينة", "the City"), ("الجبل", "the Mountain"),
)
# fmt: on


class Work:
    """One work of the evaluation catalogue (or withheld from it)."""

    def __init__(self, wid: str, kind: str, title: str, original: str, year: int) -> None:
        self.id, self.kind, self.title, self.original, self.year = wid, kind, title, original, year
        self.imdb = self.tmdb = self.holder = ""


def real_works() -> tuple[list[Work], list[Work]]:
    """(catalogue, withheld) from :data:`REAL_WORKS`."""
    catalogue: list[Work] = []
    withheld: list[Work] = []
    for line in REAL_WORKS.strip().splitlines():
        kind, title, original, year = line.split("|")
        hidden = kind.startswith("-")
        kind = "film" if kind.strip("-") == "f" else "series"
        work = Work(work_id(kind[0], title, int(year)), kind, title, original, int(year))
        (withheld if hidden else catalogue).append(work)
    return catalogue, withheld


def synthetic_title(rng: random.Random) -> tuple[str, str]:
    """(title, original title or "") in English, French, Spanish or Arabic."""
    language = rng.random()
    if language < 0.6:
        noun, other, adjective = (
            rng.choice(EN_NOUNS),
            rng.choice(EN_NOUNS),
            rng.choice(EN_ADJECTIVES),
        )
        shape = rng.randrange(10)
        title = (
            f"The {adjective} {noun}", f"{adjective} {noun}", f"{noun} of the {other}",
            f"The {noun}", f"{noun} and {other}", f"The {noun}'s {other}",
            f"{rng.choice(NAMES)}'s {noun}", f"A {noun} in {rng.choice(CITIES)}",
            f"{adjective} {noun}s", f"The Last {noun}",
        )[shape]  # fmt: skip
        return title, ""
    if language < 0.9:
        noun = rng.choice(tuple(NOUNS))
        adjective = rng.choice(tuple(ADJECTIVES))
        french = rng.random() < 0.55
        local = NOUNS[noun][0 if french else 1]
        local_adjective = ADJECTIVES[adjective][0 if french else 1]
        original = f"{local[0].upper()}{local[1:]} {local_adjective}"
        if rng.random() < 0.3:
            original = f"{original} de {rng.choice(CITIES)}"
            english = f"The {adjective} {noun} of {original.rsplit(' ', 1)[1]}"
        else:
            english = f"The {adjective} {noun}"
        return (english, original) if rng.random() < 0.6 else (original, "")
    noun, english_noun = rng.choice(AR_NOUNS)
    complement, english_complement = rng.choice(AR_COMPLEMENTS)
    return f"{english_noun} of {english_complement}", f"{noun} {complement}"


def synthetic_works(rng: random.Random, count: int, prefix: str) -> list[Work]:
    """Works that collide on purpose: remakes, sequels, film/series pairs, one word apart."""
    works: list[Work] = []
    while len(works) < count:
        title, original = synthetic_title(rng)
        kind = "film" if rng.random() < 0.75 else "series"
        year = rng.randint(1990, 2024) if kind == "series" else int(1950 + 75 * rng.random() ** 0.6)
        works.append(Work(f"{prefix}{len(works):05d}", kind, title, original, year))
        twist = rng.random()
        if twist < 0.09 and year < 2010:  # a remake: same title, later
            later = min(2024, year + rng.randint(12, 40))
            works.append(Work(f"{prefix}{len(works):05d}", kind, title, original, later))
        elif twist < 0.15:  # a sequel
            number = rng.choice(("2", "II", ": Part Two", " 2: The Return", " Part 2"))
            sequel = f"{title}{number}" if number.startswith((":", " ")) else f"{title} {number}"
            later = min(2025, year + rng.randint(2, 5))
            works.append(Work(f"{prefix}{len(works):05d}", kind, sequel, "", later))
        elif twist < 0.19:  # a series of the film's name
            later = min(2025, year + rng.randint(0, 8))
            works.append(Work(f"{prefix}{len(works):05d}", "series", title, original, later))
        elif twist < 0.23:  # one word apart
            words = title.split()
            words[-1] = rng.choice(EN_NOUNS)
            works.append(
                Work(
                    f"{prefix}{len(works):05d}", kind, " ".join(words), "", rng.randint(1970, 2024)
                )
            )
    return works[:count]


# fmt: off
PREFIXES = (
    "", "", "", "", "", "FR ▸ ", "⟦FR⟧ ", "[FR] ", "FR: ", "FR| ", "|FR| ", "VOD FR - ", "🇫🇷 ",
    "FR ✦ ", "NF | ", "PRIME - ", "4K-FR ▸ ", "(FR) ", "«FR» ", "FILM: ", "|NETFLIX| ", "AR • ",
    "TR - ", "ES| ", "LATINO| ", "[VOD] ", "✪ ", "🎬 ", "NEW ✦ ", "🔥 ", "EN - ", "UK| ", "DE: ",
    "||AR|| ", "AR: ", "VOD-AR | ", "[MULTI] ", "TOP 10 | ", "⭐ ",
)
TAG_WORDS = (
    "MULTI", "MULTi", "VFF", "VF", "VFQ", "VOSTFR", "VOSTA", "TrueFrench", "SUBFRENCH", "FRENCH",
    "Latino", "Castellano", "Subtitulado", "Dual Audio", "DUAL", "مترجم", "مدبلج", "Doblado",
    "Dublado", "Legendado", "iTALiAN", "GERMAN", "NORDiC", "1080p", "720p", "2160p", "4K", "UHD",
    "FHD", "HD", "HDR", "HDR10+", "DV", "Dolby Vision", "10bit", "HEVC", "x265", "x264", "H264",
    "H.265", "AV1", "WEB-DL", "WEBRip", "WEB", "BluRay", "BDRip", "BRRip", "HDRip", "DVDRip",
    "HDTV", "HDLight", "mHD", "REMUX", "CAM", "HDCAM", "TS", "HDTS", "SCREENER", "AMZN", "NF",
    "DSNP", "HMAX", "ATVP", "iTunes", "AAC", "AC3", "DDP5.1", "DD+5.1", "EAC3", "Atmos",
    "DTS-HD MA", "TrueHD 7.1", "5.1", "PROPER", "REPACK", "iNTERNAL", "EXTENDED", "Extended Cut",
    "Director's Cut", "Unrated", "Remastered", "IMAX", "Open Matte", "Version Longue", "[Uptobox]",
    "(Tout Public)", "+18", "Sub ESP", "VO", "VOST", "🆕", "★★★", "(2 Liens)", "[Lien 2]", "mkv",
    "SDR", "60fps", "HQ", "Light", "Ultra HD", "Full HD",
)
GROUPS = ("-RARBG", "-YTS", "-EXTREME", "-Tlam", "-NoTag", "-QTZ", "-FGT", "-W4F")
EPISODE_FORMS = (
    "S{s:02d}E{e:02d}", "S{s:02d}E{e:02d}", "S{s}E{e}", "S{s:02d} E{e:02d}", "s{s:02d}e{e:02d}",
    "S{s:02d}.E{e:02d}", "{s}x{e:02d}", "Season {s} Episode {e}", "Saison {s} Episode {e}",
    "Saison {s} - Épisode {e:02d}", "S{s:02d} EP{e:02d}", "Temporada {s} Capitulo {e}",
    "T{s} E{e}", "الموسم {s} الحلقة {e}", "[S{s:02d}E{e:02d}]", "S{s:02d}E{e:02d}E{e2:02d}",
    "Staffel {s} Folge {e}", "Stagione {s} Episodio {e}", "(S{s:02d}E{e:02d})", "S{s:02d}xE{e:02d}",
)
EPISODE_ONLY_FORMS = ("EP{e:02d}", "Ep. {e}", "E{e:03d}", "Épisode {e}", "الحلقة {e}", "Episode {e}")
EPISODE_TITLES = ("Pilot", "The Return", "Homecoming", "Le Retour", "Partie 1", "Reckoning", "")
# fmt: on


def perturb(title: str, rng: random.Random) -> str:
    """How pirates retype a title: articles, symbols, case, accents, numerals, a typo."""
    if rng.random() < 0.1 and title.startswith("The "):
        title = title[4:]
    elif rng.random() < 0.04 and title.startswith("The "):
        title = f"{title[4:]}, The"
    if "&" in title and rng.random() < 0.5:
        title = title.replace("&", "and")
    elif " and " in title and rng.random() < 0.2:
        title = title.replace(" and ", " & ")
    if rng.random() < 0.25:
        title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode() or title
    for roman, digit in ((" II", " 2"), (" III", " 3"), (" IV", " 4")):
        if title.endswith(roman) and rng.random() < 0.5:
            title = title[: -len(roman)] + digit
    if "Part Two" in title and rng.random() < 0.4:
        title = title.replace(": Part Two", " 2").replace("Part Two", "2")
    if ": " in title and rng.random() < 0.25:
        title = title.replace(": ", rng.choice((" - ", " ", " : ", ". ")))
    if rng.random() < 0.08:
        title = re.sub(r"[^\w\s]", "", title)
    if rng.random() < 0.06:
        title = typo(title, rng)
    case = rng.random()
    if case < 0.15:
        title = title.upper()
    elif case < 0.2:
        title = title.lower()
    return title


def typo(title: str, rng: random.Random) -> str:
    """One slip of the keyboard in a word of five letters or more."""
    words = title.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return title
    i = rng.choice(long_words)
    word, at = words[i], rng.randrange(1, len(words[i]) - 1)
    words[i] = rng.choice((word[:at] + word[at + 1 :], word[:at] + word[at] + word[at:],
                           word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]))  # fmt: skip
    return " ".join(words)


def year_part(year: int, rng: random.Random) -> tuple[str, str]:
    """(text before the tags, year form) for one of the ways a year is written."""
    form = rng.randrange(8)
    return ("", (f"({year})", f"[{year}]", f" - {year}", f"{year}", f"{{{year}}}", f"({year})",
                 f"({year})", f"- {year} -")[form])  # fmt: skip


def decorate(name: str, year: int | None, rng: random.Random, episode: str | None) -> str:
    """A pirate name around ``name``: prefix, year, episode marker, tags, maybe scene dots."""
    tags = " ".join(rng.sample(TAG_WORDS, k=rng.choice((0, 0, 1, 1, 2, 2, 3, 4))))
    if tags and rng.random() < 0.12:
        tags += rng.choice(GROUPS)
    year_text = year_part(year, rng)[1] if year else ""
    if rng.random() < 0.07 and episode is None:  # scene style
        dotted = ".".join(re.sub(r"[^\w\s'-]", "", name).split())
        parts = [dotted, str(year) if year else "", *tags.replace(" ", ".").split(".")]
        return ".".join(part for part in parts if part)
    layout = rng.randrange(6)
    pieces = {
        0: [name, year_text, episode or "", tags],
        1: [name, year_text, episode or "", f"[{tags}]" if tags else ""],
        2: [name, episode or "", year_text, tags],
        3: [tags, name, year_text, episode or ""],
        4: [name, year_text, "|" if tags else "", episode or "", tags],
        5: [name, episode or "", tags, year_text],
    }[layout]
    return rng.choice(PREFIXES) + " ".join(piece for piece in pieces if piece).replace("  ", " ")


# (name, kind, year field, tmdb field, answer as "kind|title|year" or None, why it is hard).
# A tmdb field "@kind|title|year" is that work's synthetic tmdb id. An answer naming a
# withheld work is written None: such a name must come back unmatched.
# fmt: off
HARD_CASES: tuple[tuple[str, str | None, int | None, str | None, str | None, str], ...] = (
    ("Dune (2021) MULTI 4K", "film", None, None, "f|Dune: Part One|2021", "catalogue says Dune: Part One"),
    ("Dune 1984 TRUEFRENCH", "film", None, None, "f|Dune|1984", "remake told by year"),
    ("DUNE PART 2 (2024) VFF", "film", None, None, "f|Dune: Part Two|2024", "Part 2 for Part Two"),
    ("Dune: Partie Deux (2024)", "film", None, None, "f|Dune: Part Two|2024", "French part word"),
    ("Dune", "film", 2021, None, "f|Dune: Part One|2021", "year from the Xtream field"),
    ("The Batman (2022) [MULTI] 1080p", None, None, None, "f|The Batman|2022", "article tells remake"),
    ("Batman 1989 MULTI", "film", None, None, "f|Batman|1989", "bare year"),
    ("Batman, The (2022)", "film", None, None, "f|The Batman|2022", "article moved"),
    ("Batman Begins [2005] HDLight 1080p", "film", None, None, "f|Batman Begins|2005", ""),
    ("The Dark Knight Rises (2012) MULTI", "film", None, None, None, "withheld; its prequel is there"),
    ("Batman et Robin (1997)", "film", None, None, "f|Batman & Robin|1997", "et for &"),
    ("Batman v Superman - Dawn of Justice (2016)", None, None, None, "f|Batman v Superman: Dawn of Justice|2016", ""),
    ("Batman vs Superman : L'Aube de la Justice (2016)", "film", None, None, "f|Batman v Superman: Dawn of Justice|2016", "French subtitle"),
    ("Ocean's Eleven (1960)", "film", None, None, "f|Ocean's Eleven|1960", "remake by year"),
    ("Oceans 11 (2001) FRENCH", "film", None, None, "f|Ocean's Eleven|2001", "11 for Eleven"),
    ("Ocean's Thirteen 2007", "film", None, None, None, "withheld sequel"),
    ("OCEAN'S EIGHT [2018] MULTI", "film", None, None, "f|Ocean's 8|2018", "Eight for 8"),
    ("Scarface 1983 VOSTFR", "film", None, None, "f|Scarface|1983", ""),
    ("Scarface (1932)", "film", None, None, "f|Scarface|1932", ""),
    ("King Kong (1933) Remastered", "film", None, None, None, "withheld original, remakes present"),
    ("King Kong 2005 Extended", "film", None, None, "f|King Kong|2005", ""),
    ("A Star is Born (2018) MULTI", "film", None, None, "f|A Star Is Born|2018", "four versions"),
    ("Star Is Born (1954)", "film", None, None, "f|A Star Is Born|1954", "article dropped"),
    ("A Star Is Born", "film", None, None, None, "four versions, no year: abstain"),
    ("Little Women 2019", "film", None, None, "f|Little Women|2019", ""),
    ("Les Filles du Docteur March (2019)", "film", None, None, "f|Little Women|2019", "French title unknown to the catalogue"),
    ("Le Roi Lion (2019)", "film", None, None, "f|The Lion King|2019", "French title unknown to the catalogue"),
    ("Le Roi Lion (2019)", "film", None, "@f|The Lion King|2019", "f|The Lion King|2019", "tmdb rescues a French title"),
    ("The Lion King 2019 MULTI 4K HDR", "film", None, None, "f|The Lion King|2019", ""),
    ("Lion King (1994)", "film", None, None, "f|The Lion King|1994", "article dropped"),
    ("Aladdin (2019) VF", "film", None, None, "f|Aladdin|2019", ""),
    ("Beauty and the Beast 1946", "film", None, None, "f|Beauty and the Beast|1946", "four works share the title"),
    ("La Belle et la Bête (2014) FRENCH", "film", None, None, "f|Beauty and the Beast|2014", "original title and year"),
    ("La Belle et la Bete (1946)", "film", None, None, "f|Beauty and the Beast|1946", "accents stripped"),
    ("Beauty & the Beast (2017)", "film", None, None, "f|Beauty and the Beast|2017", "& for and"),
    ("La Belle et la Bête", "film", None, None, None, "two works, no year: abstain"),
    ("Mulan 2020 Disney+ MULTI", "film", None, None, "f|Mulan|2020", ""),
    ("Psycho (1998)", "film", None, None, None, "withheld remake, original present"),
    ("Psychose (1960)", "film", None, None, "f|Psycho|1960", "French title unknown to the catalogue"),
    ("Total Recall - 2012 - MULTI", "film", None, None, "f|Total Recall|2012", "dashed year"),
    ("Robocop 2014 TRUEFRENCH 720p", "film", None, None, "f|RoboCop|2014", "case"),
    ("The Fly 1986", "film", None, None, "f|The Fly|1986", ""),
    ("La Mouche (1986)", "film", None, None, "f|The Fly|1986", "French title unknown to the catalogue"),
    ("The Thing 2011", "film", None, None, "f|The Thing|2011", ""),
    ("Halloween (2007)", "film", None, None, None, "withheld remake"),
    ("Halloween (1979)", "film", None, None, "f|Halloween|1978", "year one off"),
    ("Halloween Ends", "film", None, None, None, "not in the catalogue, two Halloweens near"),
    ("IT - 2017", "film", None, None, "f|It|2017", "IT is not Italy here"),
    ("It Chapter Two (2019)", "film", None, None, "f|It Chapter Two|2019", ""),
    ("Ça : Chapitre 2 (2019)", "film", None, None, "f|It Chapter Two|2019", "French title unknown to the catalogue"),
    ("It (1990) S01E02", "episode", None, None, "s|It|1990", "miniseries of a film's name"),
    ("Joker: Folie a Deux (2024) MULTI", "film", None, None, "f|Joker: Folie à Deux|2024", ""),
    ("Joker 2 (2024)", "film", None, None, "f|Joker: Folie à Deux|2024", "sequel number for a subtitle"),
    ("Gladiator II (2024)", "film", None, None, None, "withheld sequel, original present"),
    ("Gladiator 2000 Extended", "film", None, None, "f|Gladiator|2000", "year 2000"),
    ("Alien (1979) Director's Cut", "film", None, None, "f|Alien|1979", ""),
    ("Aliens 1986 Special Edition", "film", None, None, "f|Aliens|1986", "one letter from Alien"),
    ("Alien 3 (1992)", "film", None, None, "f|Alien³|1992", "superscript three"),
    ("Alien Covenant 2017", "film", None, None, None, "withheld"),
    ("Alien Romulus (2024) MULTI", "film", None, None, "f|Alien: Romulus|2024", ""),
    ("Her 2013", "film", None, None, "f|Her|2013", "short title"),
    ("Up (2009) VF", "film", None, None, "f|Up|2009", "short title"),
    ("Us (2019)", "film", None, None, "f|Us|2019", "title that is a country code"),
    ("US - Nope (2022)", "film", None, None, "f|Nope|2022", "country code prefix"),
    ("Cars 3 (2017)", "film", None, None, None, "withheld sequel"),
    ("Cars 2 2011", "film", None, None, "f|Cars 2|2011", ""),
    ("Toy Story 4 (2019)", "film", None, None, None, "withheld sequel"),
    ("Toy Story 3 (2010) MULTI", "film", None, None, "f|Toy Story 3|2010", ""),
    ("Rocky 2 1979", "film", None, None, "f|Rocky II|1979", "2 for II"),
    ("Rocky V (1990)", "film", None, None, None, "withheld sequel"),
    ("Rocky IV 1985 Director's Cut", "film", None, None, "f|Rocky IV|1985", ""),
    ("Creed 3 (2023)", "film", None, None, None, "withheld sequel"),
    ("Creed 2 (2018)", "film", None, None, "f|Creed II|2018", "2 for II"),
    ("Le Parrain (1972)", "film", None, None, "f|The Godfather|1972", "French title unknown to the catalogue"),
    ("Le Parrain (1972)", "film", None, "@f|The Godfather|1972", "f|The Godfather|1972", "tmdb rescues a French title"),
    ("The Godfather Part 2 (1974)", "film", None, None, "f|The Godfather Part II|1974", ""),
    ("Godfather (1972)", "film", None, None, "f|The Godfather|1972", ""),
    ("Star Wars (1977) Despecialized", "film", None, None, "f|Star Wars: Episode IV - A New Hope|1977", "original title"),
    ("Star Wars Episode 4 A New Hope 1977", "film", None, None, "f|Star Wars: Episode IV - A New Hope|1977", "4 for IV"),
    ("1917 (2019) MULTI", "film", None, None, "f|1917|2019", "title is a year"),
    ("1917", "film", None, None, "f|1917|2019", "title is a year, no year"),
    ("2012 2009 TRUEFRENCH", "film", None, None, "f|2012|2009", "title is a year"),
    ("1984 (1984)", "film", None, None, "f|1984|1984", "title is its year"),
    ("2001 A Space Odyssey (1968)", "film", None, None, "f|2001: A Space Odyssey|1968", ""),
    ("Blade Runner 2049 MULTI", "film", None, None, "f|Blade Runner 2049|2017", "2049 is no year"),
    ("Blade Runner (1982) Final Cut", "film", None, None, "f|Blade Runner|1982", ""),
    ("300 (2006)", "film", None, None, "f|300|2006", ""),
    ("21 2008", "film", None, None, "f|21|2008", ""),
    ("Seven (1995)", "film", None, None, "f|Se7en|1995", "Se7en spelled out"),
    ("Titanic (1953)", "film", None, None, None, "withheld, 1997 present"),
    ("Titanic", "film", None, None, "f|Titanic|1997", "one Titanic in the catalogue"),
    ("Avatar 2 : La Voie de l'eau (2022)", "film", None, None, "f|Avatar: The Way of Water|2022", "French title"),
    ("Avatar The Way of Water (2022) 3D", "film", None, None, "f|Avatar: The Way of Water|2022", ""),
    ("Inception.2010.MULTi.1080p.BluRay.x264-LOST", "film", None, None, "f|Inception|2010", "scene name"),
    ("Matrix (1999)", "film", None, None, "f|The Matrix|1999", ""),
    ("Matrix 4 Resurrections (2021)", "film", None, None, "f|The Matrix Resurrections|2021", "number added"),
    ("Top Gun Maverick (2022)", "film", None, None, "f|Top Gun: Maverick|2022", ""),
    ("Top Gun 2 (2022)", "film", None, None, "f|Top Gun: Maverick|2022", "sequel number for a subtitle"),
    ("Mission Impossible 2 (2000)", "film", None, None, "f|Mission: Impossible II|2000", ""),
    ("Mission Impossible Dead Reckoning Part 1 (2023)", "film", None, None, "f|Mission: Impossible - Dead Reckoning Part One|2023", ""),
    ("Mission: Impossible S01E01", "episode", None, None, "s|Mission: Impossible|1966", "series of a film's name"),
    ("Fast and Furious (2009)", "film", None, None, "f|Fast & Furious|2009", ""),
    ("Fast & Furious 10 (2023)", "film", None, None, "f|Fast X|2023", "number for X"),
    ("Spiderman No Way Home (2021)", "film", None, None, "f|Spider-Man: No Way Home|2021", ""),
    ("Spider-Man 3 (2007)", "film", None, None, None, "withheld sequel"),
    ("Spider Man 2 (2004)", "film", None, None, "f|Spider-Man 2|2004", ""),
    ("Spider-Man Into the Spider-Verse (2018)", "film", None, None, None, "not in the catalogue, sequel is"),
    ("Harry Potter and the Philosopher's Stone (2001)", "film", None, None, "f|Harry Potter and the Sorcerer's Stone|2001", "original title"),
    ("Harry Potter à l'école des sorciers (2001)", "film", None, None, "f|Harry Potter and the Sorcerer's Stone|2001", "French title"),
    ("Harry Potter and the Chamber of Secrets (2002)", "film", None, None, None, "withheld, neighbour present"),
    ("Pride and Prejudice (2005)", "film", None, None, "f|Pride & Prejudice|2005", "film and series"),
    ("Pride and Prejudice S01E02", "episode", None, None, "s|Pride and Prejudice|1995", "film and series"),
    ("Emma (2020)", "film", None, None, "f|Emma.|2020", "a title with a full stop"),
    ("Sherlock S04E03", "episode", None, None, "s|Sherlock|2010", ""),
    ("Dracula (2020) S01E01", "episode", None, None, "s|Dracula|2020", ""),
    ("Dracula 1992", "film", None, None, "f|Bram Stoker's Dracula|1992", "possessive dropped"),
    ("Les Miserables 2012 MULTI", "film", None, None, "f|Les Misérables|2012", "three films"),
    ("Les Misérables", "film", None, None, None, "three films, no year: abstain"),
    ("Les Intouchables 2011", "film", None, None, "f|The Intouchables|2011", "French article"),
    ("Le Fabuleux Destin d'Amélie Poulain (2001)", "film", None, None, "f|Amélie|2001", "original title"),
    ("Amélie Poulain (2001)", "film", None, None, "f|Amélie|2001", "a shortened title"),
    ("Les Visiteurs (1993)", "film", None, None, "f|The Visitors|1993", ""),
    ("Bienvenue chez les Chtis (2008)", "film", None, None, "f|Welcome to the Sticks|2008", "apostrophe dropped"),
    ("Astérix et Obélix : Mission Cléopâtre (2002)", "film", None, None, "f|Asterix & Obelix: Mission Cleopatra|2002", "et for &"),
    ("Qu'est-ce qu'on a fait au Bon Dieu ? (2014)", "film", None, None, "f|Serial (Bad) Weddings|2014", ""),
    ("Taxi 2004", "film", None, None, None, "withheld remake"),
    ("Portrait de la jeune fille en feu (2019)", "film", None, None, "f|Portrait of a Lady on Fire|2019", ""),
    ("La Vie d'Adèle (2013)", "film", None, None, "f|Blue Is the Warmest Colour|2013", "main part of the original"),
    ("Lupin S03E01 VF", "episode", None, None, "s|Lupin|2021", ""),
    ("Lupin III (1971) S01E01", "episode", None, None, None, "another Lupin"),
    ("Dix Pour Cent - Saison 4 Episode 6", "episode", None, None, "s|Call My Agent!|2015", ""),
    ("Engrenages S08E01", "episode", None, None, "s|Spiral|2005", ""),
    ("El Laberinto del Fauno (2006) Castellano", "film", None, None, "f|Pan's Labyrinth|2006", ""),
    ("Y Tu Mama Tambien 2001", "film", None, None, "f|Y Tu Mamá También|2001", "y for and"),
    ("La Casa de Papel S05E10", "episode", None, None, "s|Money Heist|2017", ""),
    ("Money Heist Temporada 2 Capitulo 3", "episode", None, None, "s|Money Heist|2017", ""),
    ("Elite T3 E05", "episode", None, None, "s|Elite|2018", ""),
    ("The Secret in Their Eyes (2015)", "film", None, None, "f|Secret in Their Eyes|2015", "remake, article added"),
    ("[REC] 2007 MULTI", "film", None, None, "f|[Rec]|2007", "brackets are the title"),
    ("El Hoyo (2019)", "film", None, None, "f|The Platform|2019", ""),
    ("Perfect Strangers (2016)", "film", None, None, "f|Perfect Strangers|2016", "three countries' versions"),
    ("Perfect Strangers", "film", None, None, None, "three works, no year: abstain"),
    ("أصحاب ولا أعز (2022)", "film", None, None, "f|Perfect Strangers|2022", "Arabic original"),
    ("Le Jeu (2018)", "film", None, None, "f|Nothing to Hide|2018", ""),
    ("الرسالة (1976)", "film", None, None, "f|The Message|1976", "Arabic script, catalogue has it romanised"),
    ("وجدة 2012", "film", None, None, "f|Wadjda|2012", ""),
    ("عمر (2013)", "film", None, None, "f|Omar|2013", "film and series share the name"),
    ("عمر الحلقة 12", "episode", None, None, "s|Omar|2012", "film and series share the name"),
    ("Omar", None, None, None, None, "film and series, nothing else: abstain"),
    ("ما وراء الطبيعة الموسم 1 الحلقة 3", "episode", None, None, "s|Paranormal|2020", ""),
    ("الهيبة الموسم الثاني الحلقة 5", "episode", None, None, "s|Al Hayba|2017", "ordinal season"),
    ("El Hayba S01E01", "episode", None, None, "s|Al Hayba|2017", "other transliteration"),
    ("باب الحارة الحلقة 7", "episode", None, None, "s|Bab Al-Hara|2006", ""),
    ("جن الحلقة 1", "episode", None, None, "s|Jinn|2019", "one-letter Arabic title"),
    ("المومياء (1969)", "film", None, None, "f|The Night of Counting the Years|1969", "Arabic for The Mummy"),
    ("The Mummy (1999) MULTI", "film", None, None, "f|The Mummy|1999", ""),
    ("Gisaengchung 2019", "film", None, None, "f|Parasite|2019", ""),
    ("Squid Game", "series", None, None, "s|Squid Game|2021", ""),
    ("Old Boy (2003)", "film", None, None, "f|Oldboy|2003", "space inside a word"),
    ("Oldboy (2013)", "film", None, None, None, "withheld remake"),
    ("Das Boot S02E01", "episode", None, None, "s|Das Boot|2018", "film and series"),
    ("Das Boot", None, None, None, None, "film and series, nothing else: abstain"),
    ("Im Westen nichts Neues (2022)", "film", None, None, "f|All Quiet on the Western Front|2022", ""),
    ("All Quiet on the Western Front (1930)", "film", None, None, "f|All Quiet on the Western Front|1930", ""),
    ("Good Bye, Lenin! (2003)", "film", None, None, "f|Good Bye Lenin!|2003", ""),
    ("The Experiment (2010)", "film", None, None, "f|The Experiment|2010", ""),
    ("Das Experiment (2001)", "film", None, None, "f|The Experiment|2001", ""),
    ("Gomorra S01E01", "episode", None, None, "s|Gomorrah|2014", "film and series"),
    ("Gomorra (2008)", "film", None, None, "f|Gomorrah|2008", "film and series"),
    ("Le Voyage de Chihiro (2001)", "film", None, None, "f|Spirited Away|2001", "French title"),
    ("The Magnificent Seven", "film", None, None, None, "two works, no year: abstain"),
    ("The Ring (2002)", "film", None, None, None, "withheld remake"),
    ("breaking.bad.s01e01.720p.bluray.x264-demand", None, None, None, "s|Breaking Bad|2008", "scene name"),
    ("Game Of Thrones 8x03", None, None, None, "s|Game of Thrones|2011", ""),
    ("GOT S08E03", "episode", None, None, "s|Game of Thrones|2011", "abbreviation"),
    ("The Crown - Saison 6 - Episode 10", None, None, None, "s|The Crown|2016", ""),
    ("Stranger Things 4 (2022) S04E01", "episode", None, None, "s|Stranger Things|2016", "season in the title"),
    ("Chernobyl (2019) Mini-Series", "series", None, None, "s|Chernobyl|2019", ""),
    ("Narcos Mexico S03E01", "episode", None, None, "s|Narcos: Mexico|2018", ""),
    ("Westworld (1973)", "film", None, None, "f|Westworld|1973", "film and series"),
    ("Westworld S04E01", "episode", None, None, "s|Westworld|2016", "film and series"),
    ("Battlestar Galactica 1978 S01E01", "episode", None, None, "s|Battlestar Galactica|1978", ""),
    ("Battlestar Galactica S02E01", "episode", None, None, None, "two series, no year: abstain"),
    ("Doctor Who (1963) S01E01", "episode", None, None, None, "withheld original series"),
    ("The Office (US) S02E01", "episode", None, None, "s|The Office|2005", "country for year"),
    ("The Office (2005) S01E01", "episode", None, None, "s|The Office|2005", ""),
    ("House of Cards 1990 S01E01", "episode", None, None, "s|House of Cards|1990", ""),
    ("Shogun (2024) S01E01", "episode", None, None, "s|Shōgun|2024", "macron"),
    ("Fargo S05E01", "episode", None, None, "s|Fargo|2014", "film and series"),
    ("Fargo", None, None, None, None, "film and series, nothing else: abstain"),
    ("Les Soprano S06E21", "episode", None, None, "s|The Sopranos|1999", "French title"),
    ("The Sopranos 6x21", None, None, None, "s|The Sopranos|1999", ""),
    ("Lost", "film", None, None, None, "only a series of that name"),
    ("The Queens Gambit S01E07", "episode", None, None, "s|The Queen's Gambit|2020", ""),
    ("Mercredi S01E01", "episode", None, None, "s|Wednesday|2022", "French title"),
    ("Skins (2011) S01E01", "episode", None, None, None, "withheld remake"),
    ("Shameless (US) S11E12", "episode", None, None, "s|Shameless|2011", ""),
    ("Forbrydelsen S01E01", "episode", None, None, "s|The Killing|2007", ""),
    ("Bron/Broen S01E01", "episode", None, None, "s|The Bridge|2011", "slash inside the title"),
    ("24 S01E01", "episode", None, None, "s|24|2001", "a number as title"),
    ("24 Heures Chrono S01E01", "episode", None, None, "s|24|2001", "French title"),
    ("Dallas (2012) S01E01", "episode", None, None, None, "withheld remake"),
    ("One Piece EP1071 VOSTFR", "episode", None, None, "s|One Piece|1999", "anime and live action"),
    ("One Piece (2023) S01E01", "episode", None, None, "s|One Piece|2023", ""),
    ("Death Note (2017)", "film", None, None, None, "withheld film, series present"),
    ("HunterXHunter 2011 E001", "episode", None, None, "s|Hunter x Hunter|2011", ""),
    ("Naruto Shippuden EP500", "episode", None, None, None, "withheld, Naruto present"),
    ("The Good Doctor S07E10", "episode", None, None, "s|The Good Doctor|2017", "article tells them apart"),
    ("Metropolis 2001 VOSTFR", "film", None, None, "f|Metropolis|2001", ""),
    ("Nosferatu (2024)", "film", None, None, None, "withheld remake"),
    ("Let Me In (2010)", "film", None, None, None, "withheld remake"),
    ("The Girl With The Dragon Tattoo (2009) Swedish", "film", None, None, "f|The Girl with the Dragon Tattoo|2009", ""),
    ("Funny Games U.S. (2007)", "film", None, None, None, "withheld remake"),
    ("Evil Dead (1981)", "film", None, None, "f|The Evil Dead|1981", "article"),
    ("The Evil Dead 2013", "film", None, None, "f|Evil Dead|2013", "article"),
    ("Evil Dead 2 (1987)", "film", None, None, "f|Evil Dead II|1987", ""),
    ("Texas Chainsaw Massacre (1974)", "film", None, None, "f|The Texas Chain Saw Massacre|1974", "Chain Saw"),
    ("Nightmare on Elm Street 1984", "film", None, None, "f|A Nightmare on Elm Street|1984", ""),
    ("Cinderella (2021)", "film", None, None, None, "withheld remake"),
    ("Guillermo del Toro's Pinocchio (2022)", "film", None, None, "f|Guillermo del Toro's Pinocchio|2022", "two Pinocchios in 2022"),
    ("Mad Max Fury Road (2015) Black & Chrome", "film", None, None, "f|Mad Max: Fury Road|2015", ""),
    ("Furiosa (2024)", "film", None, None, "f|Furiosa: A Mad Max Saga|2024", "main title"),
    ("Wall-E (2008)", "film", None, None, "f|WALL·E|2008", "middle dot"),
    ("Les Choristes (2004)", "film", None, None, "f|The Chorus|2004", ""),
    ("Léon (1994) Version Intégrale", "film", None, None, "f|Léon: The Professional|1994", ""),
    ("Nikita (1990)", "film", None, None, "f|La Femme Nikita|1990", "original title"),
    ("Nikita S01E01", "episode", None, None, "s|Nikita|2010", ""),
    ("La Femme Nikita S01E01", "episode", None, None, "s|La Femme Nikita|1997", "film of that name too"),
    ("Taken S01E01", "episode", None, None, "s|Taken|2017", "film and series"),
    ("Un Prophète (2009)", "film", None, None, "f|A Prophet|2009", ""),
    ("Club de Cuervos T01E01", "episode", None, None, "s|Club de Cuervos|2015", ""),
    ("The Batman (2022)", "film", None, "999999", "f|The Batman|2022", "unknown tmdb id"),
    ("Casa de Papel S01E01", "episode", None, "@s|Money Heist|2017", "s|Money Heist|2017", "tmdb on an episode"),
    ("Whatever It Was Called", "film", None, "@f|Inception|2010", "f|Inception|2010", "tmdb, name unrelated"),
    ("The Shawshank Redemption (1994)", "film", None, None, None, "not in the catalogue"),
    ("Pulp Fiction 1994", "film", None, None, None, "not in the catalogue"),
    ("Batman: The Animated Series S01E01", "episode", None, None, None, "not in the catalogue"),
    ("The Batman S01E01", "episode", None, None, None, "only films of that name"),
    ("Arsène Lupin (2004)", "film", None, None, None, "not in the catalogue"),
    ("Heat (1986)", "film", None, None, None, "another Heat"),
    ("Up in the Air (2009)", "film", None, None, None, "shares a word with Up (2009)"),
    ("Psycho II (1983)", "film", None, None, None, "sequel of a present film"),
    ("Rocky", "film", None, None, "f|Rocky|1976", "no year, one work"),
    ("Game.of.Thrones.S01E01.1080p.BluRay.x265-RARBG", None, None, None, "s|Game of Thrones|2011", "scene name"),
    ("Succession - S04 E10 - With Open Eyes", None, None, None, "s|Succession|2018", "episode title"),
    ("Peaky Blinders Season 6", "series", None, None, "s|Peaky Blinders|2013", "season only"),
    ("Friends - Integrale (1994)", "series", None, None, "s|Friends|1994", ""),
    ("Mindhunter S02 Complete", "series", None, None, "s|Mindhunter|2017", ""),
)
# fmt: on


def loose(title: str) -> str:
    """A rough key of this script's own, to keep unknown names from being unknowable."""
    decomposed = unicodedata.normalize("NFKD", title.casefold().replace("&", " and "))
    words = re.findall(r"[^\W_]+", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(
        words[1:] if words[:1] in (["the"], ["a"], ["le"], ["la"]) and len(words) > 1 else words
    )


def episode_marker(rng: random.Random) -> str:
    season, episode = rng.randint(1, 8), rng.randint(1, 24)
    if rng.random() < 0.1:
        marker = rng.choice(EPISODE_ONLY_FORMS).format(e=episode)
    else:
        marker = rng.choice(EPISODE_FORMS).format(s=season, e=episode, e2=episode + 1)
    name = rng.choice(EPISODE_TITLES)
    return f"{marker} - {name}" if name and rng.random() < 0.25 else marker


def generated_item(
    work: Work, known: bool, rng: random.Random, must_date: bool
) -> dict[str, object]:
    """One decorated name of ``work`` with the fields a panel sends beside it."""
    use_original = work.original and rng.random() < 0.3
    name = perturb(work.original if use_original else work.title, rng)
    year = work.year
    if rng.random() < 0.06 and not must_date:
        year += rng.choice((-1, 1))  # panels get the year wrong by one now and then
    episode = None
    if work.kind == "series" and rng.random() < 0.6:
        episode = episode_marker(rng)
        kind = "episode" if rng.random() < 0.8 else None
    elif work.kind == "series":
        kind = "series" if rng.random() < 0.75 else None
    else:
        kind = "film" if rng.random() < 0.75 else None
    where = rng.random()
    in_name = where < (0.3 if episode else 0.55) or (must_date and where < 0.8)
    field_year = year if not in_name and (where < 0.8 or must_date) else None
    tmdb = work.tmdb if work.tmdb and rng.random() < 0.15 else None
    return {
        "title": decorate(name, year if in_name else None, rng, episode),
        "kind": kind,
        "year": field_year,
        "tmdb": tmdb,
        "work_id": work.id if known else None,
        "source": "generated",
        "note": "original title" if use_original else "",
    }


def build(rng: random.Random) -> tuple[list[Work], list[dict[str, object]]]:
    """The catalogue and every item, generated and hand-written."""
    real, withheld = real_works()
    synthetic = synthetic_works(rng, SYNTHETIC_WORKS + SYNTHETIC_UNKNOWN, "syn-")
    rng.shuffle(synthetic)
    catalogue = real + synthetic[:SYNTHETIC_WORKS]
    unknown = withheld + synthetic[SYNTHETIC_WORKS:]
    for number, work in enumerate(catalogue):
        work.tmdb = str(9_000_000 + number) if rng.random() < 0.7 or work in real else ""
        work.imdb = f"tt9{number:07d}" if rng.random() < 0.6 else ""
        work.holder = rng.choice(HOLDERS)
    years_by_key: dict[str, list[int]] = {}
    for work in catalogue:
        for text in (work.title, work.original):
            if text:
                years_by_key.setdefault(loose(text), []).append(work.year)
    items: list[dict[str, object]] = []
    while len(items) < GENERATED_TITLES:
        if rng.random() < 0.2:
            work = rng.choice(unknown)
            keys = {loose(text) for text in (work.title, work.original) if text}
            near = [year for key in keys for year in years_by_key.get(key, [])]
            if any(abs(year - work.year) <= 1 for year in near):
                continue  # a name no one could tell from a catalogue work
            items.append(generated_item(work, False, rng, must_date=bool(near)))
        else:
            work = rng.choice(real) if rng.random() < 0.35 else rng.choice(catalogue)
            items.append(generated_item(work, True, rng, must_date=False))
    items += hand_items(catalogue, withheld)
    for number, item in enumerate(items):
        item["id"] = f"t{number:04d}"
        item["split"] = "calib" if rng.random() < 0.5 else "test"
    return catalogue, items


def hand_items(catalogue: list[Work], withheld: list[Work]) -> list[dict[str, object]]:
    by_spec = {f"{w.kind[0]}|{w.title}|{w.year}": w for w in catalogue + withheld}
    present = {w.id for w in catalogue}
    items: list[dict[str, object]] = []
    for name, kind, year, tmdb, answer, note in HARD_CASES:
        if answer is not None and by_spec[answer].id not in present:
            raise ValueError(f"hand case {name!r} names a withheld work as its answer")
        if tmdb and tmdb.startswith("@"):
            tmdb = by_spec[tmdb[1:]].tmdb
        items.append({
            "title": name, "kind": kind, "year": year, "tmdb": tmdb,
            "work_id": by_spec[answer].id if answer else None, "source": "hand", "note": note,
        })  # fmt: skip
    return items


def main() -> None:
    rng = random.Random(SEED)
    catalogue, items = build(rng)
    ids = [work.id for work in catalogue]
    if len(set(ids)) != len(ids):
        raise ValueError("two works share an id")
    with open(HERE / "works.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "title", "original_title", "year", "kind", "imdb", "tmdb", "holder"])
        for w in catalogue:
            writer.writerow([w.id, w.title, w.original, w.year, w.kind, w.imdb, w.tmdb, w.holder])
    with open(HERE / "titles.jsonl", "w", encoding="utf-8") as file:
        for item in items:
            ordered = {
                key: item[key]
                for key in (
                    "id",
                    "title",
                    "kind",
                    "year",
                    "tmdb",
                    "work_id",
                    "split",
                    "source",
                    "note",
                )
            }
            file.write(json.dumps(ordered, ensure_ascii=False) + "\n")
    unknown = sum(item["work_id"] is None for item in items)
    print(f"{len(catalogue)} works, {len(items)} names ({unknown} unknown) written to {HERE}")


if __name__ == "__main__":
    main()
