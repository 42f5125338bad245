"""Theme suggestions: how well they find the known categories, and how fast the page is. Prints
tables, asserts nothing.

    .venv/bin/python benchmarks/suggestions_quality.py [--seeds 3] [--per-category 30]
    .venv/bin/python benchmarks/suggestions_quality.py --page [--db sqlite|postgresql] [--fresh]

Quality: for each area language, a labelled set of proposals and comments (``stengage.devtools.
theme_corpus``: eight categories, most texts in the area's language and a fifth in the others,
residents naming and @mentioning each other, links and numbers) is grouped by the former
suggester (the code as it was before this benchmark, kept below) and by the current one
(``stengage.reports.grouping``). Adjusted Rand index against the categories (texts left out of
every group count as groups of one), share of texts placed in a group, share of group labels
holding a word of a person's name (must be 0), the groups' fit verdicts, time.

``--page``: 2,000 proposals and 5,000 comments of that set (German, Vienna Simmering) in a
database of this benchmark's own (``$STENGAGE_BENCH_DIR/suggestions``, PostgreSQL
``stengage_bench_suggestions``); a moderator's suggestions page through the Flask test client.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from collections import Counter

import _common
from _common import print_table

os.environ["STENGAGE_BENCH_DIR"] = str(_common.bench_dir() / "suggestions")
os.environ["BENCH_PG_URL"] = os.environ.get(
    "BENCH_SUGGESTIONS_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/stengage_bench_suggestions")

from stengage.devtools.theme_corpus import Corpus, corpus  # this checkout's: _common put it on the path
from stengage.reports.grouping import Contribution, group_texts

LANGUAGES = ("en", "de", "fr", "es", "it", "bg")

# --- The former suggester, as it was: titles only, English stop words and a few more, k from size --

FORMER_STOP_WORDS = {
    "der", "die", "das", "und", "ist", "mit", "für", "auf", "den", "dem", "ein", "eine", "nicht", "von", "zu",
    "les", "des", "une", "pour", "dans", "sur", "est", "avec", "pas", "plus", "que", "qui",
    "los", "las", "una", "para", "con", "por", "del", "che", "per", "della", "sono", "non",
    "would", "could", "also", "like", "more", "need", "needed", "please", "think",
}
FORMER_WORDS = r"(?u)\b[^\W\d_]{3,}\b"


def former_groups(texts: list[Contribution]) -> list[tuple[list[int], str]]:
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    docs = [(i, f"{t.title} {t.title}" if t.kind == "p" else t.body) for i, t in enumerate(texts)]
    vectorizer = TfidfVectorizer(
        lowercase=True, token_pattern=FORMER_WORDS, max_df=0.6, min_df=2,
        stop_words=sorted(ENGLISH_STOP_WORDS | FORMER_STOP_WORDS), sublinear_tf=True, max_features=5000)
    matrix = vectorizer.fit_transform([d[1] for d in docs])
    n_clusters = max(2, min(8, len(docs) // 6))
    model = KMeans(n_clusters=n_clusters, n_init=10, random_state=2018)
    labels = model.fit_predict(matrix)
    terms = vectorizer.get_feature_names_out()
    out = []
    for cluster in range(n_clusters):
        members = [docs[i][0] for i, label in enumerate(labels) if label == cluster]
        if len(members) >= 2:
            top = [terms[i] for i in model.cluster_centers_[cluster].argsort()[::-1][:4]]
            out.append((members, ", ".join(top[:3]).capitalize()))
    return out


# --- Scoring ---------------------------------------------------------------------------------------


def contributions(data: Corpus) -> list[Contribution]:
    texts = [Contribution("p", i, p.title, p.body) for i, p in enumerate(data.proposals)]
    return texts + [Contribution("c", i, "", c.body, data.proposals[c.proposal].title)
                    for i, c in enumerate(data.comments)]


def score(data: Corpus, groups: list[tuple[list[int], str]]) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score

    truth = [t.category for t in data.texts]
    found = [f"alone-{i}" for i in range(len(truth))]
    for number, (members, _label) in enumerate(groups):
        for member in members:
            found[member] = f"group-{number}"
    name_words = {w for name in data.names for w in re.findall(r"[^\W\d_]+", name.lower())}
    named = sum(1 for _members, label in groups if name_words & set(re.findall(r"[^\W\d_]+", label.lower())))
    return {"ari": adjusted_rand_score(truth, found), "placed": sum(len(m) for m, _ in groups) / len(truth),
            "groups": len(groups), "named": named / len(groups) if groups else 0.0}


def quality(seeds: int, per_category: int) -> None:
    rows, totals = [], {"former": [], "current": []}
    for language in LANGUAGES:
        for seed in range(1, seeds + 1):
            data = corpus(per_category, language=language, seed=seed)
            texts = contributions(data)
            started = time.perf_counter()
            before = score(data, former_groups(texts))
            former_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            groups = group_texts(texts, people=data.names, locale=language)
            current_ms = (time.perf_counter() - started) * 1000
            after = score(data, [(list(g.members), g.label) for g in groups])
            verdicts = Counter(g.verdict for g in groups)
            totals["former"].append(before["ari"])
            totals["current"].append(after["ari"])
            rows.append([language, seed, len(texts), f"{before['ari']:.2f}", f"{before['named']:.0%}",
                         f"{former_ms:.0f} ms", f"{after['ari']:.2f}", f"{after['placed']:.0%}",
                         f"{after['named']:.0%}", after["groups"],
                         "/".join(str(verdicts[v]) for v in ("strong", "fair", "weak")), f"{current_ms:.0f} ms"])
    print_table(["area language", "seed", "texts", "former ARI", "former named", "former time", "ARI", "placed",
                 "named", "groups", "strong/fair/weak", "time"], rows)
    print(f"mean adjusted Rand index: former {statistics.mean(totals['former']):.3f}, "
          f"current {statistics.mean(totals['current']):.3f} ({len(rows)} sets)")


# --- The page --------------------------------------------------------------------------------------

PROCESS_TITLE = "Suggestions benchmark"
MODERATOR = "suggestions-bench@example.org"
AREA = "vienna-simmering"


def _fill(data: Corpus) -> None:
    """Residents (one per name), a moderator, a process with the set's texts, and a draft report."""
    from datetime import timedelta

    from sqlalchemy import select, update

    from stengage.accounts.models import Membership, MembershipRole, User
    from stengage.accounts.passwords import hash_password
    from stengage.areas import operations as process_ops
    from stengage.areas.queries import find_area
    from stengage.db import utc_now
    from stengage.devtools.bench_data import BENCH_PASSWORD
    from stengage.extensions import db
    from stengage.proposals.models import Alignment, Comment, Origin, Proposal, ProposalStatus
    from stengage.reports import operations

    area, now = find_area(AREA), utc_now()
    password = hash_password(BENCH_PASSWORD)
    people = {}
    for number, name in enumerate([*data.names, "Moderator"]):
        user = User(email=MODERATOR if name == "Moderator" else f"suggest-bench-{number}@example.org",
                    display_name=name, password_hash=password, email_confirmed_at=now)
        role = MembershipRole.MODERATOR if name == "Moderator" else MembershipRole.RESIDENT
        db.session.add_all([user, Membership(user=user, area=area, role=role)])
        people[name] = user
    db.session.flush()
    process = process_ops.create_process(people["Moderator"], area, process_ops.ProcessDraft(
        title=PROCESS_TITLE, description="Labelled texts for theme suggestions.",
        starts_on=(now - timedelta(days=30)).date(), ends_on=(now + timedelta(days=60)).date(),
        supports_per_resident=None, support_threshold=100, edit_window_hours=24, comments_need_verification=False,
        phases=(process_ops.PhaseDraft("Everything open", now - timedelta(days=30), now + timedelta(days=60),
                                       True, True, True),)))
    db.session.flush()
    answers = Counter(c.proposal for c in data.comments)
    db.session.execute(Proposal.__table__.insert(), [
        {"process_id": process.id, "area_id": area.id, "author_id": people[p.author].id, "title": p.title,
         "body": p.body, "body_html": f"<p>{p.body}</p>", "category": p.category, "origin": Origin.RESIDENT.value,
         "status": ProposalStatus.PUBLISHED.value, "language": p.language, "support_count": 0,
         "comment_count": answers[i], "created_at": now} for i, p in enumerate(data.proposals)])
    ids = list(db.session.scalars(select(Proposal.id).where(Proposal.process_id == process.id).order_by(Proposal.id)))
    db.session.execute(Comment.__table__.insert(), [
        {"proposal_id": ids[c.proposal], "author_id": people[c.author].id, "parent_id": None, "root_id": None,
         "depth": 1, "body": c.body, "body_html": f"<p>{c.body}</p>", "alignment": Alignment.NEUTRAL.value,
         "language": c.language, "upvotes": 0, "downvotes": 0, "created_at": now} for c in data.comments])
    db.session.execute(update(Comment).where(Comment.root_id.is_(None), Comment.proposal_id.in_(
        select(Proposal.id).where(Proposal.process_id == process.id))).values(root_id=Comment.id))
    operations.create_report(people["Moderator"], area, PROCESS_TITLE, process=process)
    db.session.commit()


