"""Demo data for Perugia: the programme's neighbourhoods, categories, skills and families.

``seed_demo`` fills an empty database with about fifty households around the
Fontivegge station, their requests and offers, one facilitator and one
administrator. It is deterministic (``random.Random(2026)``, dates relative to
``today``) and idempotent: reference data is found by slug, accounts by email,
and a second run adds nothing. Every name, phone number and email is made up;
the streets are real streets of the neighbourhoods, the house numbers are not.

The needs and offers are written so that several needs genuinely fit several
offers (same skills, times inside, near enough, a shared language, vetted
helpers where the category asks for one), and a few fit none, as in real life.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import (
    ADMIN,
    FACILITATOR,
    MEMBER,
    Category,
    FollowUp,
    Household,
    Match,
    Member,
    Need,
    NeedSlot,
    Neighbourhood,
    Offer,
    OfferSlot,
    Skill,
    User,
    Vetting,
)
from mutuo_aiuto.services.demo_names import CATEGORY_NAMES, SKILL_NAMES
from mutuo_aiuto.services.lifecycle import move_need, move_offer
from mutuo_aiuto.services.passwords import hash_password
from mutuo_aiuto.services.places import connect

DEMO_PASSWORD = "mutuo-aiuto-demo"  # published in the README  # nosec B105
DEMO_DOMAIN = "demo.mutuoaiuto.example"
SEED = 2026


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    who: str
    password: str = DEMO_PASSWORD


# The accounts to try the service with; every other demo household has an
# unguessable address at DEMO_DOMAIN and the same password.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin@mutuoaiuto.example", ADMIN, "Amministratrice"),
    DemoAccount("facilitatore@mutuoaiuto.example", FACILITATOR, "Facilitatrice del Centro"),
    DemoAccount("famiglia@mutuoaiuto.example", MEMBER, "Nadia El Amrani, mamma (richieste)"),
    DemoAccount("volontario@mutuoaiuto.example", MEMBER, "Marco Bellucci, volontario (offerte)"),
)
STAFF = {ADMIN: ("admin@mutuoaiuto.example", "Chiara Baldoni"),
         FACILITATOR: ("facilitatore@mutuoaiuto.example", "Giulia Ferri")}


@dataclass
class DemoSummary:
    """What one run added (zero everywhere on a second run) and the accounts to try."""

    neighbourhoods: int = 0
    adjacencies: int = 0
    categories: int = 0
    skills: int = 0
    users: int = 0
    households: int = 0
    needs: int = 0
    offers: int = 0
    vettings: int = 0
    past_pairings: int = 0
    running_pairings: int = 0
    accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS

    @property
    def added(self) -> int:
        return (self.neighbourhoods + self.adjacencies + self.categories + self.skills
                + self.users + self.households + self.needs + self.offers + self.vettings
                + self.past_pairings + self.running_pairings)


# ---- reference data ------------------------------------------------------------

NEIGHBOURHOODS = (
    ("fontivegge", "Fontivegge"),
    ("madonna-alta", "Madonna Alta"),
    ("zona-cortonese", "Zona Cortonese"),
    ("ponte-della-pietra", "Ponte della Pietra"),
    ("pallotta", "Pallotta"),
    ("filosofi", "Filosofi"),
    ("fonti-coperte", "Fonti Coperte"),
)

# An approximation of the map, good enough for a demo (an administrator can
# change it): Fontivegge, around the station, borders every other area but
# Ponte della Pietra, which lies further south-east along Via Settevalli,
# beyond Madonna Alta and Pallotta. Madonna Alta (south-west) meets Zona
# Cortonese (west, along Via Cortonese); Pallotta (east) meets Filosofi
# (north-east, up towards the centre), which meets Fonti Coperte (north).
ADJACENCY = (
    ("fontivegge", "madonna-alta"),
    ("fontivegge", "zona-cortonese"),
    ("fontivegge", "pallotta"),
    ("fontivegge", "filosofi"),
    ("fontivegge", "fonti-coperte"),
    ("madonna-alta", "zona-cortonese"),
    ("madonna-alta", "ponte-della-pietra"),
    ("pallotta", "ponte-della-pietra"),
    ("pallotta", "filosofi"),
    ("filosofi", "fonti-coperte"),
)


@dataclass(frozen=True)
class CategorySeed:
    slug: str
    it: str
    en: str
    kind: str
    icon: str
    requires_vetted: bool = False
    remote: bool = False


# The kinds of help of the programme's text; more languages go in translations.
CATEGORIES = (
    CategorySeed("childcare", "Cura dei bambini", "Childcare", "care", "childcare", True),
    CategorySeed("school-run", "Accompagnamento a scuola", "School run", "care", "school", True),
    CategorySeed("homework", "Aiuto con i compiti", "Homework help", "care", "homework"),
    CategorySeed("elderly-care", "Cura e compagnia agli anziani", "Elderly care", "care",
                 "elderly", True),
    CategorySeed("errands", "Spesa e commissioni", "Errands", "care", "errands"),
    CategorySeed("meals", "Pasti", "Meals", "care", "meals"),
    CategorySeed("digital-help", "Aiuto digitale e pratiche", "Digital help and paperwork",
                 "care", "digital", remote=True),
    CategorySeed("recurring-slots", "Conciliazione famiglia-lavoro",
                 "Covering regular hours (work and family)", "reconciliation", "clock"),
    CategorySeed("listening", "Ascolto", "Listening", "relational", "listening", remote=True),
    # Parenting support is mostly in person (peer groups, home visits): not remote.
    CategorySeed("parenting-support", "Sostegno alla genitorialità", "Parenting support",
                 "relational", "family"),
    CategorySeed("mediation", "Mediazione dei conflitti", "Conflict mediation", "conflict",
                 "mediation", True),
    CategorySeed("shared-activities", "Attività insieme", "Shared activities", "socialising",
                 "together"),
    CategorySeed("play-groups", "Gruppi di gioco", "Play groups", "socialising", "play"),
)

# (slug, Italian, English, category slug)
SKILLS = (
    ("accompagnamento-scuola", "Accompagnamento a scuola", "Taking children to school",
     "school-run"),
    ("baby-sitting", "Baby-sitting", "Babysitting", "childcare"),
    ("custodia-pomeridiana", "Custodia pomeridiana dei bambini", "After-school care",
     "recurring-slots"),
    ("aiuto-compiti", "Aiuto compiti", "Homework help", "homework"),
    ("compagnia-anziani", "Compagnia agli anziani", "Company for older people", "elderly-care"),
    ("spesa-commissioni", "Spesa e commissioni", "Shopping and errands", "errands"),
    ("trasporto-auto", "Trasporto in auto", "Lifts by car", "errands"),
    ("cucinare", "Cucinare", "Cooking", "meals"),
    ("aiuto-digitale", "Aiuto digitale (SPID, registro elettronico, moduli)",
     "Digital help (SPID, school register, forms)", "digital-help"),
    ("traduzione", "Traduzione e interpretariato", "Translating and interpreting",
     "digital-help"),
    ("ascolto", "Ascolto", "Listening", "listening"),
    ("sostegno-genitoriale", "Sostegno genitoriale", "Parenting support", "parenting-support"),
    ("mediazione", "Mediazione familiare", "Family mediation", "mediation"),
    ("attivita-gruppo", "Attività di gruppo", "Group activities", "shared-activities"),
    ("lingua-italiana", "Conversazione in italiano", "Italian conversation practice",
     "shared-activities"),
    ("gioco-bambini", "Giochi con i bambini", "Playing with children", "play-groups"),
)


# ---- households ----------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """A demo household; children and elders as (first name, age)."""

    key: str
    surname: str
    adults: tuple[str, ...]
    place: str
    street: str
    languages: tuple[str, ...]
    children: tuple[tuple[str, int], ...] = ()
    elders: tuple[tuple[str, int], ...] = ()
    locale: str = "it"
    email: str | None = None

    @property
    def account_email(self) -> str:
        return self.email or f"famiglia.{self.key}@{DEMO_DOMAIN}"


F, MA, ZC, PP = "fontivegge", "madonna-alta", "zona-cortonese", "ponte-della-pietra"
PA, FI, FC = "pallotta", "filosofi", "fonti-coperte"

FAMILIES = (
    # The two family accounts to try: a mother who asks, a volunteer who offers.
    Family("el-amrani", "El Amrani", ("Nadia", "Karim"), F, "Via del Macello",
           ("it", "fr", "ar"), (("Yasmine", 10), ("Rayan", 7)),
           email="famiglia@mutuoaiuto.example"),
    Family("bellucci", "Bellucci", ("Marco", "Paola"), MA, "Via Ruggero d'Andreotto",
           ("it", "en"), email="volontario@mutuoaiuto.example"),
    # Families and helpers of the area.
    Family("hassan", "Hassan", ("Fatima", "Omar"), F, "Via Mario Angeloni", ("it", "ar"),
           (("Salma", 8), ("Youssef", 5))),
    Family("giommi", "Giommi", ("Anna",), F, "Piazza del Bacio", ("it",), (("Tommaso", 12),)),
    Family("krasniqi", "Krasniqi", ("Arta", "Blerim"), F, "Via Sicilia", ("it", "sq"),
           (("Elion", 9),)),
    Family("popescu", "Popescu", ("Elena",), ZC, "Via Cortonese", ("it", "ro")),
    Family("okafor", "Okafor", ("Chinedu", "Ngozi"), PA, "Via della Pallotta", ("it", "en"),
           (("David", 14),)),
    Family("cecchini", "Cecchini", ("Lucia",), FI, "Via dei Filosofi", ("it", "en")),
    Family("benali", "Benali", ("Samira", "Rachid"), F, "Via del Macello", ("it", "fr", "ar"),
           (("Ines", 6), ("Amir", 3))),
    Family("mariotti", "Mariotti", ("Giorgio",), FC, "Via Fonti Coperte", ("it", "en")),
    Family("kovalenko", "Kovalenko", ("Olena",), MA, "Via Madonna Alta", ("it", "en", "uk"),
           (("Sofiia", 11),)),
    Family("quispe", "Quispe", ("Rosa",), PP, "Via Settevalli", ("it", "es"), (("Luis", 16),)),
    Family("bartolini", "Bartolini", ("Paolo",), PP, "Via Settevalli", ("it",)),
    Family("hoxha", "Hoxha", ("Besa",), PA, "Via della Pallotta", ("it", "sq"),
           elders=(("Drita", 74),)),
    Family("ricci", "Ricci", ("Francesca", "Matteo"), ZC, "Via Cortonese", ("it", "fr"),
           (("Giulia", 8),)),
    Family("adeyemi", "Adeyemi", ("Grace",), F, "Via Campo di Marte", ("it", "en"),
           (("Esther", 4), ("Samuel", 2))),
    Family("dervishi", "Dervishi", ("Ilir",), FI, "Via dei Filosofi", ("it", "sq")),
    Family("munteanu", "Munteanu", ("Ioana",), FC, "Via Fonti Coperte", ("it", "en", "ro")),
    Family("panfili", "Panfili", ("Sara",), MA, "Via Pievaiola", ("it", "en", "es")),
    Family("tahiri", "Tahiri", ("Youssef",), ZC, "Via Cortonese", ("it", "fr", "ar")),
    Family("baldelli", "Baldelli", ("Teresa",), F, "Via Mario Angeloni", ("it",)),
    Family("mendoza", "Mendoza", ("Carlos", "Lucía"), PA, "Via della Pallotta", ("it", "es"),
           (("Mateo", 10),)),
    Family("shevchenko", "Shevchenko", ("Iryna",), FC, "Via Fonti Coperte", ("it", "uk"),
           (("Maksym", 13),), (("Halyna", 70),)),
    Family("ceccarelli", "Ceccarelli", ("Luca",), FI, "Via dei Filosofi", ("it",)),
    Family("eze", "Eze", ("Blessing",), PP, "Via Settevalli", ("it", "en"), (("Joy", 7),)),
    Family("ionescu", "Ionescu", ("Mihai", "Ana"), MA, "Via Pievaiola", ("it", "ro")),
    Family("ouali", "Ouali", ("Khadija",), FI, "Via dei Filosofi", ("it", "fr", "ar"),
           (("Nour", 15),)),
    Family("cevallos", "Cevallos", ("María",), ZC, "Via Cortonese", ("it", "es"),
           (("Sebastián", 5),)),
    Family("mancini", "Mancini", ("Giovanni",), PA, "Via della Pallotta", ("it", "en")),
    Family("berisha", "Berisha", ("Dritan", "Mimoza"), PP, "Via Settevalli", ("it", "sq"),
           (("Arbër", 12), ("Lira", 9))),
    Family("santucci", "Santucci", ("Elisa",), FC, "Via Fonti Coperte", ("it", "en", "fr")),
    Family("okonkwo", "Okonkwo", ("Chiamaka",), PA, "Via della Pallotta", ("it", "en"),
           (("Chidi", 6), ("Ada", 3)), locale="en"),
    Family("moretti", "Moretti", ("Rita",), ZC, "Via Cortonese", ("it",),
           elders=(("Aldo", 86),)),
    Family("bondarenko", "Bondarenko", ("Oksana",), MA, "Via Madonna Alta", ("en", "uk"),
           (("Daryna", 9),), locale="en"),
    Family("guaman", "Guamán", ("Jorge", "Verónica"), PP, "Via Settevalli", ("it", "es"),
           (("Valentina", 7),)),
    Family("dumitru", "Dumitru", ("Vasile", "Maria"), FC, "Via Fonti Coperte", ("it", "ro")),
    Family("ben-salah", "Ben Salah", ("Amira", "Hichem"), F, "Piazza del Bacio",
           ("it", "fr", "ar"), (("Lina", 0), ("Adam", 4))),
    Family("idrissi", "Idrissi", ("Mohamed",), ZC, "Via Cortonese", ("it", "ar"),
           (("Aya", 11), ("Ilyas", 8))),
    Family("shehu", "Shehu", ("Elira",), FI, "Via dei Filosofi", ("it", "sq")),
    Family("stan", "Stan", ("Cristina",), PA, "Via della Pallotta", ("it", "ro"),
           (("Andrei", 13),)),
    Family("nwosu", "Nwosu", ("Ifeoma",), F, "Via Campo di Marte", ("it", "en"),
           (("Kamsi", 2),), locale="en"),
    Family("cruciani", "Cruciani", ("Stefano",), MA, "Via Madonna Alta", ("it",),
           (("Pietro", 9), ("Marta", 6))),
    Family("lombardi", "Lombardi", ("Chiara",), FI, "Via dei Filosofi", ("it", "en"),
           elders=(("Franca", 81),)),
    Family("gjoka", "Gjoka", ("Valbona",), ZC, "Via Cortonese", ("it", "sq"),
           elders=(("Gjergj", 77),)),
    Family("melnyk", "Melnyk", ("Natalia",), FC, "Via Fonti Coperte", ("it", "uk"),
           (("Artem", 14),)),
    Family("mansour", "Mansour", ("Layla",), PA, "Via della Pallotta", ("ar",),
           (("Karim", 5), ("Rania", 2))),
    Family("sorbelli", "Sorbelli", ("Valentina",), PP, "Via Settevalli", ("it",),
           (("Emma", 6), ("Leo", 6))),
    Family("huaman", "Huamán", ("Luz",), ZC, "Via Cortonese", ("it", "es"), (("Camila", 3),)),
    Family("barbieri", "Barbieri", ("Elisa",), MA, "Via Pievaiola", ("it",), (("Bianca", 1),)),
    Family("mustafa", "Mustafa", ("Hana",), F, "Via Sicilia", ("it", "ar"), (("Zain", 1),)),
    Family("pellegrini", "Pellegrini", ("Franco",), PA, "Via della Pallotta", ("it",),
           elders=(("Sergio", 90),)),
    Family("diallo", "Diallo", ("Aminata",), FI, "Via dei Filosofi", ("it", "fr"),
           (("Moussa", 4),)),
    Family("costantini", "Costantini", ("Roberta",), FC, "Via Fonti Coperte", ("it",)),
    Family("rinaldi", "Rinaldi", ("Bruno", "Luisa"), FC, "Via Fonti Coperte", ("it",)),
)

# Helpers a facilitator has vetted (certificate seen), so that they may be
# proposed for children, elders and mediation.
VETTED = frozenset({"bellucci", "krasniqi", "giommi", "popescu", "ricci", "munteanu",
                    "quispe", "bartolini", "baldelli", "eze", "santucci", "kovalenko"})


# ---- pairings of the past months ---------------------------------------------------
# Closed with their hours and both sides' ratings, so the follow-up history,
# the reciprocity ledger and the impact figures have something to show. Some
# families both gave and received; some pairings cross neighbourhoods.


@dataclass(frozen=True)
class PastPairing:
    family: str
    helper: str
    category: str
    skills: tuple[str, ...]
    need_title: str
    offer_title: str
    slots: str
    months_ago: int  # when it was confirmed
    weeks: int       # how long it ran
    hours: float
    outcome: str = "resolved"
    ratings: tuple[int, int] = (5, 5)  # the family's, the helper's
    running: bool = False  # still under way: no end, hours or ratings yet


# Two pairings under way, each with a follow-up a facilitator is late for.
RUNNING = (
    PastPairing("cecchini", "baldelli", "elderly-care", ("compagnia-anziani",),
                "Compagnia per mia madre il giovedì", "Compagnia il giovedì pomeriggio",
                "thu 15:00-17:00", 1, 0, 0.0, running=True),
    PastPairing("shevchenko", "kovalenko", "homework", ("aiuto-compiti",),
                "Compiti in italiano per Dmytro", "Compiti e italiano",
                "mon,wed 17:00-18:00", 2, 0, 0.0, running=True),
)


PAST = (
    PastPairing("hassan", "bellucci", "homework", ("aiuto-compiti",),
                "Compiti di matematica per Omar", "Compiti dopo la scuola",
                "tue,thu 16:00-17:30", 9, 12, 36.0),
    PastPairing("krasniqi", "popescu", "elderly-care", ("compagnia-anziani",),
                "Compagnia per la nonna il mercoledì", "Compagnia agli anziani",
                "wed 10:00-12:00", 8, 10, 20.0),
    PastPairing("okafor", "giommi", "childcare", ("baby-sitting",),
                "Bambini il sabato mattina", "Sabato con i bambini",
                "sat 09:00-12:00", 7, 8, 24.0, "resolved", (5, 4)),
    PastPairing("el-amrani", "ricci", "school-run", ("accompagnamento-scuola",),
                "Uscita da scuola di Rayan", "Uscite da scuola",
                "mon,wed 16:00-16:45", 6, 14, 21.0),
    PastPairing("popescu", "hoxha", "errands", ("spesa-commissioni",),
                "Spesa grande il venerdì", "Spesa e commissioni",
                "fri 17:00-18:30", 6, 6, 9.0, "partly", (4, 5)),
    PastPairing("quispe", "munteanu", "digital-help", ("aiuto-digitale",),
                "Prenotazioni online e SPID", "Aiuto con il computer",
                "thu 18:00-19:00", 5, 4, 4.0),
    PastPairing("benali", "kovalenko", "listening", ("ascolto",),
                "Qualcuno con cui parlare", "Ascolto al telefono",
                "tue 20:00-21:00", 4, 10, 10.0),
    PastPairing("giommi", "hassan", "meals", ("cucinare",),
                "Pasti per due settimane dopo l'intervento", "Cucino per chi ne ha bisogno",
                "mon,wed,fri 12:00-13:00", 3, 2, 6.0),
    PastPairing("ionescu", "bartolini", "homework", ("aiuto-compiti",),
                "Compiti di italiano", "Italiano e compiti",
                "mon 15:00-16:30", 2, 8, 12.0, "resolved", (5, 5)),
    PastPairing("mendoza", "santucci", "childcare", ("baby-sitting",),
                "Sera del martedì con i bambini", "Sere con i bambini",
                "tue 18:00-20:00", 1, 3, 6.0, "stopped", (3, 4)),
)


# ---- needs and offers ------------------------------------------------------------
# Slots: "mon-fri 07:30-08:30", "tue,thu 16:00-18:30", or a one-off date as
# "thu+1 10:00-11:00" (the Thursday after next). Several slots with ";".


@dataclass(frozen=True)
class NeedSeed:
    family: str
    category: str
    skills: tuple[str, ...]
    title: str
    slots: str
    description: str = ""
    helpers: int = 1
    urgency: int = 0
    max_hops: int = 1
    status: str = "open"


@dataclass(frozen=True)
class OfferSeed:
    family: str
    skills: tuple[str, ...]
    title: str
    slots: str
    description: str = ""
    capacity: int = 1
    max_hops: int = 1
    status: str = "open"


NEEDS = (
    NeedSeed("el-amrani", "school-run", ("accompagnamento-scuola",),
             "Accompagnare Yasmine e Rayan a scuola", "mon-fri 07:30-08:30",
             "Da gennaio inizio il turno alle 7:30 in ospedale. La scuola è in Via del Macello, "
             "a cinque minuti da casa.", urgency=2),
    NeedSeed("el-amrani", "homework", ("aiuto-compiti",), "Compiti di matematica per Yasmine",
             "mon,wed 16:30-18:00", "Quinta elementare: frazioni e problemi."),
    NeedSeed("hassan", "childcare", ("baby-sitting",), "Pomeriggi con Salma e Youssef",
             "tue,thu 16:00-18:30", "Serve qualcuno che stia con i bambini finché torniamo "
             "dal lavoro.", helpers=2, urgency=1),
    NeedSeed("benali", "school-run", ("accompagnamento-scuola",), "Accompagnare Ines a scuola",
             "mon-fri 07:30-08:30", "Con il piccolo all'asilo non riesco ad arrivare in tempo.",
             urgency=1),
    NeedSeed("krasniqi", "homework", ("aiuto-compiti",), "Compiti del venerdì per Elion",
             "fri 15:00-16:30", "Terza elementare, soprattutto lettura in italiano."),
    NeedSeed("okonkwo", "childcare", ("baby-sitting",), "Evening babysitting during night shifts",
             "mon,wed,fri 19:00-22:00", "I work evening shifts at the hospital; the children "
             "need someone until their father is home.", urgency=2, max_hops=2),
    NeedSeed("okonkwo", "errands", ("spesa-commissioni",), "Spesa del sabato",
             "sat 09:00-11:00", "Spesa grande al supermercato, una volta a settimana."),
    NeedSeed("moretti", "elderly-care", ("compagnia-anziani",), "Compagnia per papà Aldo",
             "wed 10:00-12:00", "Mio padre ha 86 anni e passa molte ore da solo: una "
             "chiacchierata e una passeggiata gli farebbero bene."),
    NeedSeed("bondarenko", "shared-activities", ("lingua-italiana",),
             "Practise Italian conversation", "mon 15:00-16:30",
             "I arrived from Kharkiv last year and want to speak Italian with neighbours.",
             max_hops=2),
    NeedSeed("guaman", "school-run", ("accompagnamento-scuola",),
             "Accompagnare Valentina a scuola", "mon-fri 07:45-08:15",
             "Scuola primaria di Ponte della Pietra."),
    NeedSeed("dumitru", "errands", ("spesa-commissioni",), "Spesa dopo l'operazione",
             "thu+0 10:00-11:00; thu+1 10:00-11:00", "Vasile è stato operato al ginocchio e "
             "per qualche settimana non può portare pesi.", urgency=2, max_hops=2),
    NeedSeed("ben-salah", "meals", ("cucinare",), "Un pasto caldo dopo la nascita di Lina",
             "mon+0 12:00-13:00; wed+0 12:00-13:00", "Lina è nata da poco: qualche pranzo "
             "pronto ci aiuterebbe molto.", urgency=2),
    NeedSeed("idrissi", "mediation", ("mediazione",), "Mediazione tra genitori separati",
             "tue+1 18:00-19:30", "Vorremmo accordarci sugli orari dei bambini senza "
             "litigare davanti a loro.", max_hops=2),
    NeedSeed("shehu", "listening", ("ascolto",), "Qualcuno con cui parlare",
             "wed 20:00-21:00", "Un periodo difficile: mi farebbe bene una telefonata la sera."),
    NeedSeed("stan", "digital-help", ("aiuto-digitale",), "Attivare lo SPID e il registro "
             "elettronico", "thu+0 17:30-18:30", "Non riesco a vedere i voti di Andrei."),
    NeedSeed("nwosu", "play-groups", ("gioco-bambini",), "Play group for Kamsi",
             "sat 10:00-12:00", "Kamsi is two and would love to play with other children.",
             helpers=2),
    NeedSeed("cruciani", "recurring-slots", ("custodia-pomeridiana",),
             "Pomeriggi di Pietro e Marta", "mon-fri 16:00-18:00",
             "Sono solo con i bambini e lavoro fino alle 18.", urgency=1),
    NeedSeed("lombardi", "elderly-care", ("compagnia-anziani",),
             "Compagnia per la mamma il martedì", "tue 15:00-17:00",
             "Mia madre Franca ama le carte e i racconti."),
    NeedSeed("gjoka", "errands", ("trasporto-auto",), "Passaggio per la visita in ospedale",
             "fri+1 07:30-08:30", "Visita di controllo per mio padre all'ospedale di "
             "Santa Maria della Misericordia.", urgency=2, max_hops=2),
    NeedSeed("melnyk", "homework", ("aiuto-compiti",), "Compiti in italiano per Artem",
             "tue,thu 17:00-18:30", "Terza media: storia e italiano sono difficili.",
             max_hops=2),
    NeedSeed("mansour", "parenting-support", ("sostegno-genitoriale",),
             "Sostegno per una mamma appena arrivata", "mon 10:00-11:00",
             "Parlo solo arabo. Vorrei capire come funzionano scuola e pediatra.", urgency=1),
    NeedSeed("sorbelli", "school-run", ("accompagnamento-scuola",),
             "Accompagnare i gemelli a scuola", "mon-fri 07:30-08:30",
             "Emma e Leo vanno in due scuole diverse: servono due persone.", helpers=2,
             urgency=1),
    NeedSeed("huaman", "childcare", ("baby-sitting",), "Camila la sera, turni al ristorante",
             "tue,thu 19:00-22:00", "Lavoro in un ristorante il martedì e il giovedì sera.",
             max_hops=2),
    NeedSeed("mustafa", "shared-activities", ("attivita-gruppo",),
             "Conoscere altre mamme del quartiere", "sat 10:00-12:00",
             "Siamo arrivati da poco e non conosco nessuno."),
    NeedSeed("pellegrini", "errands", ("spesa-commissioni",), "Spesa e farmacia per papà",
             "fri 09:30-11:00", "Mio padre ha 90 anni; io lavoro il venerdì mattina.",
             max_hops=2),
    NeedSeed("diallo", "childcare", ("baby-sitting",), "Tenere Moussa durante un colloquio",
             "wed+0 14:00-17:00", "Ho un colloquio di lavoro e nessuno a cui lasciare Moussa.",
             urgency=3, max_hops=2),
    NeedSeed("rinaldi", "digital-help", ("aiuto-digitale",), "Prenotare le visite online",
             "thu 18:00-19:00", "Non sappiamo usare il fascicolo sanitario elettronico."),
    # Not published yet, or paused by the family.
    NeedSeed("costantini", "errands", ("spesa-commissioni",), "Ritiro pacchi e commissioni",
             "tue 10:00-12:00", status="draft"),
    NeedSeed("ceccarelli", "listening", ("ascolto",), "Una telefonata la domenica",
             "sun 17:00-18:00", status="draft"),
    NeedSeed("barbieri", "meals", ("cucinare",), "Pranzi per qualche settimana",
             "mon,wed,fri 12:00-13:30", "In pausa: è arrivata la nonna ad aiutarci.",
             status="paused"),
    NeedSeed("idrissi", "homework", ("aiuto-compiti",), "Compiti per Aya e Ilyas",
             "tue,thu 15:00-16:30", status="paused"),
)

OFFERS = (
    OfferSeed("bellucci", ("accompagnamento-scuola", "aiuto-compiti"),
              "Maestro in pensione: scuola e compiti", "mon-fri 07:00-09:00; "
              "mon-fri 15:30-18:30", "Ho insegnato trent'anni alla primaria. Ho l'auto.",
              capacity=2),
    OfferSeed("bellucci", ("compagnia-anziani",), "Compagnia il sabato mattina",
              "sat 09:00-12:00"),
    OfferSeed("giommi", ("baby-sitting", "gioco-bambini"), "Pomeriggi con i bambini",
              "mon-fri 16:00-20:00", "Mamma di un ragazzo di 12 anni, abito in Piazza del "
              "Bacio.", capacity=2),
    OfferSeed("krasniqi", ("accompagnamento-scuola", "baby-sitting"),
              "Porto anche i vostri bambini a scuola", "mon-fri 07:00-08:45; "
              "tue,thu 16:00-19:00", "Accompagno già Elion ogni mattina.", capacity=2),
    OfferSeed("popescu", ("compagnia-anziani", "spesa-commissioni"),
              "Compagnia e spesa per anziani", "wed,fri 09:00-12:00; sat 09:00-13:00",
              "Ho lavorato come assistente familiare.", capacity=2, max_hops=2),
    OfferSeed("okafor", ("trasporto-auto", "spesa-commissioni"), "Lifts and shopping on Saturdays",
              "sat 08:00-13:00", max_hops=2),
    OfferSeed("cecchini", ("ascolto", "sostegno-genitoriale"), "Ascolto al telefono la sera",
              "mon,wed 19:30-21:30", "Sono counsellor volontaria."),
    OfferSeed("benali", ("cucinare",), "Cucino per chi ne ha bisogno", "mon-fri 11:00-14:00",
              "Cucina marocchina e italiana, anche halal."),
    OfferSeed("mariotti", ("aiuto-digitale", "traduzione"), "Aiuto con computer e pratiche",
              "tue,thu 17:00-20:00", "Ex impiegato comunale: SPID, CIE, moduli online."),
    OfferSeed("kovalenko", ("aiuto-compiti", "traduzione"), "Compiti e traduzioni ucraino",
              "mon-fri 15:00-19:00", max_hops=2),
    OfferSeed("quispe", ("baby-sitting", "custodia-pomeridiana"),
              "Tata il pomeriggio", "mon-fri 13:00-19:30", max_hops=2),
    OfferSeed("bartolini", ("mediazione", "ascolto"), "Mediatore familiare volontario",
              "tue,thu 18:00-20:30", "Mediatore familiare formato, in pensione.", max_hops=2),
    OfferSeed("hoxha", ("cucinare", "spesa-commissioni"), "Spesa e cucina in mattinata",
              "mon-sat 10:00-12:30", max_hops=2),
    OfferSeed("ricci", ("accompagnamento-scuola", "custodia-pomeridiana"),
              "Scuola al mattino e pomeriggi", "mon-fri 07:15-08:45; mon-fri 16:00-18:30",
              capacity=2),
    OfferSeed("adeyemi", ("attivita-gruppo", "gioco-bambini"), "Play mornings at the park",
              "sat 09:30-12:30; sun 15:00-18:00", capacity=3),
    OfferSeed("dervishi", ("trasporto-auto",), "Passaggi in auto la sera",
              "mon-fri 18:00-21:00"),
    OfferSeed("munteanu", ("baby-sitting",), "Baby-sitter la sera", "mon-fri 18:30-22:30",
              max_hops=2),
    OfferSeed("panfili", ("aiuto-compiti", "lingua-italiana"), "Compiti e italiano per stranieri",
              "mon,wed,fri 14:30-18:30", "Insegno italiano L2.", capacity=2),
    OfferSeed("tahiri", ("aiuto-digitale", "traduzione"), "Traduzioni arabo-francese e pratiche",
              "mon-sat 18:00-21:00"),
    OfferSeed("baldelli", ("compagnia-anziani", "ascolto"), "Infermiera in pensione",
              "tue,thu 09:00-12:00; tue,thu 15:00-18:00", capacity=2),
    OfferSeed("mendoza", ("aiuto-compiti", "gioco-bambini"), "Matematica e giochi",
              "tue 16:00-18:00; sat 10:00-13:00"),
    OfferSeed("shevchenko", ("cucinare", "attivita-gruppo"), "Laboratori di cucina insieme",
              "sat 10:00-13:00", capacity=3),
    OfferSeed("ceccarelli", ("spesa-commissioni", "trasporto-auto"), "Commissioni in auto",
              "wed,fri 14:00-18:00"),
    OfferSeed("eze", ("baby-sitting", "accompagnamento-scuola"), "School run and afternoons",
              "mon-fri 07:00-09:00; mon-fri 16:00-18:30", capacity=2),
    OfferSeed("ionescu", ("trasporto-auto", "spesa-commissioni"), "Spesa nel fine settimana",
              "sat,sun 09:00-12:00"),
    OfferSeed("ouali", ("sostegno-genitoriale", "ascolto"), "Mamma per mamma",
              "mon-fri 09:30-11:30", "In pausa fino al ritorno dalle vacanze.",
              status="paused"),
    OfferSeed("cevallos", ("cucinare", "baby-sitting"), "Pranzi e bambini la mattina",
              "mon-fri 09:00-13:00", status="paused"),
    OfferSeed("mancini", ("aiuto-compiti", "lingua-italiana"), "Compiti per le medie",
              "mon-thu 17:00-19:00", "Professore di lettere in pensione.", max_hops=2),
    OfferSeed("berisha", ("trasporto-auto",), "Passaggi al mattino presto",
              "mon-fri 06:30-08:30", max_hops=2),
    OfferSeed("santucci", ("mediazione", "sostegno-genitoriale"), "Psicologa e mediatrice",
              "wed 17:00-20:00; sat 10:00-12:00", max_hops=2),
)


# ---- building the rows -----------------------------------------------------------

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DATED = re.compile(r"([a-z]{3})\+(\d+)")


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _weekdays(spec: str) -> list[int]:
    days: list[int] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        start = _DAYS.index(first)
        days.extend(range(start, _DAYS.index(last) + 1) if last else [start])
    return days


def next_weekday(today: date, weekday: int, weeks: int = 0) -> date:
    """The first such weekday strictly after today, ``weeks`` weeks later."""
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead + 7 * weeks)


def parse_slots(spec: str, today: date) -> Iterator[tuple[int | None, date | None, int, int]]:
    """``(weekday, date, start, end)`` for each slot of a spec such as ``"mon-fri 07:30-08:30"``."""
    for part in spec.split(";"):
        days, hours = part.split()
        start, end = (_minutes(value) for value in hours.split("-"))
        dated = _DATED.fullmatch(days)
        if dated:
            yield None, next_weekday(today, _DAYS.index(dated[1]), int(dated[2])), start, end
        else:
            for day in _weekdays(days):
                yield day, None, start, end


def _by_slug(session: Session, model: type, slugs: tuple[str, ...] | None = None) -> dict:
    query = select(model)
    if slugs is not None:
        query = query.where(model.slug.in_(slugs))
    return {row.slug: row for row in session.execute(query).scalars()}


def seed_places(session: Session, summary: DemoSummary) -> dict[str, Neighbourhood]:
    """Create the programme's neighbourhoods and adjacency where missing.

    Rows that exist are left as an administrator may have edited them.
    """
    places = _by_slug(session, Neighbourhood)
    for slug, name in NEIGHBOURHOODS:
        if slug not in places:
            places[slug] = Neighbourhood(slug=slug, name=name)
            session.add(places[slug])
            summary.neighbourhoods += 1
    session.flush()
    for a, b in ADJACENCY:
        summary.adjacencies += connect(session, places[a], places[b])
    return places


def seed_catalogue(session: Session, summary: DemoSummary) -> dict[str, Skill]:
    categories = _by_slug(session, Category)
    for position, seed in enumerate(CATEGORIES):
        if seed.slug not in categories:
            categories[seed.slug] = Category(
                slug=seed.slug, name=seed.it,
                translations={"en": seed.en, **CATEGORY_NAMES.get(seed.slug, {})}, kind=seed.kind,
                icon=seed.icon, requires_vetted=seed.requires_vetted, remote=seed.remote,
                position=position * 10)
            session.add(categories[seed.slug])
            summary.categories += 1
    skills = _by_slug(session, Skill)
    for position, (slug, it, en, category) in enumerate(SKILLS):
        if slug not in skills:
            skills[slug] = Skill(slug=slug, name=it,
                                 translations={"en": en, **SKILL_NAMES.get(slug, {})},
                                 category=categories[category], position=position * 10)
            session.add(skills[slug])
            summary.skills += 1
    session.flush()
    return skills


def _email_taken(session: Session, email: str) -> bool:
    return bool(session.execute(select(exists().where(User.email == email))).scalar())


class _Seeder:
    """One run: the random draws, the password hash (made once) and what was added."""

    def __init__(self, session: Session, today: date, consent_version: str) -> None:
        self.session = session
        self.today = today
        self.now = datetime.combine(today, time(9, 0), tzinfo=UTC)
        self.consent_version = consent_version
        self.rng = random.Random(SEED)  # repeatable demo data  # nosec B311
        self.summary = DemoSummary()
        self._hash: str | None = None
        self.phones: set[str] = set()

    @property
    def password_hash(self) -> str:
        # argon2 is slow on purpose: hash the one demo password once per run.
        if self._hash is None:
            self._hash = hash_password(DEMO_PASSWORD)
        return self._hash

    def user(self, email: str, name: str, role: str, locale: str = "it") -> User:
        user = User(email=email, name=name, role=role, locale=locale,
                    password_hash=self.password_hash, consent_version=self.consent_version,
                    consent_at=self.now, email_confirmed_at=self.now)
        self.session.add(user)
        self.summary.users += 1
        return user

    def phone(self) -> str:
        # 555 numbers: clearly made up, in the Italian mobile format.
        while True:
            number = f"+39 3{self.rng.randint(20, 49)} 555 {self.rng.randint(0, 9999):04d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def household(self, family: Family, place: Neighbourhood) -> Household | None:
        # Draw every random value first, so later families get the same ones on any run.
        phone, number = self.phone(), self.rng.randint(1, 140)
        adult_ages = [self.rng.randint(27, 52) for _ in family.adults]
        if _email_taken(self.session, family.account_email):
            return None
        user = self.user(family.account_email, f"{family.adults[0]} {family.surname}",
                         MEMBER, family.locale)
        household = Household(user=user, name=f"Famiglia {family.surname}", neighbourhood=place,
                              languages=list(family.languages), phone=phone,
                              address=f"{family.street} {number}, Perugia")
        year = self.today.year
        members = [("adult", name, year - age) for name, age in zip(family.adults, adult_ages,
                                                                     strict=True)]
        members += [("child", name, year - age) for name, age in family.children]
        members += [("elder", name, year - age) for name, age in family.elders]
        household.members = [Member(kind=kind, first_name=name, birth_year=birth)
                             for kind, name, birth in members]
        self.session.add(household)
        self.summary.households += 1
        return household

    def ends_on(self) -> date:
        return self.today + timedelta(days=self.rng.randint(30, 180))

    def need(self, seed: NeedSeed, household: Household | None, skills: dict[str, Skill],
             categories: dict[str, Category]) -> None:
        ends_on = self.ends_on()
        if household is None:
            return
        category = categories[seed.category]
        # Every need is born a draft; its life goes on through lifecycle.move_need.
        need = Need(household=household, category=category, neighbourhood=household.neighbourhood,
                    status="draft", title=seed.title, description=seed.description or None,
                    helpers=seed.helpers, urgency=seed.urgency, max_hops=seed.max_hops,
                    languages=list(household.languages),
                    requires_vetted=category.requires_vetted, remote=category.remote,
                    ends_on=ends_on, skills=[skills[slug] for slug in seed.skills],
                    slots=[NeedSlot(weekday=day, on_date=on, start_minute=start, end_minute=end)
                           for day, on, start, end in parse_slots(seed.slots, self.today)])
        self.session.add(need)
        if seed.status != "draft":
            move_need(need, "open", self.now)
        if seed.status == "paused":
            move_need(need, "paused", self.now)
        self.summary.needs += 1

    def offer(self, seed: OfferSeed, household: Household | None, skills: dict[str, Skill]) -> None:
        ends_on = self.ends_on()
        if household is None:
            return
        offer = Offer(household=household, neighbourhood=household.neighbourhood,
                      status="open", title=seed.title, description=seed.description or None,
                      capacity=seed.capacity, max_hops=seed.max_hops,
                      languages=list(household.languages), ends_on=ends_on,
                      skills=[skills[slug] for slug in seed.skills],
                      slots=[OfferSlot(weekday=day, start_minute=start, end_minute=end)
                             for day, _, start, end in parse_slots(seed.slots, self.today)])
        self.session.add(offer)
        if seed.status == "paused":
            move_offer(offer, "paused")
        self.summary.offers += 1

    def past_pairing(self, seed: PastPairing, family: Household | None,
                     helper: Household | None, skills: dict[str, Skill],
                     categories: dict[str, Category], facilitator: User | None) -> None:
        """A request, an offer and the match between them, confirmed in the past:
        closed with its hours and ratings, or still under way with a follow-up due."""
        if family is None or helper is None:
            return
        confirmed = self.now - timedelta(days=30 * seed.months_ago + self.rng.randint(0, 20))
        ended = None if seed.running else confirmed + timedelta(weeks=seed.weeks)
        ends_on = self.ends_on() if ended is None else ended.date()
        category = categories[seed.category]
        slots = list(parse_slots(seed.slots, self.today))
        need = Need(household=family, category=category, neighbourhood=family.neighbourhood,
                    status="active" if seed.running else "closed", title=seed.need_title,
                    languages=list(family.languages),
                    requires_vetted=category.requires_vetted, remote=category.remote,
                    ends_on=ends_on, skills=[skills[slug] for slug in seed.skills],
                    opened_at=confirmed - timedelta(days=self.rng.randint(2, 12)),
                    closed_at=ended,
                    slots=[NeedSlot(weekday=day, start_minute=start, end_minute=end)
                           for day, _, start, end in slots])
        offer = Offer(household=helper, neighbourhood=helper.neighbourhood,
                      status="full" if seed.running else "expired",
                      title=seed.offer_title, languages=list(helper.languages),
                      ends_on=ends_on, skills=[skills[slug] for slug in seed.skills],
                      slots=[OfferSlot(weekday=day, start_minute=start - 30, end_minute=end + 30)
                             for day, _, start, end in slots])
        family_rating, helper_rating = seed.ratings
        match = Match(
            need=need, offer=offer, status="active" if seed.running else "closed",
            confirmed_at=confirmed, confirmed_by_id=facilitator.id if facilitator else None,
            respond_by=confirmed + timedelta(days=3), accepted_at=confirmed + timedelta(days=1),
            started_on=(confirmed + timedelta(days=2)).date(), closed_at=ended)
        if not seed.running:
            match.outcome, match.hours = seed.outcome, seed.hours
            match.family_rating, match.helper_rating = family_rating, helper_rating
        self.session.add_all([need, offer, match])
        if seed.running:
            self.session.add(FollowUp(match=match, due_on=self.today - timedelta(days=2)))
            self.summary.running_pairings += 1
        else:
            self.summary.past_pairings += 1

    def vetting(self, household: Household | None, facilitator: User | None) -> None:
        checked = self.today - timedelta(days=self.rng.randint(10, 120))
        if household is None:
            return
        self.session.add(Vetting(household=household, checked_on=checked,
                                 expires_on=checked + timedelta(days=365),
                                 recorded_by_id=facilitator.id if facilitator else None))
        self.summary.vettings += 1


def _staff(seeder: _Seeder) -> User | None:
    """Create the administrator and the facilitator if missing; return the facilitator."""
    for role, (email, name) in STAFF.items():
        if not _email_taken(seeder.session, email):
            seeder.user(email, name, role)
    seeder.session.flush()
    return seeder.session.execute(
        select(User).filter_by(email=STAFF[FACILITATOR][0])).scalar_one_or_none()


def has_users(session: Session) -> bool:
    """Whether any account exists (``seed-demo --if-empty`` then does nothing)."""
    return bool(session.execute(select(exists().where(User.id.is_not(None)))).scalar())


def seed_demo(session: Session, today: date, consent_version: str = "2026-11") -> DemoSummary:
    """Add whatever of the demo data is missing; never commits.

    ``consent_version`` is recorded as the privacy notice the demo accounts accepted.
    """
    seeder = _Seeder(session, today, consent_version)
    places = seed_places(session, seeder.summary)
    skills = seed_catalogue(session, seeder.summary)
    categories = _by_slug(session, Category)
    facilitator = _staff(seeder)
    households = {family.key: seeder.household(family, places[family.place])
                  for family in FAMILIES}
    session.flush()
    for need in NEEDS:
        seeder.need(need, households[need.family], skills, categories)
    for offer in OFFERS:
        seeder.offer(offer, households[offer.family], skills)
    for key in sorted(VETTED):
        seeder.vetting(households[key], facilitator)
    for past in PAST + RUNNING:
        seeder.past_pairing(past, households[past.family], households[past.helper], skills,
                            categories, facilitator)
    session.flush()
    return seeder.summary
