"""A deterministic, seeded generator of realistic news-digest articles.

Usage::

    python -m benchmarks.corpus OUTDIR --count N [--seed S]

writes ``OUTDIR/digest.yaml`` and ``OUTDIR/content/YYYY/MM/<slug>.md``: YAML
front matter (title, date with a UTC offset, tags, summary, source, author)
and a 400-900 word Markdown body (paragraphs, ``##`` headings, a blockquote,
a bullet list, inline links, emphasis and, in about one article in five, a
pipe table).

Article ``i`` is drawn from its own random stream seeded by ``(seed, i)``, so
the corpus of 1,000 is exactly the first 1,000 files of the corpus of 10,000
and sizes can be compared article for article. The only state shared between
articles is the slug: an article whose slug an earlier one already took gets
``-2`` (``-3``...), which keeps that prefix property.

The vocabulary is fixed in this file on purpose: changing a word list changes
every corpus, so benchmark figures are only comparable between runs of the
same version of this module (``CORPUS_VERSION`` is written to corpus.json).
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import functools
import datetime as dt
import itertools
import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from random import Random

from slugify import slugify as _slugify

# Bumped whenever the output changes; recorded in corpus.json and RESULTS.md.
# 2: tag 'алматы' became 'алматы облысы' (it slugged to 'almaty', like the
#    English tag, and an SSG may rightly refuse two tags with one URL).
CORPUS_VERSION = 2
MANIFEST = "corpus.json"
MIN_WORDS = 400
MAX_WORDS = 900

SITE_CONFIG = """\
title: The Steppe Digest (benchmark corpus)
base_url: https://bench.example.org/
timezone: Asia/Almaty
"""

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """Split a ``|``-separated list written over several lines."""
    return tuple(w.strip() for w in text.split("|") if w.strip())


# ~300 tags, most frequent first: the k-th is drawn with weight 1/k**1.1 (Zipf).
TAGS: tuple[str, ...] = _words("""
economy | politics | kazakhstan | energy | central asia | oil | banking | inflation
| trade | agriculture | infrastructure | climate | russia | china | tenge | gas
| markets | mining | transport | technology | health | education | courts | budget
| taxes | labour | housing | water | almaty | astana | diplomacy | elections
| environment | media | security | corruption | investment | uranium | european union
| railways | exports | imports | monetary policy | interest rates | wheat | pensions
| renewables | electricity | coal | uzbekistan | kyrgyzstan | caspian sea | parliament
| public health | migration | tourism | startups | telecoms | steel | copper | gold
| logistics | aviation | shipping | pipelines | solar power | wind power | hydropower
| nuclear power | drought | floods | wildfires | air quality | heating | fuel prices
| food prices | consumer prices | real estate | construction | manufacturing
| automotive | fertilisers | cotton | livestock | fisheries | food security
| social policy | demographics | urban planning | human rights | protests
| local government | exchange rates | public debt | privatisation | procurement
| competition | retail | e-government | fintech | payments | crypto | capital markets
| ipo | bonds | sanctions | defence | borders | visas | universities | schools
| hospitals | vaccines | biodiversity | forestry | waste | recycling | water supply
| irrigation | aral sea | middle corridor | belt and road | eurasian economic union
| shanghai cooperation organisation | opec+ | imf | world bank | ebrd
| asian development bank | wto | united nations | osce | national bank | aifc | kase
| samruk-kazyna | kazmunaygas | kazatomprom | ktz | air astana | halyk bank | kaspi
| tajikistan | turkmenistan | azerbaijan | georgia | armenia | mongolia | turkey
| iran | india | pakistan | afghanistan | germany | france | united kingdom
| united states | japan | south korea | gulf states | shymkent | karaganda | aktobe
| atyrau | aktau | pavlodar | oskemen | semey | kostanay | kyzylorda | taraz
| turkistan | mangystau | tashkent | samarkand | bishkek | osh | dushanbe | baku
| tbilisi | ulaanbaatar | moscow | beijing | istanbul | brussels | dubai | caucasus
| south asia | middle east | arctic | baikonur | space | science | research
| artificial intelligence | cybersecurity | data protection | broadband | satellites
| mobile payments | e-commerce | gig economy | minimum wage | unemployment | strikes
| trade unions | small business | farmers | grain harvest | meat | dairy | sugar
| vegetables | fruit | flour | bread | oil refining | petrochemicals | lng | lpg
| gas tariffs | power grid | coal plants | energy efficiency | carbon market
| emissions | climate finance | green bonds | esg | sovereign fund | state budget
| tax code | customs | transit | border trade | free trade | tariffs | eurobonds
| credit ratings | microfinance | mortgages | consumer loans | deposit insurance
| bank licences | insurance | stock exchange | venture capital | family business
| property tax | vat | excise | subsidies | price controls | antitrust | regulation
| judicial reform | constitution | referendum | presidency | cabinet | governors
| akimats | civil service | police | prisons | military | cyber attacks | terrorism
| disinformation | press freedom | journalism | television | internet | social media
| language policy | culture | museums | cinema | music | literature | history
| archaeology | religion | sport | football | olympics | boxing | chess | nomad games
| weather | earthquakes | mudflows | heatwave | winter | snow | floods relief
| road safety | public transport | metro | airports | bridges | highways | ports
| tourism visas | hotels | ski resorts | national parks | snow leopards | saiga
| wildlife | weekly review | explainer | analysis | interview | opinion | data
| long read | obituary | year in review | poll | қазақстан | экономика | алматы облысы
| энергетика | өзбекстан | білім | türkiye | zürich | são paulo | réforme
""")

# Source outlets: (name, host). Hosts are under example.* on purpose.
SOURCES: tuple[tuple[str, str], ...] = (
    ("The Almaty Herald", "almaty-herald.example.com"),
    ("Astana Business Review", "abr.example.kz"),
    ("Caspian Business Daily", "caspian-daily.example.com"),
    ("Central Asia Monitor", "ca-monitor.example.org"),
    ("Eurasian Trade Bulletin", "etb.example.net"),
    ("Tengri Economic Weekly", "tengri-weekly.example.kz"),
    ("The Silk Route Observer", "silkroute-observer.example.org"),
    ("Nomad Capital", "nomadcapital.example.com"),
    ("Steppe Energy Report", "steppe-energy.example.com"),
    ("Qalam News", "qalam.example.kz"),
    ("The Bishkek Courier", "bishkek-courier.example.kg"),
    ("Tashkent Ledger", "tashkent-ledger.example.uz"),
    ("Dushanbe Daily", "dushanbe-daily.example.tj"),
    ("Baku Energy Journal", "baku-energy.example.az"),
    ("Tbilisi Review", "tbilisi-review.example.ge"),
    ("The Ulaanbaatar Post", "ub-post.example.mn"),
    ("Financial Pulse Asia", "fpasia.example.com"),
    ("Global Commodities Desk", "commodities-desk.example.com"),
    ("The Pipeline Quarterly", "pipeline-q.example.org"),
    ("Grain Markets Today", "grain-today.example.com"),
    ("Uranium Week", "uranium-week.example.com"),
    ("Metals & Mining Digest", "metals-mining.example.com"),
    ("Rail Freight Gazette", "railfreight-gazette.example.org"),
    ("Aviation Asia", "aviation-asia.example.com"),
    ("Climate Policy Brief", "climate-brief.example.org"),
    ("Water Futures", "waterfutures.example.org"),
    ("Public Health Watch", "ph-watch.example.org"),
    ("EdTech Central", "edtech-central.example.com"),
    ("The Fintech Desk", "fintech-desk.example.com"),
    ("Regional Politics Review", "rpr.example.org"),
    ("Parliament Watch", "parliament-watch.example.kz"),
    ("The Court Reporter", "court-reporter.example.kz"),
    ("Городские новости", "gorod-novosti.example.kz"),
    ("Деловой обзор", "delovoy-obzor.example.kz"),
    ("Қазақ үні", "qazaq-uni.example.kz"),
    ("Le Journal de l’Eurasie", "journal-eurasie.example.fr"),
    ("Zeitung für Zentralasien", "zfz.example.de"),
    ("Türk Ekonomi Bülteni", "ekonomi-bulteni.example.com.tr"),
    ("La Gaceta de la Estepa", "gaceta-estepa.example.es"),
    ("Reuters-style Wire (syndicated)", "wire.example.net"),
)

AUTHORS = _words("""
Aruzhan Bekova | Daulet Serikbayev | Kamila Nurlanovna | Yerzhan Abdrakhmanov
| Dinara Saparova | Askar Zhumagulov | Madina Tokhtarova | Bauyrzhan Ospanov
| Zhanar Kenzhebekova | Timur Akhmediyarov | Saltanat Omarova | Nurbol Ismailov
| Aliya Dzhaksybekova | Rustam Yusupov | Gulnara Sultanbekova | Olga Kim
| Dmitry Volkov | Ирина Соколова | Айгүл Нұрланқызы | Siobhán Murphy
| Matteo Rossi | Zoë Hartmann | Björn Lindqvist | François Lefèvre
| Mehmet Öztürk | Anjali Deshpande | Li Na | Hannah Okafor | Pablo Martínez | Yuki Tanaka
""")

PEOPLE = _words("""
the president | the prime minister | the finance minister | the energy minister
| the central bank governor | the mayor of Almaty | the akim of Astana
| the head of the statistics bureau | a deputy energy minister
| the speaker of the Mazhilis | the trade minister | the agriculture minister
| the chief executive of KazMunayGas | the chair of the competition agency
| an IMF mission chief | the EBRD's country director | a World Bank economist
| the ombudsman | opposition deputies | the transport minister
""")

NAMES = _words("""
Aidos Karimov | Zhanna Seitkali | Marat Beisenov | Laura Mukhametova
| Serik Tulegenov | Asel Baimukhanova | Nurlan Yessenov | Dana Amanzholova
| Erlan Kassymov | Saule Abenova | Ruslan Zhakupov | Aigerim Temirbekova
| Kristalina Georgieva | Ursula von der Leyen | Recep Tayyip Erdoğan
| Shavkat Mirziyoyev | Sadyr Japarov | Fatih Birol | Ngozi Okonjo-Iweala
""")

PLACES = _words("""
Almaty | Astana | Shymkent | Karaganda | Aktobe | Atyrau | Aktau | Pavlodar
| Oskemen | Semey | Kostanay | Kyzylorda | Taraz | Turkistan | Mangystau
| Tashkent | Samarkand | Bishkek | Osh | Dushanbe | Baku | Tbilisi | Ulaanbaatar
| Moscow | Beijing | Ürümqi | Istanbul | Brussels | Dubai | Geneva | Zürich
| Kazakhstan | Uzbekistan | Kyrgyzstan | Central Asia | the Caspian region
| the Aral Sea basin | the Caucasus | Қазақстан | Montréal | São Paulo
""")

ORGS = _words("""
the National Bank | the finance ministry | the energy ministry | the Mazhilis
| the Senate | the government | the competition agency | the statistics bureau
| the IMF | the World Bank | the EBRD | the Asian Development Bank
| the Eurasian Development Bank | KazMunayGas | Kazatomprom | Samruk-Kazyna
| KTZ | Air Astana | Halyk Bank | Kaspi.kz | the AIFC | the Kazakhstan Stock Exchange
| OPEC+ | the WTO | the European Commission | the city council | the regulator
| the Supreme Court | the Constitutional Court | the grid operator KEGOC
""")

TOPICS = _words("""
the pension reform | the new tax code | grid modernisation | the tenge
| wheat exports | uranium output | oil production quotas | gas tariffs
| the Middle Corridor | rail freight | water management | mortgage subsidies
| the digital tenge | bank consolidation | the privatisation plan
| renewable auctions | the coal phase-out | the anti-corruption law
| the media law | labour migration | public procurement | airport expansion
| district heating | critical minerals | copper smelting | Caspian shipping
| the IPO pipeline | the budget deficit | the sovereign fund | climate pledges
| drought relief | fertiliser prices | school funding | hospital construction
| road safety | border trade | visa-free travel | the tourism season
| fuel price caps | the minimum wage | electricity tariffs | the grain harvest
""")

NOUNS = _words("""
investment | growth | demand | supply | output | spending | prices | reserves
| capacity | exports | imports | lending | revenue | subsidies | tariffs | wages
| employment | debt | inflation | production | deposits | remittances
""")

ADJECTIVES = _words("""
sharp | modest | unexpected | long-awaited | controversial | record | cautious
| ambitious | contested | gradual | steep | fragile | robust | temporary
| sweeping | piecemeal | overdue | bold
""")

VERBS_PAST = _words("""
approved | rejected | postponed | announced | unveiled | criticised | welcomed
| revised | extended | suspended | backed | questioned | scrapped | fast-tracked
""")

VERBS = _words("""
raise | cut | delay | review | expand | cap | freeze | scrap | overhaul | fund
| tighten | ease | subsidise | audit
""")

SECTORS = _words("""
oil | gas | uranium | grain | steel | copper | construction | retail | banking
| telecom | tourism | logistics | farming | chemicals
""")

QUOTES = _words("""
We will not delay | This is a turning point | The numbers speak for themselves
| There is no plan B | We need patience | Nobody wins a price war
| It’s a matter of trust | The market has spoken | We are ready
| Reform cannot wait | Water is the new oil | The worst is behind us
| We were never consulted | Every tenge must be accounted for
""")

ANALYSTS = _words("""
analysts at Halyk Finance | economists polled by the Almaty Herald
| a senior official who asked not to be named | industry insiders
| traders in Almaty | diplomats in Brussels | local residents
| opposition deputies | the ratings agency | independent economists
| farmers in the north | small-business owners
""")

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Cyrillic titles (about 1 in 14): Russian and Kazakh headline patterns whose
# slots take nominative phrases, so every combination stays grammatical.
RU_TOPICS = _words("""
инфляция | курс тенге | цены на бензин | пенсионная реформа | урожай зерна
| тарифы на электричество | добыча нефти | экспорт урана | налоговый кодекс
| ипотека | транзитные перевозки | водные ресурсы
""")
RU_CITIES = _words("Алматы | Астана | Шымкент | Караганда | Актау | Атырау | Павлодар")
RU_OFFICIALS = _words("""
министр финансов | аким Алматы | глава Нацбанка | вице-министр энергетики
| депутат Мажилиса | председатель АЗРК
""")
RU_QUOTES = _words("""
Мы не будем откладывать | Рынок уже всё сказал | Реформа не может ждать
| Худшее позади | Каждый тенге должен быть учтён
""")
KK_TOPICS = _words("экономика | білім беру | денсаулық сақтау | ауыл шаруашылығы | көлік | энергетика")

# UTC offsets of the sources' bylines, weighted: most are Kazakhstan's own.
OFFSETS: tuple[tuple[int, int], ...] = (
    (6, 0), (6, 0), (6, 0), (6, 0), (5, 0), (5, 0), (5, 0), (0, 0), (0, 0),
    (1, 0), (2, 0), (3, 0), (4, 0), (-5, 0), (-4, 0), (5, 30), (8, 0), (9, 0),
)
FIRST_DAY = dt.date(2015, 1, 1)
SPAN_DAYS = (dt.date(2025, 1, 1) - FIRST_DAY).days  # ten years

_TAG_CUM_WEIGHTS = tuple(itertools.accumulate(1.0 / (k**1.1) for k in range(1, len(TAGS) + 1)))

# Kazakh letters as the 2021 Latin alphabet writes them (Unidecode drops some).
_KAZAKH = {"ә": "a", "ғ": "g", "қ": "q", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i"}
_SLUG_REPLACEMENTS = [[k, v] for k, v in _KAZAKH.items()] + [[k.upper(), v] for k, v in _KAZAKH.items()]


# ---------------------------------------------------------------------------
# Articles
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Article:
    """One generated article; ``slug`` is the base slug before de-duplication."""

    index: int
    title: str
    date: dt.datetime
    tags: tuple[str, ...]
    summary: str
    source_name: str
    source_url: str
    author: str
    body: str
    slug: str

    @property
    def words(self) -> int:
        return len(self.body.split())


def slugify(text: str, max_length: int = 60) -> str:
    """An ASCII file-name slug: a whole-word prefix of the transliterated
    title, as a curator would cut it. Stable for a python-slugify version."""
    slug = _slugify(text, replacements=_SLUG_REPLACEMENTS) or "article"
    if len(slug) > max_length:
        cut = slug[: max_length + 1].rsplit("-", 1)[0]
        slug = cut if cut else slug[:max_length]
    return slug


@functools.lru_cache(maxsize=4096)
def _link_slug(text: str) -> str:
    return slugify(text, 30)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class _Writer:
    """Draws every piece of one article from one random stream."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.pick = rng.choice

    # -- small pieces ------------------------------------------------------

    def pct(self) -> str:
        r = self.rng.random
        return f"{int(r() * 40) + 1}.{int(r() * 10)}%"

    def money(self) -> str:
        r = self.rng.random
        amount = int(r() * 900) + 5
        unit = "billion" if r() < 0.4 else "million"
        cur = self.pick(("$", "$", "€", "₸"))
        return f"{cur}{amount} {unit}"

    def year(self) -> int:
        return 2012 + int(self.rng.random() * 14)

    def link(self, text: str) -> str:
        _, host = self.pick(SOURCES)
        return f"[{text}](https://{host}/{self.year()}/{_link_slug(text)}-{int(self.rng.random() * 9000) + 1000})"

    def emph(self, text: str) -> str:
        k = self.rng.random()
        if k < 0.5:
            return f"*{text}*"
        if k < 0.85:
            return f"**{text}**"
        return f"_{text}_"

    # -- headlines ---------------------------------------------------------

    def title(self) -> str:
        p, r = self.pick, self.rng.random
        k = r()
        if k < 0.07:
            return p((
                lambda: f"Обзор недели №{int(r() * 500) + 1}: {p(RU_TOPICS)}",
                lambda: f"{p(RU_CITIES)}: {p(RU_TOPICS)} в центре внимания",
                lambda: f"«{p(RU_QUOTES)}», — {p(RU_OFFICIALS)} о теме «{p(RU_TOPICS)}»",
                lambda: f"Нацбанк сохранил базовую ставку на уровне {int(r() * 10) + 9},{p(('0', '25', '5', '75'))}%",
                lambda: f"Қазақстан: {p(KK_TOPICS)} саласындағы жаңалықтар ({int(r() * 28) + 1}.{int(r() * 12) + 1:02d})",
            ))()
        templates = (
            lambda: f"{_cap(p(ORGS))} {p(VERBS_PAST)} {p(ADJECTIVES)} plan for {p(TOPICS)}",
            lambda: f"‘{p(QUOTES)}’: {p(NAMES)} on {p(TOPICS)}",
            lambda: f"“{p(QUOTES)},” says {p(NAMES)}",
            lambda: f"{p(PLACES)}’s {p(SECTORS)} output {p(('rises', 'falls', 'stalls'))} {self.pct()} in {p(MONTHS)}",
            lambda: f"Why {p(TOPICS)} matters to {p(PLACES)} – and what comes next",
            lambda: f"Analysis: {p(TOPICS)} in {p(PLACES)}",
            lambda: f"{_cap(p(ORGS))} says it won't {p(VERBS)} {p(NOUNS)}",
            lambda: f"Q&A: {p(NAMES)} on {p(TOPICS)}",
            lambda: f"{p(PLACES)} braces for {p(ADJECTIVES)} rise in {p(NOUNS)}",
            lambda: f"{_cap(p(SECTORS))} {p(NOUNS)} hit {self.money()} as {p(TOPICS)} bites",
            lambda: f"In {p(PLACES)}, a {p(ADJECTIVES)} bet on {p(TOPICS)}",
            lambda: f"Explainer: what {p(TOPICS)} means for {p(PLACES)}",
            lambda: "{}–{} {} {}".format(*self.rng.sample(PLACES[:23], 2), p(("rail link", "pipeline", "power line", "air route")), p(("opens", "delayed", "approved", "in doubt"))),
            lambda: f"Weekly digest #{int(r() * 400) + 1}: {p(TOPICS)}, {p(TOPICS)} and more",
            lambda: f"{p(NAMES)} meets {p(NAMES)} in {p(PLACES)} — {p(TOPICS)} on the agenda",
            lambda: f"Is {p(TOPICS)} working in {p(PLACES)}? The data so far…",
            lambda: f"{_cap(p(PEOPLE))} to {p(VERBS)} {p(NOUNS)} by {self.pct()}",
            lambda: f"{p(PLACES)} {p(NOUNS)} data for {p(MONTHS)}: {p(('better', 'worse', 'no better'))} than expected",
        )
        return _cap(p(templates)())

    # -- prose -------------------------------------------------------------

    def sentence(self) -> str:
        p, r = self.pick, self.rng.random
        templates = (
            lambda: f"{_cap(p(ORGS))} {p(VERBS_PAST)} a {p(ADJECTIVES)} package on {p(TOPICS)} on {p(WEEKDAYS)}.",
            lambda: f"According to {p(ANALYSTS)}, {p(NOUNS)} could {p(('grow', 'shrink', 'stagnate'))} by {self.pct()} this year.",
            lambda: f"The decision follows months of debate over {p(TOPICS)} in {p(PLACES)}.",
            lambda: f"{_cap(p(PEOPLE))} told reporters in {p(PLACES)} that the government would {p(VERBS)} {p(NOUNS)} if needed.",
            lambda: f"Officials put the cost at {self.money()}, {p(('well above', 'roughly in line with', 'below'))} earlier estimates.",
            lambda: f"Critics say the {p(ADJECTIVES)} approach to {p(TOPICS)} leaves {p(('households', 'small firms', 'farmers', 'exporters', 'the regions'))} exposed.",
            lambda: f"In {p(MONTHS)}, {p(NOUNS)} in {p(PLACES)} {p(('rose', 'fell', 'held steady'))} for the {p(('second', 'third', 'fourth'))} month running.",
            lambda: f"The move was {p(VERBS_PAST)} by {p(ANALYSTS)}, who had called for {p(ADJECTIVES)} action on {p(TOPICS)}.",
            lambda: f"{p(('Still', 'However', 'Meanwhile', 'At the same time', 'Even so'))}, the outlook for {p(NOUNS)} remains {p(('volatile', 'uncertain', 'resilient', 'weak'))}.",
            lambda: f"A {self.link(p(('report', 'statement', 'study', 'briefing', 'survey')))} published last week put {p(NOUNS)} at {self.money()}.",
            lambda: f"Residents of {p(PLACES)} say the changes have been {self.emph(p(('slow', 'confusing', 'overdue', 'welcome')))}.",
            lambda: f"“We have to be realistic about {p(TOPICS)},” {p(NAMES)} said.",
            lambda: f"The {p(('first', 'second', 'final'))} phase, worth {self.money()}, is due to start in {p(MONTHS)} {self.year()}.",
            lambda: f"It's the {p(ADJECTIVES)} step yet in a programme that {p(ORGS)} began in {self.year()}.",
            lambda: f"Data from {p(ORGS)} show {p(NOUNS)} {p(('up', 'down'))} {self.pct()} year on year.",
            lambda: "{} and {} have {} a memorandum on {}.".format(*self.rng.sample(PLACES[:23], 2), p(("signed", "discussed", "shelved")), p(TOPICS)),
            lambda: f"Some {p(('deputies', 'bankers', 'engineers', 'economists', 'activists'))} warned that {p(TOPICS)} could {p(('backfire', 'stall', 'cost more than planned'))}.",
            lambda: f"The {p(('ministry', 'agency', 'company', 'regulator'))} did not respond to a request for comment.",
            lambda: f"Prices for {p(('bread', 'fuel', 'electricity', 'rent', 'meat', 'flights'))} have {p(('climbed', 'eased', 'doubled', 'stabilised'))} since the {p(('spring', 'summer', 'autumn', 'winter'))}.",
            lambda: f"For now, {p(('investors', 'consumers', 'lenders', 'officials'))} appear {self.emph(p(('unconvinced', 'cautiously optimistic', 'divided', 'relieved')))}.",
            lambda: f"{p(NAMES)} of {p(ORGS)} called the plan “{p(ADJECTIVES)} but necessary”.",
            lambda: f"As {self.link('we reported in ' + p(MONTHS))}, {p(TOPICS)} had already slipped behind schedule.",
            lambda: f"The figure compares with {self.pct()} a year earlier and {self.pct()} in {self.year()}.",
            lambda: f"{_cap(p(SECTORS))} companies in {p(PLACES)} expect {p(NOUNS)} to {p(('recover', 'slow', 'pick up'))} by {p(MONTHS)}.",
        )
        if r() < 0.08:  # the odd sentence with a number in the thousands
            return f"About {int(r() * 90) + 10},{int(r() * 900) + 100} people {p(('signed the petition', 'lost their jobs', 'applied for the programme', 'were evacuated'))}."
        return p(templates)()

    def heading(self) -> str:
        p = self.pick
        return p((
            lambda: f"What {p(NAMES)} said", lambda: f"The {p(NOUNS)} question",
            lambda: "Background", lambda: "What happens next",
            lambda: f"Reaction in {p(PLACES)}", lambda: "By the numbers",
            lambda: f"Why {p(NOUNS)} matter", lambda: "The view from the regions",
            lambda: f"{_cap(p(SECTORS))}: winners and losers", lambda: "Context",
            lambda: "Timeline", lambda: "What critics say",
        ))()

    def blockquote(self) -> str:
        p = self.pick
        quote = f"{p(QUOTES)}. {_cap(p(TOPICS))} is {p(ADJECTIVES)}, and {p(NOUNS)} will follow."
        return f"> {quote}\n>\n> — {p(NAMES)}, {p(('speaking in', 'in an interview in', 'at a forum in'))} {p(PLACES)}"

    def bullets(self) -> str:
        p, r = self.pick, self.rng.random
        items = []
        for _ in range(3 + int(r() * 4)):
            k = r()
            if k < 0.35:
                items.append(f"- {_cap(p(NOUNS))}: {self.pct()} {p(('up', 'down'))} on the year")
            elif k < 0.7:
                items.append(f"- {self.emph(_cap(p(TOPICS)))} — {p(('approved', 'pending', 'under review', 'delayed'))}")
            else:
                items.append(f"- {self.link(_cap(p(ORGS)) + ' statement')}")
        return "\n".join(items)

    def table(self) -> str:
        years = sorted(self.rng.sample(range(2015, 2026), 3))
        rows = ["| Indicator | " + " | ".join(map(str, years)) + " |",
                "|---|" + "---:|" * len(years)]
        for noun in self.rng.sample(NOUNS, 3 + int(self.rng.random() * 3)):
            rows.append(f"| {_cap(noun)} | " + " | ".join(self.pct() for _ in years) + " |")
        return "\n".join(rows)

    def body(self, source_name: str, source_url: str) -> str:
        """Paragraphs filled to a drawn word target, with structure blocks
        placed between paragraphs (never first, never straight after a
        heading), and a closing "Read more" line."""
        r = self.rng.random
        n_headings = 1 + int(r() * 3)
        blocks = [self.blockquote(), self.bullets()]
        if r() < 0.2:
            blocks.append(self.table())
        headings = [self.heading() for _ in range(n_headings)]
        closing = f"Read the full story at [{source_name}]({source_url})."
        fixed = sum(len(b.split()) for b in blocks) + sum(len(h.split()) + 1 for h in headings) + len(closing.split())
        target = MIN_WORDS + 20 + int(r() * (MAX_WORDS - MIN_WORDS - 60))

        # Sentences until the target; one that would overshoot MAX_WORDS is
        # redrawn (target <= MAX_WORDS - 40 and no sentence is that long, so
        # this ends), so the count always lands in [MIN_WORDS, MAX_WORDS].
        total = fixed
        paragraphs: list[list[str]] = [[]]
        para_len = 2 + int(r() * 5)
        while total < target:
            s = self.sentence()
            n = len(s.split())
            if total + n > MAX_WORDS:
                continue
            if len(paragraphs[-1]) >= para_len:
                paragraphs.append([])
                para_len = 2 + int(r() * 5)
            paragraphs[-1].append(s)
            total += n
        # every heading and block needs a paragraph boundary of its own
        needed = n_headings + len(blocks) + 1
        while len(paragraphs) < needed:
            i = max(range(len(paragraphs)), key=lambda k: len(paragraphs[k]))
            half = len(paragraphs[i]) // 2
            paragraphs[i : i + 1] = [paragraphs[i][:half], paragraphs[i][half:]]

        count = len(paragraphs)
        after = self.rng.sample(range(count), len(blocks))  # block after paragraph i
        before = self.rng.sample(range(1, count), n_headings)  # heading before paragraph i
        extra_after = dict(zip(after, blocks))
        heading_before = dict(zip(before, headings))
        out: list[str] = []
        for i, para in enumerate(paragraphs):
            if i in heading_before:
                out.append("## " + heading_before[i])
            out.append(" ".join(para))
            if i in extra_after:
                out.append(extra_after[i])
        out.append(closing)
        return "\n\n".join(out) + "\n"


