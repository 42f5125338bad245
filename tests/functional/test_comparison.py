"""The public comparison of areas: the page, its CSV and JSON agree with each other and with an
independent count in SQL; withheld figures stay "not shown" (their rates too); bad choices get a 400."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from stengage.db import utc_now
from stengage.extensions import db
from stengage.proposals import supports
from stengage.proposals.models import Category, ProposalStatus
from stengage.reports.comparison import CATEGORIES, COLUMNS, COMPARED
from stengage.reports.metrics import per_1000
from tests import factories
from tests.conftest import login_as

K = 5
# Vienna Simmering (21,000 residents) and Munich (30,000) have a known population; Sofia has none.
AREAS = {"vienna-simmering": 21000, "munich-neuaubing-westkreuz-freiham": 30000, "sofia": None}
OUTCOME = [ProposalStatus.PUBLISHED, ProposalStatus.UNDER_REVIEW, ProposalStatus.ACCEPTED, ProposalStatus.REJECTED,
           ProposalStatus.IN_PROGRESS, ProposalStatus.IMPLEMENTED]


def _generate(seed: int = 13) -> None:
    """Residents of three areas propose in a few categories, support and comment at random; some
    proposals are withdrawn or hidden, some comments hidden or deleted (none of which counts)."""
    rng = random.Random(seed)
    for slug, people, categories in (
            ("vienna-simmering", 14, [Category.MOBILITY, Category.HOUSING, Category.STREET_LIGHTING]),
            ("munich-neuaubing-westkreuz-freiham", 9, [Category.REFURBISHMENT, Category.RENEWABLE_ENERGY]),
            ("sofia", 3, [Category.PUBLIC_SPACE])):
        process = factories.process(slug)
        residents = [factories.resident(slug) for _ in range(people)]
        proposals = [factories.proposal(process, author=rng.choice(residents), category=rng.choice(categories))
                     for _ in range(people + 3)]
        for proposal in proposals:
            for supporter in rng.sample(residents, rng.randint(0, people // 2)):
                supports.support(supporter, proposal)
            for _ in range(rng.randint(0, 2)):
                comment = factories.comment(proposal, author=rng.choice(residents))
                if rng.random() < 0.15:
                    comment.hidden_at = utc_now()
                elif rng.random() < 0.15:
                    comment.deleted_at = utc_now()
            proposal.status = rng.choice(OUTCOME)
        proposals[0].status = ProposalStatus.WITHDRAWN
        proposals[1].hidden_at = utc_now()
    # Data and ICT in Vienna: one proposal by someone nobody else joins (about one resident).
    lonely = factories.resident("vienna-simmering")
    factories.proposal(factories.process("vienna-simmering"), author=lonely, category=Category.DATA_ICT)
    db.session.flush()


# Listed proposals of one area, in one category or (':category' = 'all') in every category. (The category is
# cast to text: PostgreSQL keeps it as a native enum.)
_COUNTS = {
    "proposals": "SELECT count(*) FROM proposal p WHERE p.area_id = :area AND p.hidden_at IS NULL "
                 "AND p.status NOT IN ('withdrawn', 'merged') "
                 "AND (:category = 'all' OR CAST(p.category AS VARCHAR(40)) = :category)",
    "supports": "SELECT count(*) FROM support s JOIN proposal p ON p.id = s.proposal_id WHERE p.area_id = :area "
                "AND p.hidden_at IS NULL AND p.status NOT IN ('withdrawn', 'merged') "
                "AND (:category = 'all' OR CAST(p.category AS VARCHAR(40)) = :category)",
    "accepted": "SELECT count(*) FROM proposal p WHERE p.area_id = :area AND p.hidden_at IS NULL "
                "AND p.status IN ('accepted', 'in_progress', 'implemented') "
                "AND (:category = 'all' OR CAST(p.category AS VARCHAR(40)) = :category)",
    "implemented": "SELECT count(*) FROM proposal p WHERE p.area_id = :area AND p.hidden_at IS NULL "
                   "AND p.status = 'implemented' "
                   "AND (:category = 'all' OR CAST(p.category AS VARCHAR(40)) = :category)",
    "residents": "SELECT count(DISTINCT who) FROM ("
                 " SELECT p.author_id AS who, p.id AS proposal_id FROM proposal p"
                 " UNION ALL SELECT s.user_id, s.proposal_id FROM support s"
                 " UNION ALL SELECT c.author_id, c.proposal_id FROM comment c"
                 "  WHERE c.hidden_at IS NULL AND c.deleted_at IS NULL"
                 ") AS people JOIN proposal p ON p.id = people.proposal_id WHERE p.area_id = :area "
                 "AND p.hidden_at IS NULL AND p.status NOT IN ('withdrawn', 'merged') "
                 "AND (:category = 'all' OR CAST(p.category AS VARCHAR(40)) = :category)",
}


def _sql_counts(slug: str, category: str) -> dict[str, int]:
    """The five figures counted in plain SQL, without the metrics layer."""
    params = {"area": factories.area(slug).id, "category": category}
    return {measure: db.session.execute(text(sql), params).scalar_one() for measure, sql in _COUNTS.items()}


_ROW = re.compile(r'<tr class="compare-\w+" data-area="([^"]+)">(.*?)</tr>', re.S)
_CELL = re.compile(r'<td data-category="([^"]+)">(.*?)</td>', re.S)
_VALUE = re.compile(r'<data value="([^"]+)">')


def _page(client, measure: str, scale: str) -> dict[tuple[str, str], str | None]:
    """(area, category) -> the figure the page's table shows (None: "not shown")."""
    html = client.get(f"/compare?measure={measure}&scale={scale}").get_data(as_text=True)
    cells = {}
    for area, row in _ROW.findall(html):
        for category, cell in _CELL.findall(row):
            value = _VALUE.search(cell)
            assert value or 'class="not-shown"' in cell, cell
            cells[(area, category)] = value.group(1) if value else None
        if scale == "per_1000" and AREAS.get(area, 0) is None:  # no population: the rates are one note
            assert "population is not known" in row and not _CELL.search(row)
    return cells


