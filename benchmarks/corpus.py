"""A deterministic corpus of ScholarFeed-like author pages, for the benchmarks.

``write_corpus(root, n_papers, seed)`` writes page files of 20 to 60 entries each
until ``n_papers`` distinct papers have been listed: half the pages in the spaced
layout with a profile header, half compact and unnamed. Some entries carry no header
line, and about one entry in twelve lists a paper that an earlier page listed already
(the catalog merges those). Titles and abstracts are drawn from a Zipf-like vocabulary
(a few words in most abstracts, a long tail of rare ones); every title holds a coined
name made from the paper's number, so titles are distinct and each paper has one rare
word that only it contains.

Nothing is held in memory: paper ``j`` is a pure function of ``(seed, j)``, so a page
that lists an earlier paper draws it again, and pages are written one at a time.
``expected_page`` gives the ``Page`` that parsing a written file must return.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from catalog.models import Entry, Page, Profile
from catalog.pages import render_profile_header

AS_OF = dt.date(2026, 11, 22)
VERSION = 2  # bump when the pages a seed gives change: written corpora are then redone
_FIRST_DATE = dt.date(2012, 1, 1)
_DAYS = (AS_OF - _FIRST_DATE).days

# -- vocabulary ------------------------------------------------------------------------

# The head of the distribution: words a computer-science abstract uses all the time,
# most common first. The tail is made of syllables (pronounceable, mostly unique).
_HEAD = """
the of and to a in we for is that on with this by our as are model models learning
from an data which can be performance results language method task training large
show based two new propose these neural approach it network such using tasks paper
networks deep also methods its than while existing information representation
problem more analysis multiple work be has both efficient different framework
state art when only into high each their however available time present real
generation via first between address evaluate benchmark systems system quality
inference agents reasoning attention transformer diffusion graph retrieval vision
reinforcement policy reward scaling sparse robust optimization gradient loss
dataset datasets image images text video speech code generalization alignment
semantic structure structured latent embedding embeddings token tokens context
fine tuning pretraining pre trained supervised unsupervised self contrastive
adaptive efficient scalable distributed parallel memory compute hardware energy
accuracy baseline baselines experiments extensive demonstrate significantly
improves outperforms achieves compared prior recent studies study empirical
theoretical bounds convergence stochastic noise uncertainty bayesian probabilistic
causal fairness privacy security adversarial attack defense detection segmentation
classification regression prediction forecasting planning control robotics
navigation manipulation simulation environment environments agent interactive
multimodal cross domain transfer few shot zero instruction prompt prompting chain
thought evaluation human feedback preference annotation labels label noisy
knowledge graph graphs node nodes edge edges molecular protein physics climate
medical clinical health legal financial education social users user recommendation
search ranking query queries documents document summarization translation dialogue
question answering mathematical math proof theorem logic symbolic program programs
software compiler testing bugs repair verification formal specification
""".split()

_SYLLABLES = ("ka ri to mo lu ne sa vi de po ra ze ta li no mu ke si fa gu be do "
              "ha ji ko la ma ni pe ro su te ve wa yo zu bra cle dri fro gle pla "
              "shi tro qua ste").split()


def _pseudo_word(i: int) -> str:
    """A lower-case word spelt from ``i`` in base len(_SYLLABLES): distinct for each i."""
    out = []
    n = i
    while True:
        n, r = divmod(n, len(_SYLLABLES))
        out.append(_SYLLABLES[r])
        if n == 0:
            break
        n -= 1
    word = "".join(out)
    return word + "n" if len(word) < 4 else word


def _coined(j: int) -> str:
    """The paper's own name, e.g. ``Zelukar``: capitalised, distinct for each paper."""
    return (_pseudo_word(j + 1000) + "ar").capitalize()