def make_article(seed: int, index: int) -> Article:
    """Article ``index`` of the corpus for ``seed``: a pure function of both."""
    # the stream key is frozen ("/1/" is not CORPUS_VERSION): a new version
    # changes what it changed, not every article
    rng = Random(f"digest-bench/1/{seed}/{index}")
    w = _Writer(rng)
    r = rng.random
    title = w.title()
    day = FIRST_DAY + dt.timedelta(days=int(r() * SPAN_DAYS))
    minute = 5 * 60 + int(r() * (18 * 60 + 30))
    hours, minutes = w.pick(OFFSETS)
    tz = dt.timezone(dt.timedelta(hours=hours, minutes=minutes if hours >= 0 else -minutes))
    date = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)
    tags: list[str] = []
    n_tags = 2 + int(r() * 4)
    top = _TAG_CUM_WEIGHTS[-1]
    while len(tags) < n_tags:
        tag = TAGS[bisect.bisect_left(_TAG_CUM_WEIGHTS, r() * top)]
        if tag not in tags:
            tags.append(tag)
    summary = w.sentence() if r() < 0.6 else w.sentence() + " " + w.sentence()
    source_name, host = w.pick(SOURCES)
    slug = slugify(title)
    source_url = f"https://{host}/{date:%Y/%m/%d}/{slugify(title, 40)}-{int(r() * 90000) + 10000}"
    author = w.pick(AUTHORS)
    body = w.body(source_name, source_url)
    return Article(index, title, date, tuple(tags), summary, source_name, source_url, author, body, slug)


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def yaml_scalar(s: str, flow: bool = False) -> str:
    """``s`` as a YAML scalar, plain when that is safe, else quoted.

    The mix of plain, single- and double-quoted styles is what hand-written
    front matter looks like; the tests parse every value back.
    """
    plain = (
        s != ""
        and s[0].isalpha()
        and s == s.strip()
        and ": " not in s
        and " #" not in s
        and not s.endswith(":")
        and s.lower() not in _YAML_WORDS
        and not any(c in s for c in "\t\n\"`")
        and not (flow and any(c in s for c in ",[]{}"))
    )
    if plain:
        return s
    if '"' not in s and "\\" not in s and "\n" not in s and "'" in s:
        return f'"{s}"'
    return "'" + s.replace("'", "''") + "'"


