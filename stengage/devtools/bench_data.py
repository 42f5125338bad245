"""Realistic bulk data for benchmarks: ``flask seed-bench --proposals N --supports M --comments K``.

Fills one process of an area by bulk inserts (no ORM objects per row): skewed support counts,
threaded comments, several languages, places inside the area. Counters are written already right,
so ``flask recount`` finds nothing to repair.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, text

from stengage.accounts.models import AssuranceLevel, Membership, MembershipRole, User, VerificationMethod
from stengage.accounts.passwords import hash_password
from stengage.areas import operations as process_ops
from stengage.areas.models import Process
from stengage.areas.queries import find_area
from stengage.db import on_postgresql, utc_now
from stengage.extensions import db
from stengage.proposals.models import Alignment, Category, Comment, Origin, Proposal, ProposalStatus, Support

CHUNK = 5_000
BENCH_PASSWORD = "bench-resident-password"  # noqa: S105 - throw-away benchmark accounts

SENTENCES = {
    "en": ["More trees along the main street would cool the summer.", "A safe bike lane to the school is needed.",
           "Solar panels on the community centre roof.", "Better lighting in the underpass at night.",
           "Insulate the old housing blocks before next winter.", "A car-sharing station near the tram stop."],
    "de": ["Mehr Bäume entlang der Hauptstraße würden im Sommer kühlen.", "Ein sicherer Radweg zur Schule fehlt.",
           "Solarmodule auf dem Dach des Gemeindezentrums.", "Bessere Beleuchtung in der Unterführung."],
    "fr": ["Plus d'arbres le long de la rue principale rafraîchiraient l'été.",
           "Une piste cyclable sûre jusqu'à l'école.", "Des panneaux solaires sur le toit du centre social."],
    "es": ["Más árboles en la calle principal refrescarían el verano.", "Un carril bici seguro hasta la escuela."],
    "it": ["Più alberi lungo la strada principale rinfrescherebbero l'estate.", "Una pista ciclabile sicura."],
    "bg": ["Повече дървета по главната улица ще охладят лятото.", "Безопасна велоалея до училището."],
}
TITLES = ["Trees for", "Bike lane on", "Solar roof at", "Lighting for", "Insulation of", "Car sharing at",
          "Benches on", "Heat pumps in", "Charging points at", "Playground by", "Green roof on", "Data on"]
PLACES = ["Main Street", "the school", "the market", "Block 7", "the station", "the park", "Riverside",
          "the library", "Church Square", "the tram depot"]


@dataclass(frozen=True)
class _Actor:
    id: int | None


@dataclass(frozen=True)
class BenchResult:
    process: Process
    users: int
    proposals: int
    supports: int
    comments: int


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def _next_id(model: type) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _insert(model: type, rows: list[dict[str, Any]], progress: Callable[[int], None]) -> None:
    for chunk in _chunks(rows):
        db.session.execute(model.__table__.insert(), chunk)
        progress(len(chunk))


def seed_bench(area_slug: str, proposals: int, supports: int, comments: int, *, seed: int = 2018,
               progress: Callable[[str, int, int], None] | None = None) -> BenchResult:
    """``progress(stage, done_in_chunk, stage_total)`` is called after every chunk."""
    rng = random.Random(seed)
    report = progress or (lambda *_: None)
    area = find_area(area_slug)
    if area is None:
        raise ValueError(f"no area {area_slug!r}; run seed-demo first")
    now = utc_now()
    admin_id = db.session.scalar(select(User.id).where(User.is_admin.is_(True)).limit(1))
    process = process_ops.create_process(
        _Actor(admin_id), area, process_ops.ProcessDraft(
            title=f"Benchmark process {now:%Y-%m-%d %H:%M:%S}", description="Bulk data for benchmarks.",
            starts_on=(now - timedelta(days=30)).date(), ends_on=(now + timedelta(days=60)).date(),
            supports_per_resident=None, support_threshold=100, edit_window_hours=24,
            comments_need_verification=False,
            phases=(process_ops.PhaseDraft("Everything open", now - timedelta(days=30), now + timedelta(days=60),
                                           True, True, True),)))
    db.session.flush()

    # Residents: enough that the most supported proposal can reach its skewed count.
    user_count = max(200, min(200_000, supports // 10 + 1))
    first_user = _next_id(User)
    password = hash_password(BENCH_PASSWORD)
    tag = f"{process.id}-{rng.randrange(10**6)}"
    users = [{"id": first_user + i, "email": f"bench{tag}-{i}@example.org", "display_name": f"Resident {i}",
              "password_hash": password, "email_confirmed_at": now, "is_admin": False, "session_version": 1,
              "created_at": now, "notify_by_email": "never", "locale": rng.choice(list(SENTENCES))}
             for i in range(user_count)]
    _insert(User, users, lambda n: report("residents", n, user_count))
    first_member = _next_id(Membership)
    _insert(Membership, [{"id": first_member + i, "user_id": u["id"], "area_id": area.id,
                          "role": MembershipRole.RESIDENT.value, "created_at": now,
                          "verification_method": VerificationMethod.POSTCODE.value,
                          "assurance_level": AssuranceLevel.LOW.value, "verified_at": now}
                         for i, u in enumerate(users)], lambda n: report("memberships", n, user_count))

    # Supports: a skewed popularity (a few proposals gather most), one per (proposal, resident).
    pairs: set[tuple[int, int]] = set()
    attempts = 0
    while len(pairs) < supports and attempts < supports * 3:
        attempts += 1
        pairs.add((int(proposals * rng.random() ** 2.5), rng.randrange(user_count)))
    support_counts = [0] * proposals
    for index, _user in pairs:
        support_counts[index] += 1

    comment_rows, comment_counts = _comments(rng, proposals, comments, first_user, user_count, now)
    first_proposal = _next_id(Proposal)
    south, west, north, east = area.bounds_south, area.bounds_west, area.bounds_north, area.bounds_east
    rows = []
    for i in range(proposals):
        language = rng.choice(list(SENTENCES))
        located = rng.random() < 0.4
        body = " ".join(rng.choice(SENTENCES[language]) for _ in range(rng.randint(2, 6)))
        rows.append({
            "id": first_proposal + i, "process_id": process.id, "area_id": area.id,
            "author_id": first_user + rng.randrange(user_count),
            "title": f"{rng.choice(TITLES)} {rng.choice(PLACES)} #{i + 1}", "body": body,
            "body_html": f"<p>{body}</p>", "category": rng.choice(list(Category)).value,
            "origin": (Origin.CITY if rng.random() < 0.05 else Origin.RESIDENT).value,
            "status": ProposalStatus.PUBLISHED.value, "language": language,
            "latitude": rng.uniform(south, north) if located else None,
            "longitude": rng.uniform(west, east) if located else None,
            "support_count": support_counts[i], "comment_count": comment_counts[i],
            "created_at": now - timedelta(minutes=rng.randrange(60 * 24 * 30)),
        })
    _insert(Proposal, rows, lambda n: report("proposals", n, proposals))
    support_rows = [{"proposal_id": first_proposal + index, "user_id": first_user + user, "process_id": process.id,
                     "created_at": now} for index, user in pairs]
    _insert(Support, support_rows, lambda n: report("supports", n, len(support_rows)))
    first_comment = _next_id(Comment)
    for row in comment_rows:
        row["id"] += first_comment
        row["proposal_id"] += first_proposal
        row["root_id"] += first_comment
        if row["parent_id"] is not None:
            row["parent_id"] += first_comment
    _insert(Comment, comment_rows, lambda n: report("comments", n, len(comment_rows)))
    _sync_sequences()
    return BenchResult(process, user_count, proposals, len(support_rows), len(comment_rows))


def _comments(rng: random.Random, proposals: int, total: int, first_user: int, user_count: int,
              now: Any) -> tuple[list[dict[str, Any]], list[int]]:
    """Threads with replies up to depth 3; ids relative to 0, fixed up by the caller."""
    rows: list[dict[str, Any]] = []
    counts = [0] * proposals
    by_proposal: dict[int, list[tuple[int, int, int]]] = {}  # per proposal: (id, depth, root id)
    alignments = [a.value for a in Alignment]
    for i in range(total):
        index = int(proposals * rng.random() ** 3)
        earlier = by_proposal.setdefault(index, [])
        parent = rng.choice(earlier) if earlier and rng.random() < 0.35 else None
        depth = parent[1] + 1 if parent and parent[1] < 3 else 1
        parent_id = parent[0] if parent and depth > 1 else None
        root_id = parent[2] if parent_id is not None else i
        language = rng.choice(list(SENTENCES))
        body = rng.choice(SENTENCES[language])
        rows.append({"id": i, "proposal_id": index, "author_id": first_user + rng.randrange(user_count),
                     "parent_id": parent_id, "root_id": root_id, "depth": depth, "body": body,
                     "body_html": f"<p>{body}</p>",
                     "alignment": rng.choice(alignments), "language": language, "upvotes": 0, "downvotes": 0,
                     "created_at": now - timedelta(seconds=total - i)})
        earlier.append((i, depth, root_id))
        counts[index] += 1
    return rows, counts


def _sync_sequences() -> None:
    """Explicit ids were inserted; PostgreSQL's sequences must move past them."""
    if not on_postgresql(db.session):
        return
    for table in ("user", "membership", "proposal", "comment", "support"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608 - fixed table names
            f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"))