@dataclass(frozen=True)
class Vocabulary:
    words: list[str]
    cum_weights: list[float]

    @classmethod
    def build(cls, size: int = 60_000, s: float = 1.07) -> Vocabulary:
        head = list(dict.fromkeys(_HEAD))
        seen = set(head)
        tail = []
        for i in itertools.count(len(_SYLLABLES) * 3):
            w = _pseudo_word(i)
            if w not in seen:
                seen.add(w)
                tail.append(w)
            if len(head) + len(tail) >= size:
                break
        words = head + tail
        cum = list(itertools.accumulate(1.0 / (r ** s) for r in range(1, len(words) + 1)))
        return cls(words, cum)

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum_weights, k=k)

    def rank_of(self, word: str) -> int:
        return self.words.index(word)

    def expected_share(self, rank: int) -> float:
        """The share of all drawn words that are the word of this rank (0-based)."""
        prev = self.cum_weights[rank - 1] if rank else 0.0
        return (self.cum_weights[rank] - prev) / self.cum_weights[-1]


# Title words: content words of the head, then the tail; never function words.
_STOP = frozenset("the of and to a in we for is that on with this by our as are from an "
                  "which can be it its than while also such these each their however "
                  "only into when both has be more".split())

# -- people ----------------------------------------------------------------------------

_FIRST = """Aixin Bei Daya Dejian Zhihong Peiyi Qihao Xiao Deli Wei Guanting Damai
Kaiming Ross Piotr Ilya Oriol Quoc Alec Noam Ashish Jakob Llion Aidan Lukasz Illia
Yoshua Geoffrey Yann Andrew Fei Jia Li Percy Christopher Dan Jacob Kenton Ming Kristina
Tom Dario Jared Sam Greg Wojciech John Pieter Sergey Chelsea Trevor Abhinav Emma Sofia
Maria Ana Elena Laura Julia Clara Marta Alice Hannah Sarah Emily Olivia Amelia Chloe
Mohammed Ahmed Omar Yusuf Fatima Aisha Layla Zeynep Emre Mehmet Raj Priya Arjun Ananya
Rohan Vikram Deepa Sanjay Hiroshi Yuki Haruto Sakura Kenji Takeshi Min Ji Seo Hyun Jin
Wen Hao Yu Jun Lei Tao Ying Xin Yang Chen Lin Kai Rui Bo Ning Hui Jian Feng Zhen Ivan
Dmitri Olga Natalia Sergei Anna Pavel Tomas Jakub Katarzyna Magdalena Agnieszka Lars
Ingrid Sven Astrid Nils Freya Pierre Camille Louis Chloe Antoine Juliette Hugo Lucas
Mateo Diego Valentina Camila Santiago Lucia Carlos Javier Pablo Isabel Giulia Marco
Luca Francesca Matteo Chiara Kwame Amara Chidi Ngozi Tunde Zainab Thabo Lerato Kofi
José André Zoë Renée Søren Øyvind Łukasz Žiga Jürgen Björn Ümit Iñigo Dávid Ágnes""".split()

_LAST = """Liu Feng Guo Yang Shao Wang Zhu Bi Chen An Dai He Girshick Dollár Sutskever
Vinyals Le Radford Shazeer Vaswani Uszkoreit Jones Gomez Kaiser Polosukhin Bengio
Hinton LeCun Ng Li Deng Liang Manning Jurafsky Devlin Lee Chang Toutanova Brown Amodei
Kaplan Altman Brockman Zaremba Schulman Abbeel Levine Finn Darrell Gupta Smith Johnson
Williams Garcia Martinez Rodriguez Lopez Gonzalez Perez Sanchez Ramirez Torres Nguyen
Tran Pham Kim Park Choi Jung Kang Cho Yoon Tanaka Suzuki Takahashi Watanabe Ito
Yamamoto Nakamura Kobayashi Sato Kumar Sharma Singh Patel Reddy Iyer Nair Rao Mehta
Shah Khan Ali Hassan Hussein Rahman Ahmed Yilmaz Kaya Demir Sahin Celik Ivanov
Petrov Smirnov Kuznetsov Popov Novak Kowalski Nowak Wisniewski Lewandowski Muller
Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann Schulz Koch Richter
Klein Wolf Neumann Schwarz Zimmermann Braun Hofmann Hartmann Krause Werner Lehmann
Dubois Moreau Laurent Simon Michel Lefebvre Leroy Roux David Bertrand Morel Fournier
Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Rossi Russo Ferrari Esposito
Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti Costa Giordano Mancini
Okafor Adeyemi Mensah Owusu Diallo Ndlovu Dlamini Mokoena Jansen Visser Smit Bakker
Andersen Nielsen Hansen Larsen Johansson Karlsson Nilsson Eriksson Lindqvist Virtanen
Korhonen Müller Schäfer Jäger Gößling Núñez Peña Ibáñez Østergaard Håkansson Çelik
Wójcik Dvořák Horváth Nagy Szabó Tóth Kovács McDonald O'Brien MacKenzie DiCaprio""".split()

