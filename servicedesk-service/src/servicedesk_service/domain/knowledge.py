"""Knowledge search without a database: words to terms, an article to its index rows, filters, BM25 ranking.

Why in Python: servicedesk runs on SQLite locally and on PostgreSQL in tests and compose, and the
two databases' own full-text searches (tsvector, FTS5) have no counterpart in each other. So the
analysis is done here, the same for both, the index is a plain table of (article, term, field,
frequency) rows, and the ranking is computed from the rows of the query's terms: one code path and
one behaviour, whichever database holds the rows.

Analysis: text is folded (lower case, accents off: "Configuración" and "configuracion" are one
word), Spanish and English stop words are dropped, and each word becomes its Spanish and its
English Snowball stems. Articles come in either language and a query does not say which, so a
query word matches an article's word when any of their stems agree ("impresoras" and "impresora"
share the Spanish stem, "jams" and "jam" the English one).

Ranking: BM25 over the fields weighted (BM25F): a word in the title counts more than in the tags
(tags and model names), and those more than the body.
"""
from __future__ import annotations

import math
import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import snowballstemmer

from servicedesk_service.domain.stopwords import STOP_WORDS

TITLE = "title"
TAGS = "tags"
BODY = "body"
FIELDS = (TITLE, TAGS, BODY)
FIELD_WEIGHTS = {TITLE: 3.0, TAGS: 2.0, BODY: 1.0}
# The usual BM25 constants: how fast repeating a word stops adding to the score, and how much a
# long field is held against its matches.
K1 = 1.2
B = 0.75
# The index column's width; a longer "word" is a pasted hash or URL, nothing to search for.
MAX_TERM_LENGTH = 64

# Runs of letters or digits, joined by hyphens: "Wi-Fi", "e-mail", "E000", "C5840i".
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def fold(text: str) -> str:
    """Lower case without accents: the form every word is compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    """The words of `text` that can be searched for, folded, in order; stop words left out.

    A hyphenated word counts as its parts and as the parts joined, so "wifi" finds "Wi-Fi" and
    "mail" finds "e-mail".
    """
    found: list[str] = []
    for match in _WORD.findall(fold(text)):
        parts = match.split("-")
        candidates = parts + ["".join(parts)] if len(parts) > 1 else parts
        found.extend(word for word in candidates if word not in STOP_WORDS and len(word) <= MAX_TERM_LENGTH)
    return found


def labels(values: list[str]) -> list[str]:
    """Tags or models trimmed, each once (compared folded), in the order given."""
    kept: list[str] = []
    seen: set[str] = set()
    for value in values:
        value = " ".join(value.split())
        key = fold(value)
        if value and key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def applies_to(article_models: list[str], model: str) -> bool:
    """An article names models or model series: it applies to a model it names exactly, or to one
    of a series it names ("imageRUNNER ADVANCE DX" covers "imageRUNNER ADVANCE DX C5840i")."""
    wanted = fold(" ".join(model.split()))
    for named in article_models:
        named = fold(named)
        if wanted == named or wanted.startswith(named + " "):
            return True
    return False


class Analyzer:
    """Words to their terms. Snowball stemmers keep state while stemming, so each analysis builds
    its own pair instead of sharing one between request threads."""

    def __init__(self) -> None:
        self._stemmers = (snowballstemmer.stemmer("spanish"), snowballstemmer.stemmer("english"))
        self._seen: dict[str, frozenset[str]] = {}

    def terms(self, word: str) -> frozenset[str]:
        """The word's Spanish and English stems (one term when they agree)."""
        terms = self._seen.get(word)
        if terms is None:
            terms = frozenset(stemmer.stemWord(word)[:MAX_TERM_LENGTH] for stemmer in self._stemmers)
            self._seen[word] = terms
        return terms


@dataclass(frozen=True)
class IndexedArticle:
    """What an article puts into the index: occurrences by (term, field), and words by field."""

    frequencies: dict[tuple[str, str], int]
    lengths: dict[str, int]


def index_article(title: str, tags: Iterable[str], models: Iterable[str], body_text: str) -> IndexedArticle:
    """`body_text` is the body as plain text (no Markdown syntax): link targets are not words."""
    analyzer = Analyzer()
    texts = {TITLE: title, TAGS: " ".join([*tags, *models]), BODY: body_text}
    frequencies: dict[tuple[str, str], int] = defaultdict(int)
    lengths: dict[str, int] = {}
    for field, text in texts.items():
        field_words = words(text)
        lengths[field] = len(field_words)
        for word in field_words:
            for term in analyzer.terms(word):
                frequencies[(term, field)] += 1
    return IndexedArticle(dict(frequencies), lengths)


def query_terms(query: str) -> list[frozenset[str]]:
    """One set of terms per distinct word of the query, in order; any term of a set matches that word."""
    analyzer = Analyzer()
    result: list[frozenset[str]] = []
    for word in words(query):
        terms = analyzer.terms(word)
        if terms not in result:
            result.append(terms)
    return result


@dataclass(frozen=True)
class Posting:
    """One row of the index: `frequency` occurrences of `term` in `field` of an article."""

    article_id: uuid.UUID
    term: str
    field: str
    frequency: int


@dataclass(frozen=True)
class Corpus:
    """The whole index in two figures BM25 needs: how many articles, and their fields' average lengths."""

    articles: int
    average_lengths: Mapping[str, float]


def score(
    query: list[frozenset[str]],
    postings: Iterable[Posting],
    lengths: Mapping[uuid.UUID, Mapping[str, int]],
    corpus: Corpus,
) -> dict[uuid.UUID, float]:
    """BM25F score of every article any posting names; `postings` are those of the query's terms.

    Per query word, an article's occurrences in a field are those of the word's best-matching term
    there (a word whose two stems both match is not counted twice).
    """
    occurrences: dict[uuid.UUID, dict[tuple[str, str], int]] = defaultdict(dict)
    for posting in postings:
        occurrences[posting.article_id][(posting.term, posting.field)] = posting.frequency
    # The index and the article count are read one after the other; never let an article count
    # below the articles actually matched turn the idf negative.
    articles = max(corpus.articles, len(occurrences))
    scores: dict[uuid.UUID, float] = defaultdict(float)
    for terms in query:
        weighted_by_article: dict[uuid.UUID, float] = {}
        for article_id, found in occurrences.items():
            weighted = 0.0
            for field in FIELDS:
                frequency = max((found.get((term, field), 0) for term in terms), default=0)
                if frequency:
                    weighted += FIELD_WEIGHTS[field] * frequency / _length_norm(
                        lengths.get(article_id, {}).get(field, 0), corpus.average_lengths.get(field, 0.0))
            if weighted:
                weighted_by_article[article_id] = weighted
        matched = len(weighted_by_article)
        idf = math.log(1 + (articles - matched + 0.5) / (matched + 0.5))
        for article_id, weighted in weighted_by_article.items():
            scores[article_id] += idf * weighted * (K1 + 1) / (K1 + weighted)
    return dict(scores)


def _length_norm(length: int, average: float) -> float:
    if average <= 0:
        return 1.0
    return 1 - B + B * length / average