def front_matter(a: Article) -> str:
    lines = ["---", f"title: {yaml_scalar(a.title)}", f"date: {a.date.isoformat()}"]
    if a.index % 5 == 4:  # some curators write tags as a flow list
        lines.append("tags: [" + ", ".join(yaml_scalar(t, flow=True) for t in a.tags) + "]")
    else:
        lines.append("tags:")
        lines += [f"  - {yaml_scalar(t)}" for t in a.tags]
    lines += [
        f"summary: {yaml_scalar(a.summary)}",
        "source:",
        f"  name: {yaml_scalar(a.source_name)}",
        f"  url: {a.source_url}",
        f"author: {yaml_scalar(a.author)}",
        "---",
    ]
    return "\n".join(lines) + "\n"


def article_text(a: Article) -> str:
    return front_matter(a) + "\n" + a.body


def article_relpath(a: Article, slug: str) -> str:
    """``content/YYYY/MM/<slug>.md`` by the article's own local date."""
    return f"content/{a.date:%Y}/{a.date:%m}/{slug}.md"


def unique_slug(base: str, taken: set[str]) -> str:
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def iter_articles(seed: int, count: int) -> Iterator[tuple[Article, str]]:
    """The first ``count`` articles with their de-duplicated file slugs.

    A digest does not publish one headline twice on one day, and an SSG that
    makes URLs from date and title would reject it; so a title already used
    on the same local day by an earlier article becomes "..., update 2".
    """
    taken: set[str] = set()
    headlines: set[tuple[dt.date, str]] = set()
    for i in range(count):
        a = make_article(seed, i)
        day = a.date.date()
        if (day, slugify(a.title, 200)) in headlines:
            n = 2
            while (day, slugify(f"{a.title}, update {n}", 200)) in headlines:
                n += 1
            title = f"{a.title}, update {n}"
            a = dataclasses.replace(a, title=title, slug=slugify(title))
        headlines.add((day, slugify(a.title, 200)))
        yield a, unique_slug(a.slug, taken)