# (a lone plain word such as "Anthropic" is not a name to the parser without context)
_ORGS = ["DeepSeek-AI", "OpenAI", "Google DeepMind", "Meta AI", "Qwen Team", "Mistral AI",
         "NVIDIA", "Hugging Face", "Allen Institute"]
_AFFILIATIONS = ("stanford tsinghua mit pku berkeley cmu oxford cambridge eth-zurich "
                 "epfl microsoft-research google-research meta-ai deepmind nvidia "
                 "alibaba bytedance tencent baidu kaist snu utokyo iisc mila "
                 "uw-madison toronto ucl inria mpi-is tum").split()
_TOPICS = ("CL CV LG AI IR RO CR SE DC NE CY DL HC SD MA DB DS GT LO NI PL SY "
           "CE SI MM").split()
_TOPIC_WEIGHTS = [30, 25, 30, 15, 6, 6, 4, 4, 4, 3, 3, 2, 3, 2, 2, 2, 2, 1, 1, 2, 1, 2,
                  1, 2, 1]
_INITIALS = "ABCDEGHJKLMNPRSTVWXYZ"
_N_PEOPLE = len(_FIRST) * len(_LAST)


def person_name(i: int) -> str:
    """Person ``i`` (0 <= i < 4 * _N_PEOPLE): a first name, sometimes a middle initial
    or only initials, and a surname."""
    variant, base = divmod(i, _N_PEOPLE)
    first, last = _FIRST[base % len(_FIRST)], _LAST[base // len(_FIRST)]
    if variant == 1:
        return f"{first} {_INITIALS[base % len(_INITIALS)]}. {last}"
    if variant == 2:
        a, b = _INITIALS[base % len(_INITIALS)], _INITIALS[(base // 7) % len(_INITIALS)]
        return f"{a}. {b}. {last}"
    if variant == 3:
        return f"{first[0]}. {last}"
    return f"{first} {last}"


def _author_index(rng: random.Random) -> int:
    """A few prolific people, a long tail: a fifth of the author slots go to 3,000
    people, skewed so that the first of them is on about one paper in 400."""
    u = rng.random()
    if u < 0.2:
        return int(3000 * rng.random() ** 1.5)
    if u < 0.85:
        return rng.randrange(_N_PEOPLE)
    return rng.randrange(4 * _N_PEOPLE)


# -- papers ----------------------------------------------------------------------------

@dataclass(frozen=True)
class PaperSpec:
    """A paper's full record, and how the page shows its header line."""

    title: str
    authors: tuple[str, ...]
    truncated: bool
    affiliations: tuple[str, ...]
    topics: tuple[str, ...]
    date: dt.date
    yearless: bool
    has_code: bool
    score: float | None
    abstract: str


class Corpus:
    """The corpus of a seed: ``paper(j)`` and ``pages()`` are deterministic."""

    def __init__(self, n_papers: int, seed: int = 42) -> None:
        self.n = n_papers
        self.seed = seed
        self.vocab = Vocabulary.build()
        words = self.vocab.words
        self._title_words = [w for w in words if w not in _STOP]
        self._title_cum = list(itertools.accumulate(
            1.0 / (r ** 0.9) for r in range(1, len(self._title_words) + 1)))

    def _rng(self, kind: int, i: int) -> random.Random:
        # an explicit integer seed: the same papers on every machine and Python
        return random.Random((self.seed << 40) | (kind << 36) | i)

    def paper(self, j: int) -> PaperSpec:
        rng = self._rng(1, j)
        k = rng.randint(4, 12)
        tw = rng.choices(self._title_words, cum_weights=self._title_cum, k=k)
        coined = _coined(j)
        pos = rng.randrange(3)
        if pos == 0:
            title = f"{coined}: " + " ".join(w.capitalize() if rng.random() < 0.7 else w
                                             for w in tw)
        elif pos == 1:
            title = " ".join(w.capitalize() for w in tw[:k // 2]) + f" with {coined} " + \
                " ".join(w.capitalize() for w in tw[k // 2:])
        else:
            mid = rng.choice(["for", "via", "in", "of", "and"])
            title = f"{coined} {mid} " + " ".join(w.capitalize() for w in tw)
        # the title's last word is a plain word: the glued layout splits after it
        n_auth = rng.choices((1, 2, 3), (1, 2, 7))[0]
        authors: list[str] = []
        if rng.random() < 0.04:
            authors.append(rng.choice(_ORGS))
        while len(authors) < n_auth:
            name = person_name(_author_index(rng))
            if name not in authors:
                authors.append(name)
        truncated = n_auth == 3 and rng.random() < 0.7
        affs = tuple(rng.sample(_AFFILIATIONS, rng.randint(1, 3))) if rng.random() < 0.4 else ()
        topics = (rng.choices(_TOPICS, _TOPIC_WEIGHTS)[0],)
        if rng.random() < 0.05:
            other = rng.choices(_TOPICS, _TOPIC_WEIGHTS)[0]
            if other != topics[0]:
                topics += (other,)
        # recent papers are more common
        date = AS_OF - dt.timedelta(days=int(_DAYS * (rng.random() ** 1.8)))
        yearless = (AS_OF - date).days < 330 and rng.random() < 0.5
        has_code = rng.random() < 0.35
        score = round(rng.uniform(5, 99), 1) if rng.random() < 0.3 else None
        return PaperSpec(title, tuple(authors), truncated, affs, topics, date, yearless,
                         has_code, score, self._abstract(rng))

    def _abstract(self, rng: random.Random) -> str:
        n_words = int(rng.triangular(60, 260, 140))
        words = self.vocab.sample(rng, n_words)
        out: list[str] = []
        start = True
        for i, word in enumerate(words):
            w = word.capitalize() if start else word
            start = False
            out.append(w)
            if i == len(words) - 1:
                break
            r = rng.random()
            if r < 0.06 and i > 3:
                out[-1] += "."
                start = True
            elif r < 0.10:
                out[-1] += ","
        return " ".join(out) + "."

    # -- pages -----------------------------------------------------------------------
    def pages(self) -> Iterator[PageSpec]:
        """Pages in order until ``n`` distinct papers are listed."""
        next_new = 0
        for k in itertools.count():
            if next_new >= self.n:
                return
            rng = self._rng(2, k)
            size = rng.randint(20, 60)
            items: list[tuple[int, bool]] = []  # (paper, shows its header line)
            listed: set[int] = set()
            for _ in range(size):
                if next_new > 200 and rng.random() < 0.08:
                    j = rng.randrange(next_new - 1)  # listed again: an earlier paper
                    if j in listed:
                        continue
                elif next_new < self.n:
                    j = next_new
                    next_new += 1
                else:
                    break
                listed.add(j)
                items.append((j, rng.random() > 0.1))
            spaced = k % 2 == 0
            yield PageSpec(k, spaced, items, self._profile(k, rng) if spaced else None,
                           f"{k:07d}_{rng.getrandbits(48):012x}")

    def _profile(self, k: int, rng: random.Random) -> Profile:
        # distinct people for distinct pages: a stride coprime with the name space
        name = person_name((k * 7919 + 13) % _N_PEOPLE) if rng.random() < 0.92 else None
        def maybe(v):  # any line of the header may be missing
            return v if rng.random() < 0.85 else None
        return Profile(
            name=name, topic=maybe(rng.choices(_TOPICS, _TOPIC_WEIGHTS)[0]),
            h_index=maybe(rng.randint(1, 120)), papers=rng.randint(20, 400),
            citations=maybe(rng.randint(10, 250_000)), novelty=maybe(rng.randint(10, 95)),
            ai_score=maybe(rng.randint(10, 95)))

    def entry(self, spec: PaperSpec, header: bool) -> Entry:
        return Entry(
            title=spec.title, authors=spec.authors, abstract=spec.abstract,
            authors_truncated=spec.truncated, affiliations=spec.affiliations,
            topic=spec.topics[0] if header else None, topics=spec.topics if header else (),
            date=spec.date if header else None, has_code=spec.has_code and header,
            score=spec.score if header else None)


@dataclass
class PageSpec:
    number: int
    spaced: bool
    items: list[tuple[int, bool]]
    profile: Profile | None
    stem: str

    @property
    def relpath(self) -> str:
        return f"{self.number // 1000:04d}/{self.stem}.txt"


def _header_line(spec: PaperSpec) -> str:
    parts = [f"{spec.score:.1f}" if spec.score is not None else "", "".join(spec.topics)]
    d = spec.date
    mon = d.strftime("%b")
    parts.append(f"{mon} {d.day}" if spec.yearless else f"{mon} {d.day}, {d.year}")
    if spec.has_code:
        parts.append("Code")
    return "".join(parts)


def _author_line(spec: PaperSpec) -> str:
    text = ", ".join(spec.authors) + (" et al." if spec.truncated else "")
    return text + (" · " + ", ".join(spec.affiliations) if spec.affiliations else "")


def render(corpus: Corpus, page: PageSpec) -> str:
    """The page's text, the way the site shows it."""
    lines: list[str] = []
    p = page.profile
    if p is not None:
        lines += render_profile_header(p)
        lines.append(f"{p.papers} Papers")  # the heading above the site's list
    for j, header in page.items:
        spec = corpus.paper(j)
        if header:
            lines.append(_header_line(spec))
        if page.spaced:
            lines += [spec.title, _author_line(spec)]
        else:
            lines.append(spec.title + _author_line(spec))
        lines.append(spec.abstract)
    return ("\n\n" if page.spaced else "\n").join(lines) + "\n"


def expected_page(corpus: Corpus, page: PageSpec) -> Page:
    """What ``parse_page`` must return for the page's file."""
    entries = tuple(corpus.entry(corpus.paper(j), header) for j, header in page.items)
    return Page(page.profile or Profile(), entries)


@dataclass
class CorpusStats:
    pages: int = 0
    entries: int = 0
    papers: int = 0
    bytes: int = 0


def write_corpus(root: Path, n_papers: int, seed: int = 42) -> CorpusStats:
    """Write the pages below ``root`` (in folders of 1,000), one at a time."""
    corpus = Corpus(n_papers, seed)
    stats = CorpusStats(papers=n_papers)
    made: set[str] = set()
    for page in corpus.pages():
        folder = page.relpath.split("/")[0]
        if folder not in made:
            (root / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        data = render(corpus, page).encode("utf-8")
        (root / page.relpath).write_bytes(data)
        stats.pages += 1
        stats.entries += len(page.items)
        stats.bytes += len(data)
    return stats


def paper_rows(corpus: Corpus, start: int = 0, stop: int | None = None
               ) -> Iterator[tuple]:
    """The distinct papers as table rows (for the floor): title, authors,
    authors_truncated, affiliations, topic, date, year, has_code, score, abstract."""
    for j in range(start, corpus.n if stop is None else stop):
        s = corpus.paper(j)
        yield (s.title, ", ".join(s.authors), int(s.truncated), ", ".join(s.affiliations),
               s.topics[0], s.date.isoformat(), s.date.year, int(s.has_code), s.score,
               s.abstract)