def page(db_kind: str, fresh: bool, reps: int) -> None:
    from _inprocess import build_app, log_in
    from sqlalchemy import select

    from stengage.reports.models import Report

    if fresh:
        _common.drop_database(db_kind)
    _common.ensure_database(db_kind)
    _common._flask(db_kind, "db", "upgrade", quiet=True)
    _common._flask(db_kind, "seed-demo", quiet=True)
    app, counter = build_app(db_kind, "off", None)
    from stengage.extensions import db

    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.title == PROCESS_TITLE))
        if report is None:
            print("filling 2,000 proposals and 5,000 comments ...", flush=True)
            _fill(corpus(250, 2.5, language="de", seed=1))
            report = db.session.scalar(select(Report).where(Report.title == PROCESS_TITLE))
        url = f"/areas/{AREA}/reports/{report.slug}/suggestions"
    print(_common.vacuum(db_kind))
    client = log_in(app, MODERATOR)
    started = time.perf_counter()
    first = client.get(url)
    cold = time.perf_counter() - started
    times, queries = [], 0
    for _ in range(reps):
        counter.reset()
        started = time.perf_counter()
        answer = client.get(url)
        times.append(time.perf_counter() - started)
        queries = counter.count
    html = answer.get_data(as_text=True)
    median = statistics.median(times)
    print(_common.machine_line())
    print_table(["db", "page", "status", "first request", "median", "max", "SQL", "groups shown", "target", ""],
                [[db_kind, "suggestions (2,000 proposals, 5,000 comments)", f"{first.status_code}/{answer.status_code}",
                  f"{cold * 1000:.0f} ms", f"{median * 1000:.0f} ms", f"{max(times) * 1000:.0f} ms", queries,
                  html.count('class="panel suggestion '), "< 3000 ms", "pass" if median < 3 else "FAIL"]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3, help="labelled sets per language (seeds 1..N)")
    parser.add_argument("--per-category", type=int, default=30, help="proposals per category in each set")
    parser.add_argument("--page", action="store_true", help="time the suggestions page instead")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--fresh", action="store_true", help="--page: rebuild the database")
    parser.add_argument("--reps", type=int, default=5, help="--page: requests timed after the first")
    args = parser.parse_args()
    if args.page:
        page(args.db, args.fresh, args.reps)
    else:
        print(_common.machine_line())
        quality(args.seeds, args.per_category)


if __name__ == "__main__":
    main()
