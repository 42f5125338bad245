"""Generated participation data: a plain description (``World``), the rows it makes in the database,
and what every published figure should be, counted by hand from the description.

The hand counts are plain Python over the description; they share nothing with the metrics layer's
counting code, so a mistake there shows up as a difference here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from stengage.accounts.models import METHOD_LEVEL, User, VerificationMethod
from stengage.areas.models import Process
from stengage.extensions import db
from stengage.proposals.models import Alignment, Category, Comment, Proposal, ProposalStatus, Support
from stengage.reports import operations as report_ops
from stengage.reports.models import Report, ReportVersion
from tests import factories

# Contributions are made on days before BASE (a Wednesday at noon UTC), so they fall into a few ISO weeks.
BASE = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
DAYS = 20
AREAS = ("vienna-simmering", "munich-neuaubing-westkreuz-freiham")
# A few of the shared categories, so that rows share them and some grow past k residents.
CATEGORIES = (Category.MOBILITY, Category.HOUSING, Category.RENEWABLE_ENERGY, Category.STREET_LIGHTING)
UNLISTED = frozenset({ProposalStatus.WITHDRAWN, ProposalStatus.MERGED})
ACCEPTED = frozenset({ProposalStatus.ACCEPTED, ProposalStatus.IN_PROGRESS, ProposalStatus.IMPLEMENTED})
LANGUAGES = ("en", "de", "fr")
METHODS = (None, VerificationMethod.POSTCODE, VerificationMethod.LETTER_CODE, VerificationMethod.MODERATOR_APPROVAL)
LEVELS = ("low", "substantial", "high")
THEMES = 3  # at most, per report


@dataclass(frozen=True)
class Person:
    areas: tuple[int, ...]  # member of these areas (indexes into World.areas)
    method: VerificationMethod | None
    blocked: bool


@dataclass(frozen=True)
class ProposalSpec:
    process: int
    author: int
    category: Category
    status: ProposalStatus
    language: str
    hidden: bool
    day: int  # days before BASE
    theme: int | None  # the report's theme holding it (when it is in the report's scope)


@dataclass(frozen=True)
class SupportSpec:
    person: int
    proposal: int
    day: int


@dataclass(frozen=True)
class CommentSpec:
    person: int
    proposal: int
    alignment: Alignment
    language: str
    state: str  # visible, hidden (by moderators) or deleted (by its author)
    day: int
    theme: int | None  # placed directly in this theme of the report


@dataclass(frozen=True)
class World:
    areas: tuple[str, ...]
    processes: tuple[int, ...]  # the area of each process
    people: tuple[Person, ...]
    proposals: tuple[ProposalSpec, ...]
    supports: tuple[SupportSpec, ...]
    comments: tuple[CommentSpec, ...]
    themes: int
    period: tuple[int, int] | None  # None: the report is about process 0; else an area report over these days ago

    def listed(self, n: int) -> bool:
        p = self.proposals[n]
        return not p.hidden and p.status not in UNLISTED

    def in_report(self, n: int) -> bool:
        """The proposal's contributions count in the report: listed, and in its process or period."""
        p = self.proposals[n]
        if not self.listed(n):
            return False
        if self.period is None:
            return p.process == 0
        first, last = report_period(self.period)
        return self.processes[p.process] == 0 and first <= day_of(p.day) <= last

    def theme_of(self, n: int) -> int | None:
        theme = self.proposals[n].theme
        return theme if self.in_report(n) and theme is not None and theme < self.themes else None

    def placed_in(self, c: int) -> int | None:
        """The theme a comment was placed in directly (only comments on the report's proposals can be)."""
        theme = self.comments[c].theme
        return theme if self.in_report(self.comments[c].proposal) and theme is not None and theme < self.themes \
            else None


def day_of(days_before: int) -> date:
    return (BASE - timedelta(days=days_before)).date()


def week_of(days_before: int) -> str:
    year, week, _ = day_of(days_before).isocalendar()
    return f"{year}-W{week:02d}"


def report_period(period: tuple[int, int]) -> tuple[date, date]:
    return day_of(max(period)), day_of(min(period))


