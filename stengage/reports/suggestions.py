"""Theme suggestions from the words of proposals and comments: TF-IDF and k-means, computed here.

No external service; the same data always gives the same suggestions (fixed seeds, sorted input).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from stengage.core.audit import AuditEntry
from stengage.extensions import db
from stengage.reports.content import unassigned
from stengage.reports.models import Report

# Words that carry no theme in the project's languages (scikit-learn's English list plus these).
EXTRA_STOP_WORDS = {
    "der", "die", "das", "und", "ist", "mit", "für", "auf", "den", "dem", "ein", "eine", "nicht", "von", "zu",
    "les", "des", "une", "pour", "dans", "sur", "est", "avec", "pas", "plus", "que", "qui",
    "los", "las", "una", "para", "con", "por", "del", "che", "per", "della", "sono", "non",
    "would", "could", "also", "like", "more", "need", "needed", "please", "think",
}
MAX_TEXTS = 20_000
WORD_PATTERN = r"(?u)\b[^\W\d_]{3,}\b"  # words of three letters or more, in any script


@dataclass(frozen=True)
class Suggestion:
    key: str
    title: str
    terms: tuple[str, ...]
    proposal_ids: tuple[int, ...]
    comment_ids: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.proposal_ids) + len(self.comment_ids)


def _key(proposals: list[int], comments: list[int]) -> str:
    raw = ",".join(map(str, proposals)) + "|" + ",".join(map(str, comments))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def decided_keys(report: Report) -> set[str]:
    """Suggestions a moderator accepted or rejected already: they are not offered again."""
    rows = db.session.scalars(select(AuditEntry.after).where(
        AuditEntry.target_type == "report", AuditEntry.target_id == report.id,
        AuditEntry.verb.in_(["suggestion.accept", "suggestion.reject"])))
    return {row["key"] for row in rows if row and "key" in row}


def suggest(report: Report, max_themes: int = 8) -> list[Suggestion]:
    """Group the contributions no theme holds yet into suggested themes."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    proposals, comments = unassigned(report)
    docs = [("p", p.id, f"{p.title} {p.title}") for p in proposals]  # titles weigh double
    docs += [("c", c.id, c.body) for c in comments]
    docs = sorted(docs, key=lambda d: (d[0], d[1]))[:MAX_TEXTS]
    if len(docs) < 4:
        return []
    vectorizer = TfidfVectorizer(
        lowercase=True, strip_accents=None, token_pattern=WORD_PATTERN, max_df=0.6, min_df=2,
        stop_words=sorted(ENGLISH_STOP_WORDS | EXTRA_STOP_WORDS), sublinear_tf=True, max_features=5000)
    try:
        matrix = vectorizer.fit_transform([d[2] for d in docs])
    except ValueError:  # no word survived: too little text
        return []
    n_clusters = max(2, min(max_themes, len(docs) // 6))
    model = KMeans(n_clusters=n_clusters, n_init=10, random_state=2018)
    labels = model.fit_predict(matrix)
    terms = vectorizer.get_feature_names_out()
    decided = decided_keys(report)
    suggestions = []
    for cluster in range(n_clusters):
        members = [docs[i] for i, label in enumerate(labels) if label == cluster]
        if len(members) < 2:
            continue
        top = tuple(terms[i] for i in model.cluster_centers_[cluster].argsort()[::-1][:4])
        proposal_ids = sorted(d[1] for d in members if d[0] == "p")
        comment_ids = sorted(d[1] for d in members if d[0] == "c")
        key = _key(proposal_ids, comment_ids)
        if key in decided:
            continue
        title = ", ".join(top[:3]).capitalize()
        suggestions.append(Suggestion(key, title, top, tuple(proposal_ids), tuple(comment_ids)))
    return sorted(suggestions, key=lambda s: (-s.size, s.key))
