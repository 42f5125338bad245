"""Grouping short texts by their words: the engine behind theme suggestions (``suggestions.py``).

The texts are cleaned of what names no theme: grammar words of the project's languages, the names
of the people who wrote them, @mentions, links and numbers. Proposals count their title twice; a
comment is read together with the title of the proposal it answers. TF-IDF, then a latent semantic
space (truncated SVD) where k-means runs for a few k; the k whose groups are best separated
(silhouette) wins. Each group says which words characterise it and how closely its members fit.

Pure computation, no database: same texts, same groups (fixed seeds, one thread). Timed by
``benchmarks/suggestions_quality.py``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from stengage.reports.stopwords import stop_words

# Links, e-mail addresses and @mentions.
NOISE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|(?<![\w@])@[\w.\-]+", re.IGNORECASE)
WORD = re.compile(r"(?<!\w)[^\W\d_]{3,}(?!\w)")  # three letters or more, in any script; no digits
TITLE_WEIGHT = 2
LATENT_DIMENSIONS = 30
SEED = 2018
RESTARTS = 3  # k-means runs per k, from different seeds; the tightest is kept
SILHOUETTE_SAMPLE = 1500
MIN_DOCUMENTS = 4
PER_GROUP = 10  # at most one group for every ten texts
SPELLINGS_SEEN = 12  # sightings inside sentences that settle how a word is written
SENTENCE_END = ".!?:;¡¿\"«»“”()\u2013\u2014"
# Cohesion (mean cosine similarity of the members' words to their group's centre, 0-1) read as a verdict.
STRONG, FAIR = 0.5, 0.35


@dataclass(frozen=True)
class Contribution:
    kind: str  # "p" (proposal) or "c" (comment)
    id: int
    title: str
    body: str
    context: str = ""  # a comment's proposal title: what the comment answers


@dataclass(frozen=True)
class Group:
    members: tuple[int, ...]  # indexes into the contributions, in their order
    fits: tuple[float, ...]  # how much of each member's words the group shares (cosine to its centre, 0-1)
    terms: tuple[str, ...]  # the most characteristic words first, as residents spell them
    cohesion: float
    verdict: str  # "strong", "fair" or "weak"

    @property
    def label(self) -> str:
        words = ", ".join(self.terms[:3])
        return words[:1].upper() + words[1:]


def verdict(cohesion: float) -> str:
    return "strong" if cohesion >= STRONG else "fair" if cohesion >= FAIR else "weak"


class Cleaner:
    """Texts to words: no stop words, no names of ``people``, no mentions, links or numbers."""

    def __init__(self, locale: str, people: Iterable[str]) -> None:
        names = {w for person in people for w in WORD.findall(person.lower())}
        self.drop = stop_words(locale) | names | {w + "s" for w in names}  # "Annas Idee", "Ben's"
        self._seen: dict[str, list[str]] = {}  # a proposal's title is the context of all its comments

    def words(self, text: str) -> list[str]:
        if "@" in text or "://" in text or "www." in text:
            text = NOISE.sub(" ", text)
        return [word for word in WORD.findall(text.lower()) if word not in self.drop]

    def context(self, text: str) -> list[str]:
        if text not in self._seen:
            self._seen[text] = self.words(text)
        return self._seen[text]


def _documents(contributions: Sequence[Contribution], cleaner: Cleaner) -> list[list[str]]:
    return [cleaner.words(c.title) * TITLE_WEIGHT + cleaner.words(c.body) + cleaner.context(c.context)
            for c in contributions]


def spellings(texts: Iterable[str], words: set[str]) -> dict[str, str]:
    """How residents write each of ``words`` inside a sentence (``LED``, ``Radwege``, ``bike``); a
    sentence's first word says nothing of its case. Words never seen inside a sentence stay lower-case."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    wanted = set(words)
    for text in texts:
        for match in WORD.finditer(text):
            word = match.group().lower()
            if word not in wanted:
                continue
            before = match.start() - 1
            while before >= 0 and text[before].isspace():
                before -= 1
            if before >= 0 and text[before] not in SENTENCE_END:
                seen[word][match.group()] += 1
                if seen[word].total() >= SPELLINGS_SEEN:
                    wanted.discard(word)
        if not wanted:
            break
    return {word: seen[word].most_common(1)[0][0] if seen.get(word) else word for word in words}


