"""City staff set up processes with phases; residents see the timeline and what they can do now."""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import insert, select

from stengage.accounts.permissions import is_area_staff
from stengage.areas.models import Process
from stengage.areas.permissions import can_manage_processes
from stengage.core.audit import AuditEntry
from stengage.db import utc_now
from stengage.extensions import db
from stengage.proposals.models import Category, Proposal
from tests import factories
from tests.conftest import login_as, submit
from tests.participation import NEW_PROCESS as NEW
from tests.participation import process_form


def test_staff_create_a_process_and_residents_see_its_timeline(client):
    clerk = factories.staff()
    login_as(client, clerk)
    assert "Information" in client.get(NEW).get_data(as_text=True)  # a usual shape is suggested
    response = submit(client, NEW, process_form(), page=NEW)
    assert response.status_code == 302
    process = db.session.scalar(select(Process).where(Process.title == "Simmering heat 2027"))
    assert [p.title for p in process.phases] == ["Ideas", "Supports"]
    # Times are the area's wall clock: midnight in Vienna is 23:00 or 22:00 UTC.
    assert process.phases[0].starts_at.hour in (22, 23)
    assert process.supports_per_resident == 5 and process.support_threshold == 50
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.verb == "process.create"))
    assert entry.actor_id == clerk.id and entry.after["title"] == "Simmering heat 2027"
    assert process.state.value == "draft"  # new processes start as drafts
    publish = f"/areas/vienna-simmering/processes/{process.slug}/state/publish"
    assert submit(client, publish, {}, page=response.headers["Location"]).status_code == 302

    login_as(client, factories.resident())
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ideas" in page and "Supports" in page and "<strong>3,000</strong>" in page
    assert "Make a proposal" in page
    assert "Simmering heat 2027" in client.get("/areas/vienna-simmering").get_data(as_text=True)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Write this in Deutsch: it is the language the area"),
    ({"phases-0-title": "", "phases-1-title": ""}, "A process needs at least one phase."),
    ({"phases-1-starts_at": f"{utc_now().date()}T12:00"}, "Phases must not overlap: phase 1 and phase 2 do."),
    ({"phases-0-ends_at": f"{utc_now().date() - timedelta(days=1)}T00:00"}, "The phase must end after it starts."),
    ({"ends_on": "2000-01-01"}, "The last day must not be before the first day."),
    ({"supports_per_resident": "0"}, "Number must be between 1 and 10000."),
    ({"phases-0-starts_at": "tomorrow"}, "Not a valid datetime value."),
    ({"supports_per_resident": "٣"}, "Enter a whole number, in digits 0 to 9."),  # no 3 in ASCII digits
    ({"support_threshold": "5_0"}, "Enter a whole number, in digits 0 to 9."),
    ({"edit_window_hours": "²"}, "Enter a whole number, in digits 0 to 9."),
    ({"support_threshold": ""}, "This field is required."),
])
def test_bad_processes_are_refused_with_a_message(client, overrides, message):
    login_as(client, factories.staff())
    response = submit(client, NEW, process_form(**overrides), page=NEW)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Process).where(Process.title == "Simmering heat 2027")) is None


@pytest.mark.parametrize(("who", "status"), [("resident", 403), ("moderator", 403), ("staff-lyon", 403),
                                             ("staff", 200), ("admin", 200)])
def test_only_the_areas_staff_and_admins_manage_processes(client, who, status):
    users = {"resident": factories.resident, "moderator": factories.moderator,
             "staff-lyon": lambda: factories.staff("lyon-confluence"), "staff": factories.staff,
             "admin": lambda: factories.user(admin=True)}
    login_as(client, users[who]())
    process = factories.process()
    assert client.get(NEW).status_code == status
    assert client.get(f"/areas/vienna-simmering/processes/{process.slug}/edit").status_code == status


def test_staff_edit_a_process_and_the_change_is_audited(client):
    process = factories.process(title="Old title")
    login_as(client, factories.staff())
    url = f"/areas/vienna-simmering/processes/{process.slug}/edit"
    assert f'href="{url}"' in client.get(f"/areas/vienna-simmering/processes/{process.slug}").get_data(as_text=True)
    assert f'href="{NEW}"' in client.get("/areas/vienna-simmering").get_data(as_text=True)
    form = client.get(url).get_data(as_text=True)
    assert 'value="Old title"' in form
    submit(client, url, process_form(title="New title"), page=url)
    db.session.refresh(process)
    assert process.title == "New title" and len(process.phases) == 2
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.verb == "process.update"))
    assert entry.before["title"] == "Old title" and entry.after["title"] == "New title"


