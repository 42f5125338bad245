"""The suggested themes page: labels without people's names, how well each group fits, accept and reject."""

import re

from sqlalchemy import select

from stengage.extensions import db
from stengage.reports import operations as report_ops
from stengage.reports import suggestions
from stengage.reports.models import ThemeItem
from tests import factories
from tests.conftest import login_as, submit


def _world(where="vienna-simmering"):
    """Residents who name each other while writing about trees and bike lanes, plus texts that share nothing."""
    process = factories.process(where, title="Green streets")
    ben = factories.resident(where, name="Ben Enkplatz")
    maria = factories.resident(where, name="Maria Lopez")
    trees = [factories.proposal(process, author=ben, title=f"Shady trees for the square {i}",
                                body="Plant shady trees and green hedges. @maria.lopez agrees, Ben Enkplatz says.")
             for i in range(8)]
    bikes = [factories.proposal(process, author=maria, title=f"Safe bike lane to the school {i}",
                                body="A protected bike lane for cycling children. Thanks Ben! https://example.org/7")
             for i in range(8)]
    comments = [factories.comment(trees[i], author=maria, body=f"Yes, more trees and hedges please, Ben. {i}")
                for i in range(4)]
    comments += [factories.comment(bikes[i], author=ben, body="Cycling to school is dangerous today, @maria")
                 for i in range(4)]
    odd = ["Tram tickets at night", "Roof insulation grants", "Rent caps", "Open data portal", "Heat pumps",
           "Wifi in the library", "Street lamps on Oak Road", "Solar roofs on schools"]
    for title in odd:
        factories.proposal(process, title=title, body="")
    moderator = factories.moderator(where)
    report = report_ops.create_report(moderator, process.area, "What residents said", process=process)
    return report, moderator, trees, bikes, comments


def _page(client, report, moderator):
    login_as(client, moderator)
    url = f"/areas/{report.area.slug}/reports/{report.slug}/suggestions"
    return url, client.get(url).get_data(as_text=True)


def test_the_page_labels_groups_with_their_words_never_a_residents_name(client):
    report, moderator, trees, bikes, _comments = _world()
    offered = suggestions.suggest(report)
    tree_group = next(s for s in offered if trees[0].id in s.proposal_ids)
    bike_group = next(s for s in offered if bikes[0].id in s.proposal_ids)
    assert tree_group is not bike_group
    assert set(tree_group.proposal_ids) >= {p.id for p in trees[:6]}
    assert "tree" in tree_group.title.lower() and "bike" in " ".join(bike_group.terms).lower()
    _url, page = _page(client, report, moderator)
    for s in offered:
        words = set(re.findall(r"\w+", (s.title + " " + " ".join(s.terms)).lower()))
        assert not words & {"ben", "enkplatz", "maria", "lopez", "https", "example", "7"}
        assert s.title in page
        assert ", ".join(s.terms) in page
    assert f"{len(tree_group.proposal_ids)} proposals" in page


def test_each_group_says_in_words_how_well_it_fits_and_weak_groups_come_last(client):
    report, moderator, *_ = _world()
    offered = suggestions.suggest(report)
    assert offered and all(s.verdict in {"strong", "fair", "weak"} and 0 <= s.cohesion <= 1 for s in offered)
    assert all(len(s.fits) == s.size for s in offered)
    order = {"strong": 0, "fair": 1, "weak": 2}
    assert [order[s.verdict] for s in offered] == sorted(order[s.verdict] for s in offered)
    _url, page = _page(client, report, moderator)
    for s in offered:
        badge = {"strong": "Strong fit", "fair": "Fair fit", "weak": "Weak fit"}[s.verdict]
        section = page[page.index(f'id="suggestion-{s.key}"'):]
        assert badge in section[:section.index("</article>")]
        if s.verdict == "weak":
            assert "Check this group before accepting it" in section[:section.index("</article>")]


def test_the_page_speaks_the_moderators_language(client):
    report, _moderator, *_ = _world()
    german = factories.moderator(locale="de")
    _url, page = _page(client, report, german)
    assert "Vorgeschlagene Themen" in page
    assert "Zusammenhang" in page and "Fit" not in page


def test_accepting_a_suggestion_makes_a_theme_of_exactly_its_members_and_it_is_not_offered_again(client):
    report, moderator, *_ = _world()
    before = suggestions.suggest(report)
    chosen = before[0]
    assert [s.key for s in before] == [s.key for s in suggestions.suggest(report)]  # same members, same keys
    url, _page_html = _page(client, report, moderator)
    answer = submit(client, f"{url}/accept", {"key": chosen.key, "title": "Trees and hedges"}, page=url)
    assert answer.status_code == 302
    [theme] = report.themes
    items = list(db.session.scalars(select(ThemeItem).where(ThemeItem.theme_id == theme.id)))
    assert theme.title == "Trees and hedges"
    assert {i.proposal_id for i in items if i.proposal_id} == set(chosen.proposal_ids)
    assert {i.comment_id for i in items if i.comment_id} == set(chosen.comment_ids)
    # The other suggestions stay as they were, so the moderator goes on through the list.
    assert [s.key for s in suggestions.suggest(report)] == [s.key for s in before[1:]]
    rejected = before[1]
    submit(client, f"{url}/reject", {"key": rejected.key}, page=url)
    assert [s.key for s in suggestions.suggest(report)] == [s.key for s in before[2:]]
    assert len(report.themes) == 1


def test_no_two_suggestions_share_a_heading_or_a_landmark(client):
    report, moderator, _trees, _bikes, _comments = _world()
    _url, page = _page(client, report, moderator)
    headings = re.findall(r"<h2 id=\"suggestion-[^\"]+\">(.*?)</h2>", page, re.S)
    assert len(headings) >= 2 and len(set(headings)) == len(headings)
    assert "1. " in headings[0] and "contributions)" in headings[0]
    assert "<section" not in page.split("<h1>", 1)[1]  # suggestions are articles, not region landmarks


def test_suggestions_that_would_share_a_label_are_told_apart():
    same = [suggestions.Suggestion(f"k{i}", "Trees, street, shade", ("trees", "street", "shade", f"w{i}"), (i,), ())
            for i in range(2)]
    same.append(suggestions.Suggestion("k9", "Trees, street, shade", ("trees", "street", "shade"), (9,), ()))
    titles = [s.title for s in suggestions.distinct_titles(same)]
    assert titles == ["Trees, street, shade", "Trees, street, shade, w1", "Trees, street, shade (2)"]
