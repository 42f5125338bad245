"""Input that a person or an attacker sends past the usual paths: nested form fields, invisible
formatting characters, values that are not offered, and the answers of the JSON documents."""

from sqlalchemy import select

from stengage.areas.models import Process
from stengage.extensions import db
from stengage.proposals.models import Proposal
from tests import factories
from tests.conftest import login_as, submit
from tests.participation import NEW_PROCESS, process_form, process_url, propose


def test_a_nul_in_a_phase_title_is_refused_on_its_field_and_creates_nothing(client):
    login_as(client, factories.staff())
    answer = submit(client, NEW_PROCESS, process_form(**{"phases-0-title": "Ide\x00as"}), page=NEW_PROCESS)
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "control characters" in page and 'href="#phases-0-title_texts"' in page
    assert db.session.scalar(select(Process).where(Process.title == "Simmering heat 2027")) is None


def test_phase_errors_are_listed_in_the_summary_as_sentences(client):
    login_as(client, factories.staff())
    answer = submit(client, NEW_PROCESS, process_form(**{"phases-0-ends_at": "2000-01-01T00:00"}), page=NEW_PROCESS)
    summary = answer.get_data(as_text=True).split('class="error-summary"')[1].split("</div>")[0]
    assert "The phase must end after it starts." in summary
    assert "{" not in summary and "[" not in summary  # no dictionary of errors shown to a person


def test_a_title_that_turns_the_text_around_is_refused(client):
    process = factories.process()
    login_as(client, factories.resident())
    answer = propose(client, process, title="\u202eevil shade trees")
    assert answer.status_code == 200 and "control characters" in answer.get_data(as_text=True)
    assert db.session.scalar(select(Proposal).where(Proposal.process_id == process.id)) is None


def test_a_display_name_with_a_direction_override_is_refused(client):
    user = factories.resident(name="Resi")
    login_as(client, user)
    answer = submit(client, "/account/profile", {"display_name": "Resi\u202eTwo"}, page="/account/profile")
    assert "control characters" in answer.get_data(as_text=True)
    db.session.refresh(user)
    assert user.display_name == "Resi"


def test_a_summary_of_a_process_not_offered_is_refused_not_widened(client):
    login_as(client, factories.staff())
    answer = submit(client, "/staff/summaries", {"areas": ["vienna-simmering"], "processes": ["٣"],
                                                 "format": "csv"}, page="/staff/summaries")
    assert answer.status_code == 200
    assert "Choose among the processes offered." in answer.get_data(as_text=True)


def test_page_sizes_are_refused_with_the_bounds_that_hold(client):
    process = factories.process()
    for size in ("0", "100000"):
        answer = client.get(f"/api/v1/areas/vienna-simmering/processes/{process.slug}/proposals?per_page={size}")
        assert answer.status_code == 400 and "from 1 to 100" in answer.json["error"]


def test_a_json_document_answers_its_errors_in_json(client):
    process = factories.process()
    answer = client.get(f"{process_url(process)}/map.json?bbox=abc")
    assert answer.status_code == 400 and answer.is_json and answer.json["status"] == 400


def test_the_login_link_of_a_process_page_returns_to_it_exactly(client):
    process = factories.process()
    page = client.get(process_url(process)).get_data(as_text=True)
    assert f'href="/account/login?next={process_url(process)}"' in page  # no stray "?" after it