def test_the_process_page_says_what_a_visitor_can_do_now(client):
    process = factories.process(phase="before")
    page = client.get(f"/areas/vienna-simmering/processes/{process.slug}").get_data(as_text=True)
    assert "The next phase" in page and "starts on" in page
    ended = factories.process(phase="after")
    page = client.get(f"/areas/vienna-simmering/processes/{ended.slug}").get_data(as_text=True)
    assert "This process has ended." in page


def test_city_measures_are_published_by_staff_and_shown_as_such(client):
    process = factories.process()
    login_as(client, factories.staff())
    url = f"/areas/vienna-simmering/processes/{process.slug}/propose?origin=city"
    response = submit(client, url, {"title": "District heating for Block 7", "body": "The city's plan.",
                                    "category": "energy_efficiency", "check_similar": "0", "origin": "city"},
                      page=url)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "City measure" in page


def test_authors_edit_and_withdraw_their_proposal(client):
    process = factories.process()
    author = factories.resident()
    proposal = factories.proposal(process, author=author, title="First title")
    login_as(client, author)
    url = f"/proposals/{proposal.id}/edit"
    submit(client, url, {"title": "Better title", "body": "Clearer text.", "category": "housing",
                         "check_similar": "0"}, page=url)
    db.session.refresh(proposal)
    assert proposal.title == "Better title" and proposal.edited_at is not None
    submit(client, f"/proposals/{proposal.id}/withdraw", page=f"/proposals/{proposal.id}")
    db.session.refresh(proposal)
    assert proposal.status.value == "withdrawn"
    listing = client.get(f"/areas/vienna-simmering/processes/{process.slug}").get_data(as_text=True)
    assert "Better title" not in listing


# --- Who manages processes ---------------------------------------------------------------------

@pytest.mark.parametrize("who", ["anonymous", "resident", "moderator", "staff", "staff-lyon", "admin", "blocked-admin"])
def test_managing_processes_is_for_the_areas_staff_as_accounts_know_them(who):
    """The rule lives with the processes (areas) but must name the same people as the account roles."""
    users = {"anonymous": lambda: AnonymousUserMixin(), "resident": factories.resident,
             "moderator": factories.moderator, "staff": factories.staff,
             "staff-lyon": lambda: factories.staff("lyon-confluence"), "admin": lambda: factories.user(admin=True),
             "blocked-admin": lambda: factories.user(admin=True, blocked_at=utc_now())}
    user, vienna = users[who](), factories.area("vienna-simmering")
    assert can_manage_processes(user, vienna) == is_area_staff(user, vienna)
    assert can_manage_processes(user, vienna) == (who in ("staff", "admin"))


# --- The map of a process with many located proposals --------------------------------------------

KB = 1024
SIDE = 100  # the seeded proposals stand on a SIDE x SIDE grid over the area


