"""A verified Vienna resident proposes with a place and a photo, supports, comments; a neighbour replies."""

import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import insert

from stengage.extensions import db
from stengage.proposals.models import Category, Proposal
from tests import factories
from tests.e2e.conftest import assert_accessible, fill_proposal, log_in, log_out
from tests.images import jpeg_with_gps

pytestmark = [pytest.mark.e2e, pytest.mark.real_commits]


@pytest.fixture
def scene(live_server):
    with live_server.app.app_context():
        process = factories.process(title="Simmering 2027", supports_per_resident=5)
        city = factories.proposal(process, title="District heating for Block 7", author=factories.staff())
        run = uuid.uuid4().hex[:8]  # the live server's database outlives one test
        anna = factories.resident(email=f"anna.{run}@example.org", name="Anna", locale="en")
        nils = factories.resident(email=f"nils.{run}@example.org", name="Nils", locale="en")
        names = {"process": f"/areas/vienna-simmering/processes/{process.slug}", "city": city.id,
                 "anna": anna.email, "nils": nils.email}
        db.session.commit()
        db.session.remove()  # hold no transaction while the server works
    return names


def test_propose_with_place_and_photo_support_comment_and_reply(page, scene, tmp_path):
    photo = tmp_path / "street.jpg"
    photo.write_bytes(jpeg_with_gps())
    log_in(page, scene["anna"])
    page.goto(scene["process"])
    assert_accessible(page, "process")
    page.get_by_role("link", name="Make a proposal").click()
    assert_accessible(page, "propose")
    # Sent empty: the summary takes the focus, and every field in error is outlined alike.
    page.get_by_role("button", name="Publish proposal").click()
    expect(page.locator(".error-summary")).to_be_focused()  # forms.js moves it there once the page is up
    borders = page.evaluate("['title', 'body'].map(id => getComputedStyle(document.getElementById(id)).borderColor)")
    assert borders[0] == borders[1], borders
    fill_proposal(page, "Shade trees on Enkplatz", "Plant **plane trees** around the square.", "public_space")
    page.get_by_label("Address or place (optional)").fill("Enkplatz")
    # Clicking the map marks the place (tiles may not load offline; the map still takes clicks).
    picker = page.locator("#location-picker")
    picker.wait_for(state="visible")
    picker.click()  # the centre of the map lies inside the area
    assert page.locator("input[name=latitude]").input_value() != ""
    page.get_by_label("Photos (optional, up to 3)").set_input_files(str(photo))
    page.get_by_label("What the photos show (for people who cannot see them)").fill("The square today")
    page.get_by_role("button", name="Publish proposal").click()
    page.wait_for_url("**/proposals/*")
    assert page.locator("h1").inner_text() == "Shade trees on Enkplatz"
    proposal_url = page.url
    assert page.get_by_role("img", name="The square today").is_visible()
    assert_accessible(page, "proposal")

    # Supporting updates in place (htmx), and works on a second proposal too.
    page.get_by_role("button", name="Support this proposal").click()
    page.get_by_role("button", name="Withdraw my support").wait_for()
    assert "1" in page.locator(".support-count strong").inner_text()
    page.goto(f"/proposals/{scene['city']}")
    assert page.get_by_role("button", name="Follow", exact=True).is_visible()
    page.get_by_role("button", name="Support this proposal").click()
    page.get_by_role("button", name="Withdraw my support").wait_for()
    page.get_by_role("button", name="Stop following").wait_for()  # supporters follow, shown at once

    # A comment, then the neighbour replies and Anna reads the notification.
    page.go_back()
    page.goto(scene["process"])
    page.get_by_role("link", name="Shade trees on Enkplatz").click()
    page.get_by_label("Your comment").fill("Benches would help too.")
    page.get_by_label("In favour").check()
    page.get_by_role("button", name="Post comment").click()
    page.locator(".comment", has_text="Benches would help too.").wait_for()
    proposal_url = page.url
    log_out(page)

    log_in(page, scene["nils"])
    page.goto(proposal_url)
    page.get_by_role("link", name="Reply").first.click()
    page.get_by_label("Your comment").fill("Agreed, and a drinking fountain.")
    page.get_by_role("button", name="Post reply").click()
    page.locator(".replies .comment", has_text="drinking fountain").wait_for()
    assert_accessible(page, "proposal-discussion")
    log_out(page)

    log_in(page, scene["anna"])
    page.get_by_role("link", name="Notifications").click()
    assert_accessible(page, "notifications")
    page.get_by_role("link", name="Nils replied to your comment").click()
    assert "drinking fountain" in page.content()

    # Switch to German and back, with the switcher on the page.
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change language").click()
    assert page.locator("html").get_attribute("lang") == "de"
    assert_accessible(page, "proposal-de")
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Sprache wechseln").click()
    assert page.locator("html").get_attribute("lang") == "en"

    # The map and the area feed show it to everyone; "Show on the map" opens its marker.
    page.goto(scene["process"] + "/map")
    expect(page.get_by_role("button", name="Shade trees on Enkplatz")).to_be_visible()  # its marker
    expect(page.get_by_role("link", name="1 proposal with a place")).to_be_visible()  # the list, without JavaScript
    assert_accessible(page, "map")
    page.goto(proposal_url)
    page.get_by_role("link", name="Show on the map").click()
    expect(page.locator(".leaflet-popup")).to_contain_text("Shade trees on Enkplatz")
    page.goto("/areas/vienna-simmering/activity")
    assert "Shade trees on Enkplatz" in page.content()