def _weighted(*pairs: tuple[object, int]) -> st.SearchStrategy:
    return st.sampled_from([value for value, weight in pairs for _ in range(weight)])


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """One or two areas with a few processes, residents and their contributions, and a report.

    Small on purpose: many rows are about fewer than k residents (primary suppression) and lines
    then need a second withheld figure (secondary suppression); supports are dense enough that
    other rows pass k and are published."""
    n_areas = draw(st.integers(1, 2))
    n_processes = draw(st.integers(1, 3))
    processes = (0, *(draw(st.integers(0, n_areas - 1)) for _ in range(n_processes - 1)))
    area_sets = [(0,), (1,), (0, 1)] if n_areas == 2 else [(0,)]
    people = tuple(draw(st.lists(st.builds(
        Person, areas=st.sampled_from(area_sets), method=st.sampled_from(METHODS),
        blocked=_weighted((False, 6), (True, 1))), min_size=2, max_size=16)))
    n_people = len(people)
    statuses = _weighted((ProposalStatus.PUBLISHED, 6), (ProposalStatus.UNDER_REVIEW, 2), (ProposalStatus.ACCEPTED, 2),
                         (ProposalStatus.REJECTED, 1), (ProposalStatus.IN_PROGRESS, 1),
                         (ProposalStatus.IMPLEMENTED, 2), (ProposalStatus.WITHDRAWN, 1), (ProposalStatus.MERGED, 1))
    themes = draw(st.integers(0, THEMES))
    theme_choice = st.one_of(st.none(), st.integers(0, THEMES - 1))
    proposals = tuple(draw(st.lists(st.builds(
        ProposalSpec, process=st.integers(0, n_processes - 1), author=st.integers(0, n_people - 1),
        category=st.sampled_from(CATEGORIES), status=statuses, language=_weighted(("en", 3), ("de", 1), ("fr", 1)),
        hidden=_weighted((False, 8), (True, 1)), day=st.integers(0, DAYS), theme=theme_choice), max_size=9)))
    if len(proposals) < 2:  # nothing to merge into
        proposals = tuple(replace(p, status=ProposalStatus.WITHDRAWN) if p.status == ProposalStatus.MERGED else p
                          for p in proposals)
    supports: tuple[SupportSpec, ...] = ()
    comments: tuple[CommentSpec, ...] = ()
    if proposals:
        n_proposals = len(proposals)
        supports = tuple(draw(st.lists(st.builds(
            SupportSpec, person=st.integers(0, n_people - 1), proposal=st.integers(0, n_proposals - 1),
            day=st.integers(0, DAYS)), max_size=50, unique_by=lambda s: (s.person, s.proposal))))
        comments = tuple(draw(st.lists(st.builds(
            CommentSpec, person=st.integers(0, n_people - 1), proposal=st.integers(0, n_proposals - 1),
            alignment=st.sampled_from(tuple(Alignment)), language=st.sampled_from(LANGUAGES),
            state=_weighted(("visible", 6), ("hidden", 1), ("deleted", 1)), day=st.integers(0, DAYS),
            theme=_weighted((None, 4), (0, 1), (1, 1))), max_size=12)))
    period = draw(st.one_of(st.none(), st.tuples(st.integers(0, DAYS), st.integers(0, DAYS))))
    return World(areas=AREAS[:n_areas], processes=processes, people=people, proposals=proposals,
                 supports=supports, comments=comments, themes=themes, period=period)


# --- The world in the database -----------------------------------------------------------------


@dataclass
class Built:
    world: World
    area_ids: dict[str, int]
    processes: list[Process]
    users: list[User]
    proposals: list[Proposal]
    comments: list[Comment]
    report: Report
    version: ReportVersion
    theme_ids: list[int]
    theme_titles: list[str]
    members: list[tuple[int, VerificationMethod | None, bool]] = field(default_factory=list)  # (area, method, blocked)

    @property
    def report_area(self) -> str:
        return self.world.areas[0]

    @property
    def report_process(self) -> str:
        return self.processes[0].slug if self.world.period is None else ""