@dataclass(frozen=True, slots=True)
class CorpusInfo:
    root: Path
    count: int
    seed: int
    words: int
    files: tuple[str, ...]


def write_corpus(outdir: Path | str, count: int, seed: int = 1) -> CorpusInfo:
    """Write a fresh corpus (its ``content/`` is replaced) and return its manifest."""
    root = Path(outdir)
    content = root / "content"
    if content.exists():
        if not (root / MANIFEST).exists():
            # never wipe a real site's content by mistake
            raise SystemExit(f"{content} exists and {root / MANIFEST} does not: not a generated corpus, left alone")
        shutil.rmtree(content)
    content.mkdir(parents=True)
    (root / "digest.yaml").write_text(SITE_CONFIG, encoding="utf-8")
    files: list[str] = []
    words = 0
    made: set[Path] = set()
    for a, slug in iter_articles(seed, count):
        rel = article_relpath(a, slug)
        path = root / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(article_text(a), encoding="utf-8", newline="\n")
        files.append(rel)
        words += a.words
    info = CorpusInfo(root, count, seed, words, tuple(files))
    manifest = {"corpus_version": CORPUS_VERSION, "count": count, "seed": seed, "words": words, "files": files}
    (root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--count", type=int, required=True, help="number of articles")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = ap.parse_args(argv)
    if args.count < 0:
        ap.error("--count must be >= 0")
    info = write_corpus(args.outdir, args.count, args.seed)
    print(f"wrote {info.count} articles ({info.words} words, seed {info.seed}) to {info.root / 'content'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
