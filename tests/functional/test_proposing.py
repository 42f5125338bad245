"""Proposing through the form: similar titles, places, bad input and photos that stay chosen."""

import io
import re

import pytest
from sqlalchemy import func, select

from stengage.extensions import db
from stengage.proposals.models import Proposal
from tests import factories
from tests.conftest import login_as
from tests.images import huge_png_header, jpeg_with_gps
from tests.participation import comment as _comment
from tests.participation import propose as _propose


def test_similar_titles_are_shown_once_before_publishing(client):
    process = factories.process()
    factories.proposal(process, title="Shade trees for the market square")
    login_as(client, factories.resident())
    page = _propose(client, process, title="More shade trees near the market", check_similar="1")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Is your idea already here?" in text and "Shade trees for the market square" in text
    assert "Your photos are kept" not in text  # none were sent
    assert db.session.scalar(select(func.count(Proposal.id)).where(Proposal.process_id == process.id)) == 1
    again = _propose(client, process, title="More shade trees near the market", check_similar="0")
    assert again.status_code == 302


def test_one_shared_word_is_not_similar_and_a_place_outside_the_area_is_said_first(client):
    process = factories.process()
    factories.proposal(process, title="Bike parking at Enkplatz")
    login_as(client, factories.resident())
    page = _propose(client, process, title="Tree shade for Simmeringer Platz", check_similar="1",
                    latitude="48.8566", longitude="2.3522").get_data(as_text=True)
    assert "Is your idea already here?" not in page
    assert "This place lies outside" in page
    published = _propose(client, process, title="Tree shade for Simmeringer Platz", check_similar="1")
    assert published.status_code == 302  # no duplicate suggested: published at the first send


@pytest.mark.parametrize("field", ["title", "body", "comment"])
def test_script_html_and_javascript_links_render_inert(client, field):
    process = factories.process()
    login_as(client, factories.resident())
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)> [click](javascript:alert(1))'
    if field == "comment":
        proposal = factories.proposal(process)
        _comment(client, proposal, payload)
    else:
        response = _propose(client, process, **{field: payload if field == "body" else payload[:150]})
        assert response.status_code == 302
        proposal = db.session.scalar(select(Proposal).where(Proposal.process_id == process.id))
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert re.search(r"<img[^>]*onerror", page) is None
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": ""}, "This field is required."),
    ({"title": "   "}, "This field is required."),
    ({"title": "x" * 151}, "Field cannot be longer than 150 characters."),
    ({"body": "x" * 10_001}, "Field cannot be longer than 10000 characters."),
    ({"category": "teleportation"}, "Not a valid choice."),
    ({"category": ""}, "Choose a category."),
    ({"latitude": "52.52", "longitude": "13.40"}, "This place lies outside Simmering."),
    ({"latitude": "48.17", "longitude": ""}, "Give both latitude and longitude, or neither."),
    ({"latitude": "north"}, "Not a valid float value."),
])
def test_bad_proposals_are_refused_with_a_message_and_nothing_is_stored(client, fields, message):
    process = factories.process()
    login_as(client, factories.resident())
    response = _propose(client, process, **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Proposal.id)).where(Proposal.process_id == process.id)) == 0


@pytest.mark.parametrize(("upload", "message"), [
    ((io.BytesIO(b"just some text, not an image"), "notes.png"), "This file is not a readable image."),
    ((io.BytesIO(huge_png_header()), "huge.png"), "The image has too many pixels."),
    ((io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"/>'), "logo.svg"), "Only JPEG, PNG and WebP"),
])
def test_bad_images_are_refused_and_nothing_is_stored(app, client, upload, message):
    process = factories.process()
    login_as(client, factories.resident())
    response = _propose(client, process, images=upload)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Proposal.id)).where(Proposal.process_id == process.id)) == 0


def test_more_than_three_images_are_refused(client):
    process = factories.process()
    login_as(client, factories.resident())
    photos = [(io.BytesIO(jpeg_with_gps(64, 48)), f"p{i}.jpg") for i in range(4)]
    response = _propose(client, process, images=photos)
    assert "at most 3 images" in response.get_data(as_text=True)


def test_photos_sent_with_a_form_that_comes_back_stay_chosen(client):
    process = factories.process()
    login_as(client, factories.resident())
    page = _propose(client, process, title="", images=(io.BytesIO(jpeg_with_gps()), "street.jpg"),
                    image_alt="The street today").get_data(as_text=True)
    assert "This field is required." in page and "Your photos are kept; add more or publish." in page
    pending = re.search(r'name="pending_images" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="pending_images" value="([^"]+)"', page)
    assert pending, "the kept photos travel with the form"
    published = _propose(client, process, title="Benches by the school", pending_images=pending.group(1))
    assert published.status_code == 302
    proposal = db.session.scalar(select(Proposal).where(Proposal.title == "Benches by the school"))
    assert [image.alt_text for image in proposal.images] == ["The street today"]


def _stored_files(app):
    from pathlib import Path

    root = Path(app.config.get("UPLOAD_DIR") or Path(app.instance_path) / "uploads")
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_photos_of_a_refused_proposal_are_not_kept(app, client):
    process = factories.process()
    login_as(client, factories.resident())
    before = _stored_files(app)
    photos = [(io.BytesIO(jpeg_with_gps(64, 48)), f"p{i}.jpg") for i in range(4)]
    assert "at most 3 images" in _propose(client, process, images=photos).text
    assert _stored_files(app) == before


def _edit(client, proposal, **fields):
    from tests.conftest import submit

    data = {"title": proposal.title, "body": proposal.body, "category": proposal.category.value, "address": "",
            "latitude": "", "longitude": "", **fields}
    return submit(client, f"/proposals/{proposal.id}/edit", data, page=f"/proposals/{proposal.id}/edit",
                  content_type="multipart/form-data")


def test_an_author_removes_a_photo_and_a_made_up_photo_id_is_a_400(client):
    process = factories.process()
    author = factories.resident()
    login_as(client, author)
    assert _propose(client, process, title="Benches by the school",
                    images=[(io.BytesIO(jpeg_with_gps(64, 48)), f"p{i}.jpg") for i in range(2)]).status_code == 302
    proposal = db.session.scalar(select(Proposal).where(Proposal.title == "Benches by the school"))
    first, second = (image.id for image in proposal.images)
    for junk in ("abc", "٣", "-1", str(first) + "\x00"):
        answer = _edit(client, proposal, remove_image=[str(first), junk])
        assert answer.status_code == 400
    db.session.refresh(proposal)
    assert len(proposal.images) == 2
    assert _edit(client, proposal, remove_image=[str(first)]).status_code == 302
    db.session.refresh(proposal)
    assert [image.id for image in proposal.images] == [second]