class _Silhouette:
    """Mean silhouette with cosine distance (``points`` are unit rows), on one fixed sample for every k."""

    def __init__(self, points: Any) -> None:
        import numpy as np

        n = points.shape[0]
        self.rows = np.random.RandomState(SEED).choice(n, SILHOUETTE_SAMPLE, replace=False) \
            if n > SILHOUETTE_SAMPLE else np.arange(n)
        sample = points[self.rows]
        self.distance = np.clip(1.0 - sample @ sample.T, 0.0, 2.0)

    def __call__(self, labels: Any, k: int) -> float:
        import numpy as np

        labels = labels[self.rows]
        onehot = np.zeros((len(labels), k))
        onehot[np.arange(len(labels)), labels] = 1.0
        sizes = onehot.sum(axis=0)
        if np.count_nonzero(sizes) < 2:
            return -1.0
        totals = self.distance @ onehot  # summed distance of each point to each group
        own = sizes[labels]
        a = totals[np.arange(len(labels)), labels] / np.maximum(own - 1, 1)
        other = np.where(onehot > 0, np.inf, totals / np.maximum(sizes, 1))
        other[:, sizes == 0] = np.inf
        b = other.min(axis=1)
        scores = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
        return float(scores.mean())


def _characteristic(centre: Any, terms: Any, count: int) -> list[str]:
    """The heaviest words of a group's centre, skipping forms of a word already chosen."""
    chosen: list[str] = []
    for index in centre.argsort()[::-1]:
        if centre[index] <= 0 or len(chosen) == count:
            break
        word = str(terms[index])
        if not any(word[:5] == other[:5] for other in chosen):  # "panel", "panels"; "solar", "solare"
            chosen.append(word)
    return chosen


def group_texts(contributions: Sequence[Contribution], *, people: Iterable[str] = (), locale: str = "en",
                max_groups: int = 12, term_count: int = 6, offered: Collection[int] | None = None) -> list[Group]:
    """Groups of at least two contributions, largest first; texts without a telling word stay out.

    The groups are found among all ``contributions``; only those ``offered`` (indexes; all when None)
    are members, and words and fit describe those members. So a group stays the same while the
    others are taken away one by one (accepted as themes), as long as the texts stay the same.
    """
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize
    from threadpoolctl import threadpool_limits

    cleaner = Cleaner(locale, people)
    documents = _documents(contributions, cleaner)
    if sum(1 for d in documents if d) < MIN_DOCUMENTS:
        return []
    vectorizer = TfidfVectorizer(analyzer=lambda words: words, min_df=2, max_df=0.5, sublinear_tf=True,
                                 max_features=20_000)
    try:
        weights = vectorizer.fit_transform(documents)
    except ValueError:  # no word in two texts
        return []
    placed = np.flatnonzero(weights.getnnz(axis=1) > 0)
    n_terms = weights.shape[1]
    if len(placed) < MIN_DOCUMENTS or n_terms < 2:
        return []
    weights = weights[placed]
    # One thread: on a shared machine, a team of spinning threads costs ten times more than it gives.
    with threadpool_limits(1):
        if n_terms > LATENT_DIMENSIONS:
            space = TruncatedSVD(LATENT_DIMENSIONS, random_state=SEED).fit_transform(weights)
            space = normalize(space)
        else:
            space = weights.toarray()
        silhouette = _Silhouette(space)
        distinct = len(np.unique(space.round(6), axis=0))  # k-means finds no more groups than points
        if distinct < 2:
            return []
        best: tuple[float, Any] | None = None
        for k in range(2, max(2, min(max_groups, len(placed) // PER_GROUP, distinct)) + 1):
            model = KMeans(n_clusters=k, n_init=RESTARTS, random_state=SEED).fit(space)
            score = silhouette(model.labels_, k)
            if best is None or score > best[0] + 1e-9:
                best = (score, model)
    assert best is not None
    labels = best[1].labels_
    terms = vectorizer.get_feature_names_out()
    if offered is not None:
        labels = np.where(np.isin(placed, np.fromiter(offered, dtype=int)), labels, -1)
    found = []
    for cluster in range(int(labels.max()) + 1):
        rows = np.flatnonzero(labels == cluster)
        if len(rows) < 2:
            continue
        # Judged on the words themselves, not the latent space: a group that shares only a language's
        # everyday words looks tight there and loose here.
        centre = np.asarray(weights[rows].mean(axis=0)).ravel()
        fits = np.clip(weights[rows] @ (centre / (np.linalg.norm(centre) or 1.0)), 0.0, 1.0)
        found.append((rows, fits, _characteristic(centre, terms, term_count)))
    written = spellings((text for i in placed for text in (contributions[i].title, contributions[i].body)),
                        {word for _rows, _fits, words in found for word in words})
    groups = []
    for rows, fits, words in found:
        cohesion = round(float(fits.mean()), 2)
        groups.append(Group(members=tuple(int(placed[r]) for r in rows), fits=tuple(round(float(f), 2) for f in fits),
                            terms=tuple(written[w] for w in words), cohesion=cohesion, verdict=verdict(cohesion)))
    return sorted(groups, key=lambda g: (-len(g.members), g.members))