def _seed_places(process, count=SIDE * SIDE, *, title=None, hidden_every=0):
    """``count`` located proposals in one bulk insert, on a regular grid inside the area."""
    area, author = process.area, factories.resident()
    south, west = area.bounds_south, area.bounds_west
    step_lat = (area.bounds_north - south) / SIDE
    step_lng = (area.bounds_east - west) / SIDE
    now = utc_now()
    rows = [{"process_id": process.id, "area_id": area.id, "author_id": author.id,
             "title": title or f"Place {i}", "body": "A place.", "body_html": "<p>A place.</p>",
             "category": Category.MOBILITY, "latitude": south + (i // SIDE + 0.5) * step_lat,
             "longitude": west + (i % SIDE + 0.5) * step_lng, "created_at": now,
             "hidden_at": now if hidden_every and i % hidden_every == 0 else None} for i in range(count)]
    db.session.execute(insert(Proposal), rows)
    return rows


def _inside(rows, south, west, north, east):
    return sum(1 for r in rows if r["hidden_at"] is None
               and south <= r["latitude"] <= north and west <= r["longitude"] <= east)


def _map_json(client, process, bbox=None, **args):
    query = {**args, **({"bbox": ",".join(f"{v:.6f}" for v in bbox)} if bbox else {})}
    response = client.get(f"/areas/vienna-simmering/processes/{process.slug}/map.json", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert len(response.data) < 100 * KB
    return response.get_json()


def test_the_map_of_ten_thousand_places_stays_small_and_counts_every_place(client):
    process = factories.process()
    rows = _seed_places(process, hidden_every=50)
    visible = sum(1 for r in rows if r["hidden_at"] is None)
    area = process.area

    page = client.get(f"/areas/vienna-simmering/processes/{process.slug}/map")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and len(page.data) < 100 * KB
    assert "Place 1" not in html  # the page carries no places: the map asks for the part in view
    assert f"{visible} proposals with a place" in html and "located=yes" in html  # without JavaScript: the list

    whole = (area.bounds_south, area.bounds_west, area.bounds_north, area.bounds_east)
    answer = _map_json(client, process, whole)
    assert answer["proposals"] == [] and 1 < len(answer["clusters"]) <= 25 * 25
    assert sum(c["count"] for c in answer["clusters"]) == visible
    for c in answer["clusters"]:
        assert area.bounds_south <= c["lat"] <= area.bounds_north and area.bounds_west <= c["lng"] <= area.bounds_east

    # A quarter of the area, off the grid's lines: the clusters count exactly what lies inside.
    mid_lat = (area.bounds_south + area.bounds_north) / 2 + 0.0001
    mid_lng = (area.bounds_west + area.bounds_east) / 2 + 0.0001
    quarter = (area.bounds_south, area.bounds_west, mid_lat, mid_lng)
    answer = _map_json(client, process, quarter)
    assert sum(c["count"] for c in answer["clusters"]) == _inside(rows, *quarter) > 300

    # Without a box: the whole process, still clustered and small.
    assert sum(c["count"] for c in _map_json(client, process)["clusters"]) == visible

    # Zoomed in to a few places: each one comes as a marker leading to its proposal.
    step_lat = (area.bounds_north - area.bounds_south) / SIDE
    step_lng = (area.bounds_east - area.bounds_west) / SIDE
    small = (area.bounds_south, area.bounds_west, area.bounds_south + 3 * step_lat, area.bounds_west + 5 * step_lng)
    answer = _map_json(client, process, small)
    expected = _inside(rows, *small)
    assert 0 < expected <= 300 and answer["clusters"] == [] and len(answer["proposals"]) == expected
    first = answer["proposals"][0]
    assert set(first) == {"id", "title", "lat", "lng", "url"} and first["url"] == f"/proposals/{first['id']}"

    # Filters apply to the map as to the list: no city measures here.
    assert _map_json(client, process, whole, origin="city") == {"proposals": [], "clusters": []}


def test_a_few_places_with_long_titles_come_as_clusters_rather_than_a_large_answer(client):
    process = factories.process()
    _seed_places(process, count=300, title="Пешеходен мост над реката " * 5)  # Sofia: every letter escaped in JSON
    answer = _map_json(client, process)
    assert answer["proposals"] == [] and sum(c["count"] for c in answer["clusters"]) == 300


def test_the_map_opens_at_one_proposal(client):
    process = factories.process()
    placed = factories.proposal(process, title="Shade trees", latitude=48.17, longitude=16.45)
    unplaced = factories.proposal(process, title="No place")
    answer = _map_json(client, process, proposal=str(placed.id))
    assert [p["title"] for p in answer["proposals"]] == ["Shade trees"]
    assert _map_json(client, process, proposal=str(unplaced.id))["proposals"] == []


@pytest.mark.parametrize("bbox", [
    "", "48.1,16.3,48.2", "48.1,16.3,48.2,16.5,1", "a,b,c,d", "48.1;16.3;48.2;16.5", "٤٨,16.3,48.2,16.5",
    "48.1,16.3,48.2,1e2", "nan,16.3,48.2,16.5", "48.1,-inf,48.2,16.5", "91,16.3,92,16.5", "48.1,-181,48.2,16.5",
    "48.2,16.3,48.1,16.5", "48.1,16.5,48.2,16.3", "48.1,16.3,48.1,16.5", " 48.1,16.3,48.2,16.5", "+48.1,16.3,48.2,16.5",
])
def test_a_box_that_is_no_box_is_a_400_that_says_why(client, bbox):
    process = factories.process()
    response = client.get(f"/areas/vienna-simmering/processes/{process.slug}/map.json", query_string={"bbox": bbox})
    assert response.status_code == 400
    assert "south,west,north,east" in response.get_data(as_text=True)


@pytest.mark.parametrize("proposal", ["", "²", "٣", "-1", "99999999999", "x"])
def test_the_proposal_a_map_opens_at_must_be_an_id(client, proposal):
    process = factories.process()
    url = f"/areas/vienna-simmering/processes/{process.slug}/map.json"
    assert client.get(url, query_string={"proposal": proposal}).status_code == 400


def test_the_map_says_what_to_do_without_javascript(client):
    process = factories.process()
    page = client.get(f"/areas/{process.area.slug}/processes/{process.slug}/map").get_data(as_text=True)
    assert "<noscript>" in page and "The list below shows the same proposals." in page