def test_a_place_outside_the_area_is_refused_and_the_map_still_picks_one(page, scene):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, scene["anna"])
    page.goto(scene["process"] + "/propose")
    fill_proposal(page, "Bike racks at the Paris end", "Somewhere far away.", "mobility", place=("48.8566", "2.3522"))
    page.get_by_role("button", name="Publish proposal").click()
    page.locator(".field-errors", has_text="Simmering").first.wait_for()

    # The refused place stays in the fields with its error; the map and "remove" still work.
    assert page.get_by_role("button", name="Remove the place").is_visible()
    picker = page.locator("#location-picker")
    picker.click()
    assert page.get_by_label("Latitude").input_value().startswith("48.1")
    chosen = page.get_by_label("Latitude").input_value()

    # A click beside the area (the map zoomed out) places nothing and says why.
    page.get_by_role("button", name="Zoom out").click()
    page.wait_for_timeout(400)  # Leaflet's zoom animation
    picker.click(position={"x": 4, "y": 4})
    status = page.locator("#location-picker + [role=status]")
    expect(status).to_have_text("This place lies outside Simmering. Pick a place inside the area.")
    assert page.get_by_label("Latitude").input_value() == chosen
    box = picker.bounding_box()
    picker.click(position={"x": box["width"] / 2 + 20, "y": box["height"] / 2 + 20})
    expect(status).to_have_text("")
    assert page.get_by_label("Latitude").input_value() not in ("", chosen)
    page.get_by_role("button", name="Remove the place").click()
    assert page.get_by_label("Latitude").input_value() == ""
    assert errors == []


def test_a_title_of_one_long_word_wraps_instead_of_widening_the_pages(page, scene, live_server):
    word = "Fahrradabstellanlagenerweiterungsvorschlag" * 3 + "Simmering" * 2
    with live_server.app.app_context():
        proposal = factories.proposal(factories.process(title="Long words"), title=word[:150], body=word)
        url, process_url = f"/proposals/{proposal.id}", f"/areas/vienna-simmering/processes/{proposal.process.slug}"
        db.session.commit()
        db.session.remove()
    for width in (1280, 390):  # a desktop window and a phone
        page.set_viewport_size({"width": width, "height": 900})
        for path in (url, process_url, "/areas/vienna-simmering/activity"):
            page.goto(path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (width, path, overflow)


def test_a_long_discussion_pages_through_whole_conversations(page, scene, live_server, monkeypatch):
    monkeypatch.setitem(live_server.app.config, "COMMENTS_PER_PAGE", 2)
    with live_server.app.app_context():
        proposal = factories.proposal(factories.process(title="Busy discussion"))
        first = factories.comment(proposal, body="Opening thought")
        factories.comment(proposal, parent=first, body="A reply to the opening")
        last = factories.comment(proposal, body="A late thought")
        url, last_id = f"/proposals/{proposal.id}", last.id
        db.session.commit()
        db.session.remove()
    log_in(page, scene["anna"])  # she reads English; the area's own language is German
    page.goto(url)
    assert "Opening thought" in page.content() and "A late thought" not in page.content()
    page.get_by_role("navigation", name="Pages of the discussion").get_by_role("link", name="Later comments").click()
    expect(page.locator(f"#comment-{last_id}")).to_contain_text("A late thought")
    assert "Comments page 2 of 2" in page.content() and "Opening thought" not in page.content()
    assert_accessible(page, "discussion-page-2")
    page.goto(f"/comments/{last_id}")  # a comment's own address finds its page
    assert page.url.endswith(f"{url}?comments=2#comment-{last_id}")


def test_a_map_of_many_places_draws_clusters_that_zoom_in(page, scene, live_server):
    with live_server.app.app_context():
        process = factories.process(title="Many places")
        area, author = process.area, factories.resident()
        side = 20  # 400 places on a grid over the area: more than the map draws one by one
        db.session.execute(insert(Proposal), [
            {"process_id": process.id, "area_id": area.id, "author_id": author.id, "title": f"Place {i}",
             "body": "A place.", "body_html": "<p>A place.</p>", "category": Category.MOBILITY,
             "latitude": area.bounds_south + (i // side + 0.5) * (area.bounds_north - area.bounds_south) / side,
             "longitude": area.bounds_west + (i % side + 0.5) * (area.bounds_east - area.bounds_west) / side}
            for i in range(side * side)])
        url = f"/areas/vienna-simmering/processes/{process.slug}/map"
        db.session.commit()
        db.session.remove()
    page.goto(url)
    clusters = page.locator(".map-cluster")
    expect(clusters.first).to_be_visible()
    counts = [int(text) for text in clusters.all_inner_texts()]
    assert sum(counts) == side * side and len(counts) > 1
    assert_accessible(page, "map-clusters")

    # Choosing a cluster zooms in on it: fewer places in view, until they come one by one.
    drawn = page.locator("#proposal-map").get_attribute("data-loaded")
    clusters.first.click()
    expect(page.locator("#proposal-map")).not_to_have_attribute("data-loaded", drawn)
    page.locator(".map-cluster, .leaflet-marker-icon").first.wait_for()
    in_clusters = sum(int(text) for text in page.locator(".map-cluster").all_inner_texts())
    one_by_one = page.locator(".leaflet-marker-icon:not(.map-cluster)").count()
    assert 0 < in_clusters + one_by_one < side * side