def build(world: World) -> Built:
    """The world's rows, made as the platform makes them; the report is published once at the end."""
    areas = {slug: factories.area(slug) for slug in world.areas}
    area_ids = {slug: a.id for slug, a in areas.items()}
    members: list[tuple[int, VerificationMethod | None, bool]] = []
    users = []
    for person in world.people:
        made = factories.user(blocked_at=BASE if person.blocked else None)
        for a in person.areas:
            factories.membership(made, areas[world.areas[a]], verified_by=person.method)
            members.append((a, person.method, person.blocked))
        users.append(made)
    processes = [factories.process(world.areas[a], title=f"Process {n}") for n, a in enumerate(world.processes)]
    proposals = []
    for spec in world.proposals:
        proposals.append(factories.proposal(
            processes[spec.process], users[spec.author], category=spec.category,
            status=spec.status if spec.status != ProposalStatus.MERGED else ProposalStatus.PUBLISHED,
            language=spec.language, hidden_at=BASE if spec.hidden else None,
            created_at=BASE - timedelta(days=spec.day)))
    for n, spec in enumerate(world.proposals):
        if spec.status == ProposalStatus.MERGED:  # merged into another proposal (the check wants a target)
            proposals[n].status = ProposalStatus.MERGED
            proposals[n].merged_into_id = proposals[1 if n == 0 else 0].id
    for spec in world.supports:
        target = proposals[spec.proposal]
        db.session.add(Support(proposal_id=target.id, user_id=users[spec.person].id, process_id=target.process_id,
                               created_at=BASE - timedelta(days=spec.day)))
    db.session.flush()
    comments = [factories.comment(
        proposals[spec.proposal], users[spec.person], alignment=spec.alignment, language=spec.language,
        created_at=BASE - timedelta(days=spec.day), hidden_at=BASE if spec.state == "hidden" else None,
        deleted_at=BASE if spec.state == "deleted" else None) for spec in world.comments]

    moderator = factories.moderator(world.areas[0])
    members.append((0, None, False))
    if world.period is None:
        report = report_ops.create_report(moderator, areas[world.areas[0]], "What residents said",
                                          process=processes[0])
    else:
        report = report_ops.create_report(moderator, areas[world.areas[0]], "What residents said",
                                          period=report_period(world.period))
    titles = [f"Theme {t + 1}" for t in range(world.themes)]
    theme_ids = []
    for t, title in enumerate(titles):
        theme = report_ops.add_theme(moderator, report, title)
        theme_ids.append(theme.id)
        report_ops.assign(moderator, theme,
                          [proposals[n].id for n in range(len(proposals)) if world.theme_of(n) == t],
                          [comments[c].id for c in range(len(comments)) if world.placed_in(c) == t])
    version = report_ops.publish(moderator, report, "")
    return Built(world=world, area_ids=area_ids, processes=processes, users=users, proposals=proposals,
                 comments=comments, report=report, version=version, theme_ids=theme_ids, theme_titles=titles,
                 members=members)


# --- What every figure should be, counted by hand ---------------------------------------------------


@dataclass(frozen=True)
class Event:
    kind: str  # proposal, support or comment
    who: int  # the person
    proposal: int
    day: int
    language: str  # the proposal's (for a proposal) or the comment's (for a comment)
    alignment: Alignment | None = None
    comment: int | None = None


@dataclass
class Expected:
    """A row's exact figures and the people it is about."""

    values: dict[str, int]
    people: int

    def figure(self, measure: str) -> int:
        return self.people if measure == "residents" else self.values[measure]


RowId = tuple[str, tuple[str, ...]]


def contributions(world: World, counted: Callable[[int], bool]) -> list[Event]:
    """The contributions that count for the proposals ``counted`` keeps: each proposal, its supports,
    its comments that are neither hidden nor deleted."""
    events = [Event("proposal", p.author, n, p.day, p.language) for n, p in enumerate(world.proposals) if counted(n)]
    events += [Event("support", s.person, s.proposal, s.day, "") for s in world.supports if counted(s.proposal)]
    events += [Event("comment", c.person, c.proposal, c.day, c.language, c.alignment, n)
               for n, c in enumerate(world.comments) if counted(c.proposal) and c.state == "visible"]
    return events


def figures_of(world: World, events: Iterable[Event], measures: Iterable[str]) -> Expected:
    events = list(events)
    kinds = {kind: [e for e in events if e.kind == kind] for kind in ("proposal", "support", "comment")}
    status = {n: world.proposals[n].status for n in {e.proposal for e in events}}
    every = {
        "proposals": len(kinds["proposal"]),
        "supports": len(kinds["support"]),
        "comments": len(kinds["comment"]),
        "accepted": sum(1 for e in kinds["proposal"] if status[e.proposal] in ACCEPTED),
        "implemented": sum(1 for e in kinds["proposal"] if status[e.proposal] == ProposalStatus.IMPLEMENTED),
        "supporters": len({e.who for e in kinds["support"]}),
        "in_favour": sum(1 for e in kinds["comment"] if e.alignment == Alignment.IN_FAVOUR),
        "against": sum(1 for e in kinds["comment"] if e.alignment == Alignment.AGAINST),
        "neutral": sum(1 for e in kinds["comment"] if e.alignment == Alignment.NEUTRAL),
    }
    return Expected({m: every[m] for m in measures}, len({e.who for e in events}))


def _grouped(world: World, table: str, events: list[Event], key: Callable[[Event], tuple[str, ...]],
             measures: tuple[str, ...]) -> dict[RowId, Expected]:
    groups: dict[tuple[str, ...], list[Event]] = {}
    for event in events:
        groups.setdefault(key(event), []).append(event)
    return {(table, k): figures_of(world, group, measures) for k, group in groups.items()}


CONTRIBUTIONS = ("proposals", "supports", "comments")
OUTCOMES = ("accepted", "implemented")
THEME_MEASURES = ("proposals", "supports", "supporters", "comments", "in_favour", "against", "neutral")