def _csv(client) -> dict[tuple[str, str, str], dict[str, str]]:
    response = client.get("/compare.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert tuple(reader.fieldnames) == COLUMNS == ("area", "category", "measure", "value", "per_1000", "note")
    return {(r["area"], r["category"], r["measure"]): r for r in reader}


def _rate(value: int, population: int) -> Decimal:
    return (Decimal(value * 1000) / Decimal(population)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_page_csv_and_json_equal_an_independent_count(client):
    _generate()
    lines = _csv(client)
    document = json.loads(client.get("/compare.json").get_data(as_text=True))
    records = {(r["area"], r["category"], r["measure"]): r for r in document["rows"]}
    assert set(records) == set(lines) and document["columns"] == list(COLUMNS)
    shown = withheld = 0
    for measure in COMPARED:
        absolute, rates = _page(client, measure, "absolute"), _page(client, measure, "per_1000")
        for slug, population in AREAS.items():
            counted = {category: _sql_counts(slug, category)[measure] for category in CATEGORIES}
            for category in CATEGORIES:
                line, record = lines[(slug, category, measure)], records[(slug, category, measure)]
                if line["note"] in ("few", "protects"):  # withheld: empty everywhere, its rate too
                    withheld += 1
                    assert line["value"] == line["per_1000"] == "" and record["value"] is None
                    assert record["per_1000"] is None and record["note"] == line["note"]
                    assert absolute[(slug, category)] is None
                    assert (slug, category) not in rates or rates[(slug, category)] is None
                    continue
                shown += 1
                assert int(line["value"]) == record["value"] == counted[category]
                assert int(absolute[(slug, category)]) == counted[category]
                if population is None:
                    assert line["note"] == "no_population" and line["per_1000"] == "" and record["per_1000"] is None
                else:
                    expected = _rate(counted[category], population)
                    assert Decimal(line["per_1000"]) == expected == Decimal(rates[(slug, category)])
                    assert Decimal(str(record["per_1000"])) == expected and line["note"] == ""
    assert shown > 50 and withheld > 5  # the generated data exercises both


def test_a_withheld_figure_is_never_shown_as_zero(client):
    _generate()
    lines = _csv(client)
    # One resident alone proposed about data and ICT in Vienna; Sofia has three residents in all.
    for key in (("vienna-simmering", "data_ict", "proposals"), ("sofia", "all", "proposals"),
                ("sofia", "all", "residents")):
        assert lines[key]["note"] == "few" and lines[key]["value"] == "" and lines[key]["per_1000"] == ""
    # Vienna's total is published, so at least one more of its categories is withheld with data and ICT.
    vienna = [line for line in lines.values() if line["area"] == "vienna-simmering" and line["category"] != "all"
              and line["measure"] == "proposals"]
    assert sum(line["value"] == "" for line in vienna) >= 2
    html = client.get("/compare?measure=proposals").get_data(as_text=True)
    [sofia] = [dict(_CELL.findall(row)) for area, row in _ROW.findall(html) if area == "sofia"]
    for category in ("all", "public_space"):
        assert 'class="not-shown"' in sofia[category] and 'href="#note-few"' in sofia[category]
        assert "<data" not in sofia[category]
    assert sofia["mobility"] == '<data value="0">0</data>'  # nobody took part there: a true 0
    assert 'id="note-few"' in html and "fewer than 5 residents" in html
    if any(line["note"] == "protects" for line in lines.values()):
        assert 'id="note-protects"' in html and "worked out from the others" in html
    # The chart says so too, and draws no bar of 0 for it.
    description = re.search(r'<desc id="chart-compare-desc">(.*?)</desc>', html, re.S).group(1)
    assert "Sofia (follower): Proposals not shown" in description
    rates = client.get("/compare?measure=proposals&scale=per_1000").get_data(as_text=True)
    assert "Sofia (follower): Proposals per 1,000 residents not shown" in rates


def test_per_1000_rates_round_half_up_to_two_decimals():
    assert per_1000(8, 21000) == Decimal("0.38")
    assert per_1000(1, 8000) == Decimal("0.13")  # 0.125: half up, not to even
    assert per_1000(0, 30000) == Decimal("0.00")
    assert per_1000(None, 30000) is None and per_1000(3, None) is None


def test_files_carry_the_areas_roles_and_populations(client):
    _generate()
    document = json.loads(client.get("/compare.json").get_data(as_text=True))
    areas = {a["area"]: a for a in document["areas"]}
    assert areas["vienna-simmering"]["population"] == 21000 and areas["sofia"]["population"] is None
    assert areas["vienna-simmering"]["project_role"] == "lighthouse" and areas["venice"]["project_role"] == "follower"
    assert document["k"] == K and document["dictionary"] == "/figures/"
    assert set(document["notes"]) == {"few", "protects", "unknown", "no_population"}
    assert document["measures"]["per_1000"]["name"] == "Per 1,000 residents"
    book = load_workbook(io.BytesIO(client.get("/compare.xlsx").data))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    lines = _csv(client)
    for area, category, measure, value, rate, note in rows[1:]:
        line = lines[(area, category, measure)]
        assert (value, rate, note or "") == (int(line["value"]) if line["value"] else None,
                                             float(line["per_1000"]) if line["per_1000"] else None, line["note"])


def test_the_page_is_public_and_lighthouse_and_follower_areas_are_marked(client):
    _generate()
    html = client.get("/compare").get_data(as_text=True)
    assert '<tr class="compare-lighthouse" data-area="vienna-simmering">' in html
    assert '<tr class="compare-follower" data-area="sofia">' in html
    assert "Simmering (lighthouse)" in html and "Sofia (follower)" in html and "Lyon Confluence" in html
    assert "<svg" in html and "<th scope=\"col\">Mobility</th>" in html
    headings = [html.index(f">{role} cities</th>") for role in ("Lighthouse", "Follower", "Observer")]
    assert headings == sorted(headings)
    assert 'href="/figures/"' in html and 'href="/compare.csv"' in html and 'href="/compare.json"' in html
    assert 'id="measure-proposals" name="measure" value="proposals" checked' in html


@pytest.mark.parametrize(("query", "message"), [
    ("measure=votes", "“measure” must be one of: proposals, supports, residents, accepted, implemented."),
    ("measure=", "“measure” must be one of"),
    ("measure=proposals&measure=supports", "“measure” must be one of"),
    ("scale=per_100", "“scale” must be one of: absolute, per_1000."),
    ("scale=PER_1000", "“scale” must be one of"),
    ("measure=proposals%00", "control characters"),
])
def test_bad_choices_get_a_clear_message(client, query, message):
    response = client.get(f"/compare?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_unknown_formats_are_not_found_and_files_ignore_arguments(client):
    assert client.get("/compare.pdf").status_code == 404
    assert client.get("/compare.json?measure=votes").status_code == 200


@pytest.mark.parametrize("who", ["visitor", "resident", "staff"])
def test_the_old_staff_address_leads_to_the_public_page(client, who):
    if who != "visitor":
        login_as(client, factories.staff() if who == "staff" else factories.resident())
    response = client.get("/staff/compare")
    assert response.status_code == 301 and response.headers["Location"] == "/compare"
    assert "Areas compared" in client.get("/staff/compare", follow_redirects=True).get_data(as_text=True)


def test_home_page_and_staff_summaries_link_to_the_comparison(client):
    assert 'href="/compare"' in client.get("/").get_data(as_text=True)
    login_as(client, factories.staff())
    assert 'href="/compare"' in client.get("/staff/summaries").get_data(as_text=True)


def test_the_rate_is_in_the_data_dictionary(client):
    page = client.get("/figures/").get_data(as_text=True)
    assert "Per 1,000 residents" in page and "<code>per_1000</code>" in page
    assert "per_1000" in client.get("/figures/dictionary.csv").get_data(as_text=True)