def theme_events(built: Built, events: list[Event], t: int) -> list[Event]:
    """A theme's contributions: those on its proposals and the comments placed in it, each once."""
    world = built.world
    return [e for e in events if world.theme_of(e.proposal) == t
            or (e.kind == "comment" and e.comment is not None and world.placed_in(e.comment) == t)]


def expected_report(built: Built) -> dict[RowId, Expected]:
    """Every row of the report's version: its figures counted from the world."""
    world = built.world
    events = contributions(world, world.in_report)
    proposal = world.proposals
    rows: dict[RowId, Expected] = {}
    if events:
        rows[("participation", ())] = figures_of(world, events, CONTRIBUTIONS)
    rows |= _grouped(world, "week", events, lambda e: (week_of(e.day),), CONTRIBUTIONS)
    rows |= _grouped(world, "category", events, lambda e: (proposal[e.proposal].category.value,),
                     (*CONTRIBUTIONS, *OUTCOMES))
    rows |= _grouped(world, "status", events, lambda e: (proposal[e.proposal].status.value,), CONTRIBUTIONS)
    rows |= _grouped(world, "proposal_language", [e for e in events if e.kind == "proposal"],
                     lambda e: (e.language,), ("proposals",))
    rows |= _grouped(world, "comment_language", [e for e in events if e.kind == "comment"],
                     lambda e: (e.language,), ("comments",))
    supports = {n: sum(1 for e in events if e.kind == "support" and e.proposal == n) for n in range(len(proposal))}
    for t in range(world.themes):
        rows[("theme", (str(built.theme_ids[t]),))] = figures_of(world, theme_events(built, events, t), THEME_MEASURES)
        held = sorted((n for n in range(len(proposal)) if world.theme_of(n) == t), key=lambda n: built.proposals[n].id)
        for n in sorted(held, key=lambda n: (-supports[n], built.proposals[n].id))[:3]:  # the most supported
            rows[("proposal", (str(built.proposals[n].id),))] = Expected({"supports": supports[n]}, supports[n])
    rows[("membership", ())] = _membership(built, 0)
    return rows


def _membership(built: Built, area: int) -> Expected:
    members = [(method, blocked) for a, method, blocked in built.members if a == area and not blocked]
    levels = [METHOD_LEVEL[method].value if method else None for method, _ in members]
    values = {"registered": len(members), **{f"verified_{level}": levels.count(level) for level in LEVELS},
              "unverified": levels.count(None)}
    return Expected(values, len(members))


def report_theme_proposals(built: Built) -> dict[str, list[str]]:
    """Each theme's proposals as the report lists them (a reader knows which proposals a theme holds)."""
    world = built.world
    return {str(built.theme_ids[t]): [str(built.proposals[n].id) for n in range(len(world.proposals))
                                      if world.theme_of(n) == t] for t in range(world.themes)}


# The summary's rows: what each table is keyed by and which figures it has.
SUMMARY_MEASURES = {
    "area": (*CONTRIBUTIONS, *OUTCOMES), "area_process": (*CONTRIBUTIONS, *OUTCOMES),
    "category": (*CONTRIBUTIONS, *OUTCOMES), "status": CONTRIBUTIONS, "week": CONTRIBUTIONS, "theme": CONTRIBUTIONS,
}


def expected_summary(built: Built, areas: Iterable[str]) -> dict[RowId, Expected]:
    """Every row of the engagement summary of ``areas``, counted from the world."""
    world = built.world
    wanted = {world.areas.index(a) for a in areas if a in world.areas}
    area_of = {n: world.processes[p.process] for n, p in enumerate(world.proposals)}
    events = contributions(world, lambda n: world.listed(n) and area_of[n] in wanted)
    slug = [built.processes[p.process].slug for p in world.proposals]

    def area(e: Event) -> str:
        return world.areas[area_of[e.proposal]]

    rows = _grouped(world, "area", events, lambda e: (area(e),), SUMMARY_MEASURES["area"])
    rows |= _grouped(world, "area_process", events, lambda e: (area(e), slug[e.proposal]),
                     SUMMARY_MEASURES["area_process"])
    rows |= _grouped(world, "category", events, lambda e: (area(e), world.proposals[e.proposal].category.value),
                     SUMMARY_MEASURES["category"])
    rows |= _grouped(world, "status", events,
                     lambda e: (area(e), slug[e.proposal], world.proposals[e.proposal].status.value),
                     SUMMARY_MEASURES["status"])
    rows |= _grouped(world, "week", events, lambda e: (area(e), week_of(e.day)), SUMMARY_MEASURES["week"])
    if 0 in wanted:  # the themes of the report's published version, counted on today's data
        for t in range(world.themes):
            rows[("theme", (built.report_area, built.report_process, built.theme_titles[t]))] = figures_of(
                world, theme_events(built, events, t), SUMMARY_MEASURES["theme"])
    return rows
